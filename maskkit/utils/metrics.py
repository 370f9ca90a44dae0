"""Detection metrics: mask-IoU matching, all-point interpolated AP, AP over IoU ranges, recall.

Follows matterport ``mrcnn/utils.py``. Pure numpy; no TensorFlow.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from .box_math import compute_overlaps, compute_overlaps_masks

__all__ = ["trim_zeros", "compute_matches", "compute_ap", "compute_ap_range", "compute_recall"]


def trim_zeros(x: np.ndarray) -> np.ndarray:
    """Drop all-zero rows (padding) from a 2-D array such as a padded box list."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"trim_zeros expects a 2-D array, got shape {x.shape}")
    return x[~np.all(x == 0, axis=1)]


def compute_matches(gt_boxes: np.ndarray, gt_class_ids: np.ndarray, gt_masks: np.ndarray,
                    pred_boxes: np.ndarray, pred_class_ids: np.ndarray, pred_scores: np.ndarray,
                    pred_masks: np.ndarray, iou_threshold: float = 0.5,
                    score_threshold: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Greedily match predictions (best score first) to same-class GT by mask IoU.

    Args:
        gt_boxes, gt_class_ids, gt_masks: ground truth, [N, 4] (y1, x1, y2, x2), [N], [H, W, N];
            all-zero box rows are padding and dropped.
        pred_boxes, pred_class_ids, pred_scores, pred_masks: predictions, [M, 4], [M], [M], [H, W, M].
        iou_threshold: the least mask IoU of a match.
        score_threshold: as in matterport, drops candidate GTs whose *overlap* is below it (a no-op
            at the default 0.0).

    Returns:
        (gt_match, pred_match, overlaps): gt_match[j] is the matched prediction index (-1 if none),
        pred_match[i] the matched GT index (-1 if none), overlaps [pred, gt] mask IoUs; predictions
        are in descending-score order.
    """
    gt_boxes = trim_zeros(np.asarray(gt_boxes).reshape(-1, 4))
    gt_masks = np.asarray(gt_masks)[..., : gt_boxes.shape[0]]
    gt_class_ids = np.asarray(gt_class_ids)[: gt_boxes.shape[0]]
    pred_boxes = trim_zeros(np.asarray(pred_boxes).reshape(-1, 4))
    pred_scores = np.asarray(pred_scores)[: pred_boxes.shape[0]]

    order = np.argsort(pred_scores, kind="stable")[::-1]
    pred_class_ids = np.asarray(pred_class_ids)[order]
    pred_masks = np.asarray(pred_masks)[..., order]

    overlaps = compute_overlaps_masks(pred_masks, gt_masks)
    pred_match = -1 * np.ones(len(order))
    gt_match = -1 * np.ones(gt_boxes.shape[0])
    for i in range(len(order)):
        ranked = np.argsort(overlaps[i], kind="stable")[::-1]
        low = np.where(overlaps[i, ranked] < score_threshold)[0]
        if low.size > 0:
            ranked = ranked[: low[0]]
        for j in ranked:
            if gt_match[j] > -1:
                continue
            if overlaps[i, j] < iou_threshold:
                break
            if pred_class_ids[i] == gt_class_ids[j]:
                gt_match[j] = i
                pred_match[i] = j
                break
    return gt_match, pred_match, overlaps


def compute_ap(gt_boxes: np.ndarray, gt_class_ids: np.ndarray, gt_masks: np.ndarray,
               pred_boxes: np.ndarray, pred_class_ids: np.ndarray, pred_scores: np.ndarray,
               pred_masks: np.ndarray, iou_threshold: float = 0.5) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Average precision at one IoU threshold (all-point interpolation, VOC2010+ style).

    Args:
        gt_boxes, gt_class_ids, gt_masks, pred_boxes, pred_class_ids, pred_scores, pred_masks:
            as in compute_matches.
        iou_threshold: the least mask IoU of a true positive.

    Returns:
        (mAP, precisions, recalls, overlaps). Empty cases: GT but no predictions -> 0; no GT -> 1.0
        if there are also no predictions, else 0 (all false positives).
    """
    gt_match, pred_match, overlaps = compute_matches(
        gt_boxes, gt_class_ids, gt_masks, pred_boxes, pred_class_ids, pred_scores,
        pred_masks, iou_threshold,
    )
    hits = np.cumsum(pred_match > -1)
    precisions = hits / (np.arange(len(pred_match)) + 1)
    if len(gt_match) > 0:
        recalls = hits.astype(np.float32) / len(gt_match)
    else:
        recalls = np.zeros(len(pred_match), dtype=np.float32)
    precisions = np.concatenate([[0.0], precisions, [0.0]])
    recalls = np.concatenate([[0.0], recalls, [1.0]])
    # Make precision monotonically non-increasing (running max from the right).
    precisions = np.maximum.accumulate(precisions[::-1])[::-1]
    idx = np.where(recalls[:-1] != recalls[1:])[0] + 1
    m_ap = float(np.sum((recalls[idx] - recalls[idx - 1]) * precisions[idx]))
    if len(gt_match) == 0 and len(pred_match) == 0:
        m_ap = 1.0
    return m_ap, precisions, recalls, overlaps


def compute_ap_range(gt_box: np.ndarray, gt_class_id: np.ndarray, gt_mask: np.ndarray,
                     pred_box: np.ndarray, pred_class_id: np.ndarray, pred_score: np.ndarray,
                     pred_mask: np.ndarray, iou_thresholds: Optional[Sequence[float]] = None,
                     verbose: int = 0) -> float:
    """Mean AP over IoU thresholds (default 0.5:0.05:0.95, COCO style).

    Args:
        gt_box, gt_class_id, gt_mask, pred_box, pred_class_id, pred_score, pred_mask: as in
            compute_matches (matterport's names).
        iou_thresholds: the thresholds to average over.
        verbose: print the AP at each threshold and the mean.
    """
    if iou_thresholds is None:
        iou_thresholds = np.arange(0.5, 1.0, 0.05)
    aps = []
    for t in iou_thresholds:
        ap, _, _, _ = compute_ap(gt_box, gt_class_id, gt_mask, pred_box, pred_class_id,
                                 pred_score, pred_mask, iou_threshold=t)
        if verbose:
            print(f"AP @{t:.2f}:\t {ap:.3f}")
        aps.append(ap)
    mean_ap = float(np.mean(aps)) if aps else 0.0
    if verbose:
        print(f"AP @{iou_thresholds[0]:.2f}-{iou_thresholds[-1]:.2f}:\t {mean_ap:.3f}")
    return mean_ap


def compute_recall(pred_boxes: np.ndarray, gt_boxes: np.ndarray, iou: float) -> tuple[float, np.ndarray]:
    """Fraction of GT boxes hit by some prediction's best-IoU match at >= ``iou``.

    Args:
        pred_boxes: [M, 4] predicted boxes (y1, x1, y2, x2).
        gt_boxes: [N, 4] ground-truth boxes.
        iou: the least box IoU of a hit.

    Returns:
        (recall, positive_ids): indices of predictions whose best IoU reaches ``iou``.
    """
    pred_boxes = np.asarray(pred_boxes).reshape(-1, 4)
    gt_boxes = np.asarray(gt_boxes).reshape(-1, 4)
    if gt_boxes.shape[0] == 0 or pred_boxes.shape[0] == 0:
        return 0.0, np.zeros((0,), dtype=np.int64)
    overlaps = compute_overlaps(pred_boxes, gt_boxes)
    iou_max = overlaps.max(axis=1)
    iou_argmax = overlaps.argmax(axis=1)
    positive_ids = np.where(iou_max >= iou)[0]
    recall = len(np.unique(iou_argmax[positive_ids])) / gt_boxes.shape[0]
    return float(recall), positive_ids
