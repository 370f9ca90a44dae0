"""ROI targets for debugging on the CPU: random RPN-like ROIs and the heads' targets for them, as
matterport's ``detection_targets=True`` view (the model computes its own in maskkit.model.detection_target).

Only the mask targets loop, over the few positive ROIs.
"""

from __future__ import annotations

import numpy as np

from maskkit.config import Config
from maskkit.data.iou64 import iou64
from maskkit.utils.box_math import box_refinement
from maskkit.utils.resize import resize


def generate_random_rois(image_shape: tuple[int, ...], count: int, gt_boxes: np.ndarray,
                         rng: np.random.Generator | None = None) -> np.ndarray:
    """ROIs like an RPN's: 90% jittered around the GT boxes, the rest anywhere.

    Each GT box gets ``0.9 * count / len(gt_boxes)`` ROIs whose edges fall within one box size of
    the box; ROIs are at least 2 px on each side and clipped to the image.

    Args:
        image_shape: (height, width, ...) of the image.
        count: how many ROIs.
        gt_boxes: [G, (y1, x1, y2, x2)] pixel boxes.
        rng: the generator (a fresh unseeded one if None).

    Returns:
        int32 [count, 4] pixel ROIs.
    """
    rng = rng if rng is not None else np.random.default_rng()
    gt_boxes = np.asarray(gt_boxes, dtype=np.float64).reshape(-1, 4)
    h, w = int(image_shape[0]), int(image_shape[1])
    per_box = int(0.9 * count / gt_boxes.shape[0]) if gt_boxes.shape[0] else 0
    near = np.zeros((0, 4))
    if per_box:
        boxes = np.repeat(gt_boxes, per_box, axis=0)
        bh = (boxes[:, 2] - boxes[:, 0])[:, None]
        bw = (boxes[:, 3] - boxes[:, 1])[:, None]
        ys = _random_spans(rng, np.maximum(boxes[:, 0:1] - bh, 0), np.minimum(boxes[:, 2:3] + bh, h))
        xs = _random_spans(rng, np.maximum(boxes[:, 1:2] - bw, 0), np.minimum(boxes[:, 3:4] + bw, w))
        near = np.stack([ys[:, 0], xs[:, 0], ys[:, 1], xs[:, 1]], axis=1)
    rest = count - near.shape[0]
    ys = _random_spans(rng, np.zeros((rest, 1)), np.full((rest, 1), h))
    xs = _random_spans(rng, np.zeros((rest, 1)), np.full((rest, 1), w))
    anywhere = np.stack([ys[:, 0], xs[:, 0], ys[:, 1], xs[:, 1]], axis=1)
    return np.concatenate([near, anywhere]).astype(np.int32)


def _random_spans(rng: np.random.Generator, low: np.ndarray, high: np.ndarray, min_size: int = 2) -> np.ndarray:
    """[N, 2] integer (start, end) from two sorted uniform draws in [low, high], widened to ``min_size``."""
    high = np.maximum(high, low + min_size)
    ends = np.sort(np.rint(rng.uniform(low, high, size=(low.shape[0], 2))), axis=1)
    ends[:, 1] = np.clip(np.maximum(ends[:, 1], ends[:, 0] + min_size), None, high[:, 0])
    ends[:, 0] = np.minimum(ends[:, 0], ends[:, 1] - min_size)
    return ends


