"""run_cocoeval: COCO's numbers and printout as pycocotools gives them, and a detection limit that lets
an image with more than 100 instances of a class reach AP 1."""

from __future__ import annotations

import contextlib
import io

import pytest
from pycocotools.cocoeval import COCOeval

from maskkit.evaluation.coco_eval import load_results
from maskkit.evaluation.coco_format import detections_to_coco_results, evaluation_ground_truth
from maskkit.evaluation.cocoeval_run import COCO_MAX_DETECTIONS, detection_limit, run_cocoeval, summary
from tests.helpers_evaluation import coco_pair, imperfect_results


def pycocotools_summarize(coco_gt, coco_dt, iou_type):
    """COCOeval run the documented way (summarize at its default limits), and what it printed."""
    cocoeval = COCOeval(coco_gt, coco_dt, iou_type)
    cocoeval.params.imgIds = sorted(coco_gt.imgs)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        cocoeval.evaluate()
        cocoeval.accumulate()
        cocoeval.summarize()
    return cocoeval, printed.getvalue()


@pytest.mark.parametrize("iou_type", ["bbox", "segm"])
def test_within_cocos_limits_numbers_and_lines_equal_pycocotools(dataset, iou_type):
    image_ids = list(dataset.image_ids)
    coco_gt = evaluation_ground_truth(dataset, image_ids)
    coco_dt = load_results(coco_gt, detections_to_coco_results(dataset, image_ids, imperfect_results(dataset)))
    ours = run_cocoeval(coco_gt, coco_dt, iou_type)
    reference, printed = pycocotools_summarize(coco_gt, coco_dt, iou_type)
    assert list(ours.params.maxDets) == list(COCO_MAX_DETECTIONS)
    assert list(ours.stats) == list(reference.stats)
    numbers, text = summary(ours)
    assert list(numbers) == list(reference.stats)
    assert text.splitlines() == [line for line in printed.splitlines() if line.startswith(" Average")]


def grid(image: int, category: int, count: int) -> list[tuple]:
    """``count`` distinct 2x2 ground-truth boxes of one category in one (100x100) image."""
    return [(image, category, (k % 50 * 2, k // 50 * 3, 2, 2)) for k in range(count)]


def test_the_limit_is_the_most_instances_of_one_class_in_one_image_crowds_left_out():
    gt, _ = coco_pair(2, grid(1, 1, 150) + grid(2, 2, 120) + grid(2, 1, 100), [(1, 1, (0, 0, 2, 2), 0.9)])
    assert detection_limit(gt) == 150
    crowd = gt.loadAnns(gt.getAnnIds(imgIds=[1], catIds=[1]))[0]
    crowd["iscrowd"] = 1
    assert detection_limit(gt) == 149
    small, _ = coco_pair(1, [(1, 1, (0, 0, 2, 2))], [(1, 1, (0, 0, 2, 2), 0.9)])
    assert detection_limit(small) == 100


def test_150_perfect_detections_in_one_image_and_class_score_ap_1():
    boxes = grid(1, 1, 150)
    gt, dt = coco_pair(1, boxes, [(image, cat, box, 0.9) for image, cat, box in boxes])
    cocoeval = run_cocoeval(gt, dt, "bbox")
    assert list(cocoeval.params.maxDets) == [1, 10, 150]
    assert cocoeval.stats[0] == pytest.approx(1.0) and cocoeval.stats[8] == pytest.approx(1.0)
    assert "maxDets=150 ] = 1.000" in summary(cocoeval)[1].splitlines()[0]
