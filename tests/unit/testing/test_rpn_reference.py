"""The matterport reference on a hand-checked case: IoU labels, crowds keep anchors from being negatives, deltas."""

from __future__ import annotations

import numpy as np

from maskkit.testing import matterport_rpn_targets
from tests.helpers import matterport_shapes_config


def test_hand_checked_labels_crowds_and_deltas():
    anchors = np.array([[0, 0, 10, 10], [0, 0, 10, 11], [20, 20, 30, 30], [40, 40, 60, 60], [0, 2, 10, 12]],
                       dtype=np.float32)
    boxes = np.array([[0, 0, 10, 10], [40, 40, 60, 60]], dtype=np.float32)
    config = matterport_shapes_config(RPN_TRAIN_ANCHORS_PER_IMAGE=8)
    match, bbox = matterport_rpn_targets(anchors, boxes, config, np.random.default_rng(0), np.array([1, -1]))
    # IoUs with the box: 1.0, 0.909, 0, (crowd), 0.667; the crowd's anchor is neutral, not negative
    np.testing.assert_array_equal(match, [1, 1, -1, 0, 0])
    assert bbox.shape == (8, 4)
    np.testing.assert_allclose(bbox[1], [0, -0.5 / 11 / 0.1, 0, np.log(10 / 11) / 0.2], rtol=1e-5, atol=1e-6)
    without_crowds, _ = matterport_rpn_targets(anchors, boxes, config, np.random.default_rng(0))
    np.testing.assert_array_equal(without_crowds, [1, 1, -1, 1, 0])
