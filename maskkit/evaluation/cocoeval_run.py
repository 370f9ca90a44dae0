"""One COCOeval run whose detection limit fits every image, and its 12 summary numbers.

COCO scores at most 100 detections per image and category, so an image with more ground-truth
instances of a class than that could never reach AP 1. The limit is raised to the most non-crowd
ground-truth instances of one class in one image (it stays 100, COCO's own numbers, when none has
more). The 12 numbers are read here at that limit, since COCOeval.summarize reads its headline AP
at a fixed 100 detections.
"""

from __future__ import annotations

import collections
import contextlib
import io

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

#: COCO's detection limits per image: AR1, AR10, and all other numbers at the last.
COCO_MAX_DETECTIONS = (1, 10, 100)

#: (AP or AR, IoU threshold or None for 0.50:0.95, area range, index into maxDets) of STAT_NAMES' numbers.
_STATS = ((True, None, "all", 2), (True, 0.5, "all", 2), (True, 0.75, "all", 2), (True, None, "small", 2),
          (True, None, "medium", 2), (True, None, "large", 2), (False, None, "all", 0), (False, None, "all", 1),
          (False, None, "all", 2), (False, None, "small", 2), (False, None, "medium", 2), (False, None, "large", 2))


def detection_limit(coco_gt: COCO) -> int:
    """The detections per image and category to score.

    Args:
        coco_gt: the ground truth.

    Returns:
        COCO's 100, or the most non-crowd ground-truth instances of one category in one image when
        that is more.
    """
    counts = collections.Counter((ann["image_id"], ann["category_id"]) for ann in coco_gt.anns.values()
                                 if not ann.get("iscrowd", 0))
    return max([COCO_MAX_DETECTIONS[-1], *counts.values()])


def run_cocoeval(coco_gt: COCO, coco_dt: COCO, iou_type: str) -> COCOeval:
    """COCOeval evaluated and accumulated on all images of ``coco_gt`` at its detection_limit, with
    ``stats`` holding the 12 numbers (summary) and pycocotools' progress prints swallowed.

    Args:
        coco_gt: the ground truth.
        coco_dt: the detections, loaded against ``coco_gt`` (``loadRes``).
        iou_type: ``"bbox"`` or ``"segm"``.

    Returns:
        The COCOeval, its ``eval`` and ``evalImgs`` filled in.
    """
    cocoeval = COCOeval(coco_gt, coco_dt, iou_type)
    cocoeval.params.imgIds = sorted(coco_gt.imgs)
    cocoeval.params.maxDets = [*COCO_MAX_DETECTIONS[:-1], detection_limit(coco_gt)]
    with contextlib.redirect_stdout(io.StringIO()):
        cocoeval.evaluate()
        cocoeval.accumulate()
    cocoeval.stats = summary(cocoeval)[0]
    return cocoeval


def summary(cocoeval: COCOeval) -> tuple[np.ndarray, str]:
    """The 12 COCO numbers of a COCOeval, all but AR1/AR10 at the last of its ``params.maxDets``.

    Args:
        cocoeval: evaluated and accumulated.

    Returns:
        The numbers in STAT_NAMES' order (-1 for one without ground truth in its bucket) and their
        lines as COCOeval.summarize prints them; with COCO's limits (1, 10, 100) both equal what
        summarize gives.
    """
    params = cocoeval.params
    numbers, lines = [], []
    for precision, iou, area, limit_index in _STATS:
        limit = params.maxDets[limit_index]
        values = cocoeval.eval["precision" if precision else "recall"]  # [T, R, K, A, M] or [T, K, A, M]
        if iou is not None:
            values = values[np.where(iou == params.iouThrs)[0]]
        values = values[..., params.areaRngLbl.index(area), params.maxDets.index(limit)]
        valid = values[values > -1]
        number = float(np.mean(valid)) if valid.size else -1.0
        numbers.append(number)
        title, kind = ("Average Precision", "(AP)") if precision else ("Average Recall", "(AR)")
        ious = f"{params.iouThrs[0]:0.2f}:{params.iouThrs[-1]:0.2f}" if iou is None else f"{iou:0.2f}"
        lines.append(f" {title:<18} {kind} @[ IoU={ious:<9} | area={area:>6s} | maxDets={limit:>3d} ] = "
                     f"{number:0.3f}")
    return np.array(numbers), "\n".join(lines) + "\n"
