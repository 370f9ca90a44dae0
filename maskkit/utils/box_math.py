"""Bounding-box helpers (matterport ``mrcnn/utils.py`` conventions).

Boxes are ``[N, (y1, x1, y2, x2)]`` with ``y2``/``x2`` exclusive in pixel space.
Pure numpy; no TensorFlow.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

__all__ = [
    "extract_bboxes",
    "compute_iou",
    "compute_overlaps",
    "compute_overlaps_masks",
    "non_max_suppression",
    "box_refinement",
    "refinement_deltas",
    "apply_box_deltas",
    "norm_boxes",
    "denorm_boxes",
]


#: Above this many instances extract_bboxes reduces the [H, W, N] masks in place instead of copying
#: them instance-major first.
_IN_PLACE_INSTANCES = 16


def extract_bboxes(mask: np.ndarray) -> np.ndarray:
    """Tight pixel boxes of each instance mask [H, W, N] as int32 [N, (y1, x1, y2, x2)].

    y2/x2 are exclusive; an empty mask yields an all-zero box.

    Args:
        mask: [H, W, N] instance masks, bool or anything whose nonzero pixels count as set.
    """
    mask = np.asarray(mask)
    if mask.ndim != 3:
        raise ValueError(f"extract_bboxes expects a [H, W, N] mask, got shape {mask.shape}")
    h, w, n = mask.shape
    boxes = np.zeros((n, 4), dtype=np.int32)
    if n == 0 or h == 0 or w == 0:
        return boxes
    mask = mask.astype(bool, copy=False)
    if n > _IN_PLACE_INSTANCES:
        # Many instances: reducing with the N axis innermost runs over long contiguous rows, while an
        # instance-major copy reads with a stride of N bytes (2.5 s vs 0.14 s for 500 at 1024x1024).
        rows, cols = mask.any(axis=1).T, mask.any(axis=0).T  # [N, H], [N, W]
    else:
        # Few instances: one instance-major copy makes both projections contiguous reductions
        # (reducing over W with a short N axis innermost is ~20x slower at 1024x1024).
        planes = np.ascontiguousarray(np.moveaxis(mask, 2, 0))
        rows = planes.any(axis=2)  # [N, H]
        cols = planes.any(axis=1)  # [N, W]
    present = rows.any(axis=1)
    y1 = rows.argmax(axis=1)
    y2 = h - rows[:, ::-1].argmax(axis=1)
    x1 = cols.argmax(axis=1)
    x2 = w - cols[:, ::-1].argmax(axis=1)
    boxes[present] = np.stack([y1, x1, y2, x2], axis=1)[present]
    return boxes


def compute_iou(
    box: np.ndarray, boxes: np.ndarray, box_area: float, boxes_area: np.ndarray
) -> np.ndarray:
    """IoU of one box against many boxes, given precomputed areas (avoids recomputing in loops).

    Args:
        box: (y1, x1, y2, x2).
        boxes: [N, (y1, x1, y2, x2)].
        box_area: the area of ``box``.
        boxes_area: [N] areas of ``boxes``.

    Returns:
        [N] IoUs; 0 where the union is empty.
    """
    box = np.asarray(box)
    boxes = np.asarray(boxes)
    y1 = np.maximum(box[0], boxes[:, 0])
    y2 = np.minimum(box[2], boxes[:, 2])
    x1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[3], boxes[:, 3])
    intersection = np.maximum(x2 - x1, 0) * np.maximum(y2 - y1, 0)
    union = box_area + np.asarray(boxes_area) - intersection
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where(union > 0, intersection / np.where(union > 0, union, 1), 0.0)
    return iou


def _areas(boxes: np.ndarray) -> np.ndarray:
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def compute_overlaps(boxes1: np.ndarray, boxes2: np.ndarray) -> np.ndarray:
    """Pairwise IoU matrix [N1, N2] between two box sets (vectorised broadcast).

    Args:
        boxes1, boxes2: [N1, 4] and [N2, 4] boxes (y1, x1, y2, x2).

    Returns:
        float64 [N1, N2]; 0 where the union is empty.
    """
    b1 = np.asarray(boxes1, dtype=np.float64).reshape(-1, 4)
    b2 = np.asarray(boxes2, dtype=np.float64).reshape(-1, 4)
    y1 = np.maximum(b1[:, None, 0], b2[None, :, 0])
    x1 = np.maximum(b1[:, None, 1], b2[None, :, 1])
    y2 = np.minimum(b1[:, None, 2], b2[None, :, 2])
    x2 = np.minimum(b1[:, None, 3], b2[None, :, 3])
    inter = np.maximum(y2 - y1, 0) * np.maximum(x2 - x1, 0)
    union = _areas(b1)[:, None] + _areas(b2)[None, :] - inter
    safe = np.where(union > 0, union, 1.0)
    return np.where(union > 0, inter / safe, 0.0)


#: What one (instance, instance) pair of a shared pixel costs to count, in multiply-adds of the dense product.
_PAIR_COST = 1000
#: Up to this many mask pairs the dense product is taken without looking for shared pixels first.
_FEW_PAIRS = 256


def compute_overlaps_masks(masks1: np.ndarray, masks2: np.ndarray) -> np.ndarray:
    """Pairwise IoU matrix [N1, N2] between two sets of [H, W, N] masks (thresholded at 0.5).

    Intersections come from a dense product of the masks, or, when the sets share few pixels (an
    image of hundreds of small instances: 600 at 256x256 took seconds as a product), from the pixels
    they share; the counts and so the IoUs are the same.

    Args:
        masks1, masks2: [H, W, N1] and [H, W, N2] masks of the same H and W.

    Returns:
        [N1, N2] IoUs; 0 where the union is empty.
    """
    masks1 = np.asarray(masks1)
    masks2 = np.asarray(masks2)
    n1, n2 = masks1.shape[-1], masks2.shape[-1]
    if n1 == 0 or n2 == 0:
        return np.zeros((n1, n2))
    if masks1.shape[:-1] != masks2.shape[:-1]:
        raise ValueError(
            f"mask spatial shapes differ: {masks1.shape[:-1]} vs {masks2.shape[:-1]}"
        )
    m1 = (masks1 > 0.5).reshape(-1, n1)
    m2 = (masks2 > 0.5).reshape(-1, n2)
    area1 = m1.sum(axis=0, dtype=np.float32)
    area2 = m2.sum(axis=0, dtype=np.float32)
    inter = _shared_pixel_counts(m1, m2)
    if inter is None:
        inter = m1.T.astype(np.float32) @ m2.astype(np.float32)
    union = area1[:, None] + area2[None, :] - inter
    safe = np.where(union > 0, union, 1.0)
    return np.where(union > 0, inter / safe, 0.0)


def _shared_pixel_counts(m1: np.ndarray, m2: np.ndarray) -> np.ndarray | None:
    """float32 [N1, N2] pixels each pair of bool [P, N1] and [P, N2] masks shares, counted pixel by pixel
    over the (instance, instance) pairs on each pixel; None when the dense product is cheaper."""
    if m1.shape[1] * m2.shape[1] <= _FEW_PAIRS:
        return None
    pixels1, ids1 = _set_pixels(m1)
    pixels2, ids2 = _set_pixels(m2)
    by_pixel = np.argsort(pixels2, kind="stable")
    pixels2, ids2 = pixels2[by_pixel], ids2[by_pixel]
    on_pixel2 = np.bincount(pixels2, minlength=m2.shape[0])
    pairs = on_pixel2[pixels1]  # set-2 instances each set-1 entry meets
    total = int(pairs.sum())
    if total * _PAIR_COST > m1.shape[0] * m1.shape[1] * m2.shape[1]:
        return None
    first2 = np.cumsum(on_pixel2) - on_pixel2  # where each pixel's entries start in ids2
    rows = np.repeat(ids1, pairs)
    within = np.arange(total) - np.repeat(np.cumsum(pairs) - pairs, pairs)
    cols = ids2[np.repeat(first2[pixels1], pairs) + within]
    counts = np.bincount(rows * m2.shape[1] + cols, minlength=m1.shape[1] * m2.shape[1])
    return counts.reshape(m1.shape[1], m2.shape[1]).astype(np.float32)


def _set_pixels(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pixel, instance) of every set pixel of bool [P, N] masks, read in the array's own memory order
    (masks picked out of [H, W, N] by a list of instances lie instance-major)."""
    if masks.T.flags.c_contiguous:
        ids, pixels = np.divmod(np.flatnonzero(masks.T), masks.shape[0])
    else:
        pixels, ids = np.divmod(np.flatnonzero(masks), masks.shape[1])
    return pixels, ids


