"""TensorFlow's start-up lines: quietened by the CLI entry point only, never hiding an import error;
--verbose switches them back on; ``import maskkit`` leaves the host process alone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from maskkit import quiet
from tests.helpers import run_cli


def run_python(code: str, *path: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter with ``path`` first on sys.path and no TensorFlow log settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", quiet.VERBOSE_ENV)}
    env["PYTHONPATH"] = os.pathsep.join([*path, env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.fixture
def fake_tensorflow(tmp_path):
    """A stand-in ``tensorflow`` package that chatters on file descriptor 2, then fails if FAIL is set."""
    package = tmp_path / "tensorflow"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent("""
        import os
        os.write(2, b"libcudart.so.12: cannot open shared object file\\n")
        if os.environ.get("FAIL"):
            raise ImportError("tensorflow could not load its runtime")
    """))
    return str(tmp_path)


def test_importing_maskkit_installs_no_hook_and_sets_no_environment():
    result = run_python("""
        import os, sys
        before = list(sys.meta_path)
        import maskkit
        print(sys.meta_path == before, "TF_CPP_MIN_LOG_LEVEL" in os.environ)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


def test_a_failing_tensorflow_import_shows_its_error_and_what_it_printed(fake_tensorflow):
    result = run_python("""
        import os
        os.environ["FAIL"] = "1"
        from maskkit import quiet
        quiet.install()
        import tensorflow
    """, fake_tensorflow)
    assert result.returncode == 1
    assert "libcudart.so.12: cannot open shared object file" in result.stderr
    assert "ImportError: tensorflow could not load its runtime" in result.stderr


def test_a_successful_import_holds_back_its_chatter_and_gives_stderr_back(fake_tensorflow):
    result = run_python("""
        import sys
        from maskkit import quiet
        quiet.install()
        import tensorflow
        print("after the import", file=sys.stderr)
    """, fake_tensorflow)
    assert result.returncode == 0
    assert result.stderr == "after the import\n"


def test_the_cli_entry_point_installs_the_quiet_import(monkeypatch):
    from maskkit.cli import main as cli_main

    calls = []
    monkeypatch.setattr(quiet, "install", lambda: calls.append(True))
    with pytest.raises(SystemExit) as exit_info:
        cli_main.main(["--help"])
    assert exit_info.value.code == 0 and calls == [True]


def test_verbose_switches_tensorflow_logs_back_on(monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.delenv(quiet.VERBOSE_ENV, raising=False)
    assert not quiet.verbose()
    assert run_cli("--verbose", "config", "show").exit_code == 0
    assert quiet.verbose() and quiet.os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"
