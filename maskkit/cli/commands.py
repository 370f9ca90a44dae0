"""The CLI command registry, with maskkit's own commands contributed through the hook a plugin implements.

Each built-in command is one row of ``BUILTIN_COMMANDS``: its name, the ``"module:attribute"`` of its click
command (imported only when it runs) and the one-line help ``maskkit --help`` shows without importing it.
Importing this module registers nothing: the registry adds :class:`MaskkitCommands` to the plugin
manager when its entries are first read.
"""

from __future__ import annotations

import click

from maskkit.errors import PluginError
from maskkit.hookspecs import Register, hookimpl
from maskkit.registry import Registry


#: maskkit's own commands: name, ``"module:attribute"`` of the click command, one-line help.
BUILTIN_COMMANDS = (
    ("plugins", "maskkit.cli.plugins_cmd:plugins", "List installed plugins and what they register."),
    ("config", "maskkit.cli.config_cmd:config", "Show or save a configuration."),
    ("inspect", "maskkit.cli.inspect_cmd:inspect_cmd", "Walk through a dataset: counts, anchors, targets, pictures."),
    ("train", "maskkit.cli.train_cmd:train", "Train Mask R-CNN on a registered dataset."),
    ("detect", "maskkit.cli.detect_cmd:detect", "Detect instances in images and write pictures and results.json."),
    ("evaluate", "maskkit.cli.evaluate_cmd:evaluate", "COCO and mAP evaluation of a checkpoint on a dataset."),
    ("weights", "maskkit.cli.weights_cmd:weights", "Inspect and convert weights files."),
    ("export", "maskkit.cli.export_cmd:export", "Export a TensorFlow SavedModel for serving."),
    ("data", "maskkit.cli.data_cmd:data", "Check a dataset for problems before training."),
    ("env", "maskkit.cli.env_cmd:env", "Show versions and the devices TensorFlow sees."),
)


class MaskkitCommands:
    """maskkit's own plugin of CLI commands (registered as ``maskkit.commands``, left out of ``maskkit plugins``)."""

    @hookimpl
    def maskkit_register_commands(self, register: Register) -> None:
        """Register the built-in commands of BUILTIN_COMMANDS by import string.

        Args:
            register: the hook's ``register(name, factory, *, description="")`` callback.
        """
        for name, target, description in BUILTIN_COMMANDS:
            register(name, target, description=description)


#: CLI commands registered through ``maskkit_register_commands``, maskkit's own included.
commands = Registry("command", builtin=MaskkitCommands())


def get_command(name: str) -> click.Command:
    """The click command registered as ``name``.

    Args:
        name: a registered command name.

    Returns:
        The resolved click command; PluginError if the plugin's object is not one.
    """
    command = commands.get(name)
    if not isinstance(command, click.Command):
        raise PluginError(f"plugin command {name!r} is not a click.Command")
    return command
