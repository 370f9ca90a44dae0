"""Per-image AP and the confusion matrix of the evaluation report against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.evaluation.coco_eval import load_results
from maskkit.evaluation.coco_format import encode_masks, make_coco_object
from maskkit.report import confusion_matrix, per_image_ap
from maskkit.report.cocoeval_runs import run_cocoeval
from maskkit.report.per_image import interpolated_ap, matched_detection_ids


REC_THRS = np.linspace(0.0, 1.00, 101)


def coco_pair(images: int, gts: list[tuple], dts: list[tuple]):
    """GT (image, category, xywh box[, crowd]) and detections (image, category, box, score) as COCO objects."""
    annotations = [{"id": k + 1, "image_id": g[0], "category_id": g[1], "bbox": list(g[2]), "area": g[2][2] * g[2][3],
                    "iscrowd": g[3] if len(g) > 3 else 0} for k, g in enumerate(gts)]
    gt = make_coco_object({"images": [{"id": i, "height": 100, "width": 100} for i in range(1, images + 1)],
                           "annotations": annotations,
                           "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]})
    dt = load_results(gt, [{"image_id": d[0], "category_id": d[1], "bbox": list(d[2]), "score": d[3]} for d in dts])
    return gt, dt


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


def test_confusion_matrix_by_hand():
    a1, b1, b2, crowd, empty = (0, 0, 20, 20), (50, 50, 20, 20), (0, 50, 20, 20), (60, 0, 30, 30), (30, 30, 10, 10)
    gt, dt = coco_pair(2, [(1, 1, a1), (1, 2, b1), (1, 2, b2), (2, 1, crowd, 1)], [
        (1, 1, a1, 0.9),                 # a on a: (a, a)
        (1, 1, b1, 0.8),                 # a on b: (b, a)
        (1, 1, (1, 1, 20, 20), 0.75),    # a second detection on a1, already taken: (background, a)
        (1, 2, empty, 0.7),              # b on nothing: (background, b)
        (1, 2, b2, 0.3),                 # below the score threshold: b2 counts as missed (b, background)
        (2, 2, (62, 2, 20, 20), 0.9),    # inside a crowd region: ignored
    ])
    result = confusion_matrix(gt, dt, "bbox", iou_threshold=0.5, score_threshold=0.5)
    assert result["labels"] == ["a", "b", "background"]
    assert result["matrix"] == [[1, 0, 0],
                                [1, 0, 1],
                                [1, 1, 0]]
    lower = confusion_matrix(gt, dt, "bbox", iou_threshold=0.5, score_threshold=0.2)
    assert lower["matrix"][1] == [1, 1, 0]


def test_confusion_matrix_on_masks():
    masks = np.zeros((40, 40, 3), dtype=bool)
    masks[0:10, 0:10, 0] = True
    masks[20:30, 20:30, 1] = True
    masks[20:30, 22:32, 2] = True  # overlaps mask 1 with IoU 80/120
    rles = encode_masks(masks)
    gt = make_coco_object({"images": [{"id": 1, "height": 40, "width": 40}], "categories": [
        {"id": 1, "name": "a"}, {"id": 2, "name": "b"}], "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "segmentation": rles[0], "area": 100.0, "bbox": [0, 0, 10, 10],
         "iscrowd": 0},
        {"id": 2, "image_id": 1, "category_id": 2, "segmentation": rles[1], "area": 100.0, "bbox": [20, 20, 10, 10],
         "iscrowd": 0}]})
    dt = load_results(gt, [{"image_id": 1, "category_id": 1, "segmentation": rles[2], "score": 0.9}])
    assert confusion_matrix(gt, dt, "segm")["matrix"] == [[0, 0, 1], [1, 0, 0], [0, 0, 0]]


def test_confusion_matrix_with_polygon_ground_truth():
    """Ground truth straight from a COCO file may hold polygons; they are rasterised like COCOeval does."""
    gt = make_coco_object({"images": [{"id": 1, "height": 40, "width": 40}], "categories": [
        {"id": 1, "name": "a"}, {"id": 2, "name": "b"}], "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "segmentation": [[0, 0, 20, 0, 20, 20, 0, 20]], "area": 400.0,
         "bbox": [0, 0, 20, 20], "iscrowd": 0}]})
    mask = np.zeros((40, 40, 1), dtype=bool)
    mask[0:20, 0:20] = True
    dt = load_results(gt, [{"image_id": 1, "category_id": 2, "segmentation": encode_masks(mask)[0], "score": 0.9}])
    assert confusion_matrix(gt, dt, "segm")["matrix"] == [[0, 1, 0], [0, 0, 0], [0, 0, 0]]
