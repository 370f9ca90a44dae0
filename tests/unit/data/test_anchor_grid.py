"""The pixel anchors the input side matches targets against: matterport's 4092 for shapes, cached read-only."""

from __future__ import annotations

import numpy as np

from maskkit.data import anchor_counts, anchors_for
from tests.helpers import matterport_shapes_config


def test_shapes_config_gives_4092_anchors_split_by_level():
    config = matterport_shapes_config()
    anchors = anchors_for(config, config.IMAGE_SHAPE)
    assert anchors.shape == (4092, 4) and anchors.dtype == np.float32
    assert anchor_counts(config, config.IMAGE_SHAPE) == [3072, 768, 192, 48, 12]
    assert anchors_for(config, config.IMAGE_SHAPE) is anchors
    assert not anchors.flags.writeable
