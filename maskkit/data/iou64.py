"""float64 IoU with matterport's operation order, so RPN and ROI targets match its values bit for bit."""

from __future__ import annotations

import numpy as np


def iou64(anchors: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU matrix of two box sets, computed as matterport's ``compute_overlaps`` does.

    Args:
        anchors: float64 [..., Na, (y1, x1, y2, x2)].
        boxes: float64 [..., Nb, 4]; leading axes broadcast against ``anchors``'.

    Returns:
        float64 [..., Na, Nb]; 0 where the union is empty.
    """
    a, b = anchors[..., :, None, :], boxes[..., None, :, :]
    ih = np.maximum(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0)
    iw = np.maximum(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0)
    inter = ih * iw
    union = box_areas(anchors)[..., :, None] + box_areas(boxes)[..., None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def box_areas(boxes: np.ndarray) -> np.ndarray:
    """Areas [...] of boxes [..., (y1, x1, y2, x2)], as (y2 - y1) * (x2 - x1)."""
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
