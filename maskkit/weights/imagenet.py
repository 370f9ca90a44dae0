"""ImageNet-initialised ResNet backbones from a local Keras weights file; nothing is ever downloaded.

Two Keras ResNet "notop" layouts exist: the original ResNet50 file (layer names conv1, bn_conv1,
res2a_branch2a, bn2a_branch2a, ...), which are matterport's names, and the keras-applications
ResNet50/ResNet101 files (conv1_conv, conv2_block1_1_conv, ...), which are renamed to them here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Iterable

from maskkit.errors import WeightsError
from maskkit.weights.h5file import open_weights_file
from maskkit.weights.layout import WeightsLayout, read_layout
from maskkit.weights.loading import LoadReport, load_layout
from maskkit.weights.model_layers import ModelLayer, flatten_model

_BLOCK_LAYER = re.compile(r"conv(\d)_block(\d+)_(\d)_(conv|bn)")
_MATTERPORT_BLOCK_LAYER = re.compile(r"(?:res|bn)(\d)([a-z])_branch\w+")
_STEM = {"conv1_conv": "conv1", "conv1_bn": "bn_conv1"}
_HOW_TO = (
    "ImageNet weights are never downloaded: pass the path of a local Keras ResNet50/ResNet101 "
    "'notop' weights file (e.g. resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5)"
)


def load_imagenet_backbone(model: Any, path: str | os.PathLike | None) -> LoadReport:
    """Load a local Keras ResNet ImageNet weights file into the backbone layers of ``model`` by name.

    Args:
        model: a Keras model with matterport-named ResNet layers.
        path: a local Keras ResNet50/ResNet101 "notop" weights file in either naming scheme; None raises
            WeightsError, as there is no download.

    Returns:
        The LoadReport; non-backbone layers show as missing in the file.
    """
    if path is None:
        raise WeightsError(f"no ImageNet weights file given. {_HOW_TO}")
    if not Path(path).is_file():
        raise WeightsError(f"ImageNet weights file {path} does not exist. {_HOW_TO}")
    layers = flatten_model(model)
    with open_weights_file(path) as handle:
        layout = read_layout(handle, path).renamed(matterport_resnet_name)
        _check_same_depth(layers, layout)
        return load_layout(layers, layout, by_name=True)


def _check_same_depth(layers: list[ModelLayer], layout: WeightsLayout) -> None:
    """WeightsError unless every ResNet stage found in both the file and the model has the same blocks.

    Loading by name alone would let a ResNet-50 file fill the first 6 of a ResNet-101's 23 stage-4
    blocks and leave the rest at their initialisation, without a word.
    """
    model = _stage_blocks(layer.name for layer in layers)
    stored = _stage_blocks(layer.name for layer in layout.layers)
    differing = sorted(stage for stage in model.keys() & stored.keys() if model[stage] != stored[stage])
    if differing:
        stage = differing[0]
        raise WeightsError(
            f"ImageNet weights file {layout.path} is a ResNet of another depth than the model's backbone: "
            f"stage {stage} has {len(stored[stage])} blocks in the file and {len(model[stage])} in the model. "
            "Use the file of the backbone's depth (resnet50_... for resnet50, resnet101_... for resnet101)"
        )


def _stage_blocks(names: Iterable[str]) -> dict[str, set[str]]:
    """ResNet stage -> its block letters, from matterport-style layer names (``res4w_branch2b``)."""
    blocks: dict[str, set[str]] = {}
    for name in names:
        match = _MATTERPORT_BLOCK_LAYER.fullmatch(name)
        if match:
            blocks.setdefault(match.group(1), set()).add(match.group(2))
    return blocks


def matterport_resnet_name(name: str) -> str:
    """Map a keras-applications ResNet layer name to matterport's (``conv2_block1_0_conv`` -> ``res2a_branch1``).

    Args:
        name: a layer name; names of neither the stem nor a block are returned unchanged.
    """
    if name in _STEM:
        return _STEM[name]
    match = _BLOCK_LAYER.fullmatch(name)
    if not match:
        return name
    stage, block, index, kind = match.groups()
    letter = chr(ord("a") + int(block) - 1)
    branch = "1" if index == "0" else "2" + "abc"[int(index) - 1]
    prefix = "res" if kind == "conv" else "bn"
    return f"{prefix}{stage}{letter}_branch{branch}"
