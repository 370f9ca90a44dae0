"""The one place the effective Config is built, recording where each field's final value came from.

Layers, each later one winning:

1. the start: a preset (the one named, else the config file's ``preset`` key, else the dataset's
   recommended preset, else ``default``), or a ready Config (a checkpoint's, one passed to Pipeline);
2. the dataset: its class count as NUM_CLASSES, its name as NAME for presets named after the dataset;
3. the backbone: the strides it declares as BACKBONE_STRIDES;
4. a data plan (``plan_request``): when the user names no preset, config or config file and the
   dataset recommends no preset, the fields ``maskkit data plan`` proposes for the training data on
   this machine, over the machine's preset (``cpu`` without an NVIDIA GPU, ``default`` with one);
5. the config file;
6. explicit overrides (``--set``, ``--backbone``, Pipeline's ``overrides``), in the order given.

NUM_CLASSES and BACKBONE_STRIDES are facts of the data and the backbone. A config file or a ready
Config carries every field (``config save`` writes them all), so their values yield to those facts;
an explicit override that contradicts one is a ConfigError naming both.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import attrs

from maskkit.config import Config, field_names
from maskkit.config_files import read_config_file
from maskkit.dataset_recommendation import recommendation
from maskkit.errors import ConfigError
from maskkit.presets import NAMED_AFTER_DATASET, preset_config

if TYPE_CHECKING:
    from maskkit.backbone import Backbone
    from maskkit.dataset import Dataset
    from maskkit.planning import Plan
    from maskkit.planning.machine import Machine

#: The source of a field no layer changed: Config's own default.
DEFAULT_SOURCE = "default"
#: The source of the fields a data plan set (plan_request).
PLAN_SOURCE = "data plan"

#: The values Config computes from others, and the fields each is computed from.
DERIVED = {"BATCH_SIZE": ("IMAGES_PER_GPU", "GPU_COUNT"),
           "IMAGE_SHAPE": ("IMAGE_RESIZE_MODE", "IMAGE_MIN_DIM", "IMAGE_MAX_DIM", "IMAGE_CHANNEL_COUNT"),
           "IMAGE_META_SIZE": ("NUM_CLASSES",)}


def _overrides(value: Any) -> tuple[tuple[str, dict[str, Any]], ...]:
    return tuple((str(source), {str(key).upper(): item for key, item in fields.items()})
                 for source, fields in value if fields)


@attrs.frozen
class ConfigRequest:
    """What the user asks for, before the dataset and the backbone are known.

    ``preset`` names a ready-made config, or ``config`` is a ready Config, called ``config_source``
    where a field's source is shown; ``config_file`` is a .yaml/.yml, .toml or .json file; each of
    ``overrides`` is ``(source, {FIELD: value})``, e.g. ``("--set", {"IMAGES_PER_GPU": 4})``;
    ``planned`` holds the fields a data plan proposed (see plan_request).
    """

    preset: str | None = None
    config: Config | None = None
    config_source: str = "config argument"
    config_file: str | os.PathLike | None = None
    overrides: tuple[tuple[str, dict[str, Any]], ...] = attrs.field(default=(), converter=_overrides)
    #: the fields a data plan set (plan_request), applied over ``preset`` and the dataset's facts
    planned: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def names_nothing(self) -> bool:
        """Whether the user named no preset, ready config or config file (overrides may be given)."""
        return self.preset is None and self.config is None and self.config_file is None

    def __attrs_post_init__(self) -> None:
        if self.preset is not None and self.config is not None:
            raise ConfigError("preset", "give either config or preset, not both", kind="argument")

    def with_overrides(self, source: str, fields: Mapping[str, Any]) -> ConfigRequest:
        """This request with one more explicit layer ``fields``, shown as coming from ``source``."""
        return attrs.evolve(self, overrides=(*self.overrides, (source, dict(fields))))


@attrs.frozen
class AssembledConfig:
    """The effective Config, the preset it started from (None for a ready Config) and each field's source."""

    config: Config
    preset: str | None
    sources: Mapping[str, str]

    def source(self, field: str) -> str:
        """Where ``field``'s value came from: ``"preset cpu"``, ``"file run.toml"``, ``"--set"``, ...

        Args:
            field: a Config field or derived value (BATCH_SIZE, IMAGE_SHAPE, IMAGE_META_SIZE), any case.

        Returns:
            The source; ConfigError names the known fields for an unknown one.
        """
        name = field.upper()
        if name in DERIVED:
            return "derived from " + ", ".join(f"{part} ({self.sources[part]})" for part in DERIVED[name])
        if name not in self.sources:
            raise ConfigError(name, f"unknown field; known fields: {', '.join((*field_names(), *DERIVED))}")
        return self.sources[name]

    def explain(self, field: str) -> dict[str, Any]:
        """``{"field": "IMAGE_MAX_DIM", "value": 512, "source": "preset cpu"}``, JSON-friendly.

        Args:
            field: a Config field or derived value, any case (as in :meth:`source`).
        """
        name = field.upper()
        source = self.source(name)
        value = getattr(self.config, name)
        return {"field": name, "value": list(value) if isinstance(value, tuple) else value, "source": source}

    def why(self, field: str) -> str:
        """One line: ``IMAGE_MAX_DIM = 512  (preset cpu)``.

        Args:
            field: a Config field or derived value, any case (as in :meth:`source`).
        """
        explained = self.explain(field)
        return f"{explained['field']} = {explained['value']}  ({explained['source']})"


