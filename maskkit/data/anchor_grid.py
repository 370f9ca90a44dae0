"""The anchor boxes of a config and image shape as one value: the anchors and the grid they lie on.

An AnchorGrid is what RPN targets are computed against (maskkit.data.rpn_targets): its window
tables let them compute IoUs only for the anchors near each box. Grids and normalised anchors are
computed once per (anchor settings, image size) and shared read-only.
"""

from __future__ import annotations

import functools
from typing import Sequence

import attrs
import numpy as np

from maskkit.config import Config
from maskkit.data.anchor_windows import WindowTables, window_tables
from maskkit.utils.anchor_geometry import anchors_per_level, compute_backbone_shapes, generate_pyramid_anchors
from maskkit.utils.box_math import norm_boxes


@attrs.frozen(eq=False)
class AnchorGrid:
    """Pixel anchors of every pyramid level for one image size, with their grid geometry.

    Anchors are in matterport's order: level by level, row-major cell, then ratio. Build one with
    :func:`anchor_grid` (from a Config, cached) or :meth:`build`.

    Attributes:
        anchors: float32 [A, (y1, x1, y2, x2)] pixel anchors, read-only.
        strides: the pyramid levels' strides in pixels.
        cells: (rows, columns) of anchor cells per level.
        per_cell: anchors per cell (one per ratio).
        windows: the per-(level, ratio) row and column tables RPN targets search, or None when the
            anchors cannot be searched that way (coordinates beyond 2**18); targets then take the
            full anchors x boxes matrix.
    """

    anchors: np.ndarray
    strides: tuple[int, ...]
    cells: tuple[tuple[int, int], ...]
    per_cell: int
    windows: WindowTables | None

    @classmethod
    def build(cls, scales: Sequence[float], ratios: Sequence[float], strides: Sequence[int], anchor_stride: int,
              image_shape: Sequence[int]) -> AnchorGrid:
        """The grid of anchors for an image of ``image_shape``.

        Args:
            scales: anchor side in pixels per level (RPN_ANCHOR_SCALES).
            ratios: width/height ratios, the same on every level (RPN_ANCHOR_RATIOS).
            strides: feature-map stride in pixels per level (BACKBONE_STRIDES).
            anchor_stride: anchors on every n-th feature-map cell (RPN_ANCHOR_STRIDE).
            image_shape: (height, width, ...) of the molded image.

        Returns:
            The grid, its anchors read-only.
        """
        shapes = compute_backbone_shapes(image_shape, strides)
        anchors = generate_pyramid_anchors(tuple(scales), tuple(ratios), shapes, tuple(strides),
                                           anchor_stride).astype(np.float32)
        anchors.setflags(write=False)
        cells = tuple((-(-int(h) // anchor_stride), -(-int(w) // anchor_stride)) for h, w in shapes)
        return cls(anchors, tuple(int(s) for s in strides), cells, len(ratios),
                   window_tables(anchors, cells, len(ratios)))

    def counts(self) -> list[int]:
        """How many anchors each pyramid level contributes, in the anchors' order."""
        return [rows * cols * self.per_cell for rows, cols in self.cells]


def anchor_grid(config: Config, image_shape: Sequence[int]) -> AnchorGrid:
    """The AnchorGrid of ``config``'s anchor settings for ``image_shape``, computed once and shared.

    Args:
        config: supplies RPN_ANCHOR_SCALES, RPN_ANCHOR_RATIOS, BACKBONE_STRIDES and RPN_ANCHOR_STRIDE.
        image_shape: (height, width, ...) of the molded image.

    Returns:
        The same (read-only) grid for equal settings and sizes.
    """
    return _cached_grid(*_anchor_key(config, image_shape))


def anchors_for(config: Config, image_shape: Sequence[int]) -> np.ndarray:
    """float32 [A, (y1, x1, y2, x2)] pixel anchors of every pyramid level for ``image_shape``, read-only
    (``anchor_grid(config, image_shape).anchors``)."""
    return anchor_grid(config, image_shape).anchors


def normalised_anchors(config: Config, image_shape: Sequence[int]) -> np.ndarray:
    """float32 [A, 4] anchors_for normalised to ``image_shape`` (norm_boxes), computed once, read-only:
    the model's ``anchors`` input. The one place this is computed, for training batches
    (maskkit.data.feed), detection (MaskRCNN.detect) and the exported SavedModel alike.

    Args:
        config: supplies the anchor settings, as for anchor_grid.
        image_shape: (height, width, ...) of the molded image.
    """
    return _cached_normalised(*_anchor_key(config, image_shape))


def anchor_counts(config: Config, image_shape: Sequence[int]) -> list[int]:
    """How many anchors each pyramid level (P2..P6) contributes, in anchors_for's order.

    Args:
        config: supplies BACKBONE_STRIDES, RPN_ANCHOR_RATIOS and RPN_ANCHOR_STRIDE.
        image_shape: (height, width, ...) of the molded image.
    """
    shapes = compute_backbone_shapes(image_shape, config.BACKBONE_STRIDES)
    counts = anchors_per_level(shapes, len(config.RPN_ANCHOR_RATIOS), config.RPN_ANCHOR_STRIDE)
    return [int(c) for c in counts]


def _anchor_key(config: Config, image_shape: Sequence[int]) -> tuple:
    return (tuple(config.RPN_ANCHOR_SCALES), tuple(config.RPN_ANCHOR_RATIOS), tuple(config.BACKBONE_STRIDES),
            int(config.RPN_ANCHOR_STRIDE), int(image_shape[0]), int(image_shape[1]))


@functools.lru_cache(maxsize=16)
def _cached_grid(scales: tuple, ratios: tuple, strides: tuple, anchor_stride: int, height: int,
                 width: int) -> AnchorGrid:
    return AnchorGrid.build(scales, ratios, strides, anchor_stride, (height, width))


@functools.lru_cache(maxsize=16)
def _cached_normalised(scales: tuple, ratios: tuple, strides: tuple, anchor_stride: int,
                       height: int, width: int) -> np.ndarray:
    anchors = norm_boxes(_cached_grid(scales, ratios, strides, anchor_stride, height, width).anchors,
                         (height, width))
    anchors.setflags(write=False)
    return anchors
