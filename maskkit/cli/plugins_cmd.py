"""``maskkit plugins``: what is installed and what each plugin registers."""

from __future__ import annotations

import json
import warnings

import attrs
import click

from maskkit.registry import Registry


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--details", "details_of", default=None, metavar="NAME",
              help="Show one registered name: description and its factory's arguments with defaults.")
def plugins(as_json: bool, details_of: str | None) -> None:
    """List each plugin, its distribution and version, the names it registers and what they are."""
    from maskkit.plugins import plugin_infos

    if details_of is not None:
        from maskkit.plugin_details import details

        click.echo(details(details_of, all_registries()))
        return

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        infos = plugin_infos()
    clashes = name_clashes()
    if as_json:
        click.echo(json.dumps([{**attrs.asdict(info), "clashes": [
            {"kind": kind, "name": name, "plugins": owners} for kind, name, owners in clashes if info.name in owners]}
            for info in infos], indent=2))
        return
    header = ("plugin", "distribution", "version", "registers")
    rows = []
    for info in infos:
        if info.error:
            registers = f"FAILED: {info.error}"
        else:
            registers = "; ".join(f"{kind}s: {', '.join(names)}" for kind, names in sorted(info.registered.items()))
            clashed = [f"{kind} {name!r}" for kind, name, owners in clashes if info.name in owners]
            if clashed:
                registers = "; ".join(filter(None, [registers, f"CLASH: {', '.join(clashed)}"]))
        rows.append((info.name, info.distribution, info.version, registers or "-"))
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row[:3], widths)) + "  " + row[3])
    if clashes:
        click.echo("\nName clashes (neither plugin wins: using such a name is an error until one plugin is "
                   "disabled with MASKKIT_DISABLE_PLUGINS=<plugin> or renames it):")
        for kind, name, owners in clashes:
            click.echo(f"  {kind} {name!r}: registered by {' and '.join(repr(o) for o in owners)}")
    _echo_descriptions()


def all_registries() -> tuple[Registry, ...]:
    """Every registry, in display order (each lives beside its kind; the commands' beside the CLI)."""
    from maskkit.augment.base import augmenters
    from maskkit.backbone import backbones
    from maskkit.cli.commands import commands
    from maskkit.dataset import datasets

    return (datasets, augmenters, backbones, commands)


def name_clashes() -> list[tuple[str, str, list[str]]]:
    """(kind, name, plugins) for every name registered by more than one plugin."""
    return [(reg.kind, name, owners) for reg in all_registries()
            for name, owners in sorted(reg.conflicts().items())]


def _echo_descriptions() -> None:
    """What each registered name is, and where to see its arguments."""
    from maskkit.plugin_details import description_lines

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        lines = description_lines(all_registries())
    if lines:
        click.echo("")
        click.echo("\n".join(lines))
        click.echo("\nArguments and defaults of one name: maskkit plugins --details NAME")
