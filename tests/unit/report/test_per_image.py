"""Per-image AP of the evaluation report against hand-computed cases and COCOeval."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.evaluation.cocoeval_run import run_cocoeval
from maskkit.report import per_image_ap
from maskkit.report.per_image import interpolated_ap, matched_detection_ids
from tests.helpers_evaluation import coco_pair


REC_THRS = np.linspace(0.0, 1.00, 101)


def test_interpolated_ap_of_tp_fp_tp_is_cocos_101_point_area():
    matched = np.array([[True, False, True]])
    ap = interpolated_ap(matched, np.zeros_like(matched), num_gt=2, rec_thrs=REC_THRS)
    # precision 1 up to recall 0.5 (51 recall points), then 2/3 up to recall 1 (50 points)
    assert ap[0] == pytest.approx((51 * 1.0 + 50 * 2 / 3) / 101)


def test_per_image_ap_by_hand():
    a, b, c = (0, 0, 20, 20), (50, 50, 20, 20), (10, 60, 20, 20)
    gt, dt = coco_pair(5, [
        (1, 1, a), (1, 1, b),            # image 1: hit, miss, hit
        (2, 1, a),                       # image 2: ground truth, no detection
        (4, 1, a), (4, 2, b),            # image 4: class 1 found perfectly, class 2 missed
        (5, 1, (0, 0, 10, 10)),          # image 5: one detection at IoU 0.64
    ], [
        (1, 1, a, 0.9), (1, 1, c, 0.8), (1, 1, b, 0.7),
        (3, 2, c, 0.5),                  # image 3: a detection without ground truth
        (4, 1, a, 0.9),
        (5, 1, (0, 0, 10, 6.4), 0.9),
    ])
    cocoeval = run_cocoeval(gt, dt, "bbox")
    per_image = per_image_ap(cocoeval)
    tp_fp_tp = (51 + 50 * 2 / 3) / 101
    assert per_image[1]["AP"] == pytest.approx(tp_fp_tp) and per_image[1]["AP50"] == pytest.approx(tp_fp_tp)
    assert per_image[2] == {"AP": 0.0, "AP50": 0.0}
    assert per_image[3] == {"AP": 0.0, "AP50": 0.0}
    assert per_image[4]["AP"] == pytest.approx(0.5) and per_image[4]["AP50"] == pytest.approx(0.5)
    # IoU 0.64 matches at thresholds 0.50, 0.55, 0.60 only: 3 of 10
    assert per_image[5]["AP"] == pytest.approx(0.3) and per_image[5]["AP50"] == pytest.approx(1.0)
    assert matched_detection_ids(cocoeval, 0.5) == {1, 3, 5, 6}  # ids in the order given
    assert matched_detection_ids(cocoeval, 0.75) == {1, 3, 5}


def test_image_without_ground_truth_or_detections_has_no_ap():
    gt, dt = coco_pair(2, [(1, 1, (0, 0, 20, 20))], [(1, 1, (0, 0, 20, 20), 0.9)])
    assert per_image_ap(run_cocoeval(gt, dt, "bbox"))[2] == {"AP": None, "AP50": None}


def test_per_image_ap_of_a_single_image_equals_cocoeval_ap():
    rng = np.random.default_rng(3)
    boxes = [tuple(float(v) for v in (*rng.uniform(0, 60, 2), *rng.uniform(8, 30, 2))) for _ in range(6)]
    dets = [(1, 1, tuple(v + rng.normal(0, 2) for v in box), float(rng.uniform(0.1, 1))) for box in boxes[:5]]
    dets.append((1, 1, (70, 70, 10, 10), 0.95))
    gt, dt = coco_pair(1, [(1, 1, box) for box in boxes], dets)
    cocoeval = run_cocoeval(gt, dt, "bbox")
    assert per_image_ap(cocoeval)[1]["AP"] == pytest.approx(cocoeval.stats[0], abs=1e-9)
    assert per_image_ap(cocoeval)[1]["AP50"] == pytest.approx(cocoeval.stats[1], abs=1e-9)
