"""Loading weights into any Keras 3 model by layer name (or order), with exclusions and a report."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

import attrs
import numpy as np

from maskkit.errors import WeightsError
from maskkit.weights.classes import CLASS_HEAD_LAYERS, check_class_names
from maskkit.weights.h5file import open_weights_file
from maskkit.weights.layout import FileLayer, FileWeight, WeightsLayout, read_layout
from maskkit.weights.model_layers import ModelLayer, flatten_model
from maskkit.weights.native import verify_checksum

_SHOWN = 12


@attrs.frozen
class LoadReport:
    """Which layers were loaded, excluded, absent from the file, or present in the file but unused."""

    path: str
    file_format: str
    loaded: tuple[str, ...]
    excluded: tuple[str, ...]
    missing_in_file: tuple[str, ...]
    unused_in_file: tuple[str, ...]
    metadata: dict[str, Any] = attrs.field(factory=dict, eq=False)

    def __str__(self) -> str:
        lines = [f"Loaded {len(self.loaded)} layers from {self.path} ({self.file_format})."]
        for title, names in (
            ("excluded", self.excluded),
            ("missing in file (left as initialised)", self.missing_in_file),
            ("unused in file", self.unused_in_file),
        ):
            if names:
                lines.append(f"  {title} ({len(names)}): {_short_list(names)}")
        return "\n".join(lines)


def load_weights(
    model: Any,
    path: str | os.PathLike,
    by_name: bool = True,
    exclude: Iterable[str | re.Pattern[str]] | None = (),
    strict: bool = False,
    class_names: Sequence[str] | None = None,
) -> LoadReport:
    """Load a maskkit checkpoint or a Keras 2 / matterport HDF5 file into ``model``.

    ``exclude`` takes layer names or regexes (matched against the whole name). Every shape is checked
    before anything is assigned, so a failed load leaves the model untouched. With ``strict`` every
    non-excluded layer on both sides must match. With ``class_names`` the names stored in the file
    must equal them unless the class heads are excluded.

    Args:
        model: any Keras 3 model; nested models are flattened to their leaf layers.
        path: the weights file; a native checkpoint's checksum is verified before anything is assigned.
        by_name: match layers by name; False matches them by order, which needs the same architecture.
        exclude: layer names or regexes to leave untouched; None or () excludes nothing.
        strict: raise WeightsError unless every non-excluded layer matches on both sides.
        class_names: the model's class list, BG first; None skips the class-name check.

    Returns:
        A LoadReport of the loaded, excluded, missing and unused layers.
    """
    layers = flatten_model(model)
    with open_weights_file(path) as handle:
        layout = read_layout(handle, path)
        verify_checksum(handle, path)
        return load_layout(layers, layout, by_name=by_name, exclude=exclude, strict=strict, class_names=class_names)


def load_layout(
    layers: list[ModelLayer],
    layout: WeightsLayout,
    by_name: bool = True,
    exclude: Iterable[str | re.Pattern[str]] | None = (),
    strict: bool = False,
    class_names: Sequence[str] | None = None,
) -> LoadReport:
    """Match, check and assign an already-opened layout onto flattened model layers.

    Args:
        layers: the model's leaf layers, from flatten_model.
        layout: the file's layout; its file must still be open.
        by_name, exclude, strict, class_names: as in load_weights.

    Returns:
        A LoadReport of the loaded, excluded, missing and unused layers.
    """
    excluder = Excluder(exclude)
    if class_names is not None:
        check_class_names(
            layout.metadata.get("class_names"),
            class_names,
            excluded_heads=heads_excluded(layers, excluder),
            source=f"weights file {layout.path}",
        )
    excluded = [layer.name for layer in layers if excluder.excludes_model_layer(layer)]
    kept = [layer for layer in layers if not excluder.excludes_model_layer(layer)]
    if by_name:
        pairs, missing, unused = _match_by_name(kept, layout, excluder)
    else:
        pairs, missing, unused = _match_by_order(layers, layout, excluder)
    if by_name and not pairs and kept and layout.layers:
        raise WeightsError(
            f"weights file {layout.path} has no layer in common with the model (another architecture?): "
            f"file layers {_short_list([layer.name for layer in layout.layers])}; "
            f"model layers {_short_list([layer.name for layer in kept])}"
        )
    if strict and (missing or unused):
        raise WeightsError(
            f"weights file {layout.path} does not match the model exactly (strict=True): "
            f"missing in file: {_short_list(missing) or 'none'}; unused in file: {_short_list(unused) or 'none'}"
        )
    arrays = [
        (variable, np.asarray(weight.dataset[()], dtype=variable.dtype))
        for variable, weight in _plan_assignments(pairs, layout.path)
    ]
    for variable, array in arrays:
        variable.assign(array)
    return LoadReport(
        path=str(layout.path),
        file_format=layout.label,
        loaded=tuple(model_layer.name for model_layer, _ in pairs),
        excluded=tuple(excluded),
        missing_in_file=tuple(missing),
        unused_in_file=tuple(unused),
        metadata=layout.metadata,
    )


class Excluder:
    """Matches layer names against exact names or regexes (whole-name match).

    Args:
        patterns: names or regexes; one str or Pattern counts as a list of one, None as none. A str that
            is not a valid regex matches itself literally.
    """

    def __init__(self, patterns: Iterable[str | re.Pattern[str]] | None) -> None:
        if patterns is None:
            patterns = ()
        elif isinstance(patterns, (str, re.Pattern)):
            patterns = [patterns]
        self.patterns = [_compile(pattern) for pattern in patterns]

    def matches(self, *names: str) -> bool:
        """True if any pattern matches any of ``names`` whole.

        Args:
            names: the names one layer goes by.
        """
        return any(pattern.fullmatch(name) for pattern in self.patterns for name in names)

    def excludes_model_layer(self, layer: ModelLayer) -> bool:
        """A model layer is excluded by its stored name, its own name, or any enclosing model's name.

        Args:
            layer: a leaf layer from flatten_model.
        """
        return self.matches(layer.name, *layer.path)

    def excludes_file_layer(self, layer: FileLayer) -> bool:
        """A file layer is excluded by its name, its HDF5 group's name or any of its aliases.

        Args:
            layer: a layer of a WeightsLayout.
        """
        return self.matches(layer.name, layer.group, *layer.aliases)


def heads_excluded(layers: list[ModelLayer], excluder: Excluder) -> bool:
    """True if the model has class-specific heads and all of them are excluded.

    Args:
        layers: the model's leaf layers, from flatten_model.
        excluder: the exclusions of the load.
    """
    heads = [layer for layer in layers if layer.path[-1] in CLASS_HEAD_LAYERS]
    return bool(heads) and all(excluder.excludes_model_layer(layer) for layer in heads)


def _compile(pattern: str | re.Pattern[str]) -> re.Pattern[str]:
    if isinstance(pattern, re.Pattern):
        return pattern
    try:
        return re.compile(pattern)
    except re.error:
        return re.compile(re.escape(pattern))


def _match_by_name(
    kept: list[ModelLayer], layout: WeightsLayout, excluder: Excluder
) -> tuple[list[tuple[ModelLayer, FileLayer]], list[str], list[str]]:
    in_file = layout.by_name()
    pairs, missing, used = [], [], set()
    for layer in kept:
        found = in_file.get(layer.name) or (in_file.get(layer.path[-1]) if layer.name != layer.path[-1] else None)
        if found is None:
            missing.append(layer.name)
        else:
            pairs.append((layer, found))
            used.add(found.name)
    unused = [
        layer.name for layer in layout.layers if layer.name not in used and not excluder.excludes_file_layer(layer)
    ]
    return pairs, missing, unused


def _match_by_order(
    layers: list[ModelLayer], layout: WeightsLayout, excluder: Excluder
) -> tuple[list[tuple[ModelLayer, FileLayer]], list[str], list[str]]:
    if len(layers) != len(layout.layers):
        raise WeightsError(
            f"weights file {layout.path} has {len(layout.layers)} layers with weights but the model has "
            f"{len(layers)}: loading by order needs the same architecture (use by_name=True)"
        )
    pairs = [
        (layer, stored) for layer, stored in zip(layers, layout.layers) if not excluder.excludes_model_layer(layer)
    ]
    return pairs, [], []


def _plan_assignments(
    pairs: list[tuple[ModelLayer, FileLayer]], path: Path
) -> list[tuple[Any, FileWeight]]:
    """Pair every variable with its stored weight, checking all shapes so nothing is assigned on a mismatch."""
    assignments, problems, culprits = [], [], []
    for model_layer, file_layer in pairs:
        matched = _pair_weights(model_layer, file_layer, path)
        for variable, weight in matched:
            want, have = tuple(variable.shape), weight.shape
            if want != have:
                problems.append(
                    f"layer {model_layer.name!r} weight {variable.name!r}: file has shape {have}, model has {want}"
                )
                culprits.append(model_layer.name)
        assignments.extend(matched)
    if problems:
        culprits = list(dict.fromkeys(culprits))
        raise WeightsError(
            f"weights file {path} does not fit the model ({len(problems)} shape mismatches): "
            + "; ".join(problems[:_SHOWN])
            + (" ..." if len(problems) > _SHOWN else "")
            + f". To skip these layers pass exclude={culprits!r}"
        )
    return assignments


def _pair_weights(model_layer: ModelLayer, file_layer: FileLayer, path: Path) -> list[tuple[Any, FileWeight]]:
    """Match a layer's variables to stored weights by short name (kernel, gamma, ...), else by order."""
    variables = model_layer.variables
    wanted = [variable.name for variable in variables]
    stored = {weight.short_name: weight for weight in file_layer.weights}
    if len(set(wanted)) == len(wanted) and len(stored) == len(file_layer.weights) and set(stored) == set(wanted):
        return [(variable, stored[variable.name]) for variable in variables]
    if len(variables) != len(file_layer.weights):
        raise WeightsError(
            f"weights file {path}: layer {model_layer.name!r} has {len(variables)} weights in the model "
            f"({', '.join(wanted)}) but {len(file_layer.weights)} in the file "
            f"({', '.join(weight.name for weight in file_layer.weights)})"
        )
    return list(zip(variables, file_layer.weights))


def _short_list(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" ... (+{len(names) - _SHOWN} more)" if len(names) > _SHOWN else "")
