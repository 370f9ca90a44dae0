"""Per-image AP from COCOeval's per-image matches, so the gallery can show the worst images first.

For each image and category COCOeval's ``evalImgs`` holds which detections matched a ground-truth
instance at each IoU threshold (crowd regions ignored). The image's AP for a category is COCO's
101-point interpolated AP of those matches; the image's AP is the mean over the categories that
have ground truth or detections in it. A category with detections but no ground truth in the image
scores 0; an image with neither has no AP (None).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from pycocotools.cocoeval import COCOeval


def interpolated_ap(matched: np.ndarray, ignored: np.ndarray, num_gt: int, rec_thrs: np.ndarray) -> np.ndarray:
    """COCO AP per IoU threshold of detections sorted by score: ``matched``/``ignored`` are bool [T, D].

    Precision is made monotone from the right and sampled at ``rec_thrs`` (0 past the highest recall).

    Args:
        matched, ignored: bool [T, D]: whether detection d matched, or is ignored, at IoU threshold t.
        num_gt: the image's non-ignored ground-truth instances of the category.
        rec_thrs: ascending recall points (COCO's 101).

    Returns:
        AP float [T]; 0 without ground truth but with a counted detection, NaN with neither.
    """
    if num_gt == 0:
        return np.full(len(matched), 0.0 if (~ignored).any() else np.nan)
    tp = np.cumsum(matched & ~ignored, axis=1, dtype=np.float64)
    fp = np.cumsum(~matched & ~ignored, axis=1, dtype=np.float64)
    recall = tp / num_gt
    precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
    precision = np.flip(np.maximum.accumulate(np.flip(precision, axis=1), axis=1), axis=1)
    index = (recall[:, :, None] < rec_thrs[None, None, :]).sum(axis=1)  # searchsorted 'left', per row
    padded = np.concatenate([precision, np.zeros((len(precision), 1))], axis=1)
    return np.take_along_axis(padded, index, axis=1).mean(axis=1)


def all_area_entries(cocoeval: COCOeval) -> list[dict[str, Any]]:
    """COCOeval's per-image, per-category match records for the "all" area range.

    Args:
        cocoeval: evaluated (``evaluate()`` run).
    """
    params = cocoeval.params
    rng = list(params.areaRng[params.areaRngLbl.index("all")])
    return [e for e in cocoeval.evalImgs if e is not None and list(e["aRng"]) == rng]


def matched_detection_ids(cocoeval: COCOeval, iou: float = 0.5) -> set[int]:
    """Ids of the detections COCOeval matched to a ground-truth instance of their class at ``iou``.

    Args:
        cocoeval: evaluated (``evaluate()`` run).
        iou: IoU threshold; COCOeval's nearest one is read.
    """
    t = int(np.argmin(np.abs(cocoeval.params.iouThrs - iou)))
    matched: set[int] = set()
    for entry in all_area_entries(cocoeval):
        hits = np.asarray(entry["dtMatches"]).reshape(len(cocoeval.params.iouThrs), -1)[t] > 0
        matched.update(int(i) for i, hit in zip(entry["dtIds"], hits) if hit)
    return matched


def per_image_ap(cocoeval: COCOeval) -> dict[int, dict[str, Any]]:
    """COCO image id -> ``{"AP": AP@0.5:0.95, "AP50": AP@0.5}`` (None without ground truth and detections).

    Uses the "all" area range at the largest maxDets, like the headline AP; needs ``evaluate()`` run.

    Args:
        cocoeval: the run whose per-image matches (``evalImgs``) are read.
    """
    params = cocoeval.params
    t50 = int(np.argmin(np.abs(params.iouThrs - 0.5)))
    scores: dict[int, list[np.ndarray]] = defaultdict(list)
    for entry in all_area_entries(cocoeval):
        matched = np.asarray(entry["dtMatches"]).reshape(len(params.iouThrs), -1) > 0
        ignored = np.asarray(entry["dtIgnore"]).reshape(matched.shape).astype(bool)
        num_gt = int((np.asarray(entry["gtIgnore"]) == 0).sum())
        ap = interpolated_ap(matched, ignored, num_gt, params.recThrs)
        if not np.isnan(ap).all():
            scores[int(entry["image_id"])].append(ap)
    out: dict[int, dict[str, Any]] = {int(i): {"AP": None, "AP50": None} for i in params.imgIds}
    for image_id, rows in scores.items():
        table = np.stack(rows)  # [categories, T]
        out[image_id] = {"AP": float(table.mean()), "AP50": float(table[:, t50].mean())}
    return out
