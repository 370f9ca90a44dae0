"""The command group: help, one-line errors and --debug, closed pipes, no TensorFlow at start-up."""

from __future__ import annotations

import subprocess
import sys

import click

from tests.helpers import registered, run_cli


def test_help_lists_commands():
    result = run_cli("--help")
    assert result.exit_code == 0
    for name in ("plugins", "config"):
        assert name in result.output


def test_every_command_has_help():
    result = run_cli("--help")
    commands = [line.split()[0] for line in result.output.split("Commands:")[1].strip().splitlines()]
    for name in commands:
        sub = run_cli(name, "--help")
        assert sub.exit_code == 0, (name, sub.output)
        assert "Usage" in sub.output


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


def test_a_closed_pipe_is_no_error():
    @click.command("pipe")
    def pipe() -> None:
        raise BrokenPipeError(32, "Broken pipe")

    with registered("command", "pipe", pipe):
        result = run_cli("pipe")
    assert result.exit_code == 1 and "BrokenPipeError" not in result.output and "Error" not in result.output


def test_subprocess_writing_into_a_closed_pipe_prints_nothing():
    process = subprocess.Popen([sys.executable, "-m", "maskkit", "plugins"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "BrokenPipe" not in stderr and "Error" not in stderr and "Exception" not in stderr, stderr