def assemble_config(request: ConfigRequest | None = None, *, dataset_name: str | None = None,
                    dataset: Dataset | None = None, backbone: Backbone | None = None) -> AssembledConfig:
    """Build the effective config from the request, the dataset and the backbone (see the module doc).

    Args:
        request: preset or ready Config, config file and explicit overrides (default: nothing asked).
        dataset_name: the registered dataset's name: its recommended preset, and NAME for presets
            named after the dataset.
        dataset: the prepared dataset whose classes NUM_CLASSES must match (None: not known yet).
        backbone: the backbone whose strides BACKBONE_STRIDES must match (None: not built yet).

    Returns:
        The config with each field's source; ConfigError names the field, its source and, for a
        contradicted fact, the dataset or backbone.
    """
    request = request or ConfigRequest()
    file_values = read_config_file(request.config_file) if request.config_file is not None else {}
    file_preset = file_values.pop("PRESET", None)
    if file_preset is not None and not isinstance(file_preset, str):
        raise ConfigError("preset", f"the config file's preset must be a name, got {file_preset!r}")
    if request.config is not None:
        preset, start = None, request.config
        sources = dict.fromkeys(field_names(), request.config_source)
    else:
        preset = request.preset or file_preset or recommendation(dataset_name).preset or "default"
        start = preset_config(preset)
        default = Config()
        sources = {name: DEFAULT_SOURCE if getattr(start, name) == getattr(default, name) else f"preset {preset}"
                   for name in field_names()}
    values: dict[str, Any] = {}

    def apply(fields: Mapping[str, Any], source: str) -> None:
        values.update(fields)
        sources.update(dict.fromkeys(fields, source))

    if preset in NAMED_AFTER_DATASET and dataset_name:
        apply({"NAME": dataset_name}, f"dataset {dataset_name}")
    facts = _facts(dataset_name, dataset, backbone)
    for name, (value, source, _) in facts.items():
        apply({name: value}, source)
    if request.planned:
        apply({k: v for k, v in request.planned.items() if k not in facts}, PLAN_SOURCE)
    if file_values:
        apply({k: v for k, v in file_values.items() if k not in facts}, f"file {Path(request.config_file).name}")
    for source, fields in request.overrides:
        _check_facts(fields, facts, source)
        apply(fields, source)
    return AssembledConfig(_build(start, values, sources), preset, sources)


def _facts(dataset_name: str | None, dataset: Dataset | None,
           backbone: Backbone | None) -> dict[str, tuple[Any, str, str]]:
    """Field -> (value, source, what it must agree with) for the values the data and backbone decide."""
    facts = {}
    if dataset is not None:
        label = dataset_name or dataset.name
        facts["NUM_CLASSES"] = (dataset.num_classes, f"dataset {label}",
                                f"dataset {label} has {dataset.num_classes} classes including BG: "
                                f"{', '.join(dataset.class_names)}")
    if backbone is not None:
        facts["BACKBONE_STRIDES"] = (backbone.output_strides(), f"backbone {backbone.name}",
                                     f"backbone {backbone.name!r} produces {dict(backbone.outputs)}")
    return facts


def _check_facts(fields: Mapping[str, Any], facts: Mapping[str, tuple[Any, str, str]], source: str) -> None:
    """ConfigError when an explicit value contradicts what the dataset or backbone decides."""
    for name, (value, _, needs) in facts.items():
        if name not in fields:
            continue
        given = fields[name]
        if (tuple(given) if isinstance(given, (list, tuple)) else given) != value:
            raise ConfigError(name, f"{source} sets {given} but {needs}; leave {name} out to follow it")


