"""RPN training targets computed on the CPU: anchor labels and box deltas, as matterport's build_rpn_targets.

Given an AnchorGrid, IoUs (float64, as matterport) are computed only for the anchors in a window
around each box (maskkit.data.anchor_windows); a plain anchors array, or a grid without window
tables, takes the full matrix in chunks. A group of images is labelled in one pass over all their
boxes; only the seeded sampling runs per image.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from maskkit.config import Config
from maskkit.data.anchor_grid import AnchorGrid
from maskkit.data.anchor_windows import WindowTables, box_windows, pair_ious, ragged
from maskkit.data.iou64 import iou64
from maskkit.utils.aligned import aligned_array
from maskkit.utils.box_math import box_refinement

POSITIVE_IOU = 0.7
NEGATIVE_IOU = 0.3
CROWD_IOU = 0.001
ANCHOR_CHUNK = 16384


def build_rpn_targets(anchors: AnchorGrid | np.ndarray, gt_class_ids: np.ndarray, gt_boxes: np.ndarray,
                      config: Config, rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Label anchors and compute their box deltas, as matterport's build_rpn_targets.

    IoUs are float64 as matterport's. Crowd boxes (negative class ids) are never matched, and
    anchors touching a crowd (IoU >= 0.001) are never negatives. Positives: IoU >= 0.7 or tied
    at a GT box's highest IoU (a box touching no anchor has none); negatives: IoU < 0.3; then
    sampled down at random to at most half of RPN_TRAIN_ANCHORS_PER_IMAGE positives and the rest
    negatives.

    Args:
        anchors: the image's AnchorGrid (maskkit.data.anchor_grid; the fast path), or any float
            [A, (y1, x1, y2, x2)] pixel anchors (the full anchors x boxes matrix, same result).
        gt_class_ids: [G] class ids, negative for crowds.
        gt_boxes: [G, 4] pixel boxes.
        config: supplies RPN_TRAIN_ANCHORS_PER_IMAGE and RPN_BBOX_STD_DEV.
        rng: the sampling's generator (a fresh unseeded one if None).

    Returns:
        rpn_match int32 [A] (1 positive, -1 negative, 0 neutral) and rpn_bbox float32
        [RPN_TRAIN_ANCHORS_PER_IMAGE, 4]: the deltas of the positive anchors in anchor order (each
        towards its highest-IoU box, the first on ties), divided by RPN_BBOX_STD_DEV, zero-padded.
    """
    rng = rng if rng is not None else np.random.default_rng()
    rpn_match, rpn_bbox = build_group_rpn_targets(anchors, [gt_class_ids], [gt_boxes], config, [rng])
    return rpn_match[0].astype(np.int32), rpn_bbox[0]