def build_detection_targets(rpn_rois: np.ndarray, gt_class_ids: np.ndarray, gt_boxes: np.ndarray,
                            gt_masks: np.ndarray, config: Config,
                            rng: np.random.Generator | None = None) -> tuple[np.ndarray, ...]:
    """Sample TRAIN_ROIS_PER_IMAGE ROIs and their heads' targets, as matterport's debugging path.

    ROIs with IoU >= 0.5 to a non-crowd GT box are foreground (at most ROI_POSITIVE_RATIO of R);
    background fills the rest, repeated at random when too few.

    Args:
        rpn_rois: [N, (y1, x1, y2, x2)] pixel ROIs to sample from (e.g. generate_random_rois).
        gt_class_ids: [G] class ids; crowds (negative) and padding (0) are left out.
        gt_boxes: [G, 4] pixel boxes.
        gt_masks: [h, w, G] mini masks when USE_MINI_MASK is set, else full-image masks.
        config: supplies TRAIN_ROIS_PER_IMAGE, ROI_POSITIVE_RATIO, NUM_CLASSES, BBOX_STD_DEV, MASK_SHAPE.
        rng: the sampling's generator (a fresh unseeded one if None).

    Returns:
        rois int32 [R, 4], roi class ids int32 [R] (0 = background), bbox deltas float32
        [R, NUM_CLASSES, 4] (divided by BBOX_STD_DEV) and masks float32 [R, *MASK_SHAPE, NUM_CLASSES].
    """
    rng = rng if rng is not None else np.random.default_rng()
    rpn_rois = np.asarray(rpn_rois, dtype=np.int32).reshape(-1, 4)
    keep_gt = np.asarray(gt_class_ids) > 0
    gt_class_ids = np.asarray(gt_class_ids)[keep_gt]
    gt_boxes = np.asarray(gt_boxes, dtype=np.int32).reshape(-1, 4)[keep_gt]
    gt_masks = np.asarray(gt_masks)[..., keep_gt]
    total = config.TRAIN_ROIS_PER_IMAGE
    if gt_boxes.shape[0]:
        overlaps = iou64(rpn_rois.astype(np.float64), gt_boxes.astype(np.float64))
        roi_iou_max, roi_argmax = overlaps.max(axis=1), overlaps.argmax(axis=1)
    else:
        roi_iou_max = np.zeros(rpn_rois.shape[0], dtype=np.float32)
        roi_argmax = np.zeros(rpn_rois.shape[0], dtype=np.int64)
    fg = np.flatnonzero(roi_iou_max >= 0.5)
    bg = np.flatnonzero(roi_iou_max < 0.5)
    fg_limit = int(total * config.ROI_POSITIVE_RATIO)
    if fg.size > fg_limit:
        fg = rng.choice(fg, fg_limit, replace=False)
    if bg.size > total - fg.size:
        bg = rng.choice(bg, total - fg.size, replace=False)
    keep = np.concatenate([fg, bg]).astype(np.int64)
    if keep.size < total:
        pool = bg if bg.size else keep
        if pool.size == 0:
            raise ValueError("build_detection_targets: no ROIs to sample from")
        keep = np.concatenate([keep, rng.choice(pool, total - keep.size, replace=True)])
    num_fg = fg.size
    rois = rpn_rois[keep]
    assignment = roi_argmax[keep]
    class_ids = np.zeros(total, dtype=np.int32)
    if gt_boxes.shape[0]:
        class_ids[:num_fg] = gt_class_ids[assignment[:num_fg]]

    bboxes = np.zeros((total, config.NUM_CLASSES, 4), dtype=np.float32)
    pos = np.arange(num_fg)
    if num_fg:
        deltas = box_refinement(rois[pos], gt_boxes[assignment[pos]])
        bboxes[pos, class_ids[pos]] = deltas / np.asarray(config.BBOX_STD_DEV, dtype=np.float32)

    masks = np.zeros((total, *config.MASK_SHAPE, config.NUM_CLASSES), dtype=np.float32)
    for i in pos:
        masks[i, :, :, class_ids[i]] = _roi_mask(rois[i], gt_boxes[assignment[i]],
                                                 gt_masks[..., assignment[i]], config)
    return rois, class_ids, bboxes, masks


def _roi_mask(roi: np.ndarray, gt_box: np.ndarray, gt_mask: np.ndarray, config: Config) -> np.ndarray:
    """The GT mask cropped to ``roi`` and resized to MASK_SHAPE, thresholded to 0/1.

    The mask is handled in its box's frame (a mini mask is expanded to the box size first), so
    the image size never matters and ROI parts outside the box count as background.
    """
    gy1, gx1, gy2, gx2 = (int(v) for v in gt_box)
    if config.USE_MINI_MASK:
        local = resize(gt_mask.astype(np.float32), (gy2 - gy1, gx2 - gx1)) >= 0.5
    else:
        local = gt_mask[gy1:gy2, gx1:gx2].astype(bool)
    y1, x1, y2, x2 = (int(v) for v in roi)
    crop = np.zeros((max(y2 - y1, 1), max(x2 - x1, 1)), dtype=np.float32)
    oy1, ox1, oy2, ox2 = max(y1, gy1), max(x1, gx1), min(y2, gy2), min(x2, gx2)
    if oy2 > oy1 and ox2 > ox1:
        crop[oy1 - y1:oy2 - y1, ox1 - x1:ox2 - x1] = local[oy1 - gy1:oy2 - gy1, ox1 - gx1:ox2 - gx1]
    return (resize(crop, config.MASK_SHAPE) >= 0.5).astype(np.float32)
