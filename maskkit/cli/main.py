"""The ``maskkit`` command group: subcommands load lazily so ``--help`` never imports TensorFlow.

Errors maskkit raises on purpose are printed as one line without a traceback; ``--debug``
shows the traceback. TensorFlow's own log lines stay hidden unless ``--verbose`` (or
``MASKKIT_VERBOSE=1``); a closed output pipe (``maskkit ... | head``) ends the command quietly.
"""

from __future__ import annotations

import errno
import traceback
import warnings
from typing import Any

import click

from maskkit import quiet
from maskkit.cli.commands import commands, get_command
from maskkit.errors import MaskkitError, PluginError


class LazyGroup(click.Group):
    """A group whose commands are imported only when they run (or when their help is shown)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The registered command names, built-in and from plugins, without importing them.

        Args:
            ctx: the click context (unused).
        """
        return commands.names()

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """Import and return the command ``name``; None if it is not registered.

        Args:
            ctx: the click context (unused).
            name: the command name; a plugin failing to load becomes a ClickException.
        """
        if name not in commands:
            return None
        try:
            return get_command(name)
        except PluginError as exc:
            raise click.ClickException(str(exc)) from exc

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; a maskkit error becomes one line on stderr and exit code 1.

        Args:
            ctx: the group's click context; ``ctx.obj["debug"]`` prints the traceback first.
        """
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
        """List commands with their registered one-line help, without importing their modules.

        Args:
            ctx: the click context.
            formatter: the help formatter written to.
        """
        entries = commands.entries()
        rows = [(name, entries[name].description or "command from a plugin") for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


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
    """Console entry point: quietens TensorFlow's start-up lines for this process (maskkit.quiet);
    warnings print as one ``Warning: ...`` line, without source file and line.

    Args:
        argv: the command-line arguments after ``maskkit``; None reads sys.argv.
    """
    quiet.install()
    warnings.formatwarning = _one_line_warning
    return cli.main(args=argv, prog_name="maskkit")
