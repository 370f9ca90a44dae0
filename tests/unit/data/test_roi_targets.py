"""Debug ROI targets: random ROIs around the GT boxes, and the heads' targets sampled from them."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.data import build_detection_targets, generate_random_rois
from maskkit.utils.box_math import compute_overlaps
from maskkit.utils.resize import minimize_mask
from tests.helpers import matterport_shapes_config


def test_random_rois_stay_in_the_image_and_cluster_around_gt():
    boxes = np.array([[20, 20, 60, 50], [70, 80, 110, 120]])
    rois = generate_random_rois((128, 128, 3), 200, boxes, rng=np.random.default_rng(0))
    assert rois.shape == (200, 4) and rois.dtype == np.int32
    assert rois[:, :2].min() >= 0 and rois[:, 2].max() <= 128 and rois[:, 3].max() <= 128
    assert ((rois[:, 2] - rois[:, 0]) >= 2).all() and ((rois[:, 3] - rois[:, 1]) >= 2).all()
    per_box = 90
    for i, (y1, x1, y2, x2) in enumerate(boxes):
        near = rois[i * per_box:(i + 1) * per_box]
        h, w = y2 - y1, x2 - x1
        assert (near[:, 0] >= y1 - h).all() and (near[:, 2] <= y2 + h).all()
        assert (near[:, 1] >= x1 - w).all() and (near[:, 3] <= x2 + w).all()
        assert (compute_overlaps(near, boxes[i:i + 1]) > 0).mean() > 0.5


def test_detection_targets_respect_the_positive_ratio_and_crop_masks():
    config = matterport_shapes_config(USE_MINI_MASK=False)
    boxes = np.array([[20, 20, 60, 50], [70, 80, 110, 120]], dtype=np.int32)
    masks = np.zeros((128, 128, 2), dtype=bool)
    for i, (y1, x1, y2, x2) in enumerate(boxes):
        masks[y1:y2, x1:x2, i] = True
    rois = np.concatenate([np.repeat(boxes, 20, axis=0), [[0, 0, 5, 5]] * 30]).astype(np.int32)
    out_rois, class_ids, deltas, mask_targets = build_detection_targets(
        rois, np.array([1, 3]), boxes, masks, config, rng=np.random.default_rng(0))
    assert out_rois.shape == (32, 4) and class_ids.shape == (32,)
    assert deltas.shape == (32, 4, 4) and mask_targets.shape == (32, 28, 28, 4)
    fg = np.flatnonzero(class_ids > 0)
    assert fg.size == int(32 * config.ROI_POSITIVE_RATIO)
    assert set(class_ids[fg]) <= {1, 3}
    for i in fg:
        np.testing.assert_allclose(deltas[i, class_ids[i]], 0, atol=1e-6)
        assert mask_targets[i, :, :, class_ids[i]].min() == 1.0
    assert mask_targets[class_ids == 0].max() == 0.0


@pytest.mark.parametrize("use_mini_mask", [True, False])
def test_mask_targets_are_the_same_from_mini_or_full_masks(use_mini_mask):
    config = matterport_shapes_config(USE_MINI_MASK=use_mini_mask)
    box = np.array([[20, 20, 60, 60]], dtype=np.int32)
    full = np.zeros((128, 128, 1), dtype=bool)
    full[20:60, 20:40, 0] = True  # left half of the box
    mask = minimize_mask(box, full, config.MINI_MASK_SHAPE) if use_mini_mask else full
    _, class_ids, _, targets_ = build_detection_targets(box, np.array([2]), box, mask, config,
                                                       rng=np.random.default_rng(0))
    target = targets_[class_ids == 2][0, :, :, 2]
    assert target[:, :13].min() == 1.0 and target[:, 15:].max() == 0.0
