"""maskkit.evaluation: COCO metrics agree with a direct COCOeval run, results JSON, reference mAP, report."""

from __future__ import annotations

import contextlib
import io
import json
import warnings

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from maskkit.errors import MaskkitError
from maskkit.evaluation import (
    STAT_NAMES,
    dataset_to_coco,
    detections_to_coco_results,
    evaluate_coco,
    evaluate_map,
    format_metrics_table,
    write_metrics_json,
    write_results_json,
)
from maskkit.utils.boxes import extract_bboxes
from maskkit_coco.dataset import make_coco
from tests.helpers import ArrayDataset, shapes_dataset
from tests.helpers_coco import CAT, DOG, EMPTY_ANN, build_coco


def realistic(data):
    """Give the helper file the bbox and area of each mask (as real COCO files do) and drop its empty mask."""
    data["annotations"] = [ann for ann in data["annotations"] if ann["id"] != EMPTY_ANN]
    sizes = {img["id"]: (img["height"], img["width"]) for img in data["images"]}
    for ann in data["annotations"]:
        height, width = sizes[ann["image_id"]]
        segm = ann["segmentation"]
        if isinstance(segm, list):
            rle = mask_utils.merge(mask_utils.frPyObjects(segm, height, width))
        else:
            rle = mask_utils.frPyObjects(segm, height, width) if isinstance(segm["counts"], list) else segm
        ann["area"] = float(mask_utils.area(rle))
        ann["bbox"] = mask_utils.toBbox(rle).tolist()


@pytest.fixture
def coco_files(tmp_path):
    return build_coco(tmp_path, realistic)


@pytest.fixture
def dataset(coco_files):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_coco(str(coco_files.annotations), str(coco_files.images))


def result(masks, class_ids, scores):
    """A detect-contract result from bool masks [H, W, N]."""
    masks = np.asarray(masks, dtype=bool)
    return {"rois": extract_bboxes(masks).astype(np.int32), "class_ids": np.asarray(class_ids, np.int32),
            "scores": np.asarray(scores, np.float32), "masks": masks}


def perfect_results(dataset):
    """The non-crowd ground truth of every image as detections with score 0.9."""
    out = []
    for image_id in dataset.image_ids:
        masks, class_ids = dataset.load_mask(image_id)
        keep = class_ids > 0
        out.append(result(masks[:, :, keep], class_ids[keep], np.full(keep.sum(), 0.9)))
    return out


def imperfect_results(dataset):
    """Perfect detections disturbed: shifted masks, a wrong class, a false positive, mixed scores."""
    rng = np.random.default_rng(3)
    out = []
    for det in perfect_results(dataset):
        masks = det["masks"].copy()
        class_ids = det["class_ids"].copy()
        n = masks.shape[2]
        if n:
            masks[:, :, 0] = np.roll(masks[:, :, 0], 3, axis=1)
            if n > 1:
                class_ids[1] = 3 - class_ids[1]
            extra = np.zeros(masks.shape[:2] + (1,), dtype=bool)
            extra[2:12, 2:14] = True
            masks = np.concatenate([masks, extra], axis=2)
            class_ids = np.append(class_ids, 1)
        out.append(result(masks, class_ids, rng.uniform(0.1, 1.0, size=len(class_ids))))
    return out


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


def test_reference_map_is_one_for_perfect_and_drops_for_shifted(dataset):
    perfect = evaluate_map(dataset, dataset.image_ids, perfect_results(dataset))
    assert perfect["mAP"] == pytest.approx(1.0) and perfect["mAP_50_95"] == pytest.approx(1.0)
    assert [r["AP"] for r in perfect["per_image"]] == pytest.approx([1.0] * 4)
    shifted = []
    for det in perfect_results(dataset):
        masks = np.roll(det["masks"], 8, axis=1)
        shifted.append(result(masks, det["class_ids"], det["scores"]))
    moved = evaluate_map(dataset, dataset.image_ids, shifted)
    assert moved["mAP"] < 1.0 and moved["mAP_50_95"] < moved["mAP"]


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


def test_metrics_json_and_table(dataset, tmp_path):
    results = imperfect_results(dataset)
    metrics = evaluate_coco(dataset, dataset.image_ids, results)
    metrics["reference"] = evaluate_map(dataset, dataset.image_ids, results)
    path = tmp_path / "out" / "metrics.json"
    write_metrics_json(path, metrics)
    loaded = json.loads(path.read_text())
    assert loaded["segm"]["stats"]["AP"] == pytest.approx(metrics["segm"]["stats"]["AP"])
    assert loaded["reference"]["mAP"] == pytest.approx(metrics["reference"]["mAP"])
    assert [p.name for p in path.parent.iterdir()] == ["metrics.json"]
    table = format_metrics_table(metrics)
    for name in STAT_NAMES:
        assert f"\n{name} " in table
    assert "cat (3)" in table and "dog (7)" in table
    assert f"{metrics['bbox']['stats']['AP']:.3f}" in table
    assert "mAP@0.5 " in table and "mAP@0.5:0.95" in table
    assert "APl" in table and " -" in table  # no large objects: COCOeval's -1 shows as '-'


def test_shapes_dataset_perfect_detections():
    shapes = shapes_dataset(count=3, size=64, seed=1)
    metrics = evaluate_coco(shapes, shapes.image_ids, perfect_results(shapes))
    assert metrics["bbox"]["stats"]["AP"] == pytest.approx(1.0)
    assert metrics["segm"]["stats"]["AP"] == pytest.approx(1.0)
    assert [row["name"] for row in metrics["segm"]["per_category"]] == ["square", "circle", "triangle"]
