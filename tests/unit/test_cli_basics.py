"""CLI basics through click's runner and a real subprocess: help, plugins, config, errors."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from maskkit.cli.main import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_help_lists_commands():
    result = run("--help")
    assert result.exit_code == 0
    for name in ("plugins", "config"):
        assert name in result.output


def test_every_command_has_help():
    result = run("--help")
    commands = [line.split()[0] for line in result.output.split("Commands:")[1].strip().splitlines()]
    for name in commands:
        sub = run(name, "--help")
        assert sub.exit_code == 0, (name, sub.output)
        assert "Usage" in sub.output


def test_plugins_table_and_json():
    table = run("plugins")
    assert table.exit_code == 0 and "shapes" in table.output and "datasets: shapes" in table.output
    data = json.loads(run("plugins", "--json").output)
    shapes = next(p for p in data if p["name"] == "shapes")
    assert shapes["distribution"] == "maskkit" and shapes["registered"]["dataset"] == ["shapes"]


def test_config_show_with_overrides():
    result = run("config", "show", "--set", "images_per_gpu=4", "--json")
    assert result.exit_code == 0 and json.loads(result.output)["IMAGES_PER_GPU"] == 4


def test_config_show_preset_and_unknown_preset():
    assert json.loads(run("config", "show", "--preset", "shapes", "--json").output)["BACKBONE"] == "tiny"
    result = CliRunner().invoke(cli, ["config", "show", "--preset", "nope"])
    assert result.exit_code == 1 and "known: cpu, default, shapes" in result.output


def test_config_save_and_load(tmp_path):
    path = tmp_path / "c.yaml"
    assert run("config", "save", "--set", "name=mine", str(path)).exit_code == 0
    result = run("config", "show", "--config", str(path), "--json")
    assert json.loads(result.output)["NAME"] == "mine"


def test_bad_config_value_is_one_line_error():
    result = CliRunner().invoke(cli, ["config", "show", "--set", "image_max_dim=100"])
    assert result.exit_code == 1
    assert "IMAGE_MAX_DIM" in result.output and "Traceback" not in result.output


def test_subprocess_help_and_plugins_do_not_import_tensorflow():
    code = ("import sys; from maskkit.cli.main import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n")
    for args in (["--help"], ["plugins"]):
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr


def test_subprocess_error_has_no_traceback_and_debug_shows_it():
    base = [sys.executable, "-m", "maskkit"]
    out = subprocess.run([*base, "config", "show", "--set", "nope=1"], capture_output=True, text=True)
    assert out.returncode == 1 and "NOPE" in out.stderr and "Traceback" not in out.stderr
    out = subprocess.run([*base, "--debug", "config", "show", "--set", "nope=1"], capture_output=True, text=True)
    assert out.returncode == 1 and "Traceback" in out.stderr
