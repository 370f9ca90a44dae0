"""The pixel anchors the input side matches targets against: matterport's 4092 for shapes, one shared read-only
grid per config and size, with the window tables RPN targets search."""

from __future__ import annotations

import numpy as np

from maskkit.data import AnchorGrid, anchor_counts, anchor_grid, anchors_for
from maskkit.data.anchor_grid import normalised_anchors
from maskkit.utils.box_math import norm_boxes
from tests.helpers import matterport_shapes_config


def test_shapes_config_gives_4092_anchors_split_by_level():
    config = matterport_shapes_config()
    anchors = anchors_for(config, config.IMAGE_SHAPE)
    assert anchors.shape == (4092, 4) and anchors.dtype == np.float32
    assert anchor_counts(config, config.IMAGE_SHAPE) == [3072, 768, 192, 48, 12]
    assert anchors_for(config, config.IMAGE_SHAPE) is anchors
    assert not anchors.flags.writeable


def test_the_grid_carries_the_anchors_and_their_level_geometry():
    config = matterport_shapes_config()
    grid = anchor_grid(config, config.IMAGE_SHAPE)
    assert grid is anchor_grid(config.replace(), (128, 128)) and grid.anchors is anchors_for(config, (128, 128))
    assert grid.strides == (4, 8, 16, 32, 64) and grid.cells == ((32, 32), (16, 16), (8, 8), (4, 4), (2, 2))
    assert grid.per_cell == 3 and grid.counts() == anchor_counts(config, config.IMAGE_SHAPE)
    assert grid.windows is not None


def test_a_grid_built_from_the_same_settings_has_equal_anchors_and_tables():
    config = matterport_shapes_config(RPN_ANCHOR_STRIDE=2)
    cached = anchor_grid(config, (96, 160, 3))
    own = AnchorGrid.build(config.RPN_ANCHOR_SCALES, config.RPN_ANCHOR_RATIOS, config.BACKBONE_STRIDES, 2, (96, 160))
    np.testing.assert_array_equal(own.anchors, cached.anchors)
    assert own.cells == cached.cells == ((12, 20), (6, 10), (3, 5), (2, 3), (1, 2))
    for mine, theirs in zip(own.windows, cached.windows):
        np.testing.assert_array_equal(mine, theirs)


def test_normalised_anchors_are_the_grids_anchors_normalised_and_shared():
    config = matterport_shapes_config()
    normalised = normalised_anchors(config, (128, 128))
    np.testing.assert_array_equal(normalised, norm_boxes(anchors_for(config, (128, 128)), (128, 128)))
    assert normalised_anchors(config, (128, 128, 3)) is normalised and not normalised.flags.writeable