def non_max_suppression(
    boxes: np.ndarray, scores: np.ndarray, threshold: float
) -> np.ndarray:
    """Greedy NMS: keep the best-scoring box, drop boxes with IoU > threshold, repeat.

    Returns int32 indices of the kept boxes, highest score first.

    Args:
        boxes: [N, (y1, x1, y2, x2)].
        scores: [N] scores; ties keep the later box first.
        threshold: IoU above which a lower-scoring box is dropped.
    """
    boxes = np.asarray(boxes)
    scores = np.asarray(scores)
    if boxes.ndim != 2 or boxes.shape[-1] != 4:
        raise ValueError(f"boxes must be [N, 4], got shape {boxes.shape}")
    if scores.shape != (boxes.shape[0],):
        raise ValueError(f"scores must be [N]={boxes.shape[0]}, got shape {scores.shape}")
    if boxes.shape[0] == 0:
        return np.zeros((0,), dtype=np.int32)
    if boxes.dtype.kind != "f":
        boxes = boxes.astype(np.float32)
    area = _areas(boxes)
    order = np.argsort(scores, kind="stable")[::-1]
    keep: list[int] = []
    while order.size > 0:
        i = order[0]
        keep.append(int(i))
        rest = order[1:]
        iou = compute_iou(boxes[i], boxes[rest], area[i], area[rest])
        order = rest[iou <= threshold]
    return np.array(keep, dtype=np.int32)


