"""Anchor generation for the FPN pyramid (matterport ordering: level, row-major cell, ratio).

Pure numpy; no TensorFlow.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = [
    "generate_anchors",
    "generate_pyramid_anchors",
    "compute_backbone_shapes",
    "anchors_per_level",
]


def generate_anchors(
    scales: float | Sequence[float],
    ratios: Sequence[float],
    shape: Sequence[int],
    feature_stride: int,
    anchor_stride: int,
) -> np.ndarray:
    """Anchors [N, (y1, x1, y2, x2)] in pixels for one feature map, centred on cell origins.

    Ratio is width/height; order is row-major cell, then per cell the ratios, each with every scale
    (scale varying fastest; matterport's order).

    Args:
        scales: anchor side(s) in pixels (the square root of the area).
        ratios: width/height ratios.
        shape: (rows, cols) of the feature map.
        feature_stride: pixels per feature-map cell.
        anchor_stride: place anchors on every ``anchor_stride``-th cell in each direction.
    """
    s, r = np.meshgrid(np.atleast_1d(np.asarray(scales, dtype=np.float64)),
                       np.asarray(ratios, dtype=np.float64))
    s = s.ravel()
    r = r.ravel()
    heights = s / np.sqrt(r)
    widths = s * np.sqrt(r)
    ys = np.arange(0, int(shape[0]), anchor_stride) * feature_stride
    xs = np.arange(0, int(shape[1]), anchor_stride) * feature_stride
    cx, cy = np.meshgrid(xs, ys)  # [rows, cols]
    cy = cy.reshape(-1, 1)
    cx = cx.reshape(-1, 1)
    y1 = cy - 0.5 * heights[None, :]
    x1 = cx - 0.5 * widths[None, :]
    y2 = cy + 0.5 * heights[None, :]
    x2 = cx + 0.5 * widths[None, :]
    return np.stack([y1, x1, y2, x2], axis=-1).reshape(-1, 4)


def generate_pyramid_anchors(
    scales: Sequence[float],
    ratios: Sequence[float],
    feature_shapes: Sequence[Sequence[int]] | np.ndarray,
    feature_strides: Sequence[int],
    anchor_stride: int,
) -> np.ndarray:
    """Anchors for all pyramid levels, one scale per level, concatenated level by level.

    Args:
        scales: one anchor side in pixels per level.
        ratios: width/height ratios, the same on every level.
        feature_shapes: (rows, cols) per level, e.g. from compute_backbone_shapes.
        feature_strides: pixels per cell per level.
        anchor_stride: as in generate_anchors.

    Returns:
        float64 [N, (y1, x1, y2, x2)] pixel anchors; ValueError unless the three per-level lists match.
    """
    if not (len(scales) == len(feature_shapes) == len(feature_strides)):
        raise ValueError(
            f"need one scale, shape and stride per level; got {len(scales)} scales, "
            f"{len(feature_shapes)} shapes, {len(feature_strides)} strides"
        )
    levels = [
        generate_anchors(scales[i], ratios, feature_shapes[i], feature_strides[i], anchor_stride)
        for i in range(len(scales))
    ]
    return np.concatenate(levels, axis=0)


def compute_backbone_shapes(image_shape: Sequence[int], strides: Sequence[int]) -> np.ndarray:
    """Feature-map sizes [levels, (h, w)] as ceil(image / stride) for each backbone stride.

    Args:
        image_shape: (height, width, ...) of the model's input image.
        strides: the backbone's stride per level.
    """
    h, w = int(image_shape[0]), int(image_shape[1])
    return np.array([[-(-h // int(s)), -(-w // int(s))] for s in strides], dtype=np.int64)


def anchors_per_level(
    feature_shapes: Sequence[Sequence[int]] | np.ndarray,
    num_ratios: int,
    anchor_stride: int = 1,
) -> np.ndarray:
    """Number of anchors each level contributes (for splitting the concatenated anchor array).

    Args:
        feature_shapes: (rows, cols) per level.
        num_ratios: anchors per cell (one scale per level, so the number of ratios).
        anchor_stride: as in generate_anchors.

    Returns:
        int64 [levels] anchor counts.
    """
    shapes = np.asarray(feature_shapes, dtype=np.int64).reshape(-1, 2)
    cells = -(-shapes // int(anchor_stride))
    return cells[:, 0] * cells[:, 1] * int(num_ratios)
