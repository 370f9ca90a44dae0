"""Options shared by several commands: config file, ``--set`` overrides, dataset arguments."""

from __future__ import annotations

from typing import Any, Callable, Iterable

import click

from maskkit.config import Config, parse_overrides


def config_options(func: Callable) -> Callable:
    """Add ``--config FILE`` and repeated ``--set KEY=VALUE`` to a command."""
    func = click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                        help="Override a config field (value parsed as YAML); repeatable.")(func)
    func = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                        help="Config file (.json, .yaml or .toml).")(func)
    return func


def build_config(config_path: str | None, overrides: Iterable[str], base: Config | None = None) -> Config:
    """The config from a file (or ``base``, or the defaults) with ``--set`` overrides applied."""
    config = Config.load(config_path) if config_path else (base or Config())
    return config.with_overrides(overrides)


def dataset_args(items: Iterable[str]) -> dict[str, Any]:
    """``["count=50", "images=dir"]`` -> ``{"count": 50, "images": "dir"}`` (values parsed as YAML)."""
    return {key.lower(): value for key, value in parse_overrides(items).items()}
