"""maskkit's native checkpoint: an HDF5 ``.weights.h5`` with one group per layer and JSON metadata.

Layout: root attributes ``format="maskkit"``, ``format_version``, ``layer_names`` and ``metadata``
(JSON: epoch, config, class names, backbone, maskkit version, ...); one group per flattened layer
name with attribute ``weight_names`` and one dataset per weight, in the layer's order. A training
checkpoint also holds the optimizer's variables (SGD momentum, step count) in group
``__optimizer_state__``. Root attribute ``checksum`` (SHA-256 over every stored array, in order) is
verified on load, so damage that keeps the file readable is still caught.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable, Iterable

import h5py
import numpy as np

from maskkit.errors import WeightsError
from maskkit.atomic_files import atomic_path
from maskkit.weights.h5file import decode, open_weights_file, read_string_list, write_string_list
from maskkit.weights.layout import FORMAT, FORMAT_VERSION, read_layout, short_weight_name
from maskkit.weights.model_layers import flatten_model

# (layer name, [(weight name, function returning the array)]): arrays are read one layer at a time.
LayerArrays = tuple[str, list[tuple[str, Callable[[], np.ndarray]]]]
OPTIMIZER_GROUP = "__optimizer_state__"
CHECKSUM_ATTR = "checksum"


def save_weights(model: Any, path: str | os.PathLike, metadata: dict[str, Any] | None = None,
                 optimizer: Any = None) -> None:
    """Write ``model``'s weights (and ``optimizer``'s variables, if given) to a native checkpoint
    atomically (the old file survives a failure).

    Args:
        model: a Keras model; nested models are flattened to their leaf layers.
        path: the checkpoint to write, usually ``*.weights.h5``.
        metadata: JSON-serialisable metadata (epoch, config, class names, ...); None for none.
        optimizer: a built Keras optimizer whose variables are stored too; None for none.
    """
    import keras

    layers = [
        (layer.name, [(variable.name, variable.numpy) for variable in layer.variables])
        for layer in flatten_model(model)
    ]
    root_attrs = {"keras_version": keras.__version__, "backend": keras.backend.backend()}
    state = [(variable.path, np.asarray(variable.numpy())) for variable in optimizer.variables] if optimizer else []
    write_native(path, layers, metadata or {}, root_attrs, state)


def read_optimizer_state(path: str | os.PathLike) -> list[tuple[str, np.ndarray]]:
    """The optimizer variables (name, array) stored in a native checkpoint, in order; [] if none.

    Args:
        path: the checkpoint.
    """
    with open_weights_file(path) as handle:
        if OPTIMIZER_GROUP not in handle:
            return []
        group = handle[OPTIMIZER_GROUP]
        return [(name, group[str(index)][()]) for index, name in enumerate(read_string_list(group, "variable_names"))]


def restore_optimizer_state(optimizer: Any, state: list[tuple[str, np.ndarray]]) -> bool:
    """Assign stored optimizer variables (all but the learning rate, which the caller chooses) to a
    built ``optimizer``; False, changing nothing, if they do not fit (other layers were trained).

    Args:
        optimizer: a built Keras optimizer.
        state: (name, array) pairs from read_optimizer_state, matched to the variables by position.

    Returns:
        True if the variables were assigned.
    """
    pairs = [(variable, array) for variable, (_, array) in zip(optimizer.variables, state)
             if not variable.path.endswith("learning_rate")]
    if len(state) != len(optimizer.variables) or any(tuple(v.shape) != a.shape for v, a in pairs):
        return False
    for variable, array in pairs:
        variable.assign(array)
    return True


def verify_checksum(handle: h5py.File, path: str | os.PathLike) -> None:
    """Recompute a native checkpoint's checksum; WeightsError naming the file if it does not match.

    Files without a checksum (older checkpoints, Keras 2 files) pass.

    Args:
        handle: the open weights file.
        path: the file's path, named in the error.
    """
    stored = decode(handle.attrs.get(CHECKSUM_ATTR, ""))
    if not stored:
        return
    digest = hashlib.sha256()
    for name in read_string_list(handle, "layer_names"):
        group = handle[name]
        for weight in read_string_list(group, "weight_names"):
            _update(digest, f"{name}/{weight}", group[weight][()])
    if OPTIMIZER_GROUP in handle:
        group = handle[OPTIMIZER_GROUP]
        for index, name in enumerate(read_string_list(group, "variable_names")):
            _update(digest, name, group[str(index)][()])
    if f"sha256:{digest.hexdigest()}" != stored:
        raise WeightsError(f"weights file {path} is damaged: its arrays do not match the checksum stored when "
                           f"it was written (disk or copy error); use an earlier checkpoint")


def _update(digest: Any, name: str, array: np.ndarray) -> None:
    array = np.ascontiguousarray(array)
    digest.update(f"{name}:{array.dtype.str}:{array.shape}".encode())
    digest.update(array.tobytes())


def read_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """The JSON metadata stored in a native checkpoint; ``{}`` for Keras 2 / matterport files.

    Args:
        path: the weights file.
    """
    with open_weights_file(path) as handle:
        return dict(read_layout(handle, path).metadata)


def convert_weights(src: str | os.PathLike, dst: str | os.PathLike, metadata: dict[str, Any] | None = None) -> None:
    """Rewrite a Keras 2 / matterport weights file (or a native one) as a native checkpoint, without a model.

    Args:
        src: the file to read.
        dst: the native checkpoint to write.
        metadata: entries added to (and overriding) the source's metadata, ``converted_from`` and
            ``source_format``; None for none.
    """
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
    path: str | os.PathLike, layers: Iterable[LayerArrays], metadata: dict[str, Any], root_attrs: dict[str, Any],
    optimizer_state: list[tuple[str, np.ndarray]] = (),
) -> None:
    """Write layers, optimizer state, metadata and checksum in the native layout through a temp file,
    fsync and rename.

    Args:
        path: the checkpoint to write; WeightsError if that fails.
        layers: (layer name, [(weight name, function returning the array)]) per layer, in order.
        metadata: JSON-serialisable metadata; ``maskkit_version`` is added.
        root_attrs: further root attributes, e.g. ``keras_version`` and ``backend``.
        optimizer_state: (variable name, array) pairs stored in the optimizer group; empty for none.
    """
    import maskkit

    path = Path(path)
    text = _metadata_json({**metadata, "maskkit_version": maskkit.__version__}, path)
    digest = hashlib.sha256()
    try:
        with atomic_path(path) as tmp:
            with h5py.File(tmp, "w") as handle:
                names = [_write_layer(handle, name, weights, digest) for name, weights in layers]
                if optimizer_state:
                    group = handle.create_group(OPTIMIZER_GROUP)
                    for index, (name, array) in enumerate(optimizer_state):
                        group.create_dataset(str(index), data=array)
                        _update(digest, name, array)
                    write_string_list(group, "variable_names", [name for name, _ in optimizer_state])
                handle.attrs[CHECKSUM_ATTR] = f"sha256:{digest.hexdigest()}"
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


def _write_layer(handle: h5py.File, name: str, weights: list[tuple[str, Callable[[], np.ndarray]]],
                 digest: Any) -> str:
    group = handle.create_group(name)
    short = [short_weight_name(weight_name) for weight_name, _ in weights]
    unique = len(set(short)) == len(short)
    dataset_names = short if unique else [f"{index}_{weight}" for index, weight in enumerate(short)]
    for dataset_name, (_, read) in zip(dataset_names, weights):
        array = np.asarray(read())
        group.create_dataset(dataset_name, data=array)
        _update(digest, f"{name}/{dataset_name}", array)
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
