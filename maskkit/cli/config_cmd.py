"""``maskkit config``: show or save the effective configuration."""

from __future__ import annotations

import click

from maskkit.cli.options import build_config, config_options


@click.group("config")
def config() -> None:
    """Show or save a configuration."""


@config.command("show")
@config_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of the table.")
def show(preset: str | None, config_path: str | None, overrides: tuple[str, ...], as_json: bool) -> None:
    """Print the configuration after the file and --set overrides are applied."""
    import json

    cfg = build_config(config_path, overrides, preset)
    if as_json:
        click.echo(json.dumps(cfg.to_dict(), indent=2))
    else:
        click.echo(cfg.format_table())


@config.command("save")
@config_options
@click.argument("path", type=click.Path(dir_okay=False))
def save(preset: str | None, config_path: str | None, overrides: tuple[str, ...], path: str) -> None:
    """Write the configuration to PATH in the format its extension names (.json, .yaml/.yml or .toml)."""
    build_config(config_path, overrides, preset).save(path)
    click.echo(f"wrote {path}")
