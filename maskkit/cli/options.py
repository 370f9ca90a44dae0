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
                        help="Config file (.json, .yaml or .toml); its fields override the preset's, "
                             "and a 'preset' key in it names the preset to start from.")(func)
    func = click.option("--preset", default=None, metavar="NAME",
                        help="Start from a ready-made config: cpu (your data on a CPU), shapes, or "
                             "default (matterport's, for a GPU). Default: the dataset's recommendation, "
                             "else default.")(func)
    return func


def assembled_config(config_path: str | None, overrides: Iterable[str], preset: str | None = None,
                     dataset: str | None = None) -> tuple[Config, str]:
    """The config (preset, then file, then ``--set``) and the name of the preset it started from."""
    from maskkit.presets import assemble_config

    config, base = assemble_config(preset, config_path, dataset)
    return config.with_overrides(overrides), base


def build_config(config_path: str | None, overrides: Iterable[str], preset: str | None = None,
                 dataset: str | None = None) -> Config:
    """The config from a preset (or ``dataset``'s recommended one), a file and ``--set`` overrides."""
    return assembled_config(config_path, overrides, preset, dataset)[0]


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
                            help="A checkpoint file, or a run/log folder: its newest run's best checkpoint "
                                 "when one was kept, else its newest.")(func)

    return decorate
