"""A model timed in a subprocess of its own and driven over a pipe: how the benchmarks compare settings.

Every setting waits blocked on its pipe while another one is timed, so none competes with the timed
one (an in-process model's TensorFlow threads spin on after each call) and all see the same load.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile


class TimedWorker:
    """``script`` run by this interpreter with one argument, with ``checkout`` and its plugins/ on the path.

    The script prints ``ready`` once its model is built and warmed up, then answers every line it reads
    with the wall and CPU seconds (all threads) of one timed call. Its stderr (TensorFlow's start-up
    chatter) goes to a file that is shown only when the worker fails.

    Args:
        script: Python source of the worker, run with ``python -c``.
        argument: its one command-line argument (``sys.argv[1]``), e.g. the setting as JSON.
        checkout: the repository whose ``maskkit`` and plugins the worker imports.
        description: names the worker in error messages, e.g. ``the worker for {...}``.
    """

    def __init__(self, script: str, argument: str, checkout: str, description: str) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([checkout, os.path.join(checkout, "plugins")])}
        self.log = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen([sys.executable, "-c", script, argument], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.log, text=True, env=env,
                                        cwd=tempfile.gettempdir())
        self.description = description

    def wait_ready(self) -> None:
        """Block until the worker has built its model and run its untimed warm-up calls."""
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"{self.description} did not start:\n{self._log_tail()}")

    def call(self, request: str) -> tuple[float, float]:
        """Wall and CPU seconds (all threads) of the one call named by ``request`` (e.g. ``detect``)."""
        self.process.stdin.write(f"{request}\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().split()
        if len(answer) != 2:
            raise RuntimeError(f"{self.description} stopped on {request!r}:\n{self._log_tail()}")
        return float(answer[0]), float(answer[1])

    def close(self) -> None:
        """End the worker (it leaves its loop when its stdin closes) and drop its log."""
        self.process.stdin.close()
        self.process.wait()
        self.log.close()

    def _log_tail(self) -> str:
        """The last 3,000 characters the worker wrote to stderr."""
        self.log.seek(0)
        return self.log.read()[-3000:]
