"""Confusion matrix of matched detections: which ground-truth class each detection landed on.

Matching ignores the class: detections (score >= a threshold) are taken by descending score, each
takes the still-free ground-truth instance it overlaps most at IoU >= a threshold. A matched pair
counts at (true class, predicted class); a detection matching nothing counts at (background,
predicted class) unless it lies on a crowd region (then it is ignored, as COCOeval does); a
ground-truth instance nobody took counts at (true class, background).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO


def confusion_matrix(coco_gt: COCO, coco_dt: COCO, iou_type: str = "segm", iou_threshold: float = 0.5,
                     score_threshold: float = 0.5) -> dict[str, Any]:
    """``{"labels": [class names..., "background"], "matrix": rows = truth, columns = prediction,
    "iou_type", "iou_threshold", "score_threshold"}``; the last row and column are background.

    Args:
        coco_gt: the ground truth; its categories, sorted by id, are the labels.
        coco_dt: the detections, loaded against ``coco_gt``.
        iou_type: ``"segm"`` (mask IoU) or ``"bbox"``.
        iou_threshold: least IoU of a match.
        score_threshold: detections scoring less are left out.
    """
    cat_ids = sorted(coco_gt.getCatIds())
    index = {cat_id: k for k, cat_id in enumerate(cat_ids)}
    background = len(cat_ids)
    matrix = np.zeros((background + 1, background + 1), dtype=np.int64)
    for image_id in coco_gt.getImgIds():
        gts = coco_gt.loadAnns(coco_gt.getAnnIds(imgIds=[image_id]))
        dts = [d for d in coco_dt.loadAnns(coco_dt.getAnnIds(imgIds=[image_id])) if d["score"] >= score_threshold]
        dts.sort(key=lambda d: -d["score"])
        solid = [g for g in gts if not g.get("iscrowd", 0)]
        crowd = [g for g in gts if g.get("iscrowd", 0)]
        truth = np.array([index[g["category_id"]] for g in solid], dtype=np.int64)
        predicted = np.array([index[d["category_id"]] for d in dts], dtype=np.int64)
        dt_shapes = shapes(coco_dt, dts, iou_type)
        pairs, unmatched, missed = match_instances(
            overlaps(dt_shapes, shapes(coco_gt, solid, iou_type), crowd=False),
            overlaps(dt_shapes, shapes(coco_gt, crowd, iou_type), crowd=True), iou_threshold)
        np.add.at(matrix, (truth[pairs[:, 1]], predicted[pairs[:, 0]]), 1)
        np.add.at(matrix, (background, predicted[unmatched]), 1)
        np.add.at(matrix, (truth[missed], background), 1)
    return {"labels": [coco_gt.cats[c]["name"] for c in cat_ids] + ["background"], "matrix": matrix.tolist(),
            "iou_type": iou_type, "iou_threshold": iou_threshold, "score_threshold": score_threshold}


def shapes(coco: COCO, anns: Sequence[dict[str, Any]], iou_type: str) -> list[Any]:
    """The RLE masks (any segmentation format, via pycocotools) or xywh boxes of ``anns``.

    Args:
        coco: the COCO object ``anns`` belong to (it knows their image sizes).
        anns: annotations or detections.
        iou_type: ``"segm"`` for masks, anything else for boxes.
    """
    return [coco.annToRLE(a) for a in anns] if iou_type == "segm" else [a["bbox"] for a in anns]


def overlaps(dts: Sequence[Any], gts: Sequence[Any], crowd: bool) -> np.ndarray:
    """IoU [D, G] of detection and ground-truth shapes (for crowd regions: the part of the detection
    inside them, COCO's convention).

    Args:
        dts, gts: detection and ground-truth shapes (``shapes``), all masks or all boxes.
        crowd: whether ``gts`` are crowd regions.
    """
    if not len(dts) or not len(gts):
        return np.zeros((len(dts), len(gts)))
    return np.asarray(mask_utils.iou(list(dts), list(gts), [int(crowd)] * len(gts)))


def match_instances(ious: np.ndarray, crowd_ious: np.ndarray,
                    threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Greedy matching of score-sorted detections (rows) to ground truth (columns) at IoU >= threshold.

    Greedy by score is sequential by nature, so it walks the detections.

    Args:
        ious: IoU [D, G] of the detections, by descending score, and the non-crowd ground truth.
        crowd_ious: IoU [D, C] of the same detections and the crowd regions.
        threshold: least IoU of a match.

    Returns:
        (pairs [M, 2] of (detection, truth), unmatched detections not on a crowd region, ground truth
        left over), as index arrays.
    """
    free = np.ones(ious.shape[1], dtype=bool)
    pairs, unmatched = [], []
    for d in range(ious.shape[0]):
        candidates = np.where(free & (ious[d] >= threshold), ious[d], -1.0)
        if candidates.size and candidates.max() >= 0:
            g = int(candidates.argmax())
            free[g] = False
            pairs.append((d, g))
        elif not (crowd_ious.shape[1] and crowd_ious[d].max() >= threshold):
            unmatched.append(d)
    return (np.array(pairs, dtype=np.int64).reshape(-1, 2), np.array(unmatched, dtype=np.int64),
            np.flatnonzero(free))
