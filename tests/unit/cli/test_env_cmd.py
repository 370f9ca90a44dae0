"""``maskkit --version`` (no TensorFlow import) and ``maskkit env`` (versions and devices)."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from maskkit.cli.main import cli


def test_version_names_maskkit_tensorflow_and_keras_without_importing_tensorflow() -> None:
    code = ("import sys; from maskkit.cli.main import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("maskkit 0.") and "tensorflow 2." in out.stdout and "keras 3." in out.stdout


def test_env_lists_versions_and_the_cpu() -> None:
    result = CliRunner().invoke(cli, ["env", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    import keras
    import tensorflow as tf

    assert info["tensorflow"] == tf.__version__ and info["keras"] == keras.__version__
    assert any(device["type"] == "CPU" for device in info["devices"])
    table = CliRunner().invoke(cli, ["env"], catch_exceptions=False).output
    assert "tensorflow" in table and "CPU" in table


def test_env_reports_what_auto_picks_here_and_why() -> None:
    from maskkit.model.precision import auto_precision

    info = json.loads(CliRunner().invoke(cli, ["env", "--json"], catch_exceptions=False).output)
    choice = auto_precision()
    assert (info["auto_precision"], info["auto_precision_reason"]) == (choice.precision, choice.reason)
    assert choice.precision in ("float32", "mixed_bfloat16", "mixed_float16") and choice.reason
    table = CliRunner().invoke(cli, ["env"], catch_exceptions=False).output
    assert f"{choice.precision} ({choice.reason})" in table


def test_env_never_suggests_xla_with_bfloat16(monkeypatch) -> None:
    from maskkit.model import precision

    monkeypatch.setattr(precision, "gpu_capabilities", lambda: [])
    monkeypatch.setattr(precision, "cpu_flags", lambda: {"avx512_bf16", "amx_bf16"})
    table = CliRunner().invoke(cli, ["env"], catch_exceptions=False).output
    assert "mixed_bfloat16 (this CPU has AMX)" in table and "cpu bfloat16         yes (AMX)" in table
    xla = next(line for line in table.splitlines() if line.startswith("XLA"))
    assert "leave off" in xla
