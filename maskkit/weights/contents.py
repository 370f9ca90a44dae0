"""What a weights file contains: its layers, weight names, shapes and dtypes, for any file maskkit can read."""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from maskkit.weights.h5file import open_weights_file
from maskkit.weights.layout import read_layout

WeightInfo = tuple[str, tuple[int, ...], str]
LayerInfo = tuple[str, list[WeightInfo]]


def inspect_weights(path: str | os.PathLike) -> list[LayerInfo]:
    """``[(layer_name, [(weight_name, shape, dtype), ...]), ...]`` as stored, for layers that have weights.

    Args:
        path: a maskkit checkpoint or Keras 2 / matterport HDF5 weights file.
    """
    with open_weights_file(path) as handle:
        layout = read_layout(handle, path)
        return [
            (name, [(weight.name, weight.shape, str(weight.dataset.dtype)) for weight in weights])
            for name, weights in layout.groups
        ]


def format_inspection(layers: Sequence[LayerInfo]) -> str:
    """An aligned table of an inspection, one weight per line, ending with layer/weight/parameter totals.

    Args:
        layers: what inspect_weights returned.
    """
    rows = [
        (name if index == 0 else "", weight_name, "x".join(map(str, shape)) or "scalar", dtype)
        for name, weights in layers
        for index, (weight_name, shape, dtype) in enumerate(weights)
    ]
    header = ("layer", "weight", "shape", "dtype")
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths)) + "  " + row[3]
        for row in [header, *rows]
    ]
    weight_count = sum(len(weights) for _, weights in layers)
    parameters = sum(int(np.prod(shape)) for _, weights in layers for _, shape, _ in weights)
    lines.append(f"{len(layers)} layers, {weight_count} weights, {parameters:,} parameters")
    return "\n".join(lines)
