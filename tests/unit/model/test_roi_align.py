"""ROI levels and pyramid ROIAlign on hand-made feature maps."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from maskkit.model.roi_align import PyramidROIAlign, roi_levels  # noqa: E402
from tests.helpers import meta_for  # noqa: E402


def test_roi_levels_follow_box_size_relative_to_224_pixels() -> None:
    side = 1024.0
    sizes = np.array([224, 112, 448, 10, 1024], dtype=np.float32) / side
    boxes = np.stack([np.zeros_like(sizes), np.zeros_like(sizes), sizes, sizes], axis=-1)[None]
    levels = roi_levels(tf.constant(boxes), tf.constant([side, side, 3.0])).numpy()
    assert levels.tolist() == [[4, 3, 5, 2, 5]]


def test_pyramid_roi_align_pools_each_box_from_its_level_in_box_order() -> None:
    side = 256
    maps = [tf.fill((2, side // s, side // s, 1), float(level)) for level, s in zip(range(2, 6), (4, 8, 16, 32))]
    big, small = 200.0 / side, 20.0 / side
    boxes = np.array([[[0, 0, small, small], [0, 0, big, big], [0.5, 0.5, 0.5 + small, 0.5 + small]],
                      [[0, 0, big, big], [0, 0, small, small], [0, 0, big, big]]], dtype=np.float32)
    pooled = PyramidROIAlign((3, 3))([tf.constant(boxes), tf.constant(np.repeat(meta_for(side, side), 2, 0)), *maps])
    assert pooled.shape == (2, 3, 3, 3, 1)
    assert pooled.numpy()[:, :, 1, 1, 0].tolist() == [[2, 4, 2], [4, 2, 4]]
