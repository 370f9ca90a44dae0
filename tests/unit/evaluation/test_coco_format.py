"""COCO ground truth and results: source ids, crowds, internal ids as fallback, a user's file, results JSON."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from maskkit.evaluation import STAT_NAMES, dataset_to_coco, detections_to_coco_results, evaluate_coco
from maskkit.evaluation.metrics_output import write_results_json
from maskkit.imageio import write_image_rgb
from maskkit.utils.box_math import extract_bboxes
from maskkit_coco.dataset import make_coco
from tests.helpers import ArrayDataset
from tests.helpers_coco import CAT, DOG
from tests.helpers_crowded import crowded_dataset, crowded_masks
from tests.helpers_evaluation import imperfect_results, result


HAND_DRAWN = [  # (id, image, category, polygon, hand-drawn bbox xywh, area as in the file, iscrowd)
    (1, 1, 1, [4, 4, 30, 4, 30, 24, 4, 24], [2.0, 1.0, 31.0, 26.0], 560.0, 0),
    (2, 1, 2, [36, 30, 60, 30, 60, 50, 36, 50], [35.0, 28.0, 27.0, 25.0], 500.0, 0),
    (3, 2, 1, [10, 10, 40, 12, 38, 40, 8, 36], [6.0, 9.0, 36.0, 33.0], 900.0, 0),
    (4, 2, 2, [44, 4, 62, 4, 62, 20, 44, 20], [40.0, 2.0, 24.0, 20.0], 300.0, 0),
    (5, 2, 2, [2, 44, 30, 44, 30, 62, 2, 62], [1.0, 43.0, 30.0, 20.0], 520.0, 1),
    (6, 3, 1, [20, 20, 44, 20, 44, 44, 20, 44], [18.0, 18.0, 30.0, 30.0], 640.0, 0),
    (7, 3, 2, [2, 2, 14, 2, 14, 12, 2, 12], [0.0, 0.0, 17.0, 15.0], 130.0, 0),
]


def write_coco_file(root: Path) -> tuple[Path, Path]:
    """Three 64x64 images with polygons whose file bboxes and areas differ from the masks'."""
    images = [{"id": i, "file_name": f"im{i}.png", "height": 64, "width": 64} for i in (1, 2, 3)]
    annotations = [{"id": a, "image_id": img, "category_id": cat, "segmentation": [poly], "bbox": box,
                    "area": area, "iscrowd": crowd} for a, img, cat, poly, box, area, crowd in HAND_DRAWN]
    data = {"images": images, "annotations": annotations,
            "categories": [{"id": 1, "name": "cup"}, {"id": 2, "name": "plate"}]}
    image_dir = root / "images"
    for img in images:
        write_image_rgb(image_dir / img["file_name"], np.full((64, 64, 3), 90, np.uint8))
    path = root / "instances.json"
    path.write_text(json.dumps(data))
    return path, image_dir


def detections(dataset) -> list[dict[str, np.ndarray]]:
    """The non-crowd masks shifted by 0..3 pixels, one with the wrong class, plus a false positive."""
    rng = np.random.default_rng(5)
    out = []
    for image_id in dataset.image_ids:
        masks, class_ids = dataset.load_mask(image_id)
        keep = class_ids > 0
        masks, class_ids = masks[:, :, keep], class_ids[keep]
        masks = np.stack([np.roll(masks[:, :, k], k, axis=k % 2) for k in range(masks.shape[2])], axis=2)
        if image_id == 1:
            class_ids = 3 - class_ids
        extra = np.zeros((64, 64, 1), bool)
        extra[40:56, 40:60] = True
        masks = np.concatenate([masks, extra], axis=2)
        class_ids = np.append(class_ids, 1).astype(np.int32)
        out.append({"rois": extract_bboxes(masks).astype(np.int32), "class_ids": class_ids,
                    "scores": rng.uniform(0.2, 1.0, len(class_ids)).astype(np.float32), "masks": masks})
    return out


def cocoeval_stats(gt: COCO, results_path: Path, iou_type: str) -> np.ndarray:
    with contextlib.redirect_stdout(io.StringIO()):
        cocoeval = COCOeval(gt, gt.loadRes(str(results_path)), iou_type)
        cocoeval.evaluate()
        cocoeval.accumulate()
        cocoeval.summarize()
    return cocoeval.stats


def test_every_stat_equals_cocoeval_on_the_file_and_exported_results(tmp_path):
    ann_path, image_dir = write_coco_file(tmp_path)
    dataset = make_coco(str(ann_path), str(image_dir))
    results = detections(dataset)
    ours = evaluate_coco(dataset, dataset.image_ids, results)
    results_path = tmp_path / "results.json"
    write_results_json(results_path, detections_to_coco_results(dataset, dataset.image_ids, results))
    with contextlib.redirect_stdout(io.StringIO()):
        file_gt = COCO(str(ann_path))
    for iou_type in ("bbox", "segm"):
        direct = cocoeval_stats(file_gt, results_path, iou_type)
        got = np.array([ours[iou_type]["stats"][name] for name in STAT_NAMES])
        np.testing.assert_allclose(got, direct, rtol=0, atol=1e-12, err_msg=iou_type)
        assert 0.0 < got[0] < 1.0
    mask_derived = cocoeval_stats(dataset_to_coco(dataset), results_path, "bbox")
    assert not np.allclose(mask_derived, [ours["bbox"]["stats"][name] for name in STAT_NAMES])


