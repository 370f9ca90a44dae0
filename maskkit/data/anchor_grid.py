"""The anchor boxes of a config and image shape, computed once and cached (read-only)."""

from __future__ import annotations

import functools
import weakref
from typing import Sequence

import numpy as np

from maskkit.config import Config
from maskkit.utils.anchors import anchors_per_level, compute_backbone_shapes, generate_pyramid_anchors
from maskkit.utils.boxes import norm_boxes


def anchors_for(config: Config, image_shape: Sequence[int]) -> np.ndarray:
    """float32 [A, (y1, x1, y2, x2)] pixel anchors of every pyramid level for ``image_shape``."""
    return _cached_anchors(*_anchor_key(config, image_shape))


def normalised_anchors(config: Config, image_shape: Sequence[int]) -> np.ndarray:
    """float32 [A, 4] anchors_for normalised to ``image_shape`` (norm_boxes), computed once, read-only:
    the model's ``anchors`` input. The one place this is computed, for training batches
    (maskkit.data.feed), detection (MaskRCNN.detect) and the exported SavedModel alike."""
    return _cached_normalised(*_anchor_key(config, image_shape))


def anchor_counts(config: Config, image_shape: Sequence[int]) -> list[int]:
    """How many anchors each pyramid level (P2..P6) contributes, in anchors_for's order."""
    shapes = compute_backbone_shapes(image_shape, config.BACKBONE_STRIDES)
    counts = anchors_per_level(shapes, len(config.RPN_ANCHOR_RATIOS), config.RPN_ANCHOR_STRIDE)
    return [int(c) for c in counts]


def anchor_source(anchors: np.ndarray) -> tuple | None:
    """The (scales, ratios, strides, anchor stride, height, width) anchors_for built ``anchors`` from,
    or None for any other array (lets callers use the anchors' grid structure without re-deriving it)."""
    entry = _SOURCES.get(id(anchors))
    return entry[1] if entry is not None and entry[0]() is anchors else None


_SOURCES: dict[int, tuple[weakref.ref, tuple]] = {}


def _anchor_key(config: Config, image_shape: Sequence[int]) -> tuple:
    return (tuple(config.RPN_ANCHOR_SCALES), tuple(config.RPN_ANCHOR_RATIOS), tuple(config.BACKBONE_STRIDES),
            int(config.RPN_ANCHOR_STRIDE), int(image_shape[0]), int(image_shape[1]))


@functools.lru_cache(maxsize=16)
def _cached_anchors(scales: tuple, ratios: tuple, strides: tuple, anchor_stride: int,
                    height: int, width: int) -> np.ndarray:
    shapes = compute_backbone_shapes((height, width), strides)
    anchors = generate_pyramid_anchors(scales, ratios, shapes, strides, anchor_stride).astype(np.float32)
    anchors.setflags(write=False)
    key = id(anchors)
    _SOURCES[key] = (weakref.ref(anchors, lambda _: _SOURCES.pop(key, None)),
                     (scales, ratios, strides, anchor_stride, height, width))
    return anchors


@functools.lru_cache(maxsize=16)
def _cached_normalised(scales: tuple, ratios: tuple, strides: tuple, anchor_stride: int,
                       height: int, width: int) -> np.ndarray:
    anchors = norm_boxes(_cached_anchors(scales, ratios, strides, anchor_stride, height, width), (height, width))
    anchors.setflags(write=False)
    return anchors
