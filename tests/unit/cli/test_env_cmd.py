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
    assert info["suggested_precision"] in ("float32", "mixed_bfloat16", "mixed_float16")
    table = CliRunner().invoke(cli, ["env"], catch_exceptions=False).output
    assert "tensorflow" in table and "CPU" in table and "suggested PRECISION" in table
