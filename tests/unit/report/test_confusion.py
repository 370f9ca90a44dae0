"""The report's confusion matrix on boxes, masks and polygon ground truth, against hand-computed cases."""

from __future__ import annotations

import numpy as np

from maskkit.evaluation.coco_eval import load_results
from maskkit.evaluation.coco_format import dataset_to_coco, detections_to_coco_results, encode_masks, make_coco_object
from maskkit.report import confusion_matrix
from tests.helpers_crowded import crowded_dataset
from tests.helpers_evaluation import coco_pair, perfect_results


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


def test_600_perfect_detections_land_on_the_diagonal():
    dataset = crowded_dataset()
    coco_gt = dataset_to_coco(dataset)
    coco_dt = load_results(coco_gt, detections_to_coco_results(dataset, [0], perfect_results(dataset)))
    matrix = np.array(confusion_matrix(coco_gt, coco_dt, "segm")["matrix"])
    np.testing.assert_array_equal(matrix, np.diag([120] * 5 + [0]))