def _build(start: Config, values: Mapping[str, Any], sources: Mapping[str, str]) -> Config:
    """``start`` with ``values`` applied and checked once; a failing field's error names its source."""
    changed = {name: value for name, value in values.items() if not hasattr(start, name)
               or getattr(start, name) != value}
    if not changed:
        return start
    try:
        return start.replace(**changed)
    except ConfigError as exc:
        if exc.field not in sources or sources[exc.field] == DEFAULT_SOURCE:
            raise
        error = ConfigError(None, f"{exc} (from {sources[exc.field]})")
        error.field = exc.field
        raise error from exc


def pipeline_request(config: Config | ConfigRequest | None, preset: str | None, overrides: dict[str, Any] | None,
                     backbone: str | None, augmenters: Iterable[str] | str | None) -> ConfigRequest:
    """maskkit.Pipeline's config arguments as one ConfigRequest, its overrides labelled by argument name.

    Args:
        config: a ready Config, a ConfigRequest (then ``preset`` must be None) or None.
        preset: a preset name, or None.
        overrides: field values set explicitly (labelled ``overrides``).
        backbone: a BACKBONE override (labelled ``backbone argument``).
        augmenters: an AUGMENTERS override (labelled ``augmenters argument``).
    """
    if isinstance(config, ConfigRequest):
        if preset is not None:
            raise ConfigError("preset", "give either config or preset, not both", kind="argument")
        request = config
    else:
        request = ConfigRequest(preset=preset, config=config)
    for source, fields in (("overrides", overrides or {}), ("backbone argument", {"BACKBONE": backbone}),
                           ("augmenters argument", {"AUGMENTERS": augmenters})):
        fields = {key: value for key, value in fields.items() if value is not None}
        if fields:
            request = request.with_overrides(source, fields)
    return request


def unnamed_preset(dataset_name: str | None, machine: Machine) -> str:
    """The preset a request that names none starts from: the dataset's recommendation, else the
    machine's (``cpu`` without an NVIDIA GPU, ``default`` with one).

    Args:
        dataset_name: the registered dataset's name, or None.
        machine: the Machine trained on (maskkit.planning.this_machine()).
    """
    from maskkit.planning.machine import machine_preset

    return recommendation(dataset_name).preset or machine_preset(machine)


def dataset_plan(request: ConfigRequest, dataset_name: str | None, dataset: Dataset, machine: Machine) -> Plan:
    """The data plan for ``dataset`` on ``machine``, starting from the config ``request`` gives.

    Args:
        request: the config to plan from (preset, file, overrides; not a ready Config), as ``maskkit
            data plan`` reads it.
        dataset_name: the registered dataset's name (its recommendation, and NAME for ``cpu``).
        dataset: the training dataset; only its annotations are read.
        machine: the Machine trained on.
    """
    from maskkit.planning import make_plan, read_annotations

    current = assemble_config(request, dataset_name=dataset_name, dataset=dataset)
    return make_plan(read_annotations(dataset), current.config, machine, current.preset,
                     preset_config(current.preset, dataset_name))


def plan_request(request: ConfigRequest, dataset_name: str | None, dataset: Dataset | None) -> ConfigRequest:
    """``request`` with a data plan when it names nothing and the dataset recommends no preset.

    A user who brings their own data and names no preset, config or config file gets what ``maskkit
    data plan`` would propose for it on this machine (image size, anchors, limits, sampling,
    backbone, batch), over ``cpu`` without an NVIDIA GPU or ``default`` with one, instead of
    matterport's 1024 px ResNet-101 default. It reads the annotations only.

    Args:
        request: what the user asked for.
        dataset_name: the registered dataset's name (its recommendation, and NAME for ``cpu``).
        dataset: the training dataset the plan is made for; None leaves ``request`` as it is.

    Returns:
        ``request`` itself, or a copy with ``preset`` set to the machine's and ``planned`` filled.
    """
    if dataset is None or not request.names_nothing or recommendation(dataset_name).preset:
        return request
    from maskkit.planning import this_machine

    machine = this_machine()
    request = attrs.evolve(request, preset=unnamed_preset(dataset_name, machine))
    plan = dataset_plan(request, dataset_name, dataset, machine)
    return attrs.evolve(request, planned={field.name: field.value for field in plan.fields})
