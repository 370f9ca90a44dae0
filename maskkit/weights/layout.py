"""The layers of a weights file, read the same way whether it is a maskkit checkpoint or Keras 2 HDF5.

A Keras 2 file (matterport's Mask_RCNN, Keras ImageNet weights) has a root attribute ``layer_names``
(at the root or under ``model_weights`` for full-model saves) and one group per layer with a
``weight_names`` attribute. A nested model (matterport's ``rpn_model``) is one group whose weight
names carry the inner layers' names; it is split into one entry per inner layer so that every entry
matches one leaf layer of a Keras 3 model.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import attrs
import h5py

from maskkit.errors import WeightsError
from maskkit.weights.h5file import decode, has_string_list, read_string_list

FORMAT = "maskkit"
FORMAT_VERSION = 1
KERAS2 = "keras2"
FORMAT_LABELS = {FORMAT: "maskkit checkpoint", KERAS2: "Keras 2 / matterport HDF5 weights"}


def short_weight_name(name: str) -> str:
    """``"rpn_model/rpn_conv_shared/kernel:0"`` -> ``"kernel"``: the name that identifies a weight in its layer.

    Args:
        name: a weight name as stored, with or without path and ``:N`` suffix.
    """
    return re.sub(r":\d+$", "", name.rsplit("/", 1)[-1])


def _owner(weight_name: str, group_name: str) -> str:
    """The layer a Keras 2 weight belongs to: the path component before its short name."""
    parts = weight_name.split("/")
    return parts[-2] if len(parts) >= 2 else group_name


@attrs.frozen
class FileWeight:
    """One stored array: its name as written in the file and the (unread) HDF5 dataset."""

    name: str
    dataset: h5py.Dataset = attrs.field(eq=False, repr=False)

    @property
    def short_name(self) -> str:
        return short_weight_name(self.name)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.dataset.shape)


@attrs.frozen
class FileLayer:
    """The weights of one model layer as stored in a file; ``group`` is the HDF5 group holding them."""

    name: str
    group: str
    weights: tuple[FileWeight, ...]
    aliases: tuple[str, ...] = ()


@attrs.frozen
class WeightsLayout:
    """What a weights file holds: its format, raw groups, layers to match by name, and metadata."""

    path: Path
    format: str
    groups: tuple[tuple[str, tuple[FileWeight, ...]], ...]
    layers: tuple[FileLayer, ...]
    metadata: dict[str, Any] = attrs.field(factory=dict, eq=False)

    @property
    def label(self) -> str:
        return FORMAT_LABELS.get(self.format, self.format)

    def by_name(self) -> dict[str, FileLayer]:
        """Layers by name; an unambiguous alias (a wrapper's inner layer name) also finds its layer."""
        alias_counts = Counter(alias for layer in self.layers for alias in layer.aliases)
        found = {alias: layer for layer in self.layers for alias in layer.aliases if alias_counts[alias] == 1}
        found.update((layer.name, layer) for layer in self.layers)
        return found

    def renamed(self, rename: Callable[[str], str]) -> "WeightsLayout":
        """A copy whose layer names went through ``rename`` (used to map other naming schemes).

    Args:
        rename: maps a stored layer name to the model's; aliases are dropped.
    """
        layers = tuple(attrs.evolve(layer, name=rename(layer.name), aliases=()) for layer in self.layers)
        return attrs.evolve(self, layers=layers)


def read_layout(handle: h5py.File, path: str | Path) -> WeightsLayout:
    """Read the layer/weight structure of an open weights file (no arrays are loaded).

    Args:
        handle: the open HDF5 file; its datasets stay referenced by the layout, so keep it open.
        path: the file's path, kept in the layout and named in errors.

    Returns:
        A WeightsLayout of format FORMAT (maskkit checkpoint) or KERAS2.
    """
    path = Path(path)
    if decode(handle.attrs.get("format", "")) == FORMAT:
        return _read_native(handle, path)
    if has_string_list(handle, "layer_names"):
        root: h5py.Group = handle
    elif "model_weights" in handle and has_string_list(handle["model_weights"], "layer_names"):
        root = handle["model_weights"]
    else:
        hint = ""
        if "layers" in handle:
            hint = " It looks like a Keras 3 file from model.save_weights; load it with model.load_weights instead."
        raise WeightsError(
            f"weights file {path} is HDF5 but has no 'layer_names' attribute: it is neither a maskkit "
            f"checkpoint nor a Keras 2 / matterport weights file.{hint}"
        )
    groups = _read_groups(root, path)
    return WeightsLayout(path=path, format=KERAS2, groups=groups, layers=_split_nested(groups))


def _read_native(handle: h5py.File, path: Path) -> WeightsLayout:
    version = int(handle.attrs.get("format_version", 0))
    if version > FORMAT_VERSION:
        raise WeightsError(
            f"weights file {path} uses maskkit format version {version}; this maskkit reads up to "
            f"{FORMAT_VERSION}: upgrade maskkit"
        )
    try:
        metadata = json.loads(decode(handle.attrs.get("metadata", "{}")))
    except json.JSONDecodeError as exc:
        raise WeightsError(f"weights file {path} has corrupt metadata: {exc}") from exc
    groups = _read_groups(handle, path)
    layers = tuple(FileLayer(name=name, group=name, weights=weights) for name, weights in groups)
    return WeightsLayout(path=path, format=FORMAT, groups=groups, layers=layers, metadata=metadata)


def _read_groups(root: h5py.Group, path: Path) -> tuple[tuple[str, tuple[FileWeight, ...]], ...]:
    """(layer name, weights) for every listed layer that has weights, in file order."""
    groups = []
    for name in read_string_list(root, "layer_names"):
        if name not in root:
            raise WeightsError(f"weights file {path} lists layer {name!r} but has no group for it (truncated?)")
        group = root[name]
        weights = []
        for weight_name in read_string_list(group, "weight_names"):
            if weight_name not in group:
                raise WeightsError(
                    f"weights file {path}: layer {name!r} lists weight {weight_name!r} but does not store it"
                )
            weights.append(FileWeight(name=weight_name, dataset=group[weight_name]))
        if weights:
            groups.append((name, tuple(weights)))
    return tuple(groups)


def _split_nested(groups: tuple[tuple[str, tuple[FileWeight, ...]], ...]) -> tuple[FileLayer, ...]:
    """One FileLayer per leaf layer: a group whose weights name several inner layers is split."""
    pieces: list[FileLayer] = []
    for group_name, weights in groups:
        owners = list(dict.fromkeys(_owner(weight.name, group_name) for weight in weights))
        if len(owners) == 1:
            aliases = (owners[0],) if owners[0] != group_name else ()
            pieces.append(FileLayer(name=group_name, group=group_name, weights=weights, aliases=aliases))
            continue
        for owner in owners:
            owned = tuple(weight for weight in weights if _owner(weight.name, group_name) == owner)
            pieces.append(FileLayer(name=owner, group=group_name, weights=owned))
    counts = Counter(piece.name for piece in pieces)
    return tuple(
        attrs.evolve(piece, name=f"{piece.group}/{piece.name}")
        if piece.name != piece.group and counts[piece.name] > 1
        else piece
        for piece in pieces
    )
