"""float64 IoU in matterport's operation order: hand-checked values, broadcasting, empty unions."""

from __future__ import annotations

import numpy as np

from maskkit.data.iou64 import box_areas, iou64
from maskkit.utils.box_math import compute_overlaps


def test_hand_checked_ious_and_areas():
    anchors = np.array([[0, 0, 10, 10], [0, 5, 10, 15], [20, 20, 30, 30]], dtype=np.float64)
    boxes = np.array([[0, 0, 10, 10]], dtype=np.float64)
    np.testing.assert_allclose(iou64(anchors, boxes)[:, 0], [1.0, 50 / 150, 0.0])
    np.testing.assert_array_equal(box_areas(anchors), [100, 100, 100])


def test_leading_axes_broadcast_and_equal_the_two_dimensional_matrix():
    rng = np.random.default_rng(0)
    corners = rng.uniform(0, 100, size=(2, 7, 2))
    anchors = np.concatenate([corners, corners + rng.uniform(1, 50, size=(2, 7, 2))], axis=-1)
    boxes = anchors[:, :3] + 2.5
    result = iou64(anchors, boxes)
    assert result.shape == (2, 7, 3) and result.dtype == np.float64
    for image in range(2):
        np.testing.assert_allclose(result[image], compute_overlaps(anchors[image], boxes[image]), rtol=1e-12)


def test_an_empty_union_gives_zero():
    point = np.array([[5, 5, 5, 5]], dtype=np.float64)
    assert iou64(point, point)[0, 0] == 0.0
