"""Anchor coverage: exact best IoUs on a hand-checked case, and equal to the full IoU matrix's max."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.config import Config
from maskkit.data.anchor_grid import anchors_for
from maskkit.planning.coverage import Coverage, best_anchor_iou, coverage_of, dataset_coverage
from maskkit.utils.box_math import compute_overlaps

#: One square anchor per cell: 8 px every 4 px (P2), 16 every 8 (P3), 32 every 16, ...
SQUARES = Config(IMAGE_MIN_DIM=64, IMAGE_MAX_DIM=64, RPN_ANCHOR_SCALES=(8, 16, 32, 64, 128), RPN_ANCHOR_RATIOS=(1,))
#: (box, its best IoU worked out by hand)
HAND_CHECKED = [
    ((0, 0, 8, 8), 1.0),  # the P2 anchor centred at (4, 4)
    ((0, 0, 16, 16), 1.0),  # the P3 anchor centred at (8, 8)
    ((2, 2, 10, 10), 36 / 92),  # P2 anchor (0, 0, 8, 8): 6x6 overlap, union 64 + 64 - 36
    ((4, 4, 20, 20), 144 / 368),  # P3 anchor (0, 0, 16, 16): 12x12 overlap, union 256 + 256 - 144
    ((0, 0, 10, 10), 64 / 100),  # P2 anchor (0, 0, 8, 8) inside the box
]


def test_best_anchor_iou_by_hand():
    boxes = np.array([box for box, _ in HAND_CHECKED], np.float32)
    assert best_anchor_iou(boxes, SQUARES, (64, 64)) == pytest.approx([iou for _, iou in HAND_CHECKED], abs=1e-12)


def test_dataset_coverage_counts_the_shares_by_hand():
    boxes = np.array([box for box, _ in HAND_CHECKED], np.float32)
    coverage = dataset_coverage(np.array([[64, 64]]), boxes, np.zeros(len(boxes), np.int64), SQUARES)
    assert coverage == Coverage(at50=3 / 5, at70=2 / 5, boxes=5)


@pytest.mark.parametrize("config, shape", [
    (Config(IMAGE_MIN_DIM=256, IMAGE_MAX_DIM=256), (256, 256)),
    (Config(RPN_ANCHOR_SCALES=(8, 12, 20, 40, 90), RPN_ANCHOR_RATIOS=(0.33, 1, 3), RPN_ANCHOR_STRIDE=2), (192, 320)),
])
def test_best_anchor_iou_equals_the_full_matrix(config, shape):
    rng = np.random.default_rng(0)
    corner = rng.uniform(-10, np.array(shape) - 5, size=(1500, 2))
    extent = np.exp(rng.uniform(0, 5.5, size=(1500, 2)))
    boxes = np.concatenate([corner, corner + extent], axis=1)
    expected = compute_overlaps(boxes, anchors_for(config, shape)).max(axis=1)
    np.testing.assert_allclose(best_anchor_iou(boxes, config, shape), expected, rtol=0, atol=1e-6)


def test_boxes_are_chunked_without_changing_the_result(monkeypatch):
    from maskkit.planning import coverage as module

    boxes = np.array([box for box, _ in HAND_CHECKED], np.float32)
    whole = best_anchor_iou(boxes, SQUARES, (64, 64))
    monkeypatch.setattr(module, "BOX_CHUNK", 2)
    assert best_anchor_iou(boxes, SQUARES, (64, 64)).tolist() == whole.tolist()


def test_pad64_images_of_two_sizes_each_use_their_own_anchors():
    config = SQUARES.replace(IMAGE_RESIZE_MODE="pad64", IMAGE_MIN_DIM=64, IMAGE_MAX_DIM=128)
    image_hw = np.array([[64, 64], [64, 128]])
    boxes = np.array([[0, 0, 8, 8], [0, 120, 8, 128]], np.float32)  # the second only fits the wider image
    coverage = dataset_coverage(image_hw, boxes, np.array([0, 1]), config)
    assert coverage == Coverage(1.0, 1.0, 2)


def test_no_boxes_give_an_empty_coverage():
    assert coverage_of(np.zeros(0)) == Coverage(0.0, 0.0, 0)
    assert "n/a" in coverage_of(np.zeros(0)).line()
    assert coverage_of(np.array([0.5, 0.69, 0.7, 0.1])).line() == "IoU>=0.5  75.0%   IoU>=0.7  25.0%"