def test_a_split_is_scored_against_its_own_images_of_the_file(tmp_path):
    ann_path, image_dir = write_coco_file(tmp_path)
    val = make_coco(str(ann_path), str(image_dir), subset="val", val_fraction=0.34, split_seed=1)
    results = detections(val)
    ours = evaluate_coco(val, val.image_ids, results, iou_types=("bbox",))
    results_path = tmp_path / "results.json"
    write_results_json(results_path, detections_to_coco_results(val, val.image_ids, results))
    with contextlib.redirect_stdout(io.StringIO()):
        file_gt = COCO(str(ann_path))
        cocoeval = COCOeval(file_gt, file_gt.loadRes(str(results_path)), "bbox")
        cocoeval.params.imgIds = [info["id"] for info in val.image_info]
        cocoeval.evaluate()
        cocoeval.accumulate()
        cocoeval.summarize()
    assert ours["num_images"] == len(val.image_info) < 3
    np.testing.assert_allclose([ours["bbox"]["stats"][n] for n in STAT_NAMES], cocoeval.stats, rtol=0, atol=1e-12)


def test_file_annotations_lacking_area_bbox_or_iscrowd_are_completed_from_masks(tmp_path):
    ann_path, image_dir = write_coco_file(tmp_path)
    data = json.loads(ann_path.read_text())
    for ann in data["annotations"]:
        del ann["area"], ann["bbox"], ann["iscrowd"]
    ann_path.write_text(json.dumps(data))
    dataset = make_coco(str(ann_path), str(image_dir))
    metrics = evaluate_coco(dataset, dataset.image_ids, detections(dataset))
    mask_gt = dataset_to_coco(dataset)
    with contextlib.redirect_stdout(io.StringIO()):
        results_path = tmp_path / "results.json"
        write_results_json(results_path, detections_to_coco_results(dataset, dataset.image_ids, detections(dataset)))
    expected = cocoeval_stats(mask_gt, results_path, "bbox")
    assert [metrics["bbox"]["stats"][n] for n in STAT_NAMES] == pytest.approx(expected.tolist(), abs=1e-12)


def test_results_json_round_trips_through_load_res(dataset, tmp_path):
    results = imperfect_results(dataset)
    coco_results = detections_to_coco_results(dataset, dataset.image_ids, results)
    path = tmp_path / "results.json"
    write_results_json(path, coco_results)
    with contextlib.redirect_stdout(io.StringIO()):
        loaded = dataset_to_coco(dataset).loadRes(str(path))
    anns = loaded.dataset["annotations"]
    assert len(anns) == sum(len(r["class_ids"]) for r in results)
    assert {a["category_id"] for a in anns} <= {CAT, DOG}
    assert {a["image_id"] for a in anns} == {10, 20, 30}
    first = results[0]
    ann = anns[0]
    y1, x1, y2, x2 = first["rois"][0].tolist()
    assert ann["bbox"] == [x1, y1, x2 - x1, y2 - y1]
    assert isinstance(ann["segmentation"]["counts"], str)
    np.testing.assert_array_equal(mask_utils.decode(ann["segmentation"]).astype(bool), first["masks"][:, :, 0])


def test_ground_truth_uses_source_ids_and_marks_crowds(dataset):
    gt = dataset_to_coco(dataset)
    assert sorted(gt.imgs) == [10, 20, 30, 40]
    assert sorted(gt.cats) == [CAT, DOG]
    crowd = [a for a in gt.dataset["annotations"] if a["iscrowd"]]
    assert len(crowd) == 1 and crowd[0]["image_id"] == 20 and crowd[0]["category_id"] == DOG


class TwoSourceDataset(ArrayDataset):
    """Classes from two sources with clashing ids, so COCO ids must fall back to internal ids."""

    def __init__(self, masks, class_ids):
        images = [np.zeros(m.shape[:2] + (3,), np.uint8) for m in masks]
        super().__init__(images, masks, class_ids, class_names=("a",))
        self.add_class("other", 1, "b")
        self.prepare()


def test_any_dataset_falls_back_to_internal_ids():
    mask = np.zeros((16, 20, 2), bool)
    mask[2:6, 3:9, 0] = True
    mask[8:14, 10:18, 1] = True
    ds = TwoSourceDataset([mask], [np.array([2, -1], np.int32)])
    gt = dataset_to_coco(ds)
    assert sorted(gt.cats) == [1, 2] and [c["name"] for c in gt.loadCats([1, 2])] == ["a", "b"]
    anns = sorted(gt.dataset["annotations"], key=lambda a: a["category_id"])
    assert [(a["category_id"], a["iscrowd"]) for a in anns] == [(1, 1), (2, 0)]
    assert anns[0]["bbox"] == [10.0, 8.0, 8.0, 6.0] and anns[0]["area"] == 48.0
    assert anns[1]["bbox"] == [3.0, 2.0, 6.0, 4.0] and anns[1]["area"] == 24.0
    metrics = evaluate_coco(ds, [0], [result(mask[:, :, :1], [2], [0.8])], iou_types=("segm",))
    assert metrics["segm"]["stats"]["AP"] == pytest.approx(1.0)


def test_an_image_with_600_instances_gets_their_areas_and_boxes():
    dataset = crowded_dataset()
    coco = dataset_to_coco(dataset)
    anns = coco.loadAnns(coco.getAnnIds(imgIds=[0]))
    masks = crowded_masks()
    assert len(anns) == 600
    assert [ann["area"] for ann in anns] == masks.sum(axis=(0, 1)).tolist()
    boxes = extract_bboxes(masks)
    assert [ann["bbox"] for ann in anns] == [[x1, y1, x2 - x1, y2 - y1] for y1, x1, y2, x2 in boxes.tolist()]
