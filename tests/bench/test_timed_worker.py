"""bench/timed_worker.py: a worker answers each request with its two timings, and a failing one is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import load_bench

ROOT = Path(__file__).resolve().parents[2]

ECHO = """
import sys
print("ready", flush=True)
for line in sys.stdin:
    if line.strip() == "crash":
        sys.exit("worker gave up")
    print(len(line.strip()), 0.5, flush=True)
"""


def test_worker_answers_each_request_with_wall_and_cpu_seconds():
    worker = load_bench("timed_worker").TimedWorker(ECHO, "{}", str(ROOT), "the echo worker")
    worker.wait_ready()
    assert worker.call("detect") == (6.0, 0.5)
    assert worker.call("train") == (5.0, 0.5)
    worker.close()
    assert worker.process.returncode == 0


def test_a_worker_that_fails_is_named_with_its_stderr():
    bench = load_bench("timed_worker")
    broken = bench.TimedWorker("import sys; sys.exit('no model here')", "{}", str(ROOT), "the broken worker")
    with pytest.raises(RuntimeError, match=r"(?s)the broken worker did not start:.*no model here"):
        broken.wait_ready()
    broken.close()
    stopping = bench.TimedWorker(ECHO, "{}", str(ROOT), "the echo worker")
    stopping.wait_ready()
    with pytest.raises(RuntimeError, match=r"(?s)the echo worker stopped on 'crash':.*worker gave up"):
        stopping.call("crash")
    stopping.close()
