"""The CLI command registry, with maskkit's own commands contributed through the hook a plugin implements.

Each built-in command is one ``register`` line: its name, the ``"module:attribute"`` of its click
command (imported only when it runs) and the one-line help ``maskkit --help`` shows without importing it.
Importing this module registers nothing: the registry adds :class:`MaskkitCommands` to the plugin
manager when its entries are first read.
"""

from __future__ import annotations

import click

from maskkit.errors import PluginError
from maskkit.hookspecs import Register, hookimpl
from maskkit.registry import Registry


class MaskkitCommands:
    """maskkit's own plugin of CLI commands (registered as ``maskkit.commands``, left out of ``maskkit plugins``)."""

    @hookimpl
    def maskkit_register_commands(self, register: Register) -> None:
        """Register the built-in commands by import string.

        Args:
            register: the hook's ``register(name, factory, *, description="")`` callback.
        """
        register("plugins", "maskkit.cli.plugins_cmd:plugins",
                 description="List installed plugins and what they register.")
        register("config", "maskkit.cli.config_cmd:config", description="Show or save a configuration.")
        register("inspect", "maskkit.cli.inspect_cmd:inspect_cmd",
                 description="Walk through a dataset: counts, anchors, targets, pictures.")
        register("train", "maskkit.cli.train_cmd:train", description="Train Mask R-CNN on a registered dataset.")
        register("detect", "maskkit.cli.detect_cmd:detect",
                 description="Detect instances in images and write pictures and results.json.")
        register("evaluate", "maskkit.cli.evaluate_cmd:evaluate",
                 description="COCO and mAP evaluation of a checkpoint on a dataset.")
        register("weights", "maskkit.cli.weights_cmd:weights", description="Inspect and convert weights files.")
        register("export", "maskkit.cli.export_cmd:export",
                 description="Export a TensorFlow SavedModel for serving.")
        register("data", "maskkit.cli.data_cmd:data", description="Check a dataset for problems before training.")
        register("env", "maskkit.cli.env_cmd:env", description="Show versions and the devices TensorFlow sees.")


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
