"""COCO evaluation (bbox and segm) of detections on any maskkit Dataset through pycocotools' COCOeval."""

from __future__ import annotations

import contextlib
import io
from typing import Any, Sequence

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from maskkit.dataset import Dataset
from maskkit.errors import MaskkitError
from maskkit.evaluation.cocoeval_run import detection_limit, run_cocoeval, summary
from maskkit.evaluation.coco_format import detections_to_coco_results, evaluation_ground_truth, make_coco_object

STAT_NAMES = ("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl")
IOU_TYPES = ("bbox", "segm")


def evaluate_coco(dataset: Dataset, image_ids: Sequence[int], results: Sequence[dict[str, np.ndarray]],
                  iou_types: Sequence[str] = IOU_TYPES) -> dict[str, Any]:
    """COCO metrics of ``results`` (aligned with ``image_ids``, maskkit detect contract) on ``dataset``.

    A stat is -1 when no ground truth falls in its bucket (COCOeval's convention), e.g. APl on small
    images. A dataset read from a COCO file is scored against that file's annotations, exactly as
    pycocotools would on the file. At most ``max_detections`` detections per image and category count:
    COCO's 100, raised to the most ground-truth instances of one category in one image when that is
    more (cocoeval_run).

    Args:
        dataset: the prepared dataset holding the ground truth.
        image_ids: internal ids of the evaluated images.
        results: one detect result per image id (rois, class_ids, scores, masks in original image pixels).
        iou_types: any of ``"bbox"`` and ``"segm"`` (default both).

    Returns:
        ``{iou_type: {"stats": {AP, AP50, ..., ARl}, "per_category": [...]}, "summary_text": str,
        "num_images": int, "num_detections": int, "max_detections": int}``.
    """
    unknown = [t for t in iou_types if t not in IOU_TYPES]
    if unknown:
        raise MaskkitError(f"unknown COCO iou type(s) {unknown}; choose from {', '.join(IOU_TYPES)}")
    coco_gt = evaluation_ground_truth(dataset, image_ids)
    detections = detections_to_coco_results(dataset, image_ids, results)
    check_mask_sizes(coco_gt, detections)
    coco_dt = load_results(coco_gt, detections)
    metrics: dict[str, Any] = {"num_images": len(coco_gt.imgs), "num_detections": len(detections),
                               "max_detections": detection_limit(coco_gt)}
    texts = []
    for iou_type in iou_types:
        cocoeval = run_cocoeval(coco_gt, coco_dt, iou_type)
        texts.append(f"== {iou_type} ==\n{summary(cocoeval)[1]}")
        metrics[iou_type] = {"stats": dict(zip(STAT_NAMES, (float(s) for s in cocoeval.stats))),
                             "per_category": per_category_ap(cocoeval, coco_gt)}
    metrics["summary_text"] = "".join(texts)
    return metrics


def load_results(coco_gt: COCO, detections: list[dict[str, Any]]) -> COCO:
    """``coco_gt.loadRes`` on copies of ``detections``, also for an empty list (which loadRes rejects)."""
    if not detections:
        return make_coco_object({"images": list(coco_gt.dataset["images"]),
                                 "categories": list(coco_gt.dataset["categories"]), "annotations": []})
    with contextlib.redirect_stdout(io.StringIO()):
        return coco_gt.loadRes([dict(d) for d in detections])


def check_mask_sizes(coco_gt: COCO, detections: list[dict[str, Any]]) -> None:
    """Raise MaskkitError naming the image when a detection mask is not the size of its image.

    Args:
        coco_gt: the ground truth, whose images give the sizes.
        detections: COCO results (``detections_to_coco_results``) with RLE segmentations.
    """
    for det in detections:
        img = coco_gt.imgs[det["image_id"]]
        if list(det["segmentation"]["size"]) != [img["height"], img["width"]]:
            raise MaskkitError(f"detection masks of image {det['image_id']} ({img['file_name']}) are "
                               f"{det['segmentation']['size']}, the image is [{img['height']}, {img['width']}]; "
                               f"masks must be in original image pixels")


def per_category_ap(cocoeval: COCOeval, coco_gt: COCO) -> list[dict[str, Any]]:
    """AP (0.5:0.95), AP50 and AP75 per category over all areas at the detection limit (the last
    maxDets); -1 without ground truth.

    Args:
        cocoeval: evaluated and accumulated (``run_cocoeval``).
        coco_gt: the ground truth, for the category names.

    Returns:
        One ``{"category_id", "name", "AP", "AP50", "AP75"}`` dict per category of ``cocoeval.params.catIds``.
    """
    precision = cocoeval.eval["precision"]  # [T, R, K, A, M]
    thresholds = cocoeval.params.iouThrs
    area_all = cocoeval.params.areaRngLbl.index("all")
    table = []
    for k, cat_id in enumerate(cocoeval.params.catIds):
        p = precision[:, :, k, area_all, -1]
        row = {"category_id": int(cat_id), "name": coco_gt.cats[cat_id]["name"], "AP": mean_valid(p)}
        for label, iou in (("AP50", 0.5), ("AP75", 0.75)):
            row[label] = mean_valid(p[np.isclose(thresholds, iou)])
        table.append(row)
    return table


def mean_valid(values: np.ndarray) -> float:
    """Mean of the entries COCOeval filled in (> -1), or -1 when there are none.

    Args:
        values: a slice of COCOeval's precision or recall array.
    """
    valid = values[values > -1]
    return float(valid.mean()) if valid.size else -1.0
