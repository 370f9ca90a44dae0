"""The command registry: maskkit's own commands come through the hook a plugin implements when the registry is
first read (not on import), each command module imported only when asked for."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from maskkit import PluginError, plugins
from maskkit.cli.commands import commands, get_command
from tests.helpers import registered

BUILTIN = ["config", "data", "detect", "env", "evaluate", "export", "inspect", "plugins", "train", "weights"]


def test_builtin_commands_are_registered_by_import_string_from_a_builtin_plugin():
    entries = commands.entries()
    assert sorted(name for name, entry in entries.items() if plugins.is_builtin(entry.plugin)) == BUILTIN
    assert entries["train"].factory == "maskkit.cli.train_cmd:train"
    assert entries["train"].description == "Train Mask R-CNN on a registered dataset."


def test_importing_the_command_registry_registers_nothing():
    code = ("import sys, maskkit.cli.commands, maskkit.cli.main\n"
            "from maskkit import plugins\n"
            "sys.exit(plugins.is_builtin('maskkit.commands') or 'maskkit.cli.train_cmd' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_a_command_is_imported_when_asked_for(monkeypatch):
    monkeypatch.delitem(sys.modules, "maskkit.cli.env_cmd", raising=False)
    assert commands.entries()["env"].factory == "maskkit.cli.env_cmd:env"
    assert "maskkit.cli.env_cmd" not in sys.modules
    assert isinstance(get_command("env"), click.Command) and "maskkit.cli.env_cmd" in sys.modules


def test_a_plugin_command_that_is_no_click_command_is_refused():
    with registered("command", "not_click", lambda: None):
        with pytest.raises(PluginError, match="plugin command 'not_click' is not a click.Command"):
            get_command("not_click")
