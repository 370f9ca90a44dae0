"""evaluate_coco: its numbers equal a direct COCOeval run; perfect, empty and broken detections."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from maskkit.errors import MaskkitError
from maskkit.evaluation import STAT_NAMES, evaluate_coco, evaluate_map
from tests.helpers import shapes_dataset
from tests.helpers_coco import CAT, DOG, EMPTY_ANN
from tests.helpers_crowded import crowded_dataset
from tests.helpers_evaluation import imperfect_results, perfect_results


def direct_cocoeval(coco_files, results, image_ids, dataset, iou_type):
    """COCOeval stats built without maskkit: GT from the annotation file, detections encoded here."""
    source = COCO(str(coco_files.annotations))
    annotations = []
    for ann in source.dataset["annotations"]:
        if ann["id"] == EMPTY_ANN:
            continue
        rle = source.annToRLE(ann)
        annotations.append({"id": ann["id"], "image_id": ann["image_id"], "category_id": ann["category_id"],
                            "segmentation": rle, "area": float(mask_utils.area(rle)),
                            "bbox": mask_utils.toBbox(rle).tolist(), "iscrowd": ann["iscrowd"]})
    gt = COCO()
    gt.dataset = {"images": source.dataset["images"], "categories": source.dataset["categories"],
                  "annotations": annotations}
    gt.createIndex()
    detections = []
    for image_id, det in zip(image_ids, results):
        coco_image = dataset.image_info[image_id]["id"]
        for k in range(len(det["class_ids"])):
            y1, x1, y2, x2 = det["rois"][k].tolist()
            rle = mask_utils.encode(np.asfortranarray(det["masks"][:, :, k].astype(np.uint8)))
            detections.append({"image_id": coco_image, "score": float(det["scores"][k]),
                               "category_id": dataset.get_source_class_id(int(det["class_ids"][k]), "coco"),
                               "bbox": [x1, y1, x2 - x1, y2 - y1], "segmentation": rle})
    dt = gt.loadRes(detections)
    cocoeval = COCOeval(gt, dt, iou_type)
    cocoeval.evaluate()
    cocoeval.accumulate()
    cocoeval.summarize()
    return cocoeval.stats


def test_perfect_detections_give_ap_one(dataset):
    metrics = evaluate_coco(dataset, dataset.image_ids, perfect_results(dataset))
    for iou_type in ("bbox", "segm"):
        stats = metrics[iou_type]["stats"]
        assert stats["AP"] == pytest.approx(1.0)
        assert stats["AP50"] == pytest.approx(1.0)
        assert stats["AR100"] == pytest.approx(1.0)
        assert {row["category_id"]: row["AP"] for row in metrics[iou_type]["per_category"]} == \
            pytest.approx({CAT: 1.0, DOG: 1.0})
    assert metrics["num_images"] == 4 and metrics["num_detections"] == 6
    assert "Average Precision" in metrics["summary_text"]


def test_empty_detections_give_zero_without_crashing(dataset, capsys):
    empty = {"rois": np.zeros((0, 4), np.int32), "class_ids": np.zeros(0, np.int32),
             "scores": np.zeros(0, np.float32), "masks": np.zeros((0, 0, 0), bool)}
    metrics = evaluate_coco(dataset, dataset.image_ids, [empty] * len(dataset))
    for iou_type in ("bbox", "segm"):
        stats = metrics[iou_type]["stats"]
        assert stats["AP"] == 0.0 and stats["AP50"] == 0.0 and stats["AR100"] == 0.0
        assert all(value in (0.0, -1.0) for value in stats.values())
    assert metrics["num_detections"] == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("iou_type", ["bbox", "segm"])
def test_numbers_equal_a_direct_cocoeval_run(dataset, coco_files, iou_type):
    results = imperfect_results(dataset)
    ours = evaluate_coco(dataset, dataset.image_ids, results, iou_types=(iou_type,))
    with contextlib.redirect_stdout(io.StringIO()):
        direct = direct_cocoeval(coco_files, results, dataset.image_ids, dataset, iou_type)
    np.testing.assert_allclose([ours[iou_type]["stats"][name] for name in STAT_NAMES], direct)
    assert 0.0 < ours[iou_type]["stats"]["AP"] < 1.0


def test_detection_errors_name_the_image(dataset):
    results = perfect_results(dataset)
    results[1] = dict(results[1], masks=results[1]["masks"][:10])
    with pytest.raises(MaskkitError, match=r"image 20 \(.*b\.png\).*original image pixels"):
        evaluate_coco(dataset, dataset.image_ids, results)
    results = perfect_results(dataset)
    results[0] = dict(results[0], class_ids=np.array([1, 5], np.int32))
    with pytest.raises(MaskkitError, match=r"image 0 .*class id 5 is outside 1..2"):
        evaluate_map(dataset, dataset.image_ids, results)
    with pytest.raises(MaskkitError, match="4 image ids but 3 detection results"):
        evaluate_coco(dataset, dataset.image_ids, results[:3])


def test_shapes_dataset_perfect_detections():
    shapes = shapes_dataset(count=3, size=64, seed=1)
    metrics = evaluate_coco(shapes, shapes.image_ids, perfect_results(shapes))
    assert metrics["bbox"]["stats"]["AP"] == pytest.approx(1.0)
    assert metrics["segm"]["stats"]["AP"] == pytest.approx(1.0)
    assert [row["name"] for row in metrics["segm"]["per_category"]] == ["square", "circle", "triangle"]


def test_600_perfect_detections_in_one_image_score_ap_1():
    """600 instances, 120 of each class: pycocotools counts them in chunks and COCO's 100-detection limit
    is raised to 120, so perfect detections reach AP 1 (at 100 they could reach only 100/120 recall)."""
    dataset = crowded_dataset()
    metrics = evaluate_coco(dataset, [0], perfect_results(dataset), iou_types=("segm",))
    assert metrics["num_detections"] == 600 and metrics["max_detections"] == 120
    assert metrics["segm"]["stats"]["AP"] == pytest.approx(1.0)
    assert metrics["segm"]["stats"]["AR100"] == pytest.approx(1.0)
    assert [row["AP"] for row in metrics["segm"]["per_category"]] == pytest.approx([1.0] * 5)
    assert "maxDets=120 ] = 1.000" in metrics["summary_text"]
