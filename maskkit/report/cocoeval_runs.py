"""One COCOeval per iou type over a dataset's ground truth and detections, kept whole for the report.

``maskkit.evaluation.evaluate_coco`` returns numbers only; the report also needs COCOeval's eval
arrays (precision per recall point, per-image matches), so it runs COCOeval on the same COCO
objects (``evaluation_ground_truth``, ``load_results``) and keeps it.
"""

from __future__ import annotations

import contextlib
import io
from typing import Sequence

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from maskkit.evaluation.coco_eval import STAT_NAMES

PR_IOUS = (0.5, 0.75)


def run_cocoeval(coco_gt: COCO, coco_dt: COCO, iou_type: str) -> COCOeval:
    """COCOeval evaluated, accumulated and summarised (its printout swallowed) on all images of ``coco_gt``."""
    cocoeval = COCOeval(coco_gt, coco_dt, iou_type)
    cocoeval.params.imgIds = sorted(coco_gt.imgs)
    with contextlib.redirect_stdout(io.StringIO()):
        cocoeval.evaluate()
        cocoeval.accumulate()
        cocoeval.summarize()
    return cocoeval


def stats(cocoeval: COCOeval) -> dict[str, float]:
    """The 12 COCO numbers by name."""
    return dict(zip(STAT_NAMES, (float(s) for s in cocoeval.stats)))


def pr_curves(cocoeval: COCOeval, ious: Sequence[float] = PR_IOUS) -> dict[int, dict[float, list[float]]]:
    """Precision at COCO's 101 recall points per category id and IoU (all areas, 100 detections).

    COCOeval marks a category without ground truth with -1; such curves come back empty.
    """
    precision = cocoeval.eval["precision"]  # [T, R, K, A, M]
    thresholds = cocoeval.params.iouThrs
    area_all = cocoeval.params.areaRngLbl.index("all")
    curves: dict[int, dict[float, list[float]]] = {}
    for k, cat_id in enumerate(cocoeval.params.catIds):
        curves[int(cat_id)] = {}
        for iou in ious:
            row = precision[int(np.argmin(np.abs(thresholds - iou))), :, k, area_all, -1]
            curves[int(cat_id)][iou] = [] if (row < 0).all() else [round(float(p), 4) for p in np.clip(row, 0, 1)]
    return curves
