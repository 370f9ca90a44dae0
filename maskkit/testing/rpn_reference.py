"""matterport's full-matrix float64 algorithm, the reference build_rpn_targets is checked against.

The unit tests compare ``maskkit.data.build_rpn_targets`` with it for exact equality and
bench/bench_input.py times it; both use this one copy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from maskkit.utils.box_math import box_refinement


def _overlaps(anchors64: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoUs [anchors, boxes] in float64, one box at a time as matterport's compute_iou does."""
    anchor_area = (anchors64[:, 2] - anchors64[:, 0]) * (anchors64[:, 3] - anchors64[:, 1])
    out = np.zeros((anchors64.shape[0], boxes.shape[0]))
    for i, box in enumerate(boxes.astype(np.float64)):
        y1, y2 = np.maximum(box[0], anchors64[:, 0]), np.minimum(box[2], anchors64[:, 2])
        x1, x2 = np.maximum(box[1], anchors64[:, 1]), np.minimum(box[3], anchors64[:, 3])
        intersection = np.maximum(x2 - x1, 0) * np.maximum(y2 - y1, 0)
        out[:, i] = intersection / ((box[2] - box[0]) * (box[3] - box[1]) + anchor_area - intersection)
    return out


def _sample(match: np.ndarray, total: int, rng: np.random.Generator) -> None:
    """matterport's balancing in place: at most half positives, negatives fill the rest of ``total``."""
    for label, limit in ((1, total // 2), (-1, None)):
        ids = np.flatnonzero(match == label)
        limit = total - int(np.sum(match == 1)) if limit is None else limit
        if ids.size > limit:
            match[rng.choice(ids, ids.size - limit, replace=False)] = 0


def matterport_rpn_targets(anchors: np.ndarray, gt_boxes: np.ndarray, config: Any, rng: np.random.Generator,
                           class_ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(rpn_match, rpn_bbox) as matterport's build_rpn_targets computes them: the full float64 IoU matrix.

    Crowd boxes (``class_ids < 0``; none when ``class_ids`` is None) are never matched and keep anchors
    overlapping them from being negatives; ties at a box's best IoU are all positive and a box touching
    no anchor gets none; then the same seeded sampling. With ``RPN_TRAIN_ANCHORS_PER_IMAGE`` above twice
    the anchor count nothing is sampled away, so rpn_match holds every anchor's label.

    Args:
        anchors: [A, 4] anchors (y1, x1, y2, x2) in pixels.
        gt_boxes: [N, 4] ground-truth boxes in pixels.
        config: gives RPN_TRAIN_ANCHORS_PER_IMAGE and RPN_BBOX_STD_DEV.
        rng: numpy Generator for the positive/negative sampling.
        class_ids: [N] class ids of the boxes, negative for crowds; None means no crowds.

    Returns:
        rpn_match: int32 [A], 1 positive, -1 negative, 0 neutral.
        rpn_bbox: float32 [RPN_TRAIN_ANCHORS_PER_IMAGE, 4] deltas of the positives, normalised by
        RPN_BBOX_STD_DEV, zero-padded.
    """
    anchors64 = np.asarray(anchors, dtype=np.float32).astype(np.float64)
    boxes = np.asarray(gt_boxes, dtype=np.float32).reshape(-1, 4)
    crowd = np.zeros(len(boxes), bool) if class_ids is None else np.asarray(class_ids) < 0
    no_crowd = (_overlaps(anchors64, boxes[crowd]).max(axis=1) < 0.001 if crowd.any()
                else np.ones(len(anchors64), bool))
    gt = boxes[~crowd]
    match = np.zeros(len(anchors64), dtype=np.int32)
    total = config.RPN_TRAIN_ANCHORS_PER_IMAGE
    bbox = np.zeros((total, 4), dtype=np.float32)
    if not gt.shape[0]:
        match[no_crowd] = -1
        _sample(match, total, rng)
        return match, bbox
    iou = _overlaps(anchors64, gt)
    argmax = iou.argmax(axis=1)
    best = iou[np.arange(len(anchors64)), argmax]
    match[(best < 0.3) & no_crowd] = -1
    box_best = iou.max(axis=0)
    match[np.argwhere((iou == box_best) & (box_best > 0))[:, 0]] = 1
    match[best >= 0.7] = 1
    _sample(match, total, rng)
    positive = np.flatnonzero(match == 1)
    bbox[:positive.size] = (box_refinement(anchors[positive], gt[argmax[positive]])
                            / np.asarray(config.RPN_BBOX_STD_DEV, dtype=np.float32))
    return match, bbox
