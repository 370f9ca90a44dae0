"""What the report reads from a whole COCOeval run: the 12 numbers by name and precision-recall curves.

``maskkit.evaluation.evaluate_coco`` returns numbers only; the report also needs COCOeval's eval
arrays (precision per recall point, per-image matches), so it runs COCOeval itself on the same COCO
objects (``evaluation_ground_truth``, ``load_results``, ``run_cocoeval``) and keeps it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from pycocotools.cocoeval import COCOeval

from maskkit.evaluation.coco_eval import STAT_NAMES

PR_IOUS = (0.5, 0.75)


def stats(cocoeval: COCOeval) -> dict[str, float]:
    """The 12 COCO numbers by name.

    Args:
        cocoeval: a ``run_cocoeval`` result (its ``stats`` set).
    """
    return dict(zip(STAT_NAMES, (float(s) for s in cocoeval.stats)))


def pr_curves(cocoeval: COCOeval, ious: Sequence[float] = PR_IOUS) -> dict[int, dict[float, list[float]]]:
    """Precision at COCO's 101 recall points per category id and IoU (all areas, at the detection limit).

    COCOeval marks a category without ground truth with -1; such curves come back empty.

    Args:
        cocoeval: evaluated and accumulated.
        ious: IoU thresholds; each reads COCOeval's nearest one.

    Returns:
        ``{category_id: {iou: precisions in [0, 1] rounded to 4 places, or []}}``.
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