def build_group_rpn_targets(anchors: AnchorGrid | np.ndarray, gt_class_ids: Sequence[np.ndarray],
                            gt_boxes: Sequence[np.ndarray], config: Config,
                            rngs: Sequence[np.random.Generator]) -> tuple[np.ndarray, np.ndarray]:
    """build_rpn_targets for several images that share ``anchors``, in one pass over all their boxes.

    The input pipeline's threads hold the GIL for every numpy call's Python side, so doing a
    group's labelling in one set of calls rather than one per image is what lets them scale.

    Args:
        anchors: as build_rpn_targets'.
        gt_class_ids: one [G_i] class id array per image.
        gt_boxes: one [G_i, 4] box array per image.
        config: as build_rpn_targets'.
        rngs: one generator per image; image i samples with its own.

    Returns:
        rpn_match int8 [N, A] and rpn_bbox float32 [N, RPN_TRAIN_ANCHORS_PER_IMAGE, 4], both
        64-byte aligned (maskkit.utils.aligned); row i equals build_rpn_targets(anchors,
        gt_class_ids[i], gt_boxes[i], config, rngs[i]).
    """
    if not len(gt_class_ids) == len(gt_boxes) == len(rngs):
        raise ValueError(f"build_group_rpn_targets takes one class id array, one box array and one generator "
                         f"per image; got {len(gt_class_ids)}, {len(gt_boxes)} and {len(rngs)}")
    tables = anchors.windows if isinstance(anchors, AnchorGrid) else None
    anchors = np.asarray(anchors.anchors if isinstance(anchors, AnchorGrid) else anchors, dtype=np.float32)
    count, images = anchors.shape[0], len(rngs)
    total = config.RPN_TRAIN_ANCHORS_PER_IMAGE
    class_ids = [np.asarray(ids).reshape(-1) for ids in gt_class_ids]
    boxes = [np.asarray(b, dtype=np.float32).reshape(-1, 4) for b in gt_boxes]
    objects = [b[ids >= 0] for ids, b in zip(class_ids, boxes)]
    crowds = [b[ids < 0] for ids, b in zip(class_ids, boxes)]
    rpn_match = aligned_array((images, count), np.int8)
    rpn_match.fill(-1)
    rpn_bbox = aligned_array((images, total, 4), np.float32, zeroed=True)
    flat = rpn_match.reshape(-1)
    if tables is not None:
        not_negative, positive = _window_labels(tables, *_tagged(objects, count), *_tagged(crowds, count))
        flat[not_negative] = 0
        flat[positive] = 1
    else:
        for row, own, crowd in zip(rpn_match, objects, crowds):
            not_negative, positive = _dense_labels(anchors, own.astype(np.float64), crowd.astype(np.float64))
            row[not_negative] = 0
            row[positive] = 1

    positive = np.flatnonzero(flat == 1)
    found = np.bincount(positive // count, minlength=images)
    subsample_rows(rpn_match, positive, [total // 2] * images, rngs)
    subsample_rows(rpn_match, np.flatnonzero(flat == -1), total - np.minimum(found, total // 2), rngs)
    positive = positive[flat[positive] == 1]
    if positive.size:
        image, anchor = np.divmod(positive, count)
        padded = _padded(objects)
        box_of_image = padded[image]
        nearest = iou64(anchors[anchor, None].astype(np.float64), box_of_image.astype(np.float64)).argmax(axis=-1)
        deltas = box_refinement(anchors[anchor], box_of_image[np.arange(image.size), nearest[:, 0]])
        kept = np.bincount(image, minlength=images)
        _, slot = ragged(kept, np.zeros_like(kept))
        rpn_bbox[image, slot] = deltas / np.asarray(config.RPN_BBOX_STD_DEV, dtype=np.float32)
    return rpn_match, rpn_bbox


def subsample_rows(rpn_match: np.ndarray, ids: np.ndarray, limits: Sequence[int],
                   rngs: Sequence[np.random.Generator]) -> None:
    """Reset random anchors of one label to neutral, per image, as a per-image ``rng.choice`` would.

    Args:
        rpn_match: [N, A] labels, changed in place.
        ids: sorted flat ids (into ``rpn_match.reshape(-1)``) of the anchors with the label.
        limits: how many of them row i may keep.
        rngs: row i draws from ``rngs[i]`` exactly as ``rng.choice`` over the row's anchor ids.
    """
    count = rpn_match.shape[1]
    bounds = np.searchsorted(ids, np.arange(len(rngs) + 1) * count)
    for image, (row, rng, limit) in enumerate(zip(rpn_match, rngs, limits)):
        own = ids[bounds[image]:bounds[image + 1]] - image * count
        if own.size > limit:
            row[rng.choice(own, own.size - max(int(limit), 0), replace=False)] = 0


def _tagged(boxes: Sequence[np.ndarray], count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-image boxes as one float64 array, and for each box the offset (image * ``count``) that turns
    anchor ids of its image into ids in the group's flat [N * A] labels."""
    sizes = [b.shape[0] for b in boxes]
    offsets = np.repeat(np.arange(len(boxes), dtype=np.int64) * count, sizes)
    return np.concatenate([np.zeros((0, 4), np.float32), *boxes]).astype(np.float64), offsets


def _padded(boxes: Sequence[np.ndarray]) -> np.ndarray:
    """float32 [N, most boxes, 4]: each image's boxes first, then zero boxes (IoU 0 with any anchor)."""
    sizes = np.array([b.shape[0] for b in boxes])
    padded = np.zeros((len(boxes), max(int(sizes.max()), 1), 4), dtype=np.float32)
    padded[ragged(sizes, np.zeros_like(sizes))] = np.concatenate(boxes)
    return padded


def _dense_labels(anchors: np.ndarray, boxes: np.ndarray, crowd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(not negative, positive) bool [A] from the full anchors x boxes IoU matrix, in anchor chunks."""
    count = anchors.shape[0]
    not_negative = np.zeros(count, dtype=bool)
    best = np.zeros(count, dtype=np.float64)
    box_best = np.zeros(boxes.shape[0], dtype=np.float64)
    for start in range(0, count, ANCHOR_CHUNK):
        chunk = anchors[start:start + ANCHOR_CHUNK].astype(np.float64)
        if crowd.shape[0]:
            not_negative[start:start + chunk.shape[0]] = (iou64(chunk, crowd) >= CROWD_IOU).any(axis=1)
        if boxes.shape[0]:
            block = iou64(chunk, boxes)
            best[start:start + chunk.shape[0]] = block.max(axis=1)
            np.maximum(box_best, block.max(axis=0), out=box_best)
    not_negative |= best >= NEGATIVE_IOU
    positive = best >= POSITIVE_IOU
    touched = box_best > 0
    if touched.any():
        candidates = np.flatnonzero(best >= box_best[touched].min())
        block = iou64(anchors[candidates].astype(np.float64), boxes[touched])
        positive[candidates[(block == box_best[touched][None, :]).any(axis=1)]] = True
    return not_negative, positive


def _window_labels(tables: WindowTables, boxes: np.ndarray, box_offsets: np.ndarray, crowd: np.ndarray,
                   crowd_offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(not negative, positive) anchor ids from the candidate pairs of each box's windows, each id plus
    its box's offset (boxes of several images give ids into their flat labels: _tagged).

    Windows whose IoU bound is < 0.3 cannot change an anchor's label through that box unless they
    might hold the box's best anchor, so they are computed only when their bound reaches the best
    IoU found in the box's other windows (those >= 0.3 and the one with the highest bound); every
    pair outside all windows has IoU 0.
    """
    not_negative, positive = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    if boxes.shape[0]:
        windows, bound = box_windows(tables, boxes)
        rest = (bound < NEGATIVE_IOU) & (windows.rows > 0) & (windows.cols > 0)
        top = np.zeros_like(rest)
        per_box = np.where(rest, bound, -1.0).reshape(boxes.shape[0], -1)
        top.reshape(per_box.shape)[np.arange(per_box.shape[0]), per_box.argmax(axis=1)] = True
        top &= rest
        # The windows that may reach 0.3 and each box's most promising other window, in one pass
        # (IoUs >= 0.3 can only come from the former); the rest only where they may hold a box's best.
        near = pair_ious(tables, boxes, windows.select((bound >= NEGATIVE_IOU) | top))
        box_best = near.box_best(boxes.shape[0])
        far_windows = rest & ~top & (bound >= box_best[windows.box])
        computed = [near]
        if far_windows.any():
            computed.append(pair_ious(tables, boxes, windows.select(far_windows)))
            np.maximum(box_best, computed[-1].box_best(boxes.shape[0]), out=box_best)
        not_negative.append(near.anchors(tables, np.flatnonzero(near.iou >= NEGATIVE_IOU), box_offsets))
        positive.append(near.anchors(tables, np.flatnonzero(near.iou >= POSITIVE_IOU), box_offsets))
        for pairs in computed:
            target = box_best[pairs.entry_box][pairs.pair_entry]
            positive.append(pairs.anchors(tables, np.flatnonzero((pairs.iou == target) & (target > 0)),
                                          box_offsets))
    if crowd.shape[0]:
        windows, bound = box_windows(tables, crowd)
        pairs = pair_ious(tables, crowd, windows.select(bound >= CROWD_IOU))
        not_negative.append(pairs.anchors(tables, np.flatnonzero(pairs.iou >= CROWD_IOU), crowd_offsets))
    return np.concatenate(not_negative), np.concatenate(positive)
