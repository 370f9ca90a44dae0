"""Options shared by several commands: preset, config file, ``--set`` overrides, dataset arguments.

Commands turn the config options into a ConfigRequest and build the config with
maskkit.config_assembly, as Pipeline does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

import click

from maskkit.config import Config
from maskkit.config_files import parse_overrides

if TYPE_CHECKING:
    from maskkit.config_assembly import ConfigRequest
    from maskkit.dataset import Dataset


def config_options(func: Callable) -> Callable:
    """Add ``--preset NAME``, ``--config FILE`` and repeated ``--set KEY=VALUE`` to a command.

    Args:
        func: the command function; it receives ``preset``, ``config_path`` and ``overrides``.
    """
    func = click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                        help="Override a config field (value parsed as YAML); repeatable.")(func)
    func = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                        help="Config file (.json, .yaml or .toml); its fields override the preset's, "
                             "and a 'preset' key in it names the preset to start from.")(func)
    func = click.option("--preset", default=None, metavar="NAME",
                        help="Start from a ready-made config: cpu (your data on a CPU), shapes, or "
                             "default (matterport's, for a GPU). Default: the dataset's recommendation, "
                             "else (with --config neither) a config planned from the dataset's "
                             "annotations for this machine, as `maskkit data plan` proposes.")(func)
    return func


def config_request(config_path: str | None, overrides: Iterable[str], preset: str | None = None) -> ConfigRequest:
    """What ``--preset``, ``--config`` and ``--set`` ask for, as maskkit.config_assembly reads it.

    Args:
        config_path: ``--config``'s file, or None.
        overrides: ``--set``'s ``KEY=VALUE`` strings (values parsed as YAML).
        preset: ``--preset``, or None to leave the choice to config_assembly.
    """
    from maskkit.config_assembly import ConfigRequest

    return ConfigRequest(preset=preset, config_file=config_path, overrides=(("--set", parse_overrides(overrides)),))


def build_config(config_path: str | None, overrides: Iterable[str], preset: str | None = None,
                 dataset_name: str | None = None, dataset: Dataset | None = None) -> Config:
    """The effective config of ``--preset``, ``--config`` and ``--set`` for a dataset.

    Args:
        config_path: ``--config``'s file, or None.
        overrides: ``--set``'s ``KEY=VALUE`` strings.
        preset: ``--preset``, or None for the dataset's recommendation (else ``default``).
        dataset_name: the registered dataset the run uses, or None.
        dataset: that dataset, prepared, when its classes should decide NUM_CLASSES.

    Returns:
        The assembled Config (maskkit.config_assembly).
    """
    from maskkit.config_assembly import assemble_config

    request = config_request(config_path, overrides, preset)
    return assemble_config(request, dataset_name=dataset_name, dataset=dataset).config


def dataset_args(items: Iterable[str]) -> dict[str, Any]:
    """``["count=50", "images=dir"]`` -> ``{"count": 50, "images": "dir"}`` (values parsed as YAML).

    Args:
        items: ``--data``'s ``KEY=VALUE`` strings; keys are lower-cased.
    """
    return {key.lower(): value for key, value in parse_overrides(items).items()}


def checkpoint_options(dataset_help: str) -> Callable[[Callable], Callable]:
    """Add ``--weights``, ``--dataset``, ``--data`` and ``--set`` for commands that run a checkpoint.

    Args:
        dataset_help: the ``--dataset`` option's help text, which differs per command.

    Returns:
        A decorator; the command receives ``weights``, ``dataset_name``, ``data_items`` and ``overrides``.
    """

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
