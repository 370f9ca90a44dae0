"""The ``maskkit`` command group: subcommands load lazily so ``--help`` never imports TensorFlow.

Errors maskkit raises on purpose are printed as one line without a traceback; ``--debug``
shows the traceback. TensorFlow's own log lines stay hidden unless ``--verbose`` (or
``MASKKIT_VERBOSE=1``); a closed output pipe (``maskkit ... | head``) ends the command quietly.
"""

from __future__ import annotations

import errno
import importlib
import traceback
import warnings
from typing import Any

import click

from maskkit.errors import MaskkitError

#: command name -> "module:attribute" of its click command (imported on use).
BUILTIN_COMMANDS = {
    "plugins": "maskkit.cli.plugins_cmd:plugins",
    "config": "maskkit.cli.config_cmd:config",
    "inspect": "maskkit.cli.inspect_cmd:inspect_cmd",
    "train": "maskkit.cli.train_cmd:train",
    "detect": "maskkit.cli.detect_cmd:detect",
    "evaluate": "maskkit.cli.evaluate_cmd:evaluate",
    "weights": "maskkit.cli.weights_cmd:weights",
    "export": "maskkit.cli.export_cmd:export",
    "data": "maskkit.cli.data_cmd:data",
    "env": "maskkit.cli.env_cmd:env",
}


def _available_builtins() -> dict[str, str]:
    found = {}
    for name, target in BUILTIN_COMMANDS.items():
        module = target.partition(":")[0]
        if importlib.util.find_spec(module) is not None:
            found[name] = target
    return found


class LazyGroup(click.Group):
    """A group whose commands are imported only when they run (or when their help is shown)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from maskkit.registry import commands

        names = set(_available_builtins())
        names.update(commands.names())
        return sorted(names)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        builtins = _available_builtins()
        if name in builtins:
            module, _, attribute = builtins[name].partition(":")
            return getattr(importlib.import_module(module), attribute)
        from maskkit.registry import commands

        if name in commands:
            command = commands.get(name)
            if not isinstance(command, click.Command):
                raise click.ClickException(f"plugin command {name!r} is not a click.Command")
            return command
        return None

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; a maskkit error becomes one line on stderr and exit code 1."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except MaskkitError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            raise click.ClickException(str(exc)) from exc
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                raise  # click's main turns a closed pipe into a quiet exit
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            raise click.ClickException(
                f"{type(exc).__name__}: {exc} (run with --debug for the traceback)") from exc

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List commands with the first line of their help, without importing their modules."""
        rows = [(name, _SHORT_HELP.get(name, "command from a plugin")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


_SHORT_HELP = {
    "plugins": "List installed plugins and what they register.",
    "config": "Show or save a configuration.",
    "inspect": "Walk through a dataset: counts, anchors, targets, pictures.",
    "train": "Train Mask R-CNN on a registered dataset.",
    "detect": "Detect instances in images and write pictures and results.json.",
    "evaluate": "COCO and mAP evaluation of a checkpoint on a dataset.",
    "weights": "Inspect and convert weights files.",
    "export": "Export a TensorFlow SavedModel for serving.",
    "data": "Check a dataset for problems before training.",
    "env": "Show versions and the devices TensorFlow sees.",
}


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """maskkit's version with the installed TensorFlow and Keras, read from package metadata (no TF import)."""
    if not value or ctx.resilient_parsing:
        return
    from importlib import metadata

    import maskkit

    def installed(*names: str) -> str:
        for name in names:
            try:
                return metadata.version(name)
            except metadata.PackageNotFoundError:
                continue
        return "not installed"

    click.echo(f"maskkit {maskkit.__version__} (tensorflow {installed('tensorflow', 'tensorflow-cpu')}, "
               f"keras {installed('keras')}); `maskkit env` lists the devices")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.option("--verbose", is_flag=True, help="Show TensorFlow's own log lines (also MASKKIT_VERBOSE=1).")
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show maskkit, TensorFlow and Keras versions and exit.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, verbose: bool) -> None:
    """maskkit: train, detect, evaluate and inspect Mask R-CNN models with plugins."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if verbose:
        from maskkit.quiet import show_tensorflow_logs

        show_tensorflow_logs()


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                      line: str | None = None) -> str:
    return f"Warning: {message}\n"


def main(argv: list[str] | None = None) -> Any:
    """Console entry point (``import maskkit`` has already quietened TensorFlow's start-up lines);
    warnings print as one ``Warning: ...`` line, without source file and line."""
    warnings.formatwarning = _one_line_warning
    return cli.main(args=argv, prog_name="maskkit")
