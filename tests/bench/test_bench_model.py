"""bench/bench_model.py's --baseline: a folder is used as it is, a git revision is exported first."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import load_bench

ROOT = Path(__file__).resolve().parents[2]


def test_a_folder_is_the_checkout_itself(tmp_path: Path) -> None:
    bench = load_bench("bench_model")
    assert bench.baseline_checkout(str(ROOT), str(tmp_path)) == str(ROOT)
    assert not any(tmp_path.iterdir())


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout")
def test_a_revision_is_exported_with_its_own_files(tmp_path: Path) -> None:
    bench = load_bench("bench_model")
    revision = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD~1"], capture_output=True, text=True,
                              check=True).stdout.strip()
    assert bench.baseline_checkout(revision, str(tmp_path)) == str(tmp_path)
    expected = subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:maskkit/config.py"],
                              capture_output=True, text=True, check=True).stdout
    assert (tmp_path / "maskkit" / "config.py").read_text() == expected
    assert (tmp_path / "plugins").is_dir()
