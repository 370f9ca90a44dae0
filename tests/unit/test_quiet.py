"""--verbose switches TensorFlow's logs back on."""

from __future__ import annotations

from tests.helpers import run_cli


def test_verbose_switches_tensorflow_logs_back_on(monkeypatch):
    from maskkit import quiet

    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.delenv(quiet.VERBOSE_ENV, raising=False)
    assert not quiet.verbose()
    assert run_cli("--verbose", "config", "show").exit_code == 0
    assert quiet.verbose() and quiet.os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"