def box_refinement(box: np.ndarray, gt_box: np.ndarray) -> np.ndarray:
    """Deltas [N, (dy, dx, log(dh), log(dw))] that turn ``box`` into ``gt_box``.

    Args:
        box: [N, (y1, x1, y2, x2)] boxes to refine.
        gt_box: [N, 4] target boxes, one per box.
    """
    return refinement_deltas(np.asarray(box, dtype=np.float32), np.asarray(gt_box, dtype=np.float32),
                             np.log, lambda columns: np.stack(columns, axis=1))


def refinement_deltas(box: Any, gt_box: Any, log: Callable[[Any], Any],
                      stack: Callable[[list[Any]], Any]) -> Any:
    """The delta encoding of box_refinement in the operators numpy arrays and TensorFlow tensors share,
    so the CPU targets and the graph's (maskkit.model.box_graph_ops) compute it in one order.

    Args:
        box: [N, (y1, x1, y2, x2)] array or tensor.
        gt_box: [N, 4] of the same kind.
        log: the elementwise natural log of that kind.
        stack: stacks a list of four [N] columns into [N, 4].

    Returns:
        [N, (dy, dx, log(dh), log(dw))] of the same kind.
    """
    h = box[:, 2] - box[:, 0]
    w = box[:, 3] - box[:, 1]
    cy = box[:, 0] + 0.5 * h
    cx = box[:, 1] + 0.5 * w
    gh = gt_box[:, 2] - gt_box[:, 0]
    gw = gt_box[:, 3] - gt_box[:, 1]
    gcy = gt_box[:, 0] + 0.5 * gh
    gcx = gt_box[:, 1] + 0.5 * gw
    return stack([(gcy - cy) / h, (gcx - cx) / w, log(gh / h), log(gw / w)])


def apply_box_deltas(boxes: np.ndarray, deltas: np.ndarray) -> np.ndarray:
    """Apply [N, (dy, dx, log(dh), log(dw))] deltas to boxes; inverse of box_refinement.

    Args:
        boxes: [N, (y1, x1, y2, x2)].
        deltas: [N, 4], one per box.

    Returns:
        float32 [N, (y1, x1, y2, x2)] refined boxes.
    """
    boxes = np.asarray(boxes, dtype=np.float32)
    deltas = np.asarray(deltas, dtype=np.float32)
    h = boxes[:, 2] - boxes[:, 0]
    w = boxes[:, 3] - boxes[:, 1]
    cy = boxes[:, 0] + 0.5 * h + deltas[:, 0] * h
    cx = boxes[:, 1] + 0.5 * w + deltas[:, 1] * w
    h = h * np.exp(deltas[:, 2])
    w = w * np.exp(deltas[:, 3])
    y1 = cy - 0.5 * h
    x1 = cx - 0.5 * w
    return np.stack([y1, x1, y1 + h, x1 + w], axis=1)


def _norm_consts(shape: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    h, w = int(shape[0]), int(shape[1])
    scale = np.array([h - 1, w - 1, h - 1, w - 1], dtype=np.float64)
    shift = np.array([0, 0, 1, 1], dtype=np.float64)
    return scale, shift


def norm_boxes(boxes: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Pixel boxes -> normalised float32 boxes; (y2, x2) shift by -1 so the image maps to [0, 1].

    Args:
        boxes: [..., (y1, x1, y2, x2)] pixel boxes.
        shape: (height, width, ...) of the image.
    """
    scale, shift = _norm_consts(shape)
    return ((np.asarray(boxes) - shift) / scale).astype(np.float32)


def denorm_boxes(boxes: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Normalised boxes -> int32 pixel boxes (inverse of norm_boxes, rounded).

    Args:
        boxes: [..., (y1, x1, y2, x2)] normalised boxes.
        shape: (height, width, ...) of the image.
    """
    scale, shift = _norm_consts(shape)
    return np.around(np.asarray(boxes) * scale + shift).astype(np.int32)
