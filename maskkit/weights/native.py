"""maskkit's native checkpoint: an HDF5 ``.weights.h5`` with one group per layer and JSON metadata.

Layout: root attributes ``format="maskkit"``, ``format_version``, ``layer_names`` and ``metadata``
(JSON: epoch, config, class names, backbone, maskkit version, ...); one group per flattened layer
name with attribute ``weight_names`` and one dataset per weight, in the layer's order.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Iterable

import h5py
import numpy as np

from maskkit.errors import WeightsError
from maskkit.io import atomic_path
from maskkit.weights.h5file import decode, open_weights_file, write_string_list
from maskkit.weights.layout import FORMAT, FORMAT_VERSION, read_layout, short_weight_name
from maskkit.weights.model_layers import flatten_model

# (layer name, [(weight name, function returning the array)]): arrays are read one layer at a time.
LayerArrays = tuple[str, list[tuple[str, Callable[[], np.ndarray]]]]


def save_weights(model: Any, path: str | os.PathLike, metadata: dict[str, Any] | None = None) -> None:
    """Write ``model``'s weights to a native checkpoint atomically (the old file survives a failure)."""
    import keras

    layers = [
        (layer.name, [(variable.name, variable.numpy) for variable in layer.variables])
        for layer in flatten_model(model)
    ]
    root_attrs = {"keras_version": keras.__version__, "backend": keras.backend.backend()}
    write_native(path, layers, metadata or {}, root_attrs)


def read_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """The JSON metadata stored in a native checkpoint; ``{}`` for Keras 2 / matterport files."""
    with open_weights_file(path) as handle:
        return dict(read_layout(handle, path).metadata)


def convert_weights(src: str | os.PathLike, dst: str | os.PathLike, metadata: dict[str, Any] | None = None) -> None:
    """Rewrite a Keras 2 / matterport weights file (or a native one) as a native checkpoint, without a model."""
    with open_weights_file(src) as handle:
        layout = read_layout(handle, src)
        layers = [
            (layer.name, [(weight.short_name, _reader(weight.dataset)) for weight in layer.weights])
            for layer in layout.layers
        ]
        merged = {**layout.metadata, "converted_from": Path(src).name, "source_format": layout.format}
        root_attrs = {key: decode(handle.attrs[key]) for key in ("keras_version", "backend") if key in handle.attrs}
        write_native(dst, layers, {**merged, **(metadata or {})}, root_attrs)


def write_native(
    path: str | os.PathLike, layers: Iterable[LayerArrays], metadata: dict[str, Any], root_attrs: dict[str, Any]
) -> None:
    """Write layers and metadata in the native layout through a temp file, fsync and rename."""
    import maskkit

    path = Path(path)
    text = _metadata_json({**metadata, "maskkit_version": maskkit.__version__}, path)
    try:
        with atomic_path(path) as tmp:
            with h5py.File(tmp, "w") as handle:
                names = [_write_layer(handle, name, weights) for name, weights in layers]
                handle.attrs["format"] = FORMAT
                handle.attrs["format_version"] = FORMAT_VERSION
                handle.attrs["metadata"] = text
                for key, value in root_attrs.items():
                    handle.attrs[key] = value
                write_string_list(handle, "layer_names", names)
            with open(tmp, "rb+") as raw:
                os.fsync(raw.fileno())
    except (OSError, ValueError, TypeError) as exc:
        raise WeightsError(f"could not write weights file {path}: {exc}") from exc


def _write_layer(handle: h5py.File, name: str, weights: list[tuple[str, Callable[[], np.ndarray]]]) -> str:
    group = handle.create_group(name)
    short = [short_weight_name(weight_name) for weight_name, _ in weights]
    unique = len(set(short)) == len(short)
    dataset_names = short if unique else [f"{index}_{weight}" for index, weight in enumerate(short)]
    for dataset_name, (_, read) in zip(dataset_names, weights):
        group.create_dataset(dataset_name, data=np.asarray(read()))
    write_string_list(group, "weight_names", dataset_names)
    return name


def _reader(dataset: h5py.Dataset) -> Callable[[], np.ndarray]:
    return lambda: dataset[()]


def _metadata_json(metadata: dict[str, Any], path: Path) -> str:
    try:
        return json.dumps(metadata, default=_jsonable)
    except (TypeError, ValueError) as exc:
        raise WeightsError(f"metadata for weights file {path} is not JSON-serialisable: {exc}") from exc


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} value {value!r} is not JSON-serialisable")
