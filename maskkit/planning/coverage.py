"""How well a config's anchors cover ground-truth boxes: each box's best IoU over the real anchors.

The anchors are maskkit's own (maskkit.data.anchor_grid.anchors_for), so the numbers are those the RPN
targets are matched against. The search is exact without the full boxes x anchors matrix: one
(level, ratio) group is a grid of equal boxes, and the overlap of two intervals of fixed lengths
only shrinks as their centres move apart, so along each axis the best anchor of a group sits in
one of the two grid rows (columns) bracketing the box centre. Each box is therefore compared with
2 x 2 cells per level and ratio, in chunks of boxes.
"""

from __future__ import annotations

from typing import Sequence

import attrs
import numpy as np

from maskkit.config import Config
from maskkit.data.anchor_grid import anchor_counts, anchors_for
from maskkit.planning.geometry import config_geometry, place_boxes
from maskkit.utils.anchor_geometry import compute_backbone_shapes

BOX_CHUNK = 65536
THRESHOLDS = (0.5, 0.7)


@attrs.frozen
class Coverage:
    """The share of ground-truth boxes whose best anchor reaches IoU 0.5 and 0.7, out of ``boxes``."""

    at50: float
    at70: float
    boxes: int

    def line(self) -> str:
        """``IoU>=0.5  93.1%   IoU>=0.7  61.0%`` (n/a without boxes)."""
        if not self.boxes:
            return "IoU>=0.5    n/a   IoU>=0.7    n/a"
        return f"IoU>=0.5 {100 * self.at50:5.1f}%   IoU>=0.7 {100 * self.at70:5.1f}%"


def coverage_of(best_ious: np.ndarray) -> Coverage:
    """Coverage from each box's best anchor IoU.

    Args:
        best_ious: float [N] each box's highest IoU with any anchor; empty gives a Coverage of no boxes.
    """
    best = np.asarray(best_ious, dtype=np.float64)
    if not best.size:
        return Coverage(0.0, 0.0, 0)
    return Coverage(float((best >= THRESHOLDS[0]).mean()), float((best >= THRESHOLDS[1]).mean()), int(best.size))


def best_anchor_iou(boxes: np.ndarray, config: Config, image_shape: Sequence[int]) -> np.ndarray:
    """Each box's highest IoU with any anchor of ``config`` for a molded image of ``image_shape``.

    Args:
        boxes: [N, 4] boxes (y1, x1, y2, x2) in molded-image pixels.
        config: supplies RPN_ANCHOR_SCALES, RPN_ANCHOR_RATIOS, BACKBONE_STRIDES, RPN_ANCHOR_STRIDE.
        image_shape: (height, width) of the molded image.

    Returns:
        float64 [N]: the max over anchors_for(config, image_shape) of the IoU matrix (where several
        anchors tie in exact arithmetic, the float32 rounding of their coordinates may pick another
        of them: a difference below 1e-6).
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    best = np.zeros(len(boxes))
    if not len(boxes):
        return best
    grids = _anchor_grids(config, image_shape)
    for start in range(0, len(boxes), BOX_CHUNK):
        chunk = boxes[start:start + BOX_CHUNK]
        best[start:start + len(chunk)] = np.max([_grid_best(chunk, *grid) for grid in grids], axis=0)
    return best


def dataset_coverage(image_hw: np.ndarray, boxes: np.ndarray, image_index: np.ndarray, config: Config) -> Coverage:
    """Coverage of boxes given in original pixels, each moved to where ``config``'s resizing puts it.

    Images of one molded size share anchors; pad64 and none modes have one group per size.

    Args:
        image_hw: int [I, 2] original image sizes.
        boxes: [N, 4] boxes in original pixels (crowds already left out).
        image_index: int [N], the image of each box.
        config: the resizing and anchor settings.
    """
    geometry = config_geometry(image_hw, config)
    placed = place_boxes(boxes, image_index, geometry)
    shapes = geometry.shape[np.asarray(image_index, dtype=np.int64)]
    best = np.zeros(len(placed))
    if len(placed):
        unique, group = np.unique(shapes, axis=0, return_inverse=True)
        group = group.reshape(-1)
        for k, shape in enumerate(unique):
            members = np.flatnonzero(group == k)
            best[members] = best_anchor_iou(placed[members], config, shape)
    return coverage_of(best)


def _anchor_grids(config: Config, image_shape: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per pyramid level: anchors_for's anchors as [rows, cols, ratios, 4] with row and column centres."""
    shape = (int(image_shape[0]), int(image_shape[1]))
    anchors = anchors_for(config, shape).astype(np.float64)
    ratios = len(config.RPN_ANCHOR_RATIOS)
    stride = int(config.RPN_ANCHOR_STRIDE)
    features = compute_backbone_shapes(shape, config.BACKBONE_STRIDES)
    bounds = np.concatenate([[0], np.cumsum(anchor_counts(config, shape))])
    grids = []
    for (height, width), start, stop in zip(features, bounds[:-1], bounds[1:]):
        grid = anchors[start:stop].reshape(-(-int(height) // stride), -(-int(width) // stride), ratios, 4)
        rows = (grid[:, 0, 0, 0] + grid[:, 0, 0, 2]) / 2
        cols = (grid[0, :, 0, 1] + grid[0, :, 0, 3]) / 2
        grids.append((grid, rows, cols))
    return grids


def _bracketing(centres: np.ndarray, values: np.ndarray) -> np.ndarray:
    """int [N, 2]: the indices of the sorted ``centres`` just below and just above each value (clipped)."""
    above = np.searchsorted(centres, values)
    return np.clip(np.stack([above - 1, above], axis=1), 0, len(centres) - 1)


def _grid_best(boxes: np.ndarray, grid: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Each box's best IoU over one level's anchors, from the 2 x 2 cells around its centre."""
    iy = _bracketing(rows, (boxes[:, 0] + boxes[:, 2]) / 2)
    ix = _bracketing(cols, (boxes[:, 1] + boxes[:, 3]) / 2)
    cells = grid[iy[:, :, None], ix[:, None, :]].reshape(len(boxes), -1, 4)
    b = boxes[:, None, :]
    ih = np.maximum(np.minimum(cells[..., 2], b[..., 2]) - np.maximum(cells[..., 0], b[..., 0]), 0)
    iw = np.maximum(np.minimum(cells[..., 3], b[..., 3]) - np.maximum(cells[..., 1], b[..., 1]), 0)
    inter = ih * iw
    union = ((cells[..., 2] - cells[..., 0]) * (cells[..., 3] - cells[..., 1])
             + (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1]) - inter)
    iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return iou.max(axis=1)
