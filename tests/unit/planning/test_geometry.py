"""Resizing geometry from sizes alone agrees with resize_image on real arrays."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.planning.geometry import place_boxes, resize_geometry
from maskkit.utils.resize import resize_image

SIZES = [(416, 416), (414, 416), (300, 500), (700, 90), (64, 64), (1000, 1200)]


@pytest.mark.parametrize("mode, min_dim, max_dim, min_scale", [
    ("square", 512, 512, 0.0), ("square", 256, 384, 0.0), ("square", 0, 448, 0.0), ("square", 128, 256, 1.5),
    ("pad64", 320, 1024, 0.0), ("none", 0, 0, 0.0),
])
def test_geometry_matches_resize_image(mode, min_dim, max_dim, min_scale):
    geometry = resize_geometry(np.array(SIZES), mode, min_dim, max_dim, min_scale)
    for k, (h, w) in enumerate(SIZES):
        image, window, scale, _, _ = resize_image(np.zeros((h, w, 1), np.uint8), min_dim=min_dim, max_dim=max_dim,
                                                  min_scale=min_scale, mode=mode)
        assert geometry.scale[k] == pytest.approx(scale)
        assert tuple(geometry.offset[k]) == window[:2]
        assert tuple(geometry.shape[k]) == image.shape[:2]


def test_crop_mode_keeps_the_scaled_image_uncropped():
    geometry = resize_geometry(np.array([[100, 200]]), "crop", 128, 128)
    assert geometry.scale[0] == pytest.approx(1.28) and geometry.shape.tolist() == [[128, 256]]
    assert geometry.offset.tolist() == [[0, 0]]


def test_place_boxes_scales_and_shifts_into_the_square():
    geometry = resize_geometry(np.array([[100, 200], [50, 50]]), "square", 400, 400)
    boxes = np.array([[10, 20, 30, 60], [0, 0, 50, 50]], np.float32)
    placed = place_boxes(boxes, np.array([0, 1]), geometry)
    assert placed.tolist() == [[120, 40, 160, 120], [0, 0, 400, 400]]
