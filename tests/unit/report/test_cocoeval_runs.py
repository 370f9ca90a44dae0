"""COCOeval runs for the report: the 12 numbers by name and precision-recall curves per class and IoU."""

from __future__ import annotations

import pytest

from maskkit.evaluation.coco_eval import STAT_NAMES
from maskkit.evaluation.cocoeval_run import run_cocoeval
from maskkit.report.cocoeval_runs import pr_curves, stats
from tests.helpers_evaluation import coco_pair


def test_perfect_boxes_give_ones_and_a_flat_curve_and_a_class_without_ground_truth_none():
    gt, dt = coco_pair(2, [(1, 1, (0, 0, 20, 20)), (2, 1, (30, 30, 40, 40))],
                       [(1, 1, (0, 0, 20, 20), 0.9), (2, 1, (30, 30, 40, 40), 0.8)])
    cocoeval = run_cocoeval(gt, dt, "bbox")
    numbers = stats(cocoeval)
    assert list(numbers) == list(STAT_NAMES) and numbers["AP"] == pytest.approx(1.0)
    curves = pr_curves(cocoeval)
    assert sorted(curves) == [1, 2] and sorted(curves[1]) == [0.5, 0.75]
    assert curves[1][0.5] == [1.0] * 101 and curves[2][0.5] == []


def test_a_missed_instance_caps_the_curve_at_half_recall():
    gt, dt = coco_pair(1, [(1, 1, (0, 0, 20, 20)), (1, 1, (50, 50, 20, 20))], [(1, 1, (0, 0, 20, 20), 0.9)])
    curve = pr_curves(run_cocoeval(gt, dt, "bbox"), ious=(0.5,))[1][0.5]
    assert curve[:51] == [1.0] * 51 and curve[51:] == [0.0] * 50
