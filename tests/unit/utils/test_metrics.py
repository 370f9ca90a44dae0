"""Tests for maskkit.utils.metrics (matterport AP semantics)."""
import numpy as np
import pytest

from maskkit.utils import (
    compute_ap,
    compute_ap_range,
    compute_matches,
    compute_recall,
    extract_bboxes,
    trim_zeros,
)


def _masks(rects, shape=(32, 32)):
    m = np.zeros(shape + (len(rects),), dtype=bool)
    for i, (y1, x1, y2, x2) in enumerate(rects):
        m[y1:y2, x1:x2, i] = True
    return m


GT_RECTS = [(0, 0, 10, 10), (15, 15, 25, 25)]


def test_trim_zeros():
    x = np.array([[0, 0, 0, 0], [1, 2, 3, 4], [0, 0, 0, 0]])
    np.testing.assert_array_equal(trim_zeros(x), [[1, 2, 3, 4]])
    with pytest.raises(ValueError):
        trim_zeros(np.zeros(4))


def test_perfect_predictions_ap_one():
    gm = _masks(GT_RECTS)
    gb = extract_bboxes(gm)
    ap, p, r, ov = compute_ap(gb, np.array([1, 2]), gm, gb, np.array([1, 2]), np.array([0.9, 0.8]), gm)
    assert ap == pytest.approx(1.0)
    assert ov.shape == (2, 2)
    assert compute_ap_range(gb, np.array([1, 2]), gm, gb, np.array([1, 2]), np.array([0.9, 0.8]), gm) == pytest.approx(1.0)


def test_hand_worked_ap_with_false_positive_first():
    gm = _masks(GT_RECTS)
    gb = extract_bboxes(gm)
    pm = _masks([(0, 0, 10, 10), (28, 28, 32, 32), (15, 15, 25, 25)])
    pb = extract_bboxes(pm)
    scores = np.array([0.9, 0.8, 0.7])
    gt_match, pred_match, _ = compute_matches(gb, np.array([1, 1]), gm, pb, np.array([1, 1, 1]), scores, pm)
    np.testing.assert_array_equal(pred_match, [0, -1, 1])
    np.testing.assert_array_equal(gt_match, [0, 2])
    ap, precisions, recalls, _ = compute_ap(gb, np.array([1, 1]), gm, pb, np.array([1, 1, 1]), scores, pm)
    # P/R points: (1, .5), (.5, .5), (2/3, 1) -> interpolated AP = .5*1 + .5*2/3.
    assert ap == pytest.approx(0.5 + 0.5 * 2 / 3)
    np.testing.assert_allclose(recalls, [0, 0.5, 0.5, 1, 1])
    np.testing.assert_allclose(precisions, [1, 1, 2 / 3, 2 / 3, 0])


def test_class_mismatch_and_iou_threshold():
    gm = _masks([(0, 0, 10, 10)])
    gb = extract_bboxes(gm)
    ap, *_ = compute_ap(gb, np.array([1]), gm, gb, np.array([2]), np.array([0.9]), gm)
    assert ap == 0.0
    pm = _masks([(0, 0, 10, 6)])  # IoU 0.6
    pb = extract_bboxes(pm)
    assert compute_ap(gb, np.array([1]), gm, pb, np.array([1]), np.array([0.9]), pm, 0.5)[0] == pytest.approx(1)
    assert compute_ap(gb, np.array([1]), gm, pb, np.array([1]), np.array([0.9]), pm, 0.7)[0] == 0.0
    # 0.5..0.95: thresholds 0.5, 0.55, 0.6 pass (IoU 0.6 >= 0.6) -> 3 of 10.
    r = compute_ap_range(gb, np.array([1]), gm, pb, np.array([1]), np.array([0.9]), pm)
    assert r == pytest.approx(0.3)


def test_empty_predictions_and_empty_gt_do_not_crash():
    gm = _masks(GT_RECTS)
    gb = extract_bboxes(gm)
    none_b, none_m = np.zeros((0, 4)), np.zeros((32, 32, 0), bool)
    ap, p, r, ov = compute_ap(gb, np.array([1, 2]), gm, none_b, np.zeros(0), np.zeros(0), none_m)
    assert ap == 0.0 and ov.shape == (0, 2)
    ap, *_ = compute_ap(none_b, np.zeros(0), none_m, gb, np.array([1, 2]), np.array([0.9, 0.8]), gm)
    assert ap == 0.0
    ap, *_ = compute_ap(none_b, np.zeros(0), none_m, none_b, np.zeros(0), np.zeros(0), none_m)
    assert ap == 1.0
    # Zero-padded GT rows are trimmed.
    padded = np.concatenate([gb, np.zeros((3, 4), gb.dtype)])
    ap, *_ = compute_ap(padded, np.array([1, 2, 0, 0, 0]), gm, gb, np.array([1, 2]), np.array([0.9, 0.8]), gm)
    assert ap == pytest.approx(1.0)


def test_compute_recall():
    gt = np.array([[0, 0, 10, 10], [20, 20, 30, 30]])
    pred = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [50, 50, 60, 60]])
    recall, pos = compute_recall(pred, gt, 0.5)
    assert recall == 0.5
    np.testing.assert_array_equal(pos, [0, 1])
    assert compute_recall(np.zeros((0, 4)), gt, 0.5)[0] == 0.0
