"""Options shared by several commands: preset, config file, ``--set`` overrides, dataset arguments."""

from __future__ import annotations

from typing import Any, Callable, Iterable

import click

from maskkit.config import Config, parse_overrides


def config_options(func: Callable) -> Callable:
    """Add ``--preset NAME``, ``--config FILE`` and repeated ``--set KEY=VALUE`` to a command."""
    func = click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                        help="Override a config field (value parsed as YAML); repeatable.")(func)
    func = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                        help="Config file (.json, .yaml or .toml).")(func)
    func = click.option("--preset", default=None, metavar="NAME",
                        help="Start from a ready-made config: shapes (tuned for CPU) or default.")(func)
    return func


def build_config(config_path: str | None, overrides: Iterable[str], preset: str | None = None) -> Config:
    """The config from a file, a preset or the defaults, with ``--set`` overrides applied."""
    if config_path and preset:
        raise click.UsageError("give either --config or --preset, not both")
    from maskkit.model.presets import preset_config

    config = Config.load(config_path) if config_path else preset_config(preset or "default")
    return config.with_overrides(overrides)


def dataset_args(items: Iterable[str]) -> dict[str, Any]:
    """``["count=50", "images=dir"]`` -> ``{"count": 50, "images": "dir"}`` (values parsed as YAML)."""
    return {key.lower(): value for key, value in parse_overrides(items).items()}


def sets_field(overrides: Iterable[str], field: str) -> bool:
    """Whether ``--set`` assigns ``field`` explicitly (so it must not be adapted silently)."""
    return any(item.partition("=")[0].strip().upper() == field for item in overrides)


def checkpoint_options(dataset_help: str) -> Callable[[Callable], Callable]:
    """Add ``--weights``, ``--dataset``, ``--data`` and ``--set`` for commands that run a checkpoint."""

    def decorate(func: Callable) -> Callable:
        func = click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                            help="Override a stored config field, e.g. DETECTION_MIN_CONFIDENCE=0.5.")(func)
        func = click.option("--data", "data_items", multiple=True, metavar="KEY=VALUE",
                            help="Argument of the dataset's factory; repeatable.")(func)
        func = click.option("--dataset", "dataset_name", default=None, metavar="NAME", help=dataset_help)(func)
        return click.option("--weights", required=True, metavar="PATH",
                            help="A checkpoint file or a run/log folder.")(func)

    return decorate
