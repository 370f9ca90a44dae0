"""Tests for maskkit.utils.anchor_geometry (matterport anchor layout)."""
import numpy as np
import pytest

from maskkit.utils import (
    anchors_per_level,
    compute_backbone_shapes,
    generate_anchors,
    generate_pyramid_anchors,
)

SCALES = (8, 16, 32, 64, 128)
RATIOS = (0.5, 1, 2)
STRIDES = (4, 8, 16, 32, 64)


def test_backbone_shapes_ceil():
    np.testing.assert_array_equal(
        compute_backbone_shapes((128, 128), STRIDES), [[32, 32], [16, 16], [8, 8], [4, 4], [2, 2]]
    )
    np.testing.assert_array_equal(compute_backbone_shapes((130, 65, 3), (4, 64)), [[33, 17], [3, 2]])


def test_shapes_config_pyramid_counts_and_extremes():
    shapes = compute_backbone_shapes((128, 128), STRIDES)
    anchors = generate_pyramid_anchors(SCALES, RATIOS, shapes, STRIDES, 1)
    assert anchors.shape == (4092, 4)
    per_level = anchors_per_level(shapes, len(RATIOS), 1)
    np.testing.assert_array_equal(per_level, [3072, 768, 192, 48, 12])
    assert per_level.sum() == 4092
    assert anchors.min() == pytest.approx(-90.50967, abs=1e-5)
    assert anchors.max() == pytest.approx(154.50967, abs=1e-5)


def test_level_order_then_cell_then_ratio():
    shapes = compute_backbone_shapes((128, 128), STRIDES)
    anchors = generate_pyramid_anchors(SCALES, RATIOS, shapes, STRIDES, 1)
    # First 3 anchors: level 0, cell (0, 0), ratios 0.5, 1, 2 (ratio = width / height).
    h = 8 / np.sqrt(np.array(RATIOS))
    w = 8 * np.sqrt(np.array(RATIOS))
    np.testing.assert_allclose(anchors[:3], np.stack([-h / 2, -w / 2, h / 2, w / 2], axis=1))
    # Next cell is the same row, next column (row-major): centre x moves by stride 4.
    np.testing.assert_allclose(anchors[3:6, 1] - anchors[:3, 1], 4)
    np.testing.assert_allclose(anchors[3:6, 0], anchors[:3, 0])
    # Level 1 starts at 3072 with scale 16.
    sizes = anchors[3072:3075, 2:] - anchors[3072:3075, :2]
    np.testing.assert_allclose(np.sqrt(sizes.prod(axis=1)), 16)


def test_generate_anchors_anchor_stride_and_centres():
    a = generate_anchors(10, [1.0], (4, 6), 8, 2)
    assert a.shape == (2 * 3, 4)
    centres = (a[:, :2] + a[:, 2:]) / 2
    np.testing.assert_allclose(centres[:, 0], [0, 0, 0, 16, 16, 16])
    np.testing.assert_allclose(centres[:, 1], [0, 16, 32, 0, 16, 32])
    np.testing.assert_array_equal(anchors_per_level([(4, 6)], 1, 2), [6])


def test_pyramid_length_mismatch_raises():
    with pytest.raises(ValueError, match="per level"):
        generate_pyramid_anchors((8, 16), RATIOS, [(4, 4)], (4, 8), 1)
