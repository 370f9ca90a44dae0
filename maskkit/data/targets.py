"""Training targets computed on the CPU: RPN anchor labels/deltas, and (for debugging) random ROIs
with their detection targets -- the seed's ``detection_targets=True`` view.

RPN targets use the anchors' grid: a box can only overlap anchors whose centres lie in a window
around it, so IoUs (float64, as matterport) are computed for those pairs only; anchors from
anything but ``anchors_for`` fall back to the full matrix in chunks. A group of images is labelled
in one pass over all their boxes; only the seeded sampling runs per image. Only the optional mask
targets loop over the few positive ROIs.
"""

from __future__ import annotations

import functools
from typing import NamedTuple, Sequence

import numpy as np

from maskkit.config import Config
from maskkit.data.anchors import _cached_anchors, anchor_source
from maskkit.utils.aligned import aligned_array
from maskkit.utils.anchors import compute_backbone_shapes
from maskkit.utils.boxes import box_refinement
from maskkit.utils.resize import resize

POSITIVE_IOU = 0.7
NEGATIVE_IOU = 0.3
CROWD_IOU = 0.001
ANCHOR_CHUNK = 16384
# Row/column tables of all (level, ratio) groups are searched at once with keys group * SPAN + coordinate.
_SPAN = 2.0 ** 20
_LIMIT = 2.0 ** 18


def build_rpn_targets(anchors: np.ndarray, gt_class_ids: np.ndarray, gt_boxes: np.ndarray, config: Config,
                      rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Label anchors and compute their box deltas, as matterport's build_rpn_targets.

    Returns rpn_match int32 [A] (1 positive, -1 negative, 0 neutral) and rpn_bbox float32
    [RPN_TRAIN_ANCHORS_PER_IMAGE, 4]: the deltas of the positive anchors in anchor order (each
    towards its highest-IoU box, the first on ties), divided by RPN_BBOX_STD_DEV, zero-padded.
    IoUs are float64 as matterport's. Crowd boxes (negative class ids) are never matched, and
    anchors touching a crowd (IoU >= 0.001) are never negatives. Positives: IoU >= 0.7 or tied
    at a GT box's highest IoU (a box touching no anchor has none); negatives: IoU < 0.3; then
    sampled down at random to at most half of RPN_TRAIN_ANCHORS_PER_IMAGE positives and the rest
    negatives.
    """
    rng = rng if rng is not None else np.random.default_rng()
    rpn_match, rpn_bbox = build_group_rpn_targets(anchors, [gt_class_ids], [gt_boxes], config, [rng])
    return rpn_match[0].astype(np.int32), rpn_bbox[0]


def build_group_rpn_targets(anchors: np.ndarray, gt_class_ids: Sequence[np.ndarray],
                            gt_boxes: Sequence[np.ndarray], config: Config,
                            rngs: Sequence[np.random.Generator]) -> tuple[np.ndarray, np.ndarray]:
    """build_rpn_targets for several images that share ``anchors``, in one pass over all their boxes.

    Returns rpn_match int8 [N, A] and rpn_bbox float32 [N, RPN_TRAIN_ANCHORS_PER_IMAGE, 4], both
    64-byte aligned (maskkit.utils.aligned); row i equals build_rpn_targets(anchors,
    gt_class_ids[i], gt_boxes[i], config, rngs[i]), each image sampling with its own generator.
    The input pipeline's threads hold the GIL for every numpy call's Python side, so doing a
    group's labelling in one set of calls rather than one per image is what lets them scale.
    """
    if not len(gt_class_ids) == len(gt_boxes) == len(rngs):
        raise ValueError(f"build_group_rpn_targets takes one class id array, one box array and one generator "
                         f"per image; got {len(gt_class_ids)}, {len(gt_boxes)} and {len(rngs)}")
    source = anchor_source(anchors)
    grid = _grid(source) if source is not None else None
    anchors = np.asarray(anchors, dtype=np.float32)
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
    if grid is not None:
        not_negative, positive = _grid_labels(grid, *_tagged(objects, count), *_tagged(crowds, count))
        flat[not_negative] = 0
        flat[positive] = 1
    else:
        for row, own, crowd in zip(rpn_match, objects, crowds):
            not_negative, positive = _dense_labels(anchors, own.astype(np.float64), crowd.astype(np.float64))
            row[not_negative] = 0
            row[positive] = 1

    positive = np.flatnonzero(flat == 1)
    found = np.bincount(positive // count, minlength=images)
    _subsample_rows(rpn_match, positive, [total // 2] * images, rngs)
    _subsample_rows(rpn_match, np.flatnonzero(flat == -1), total - np.minimum(found, total // 2), rngs)
    positive = positive[flat[positive] == 1]
    if positive.size:
        image, anchor = np.divmod(positive, count)
        padded = _padded(objects)
        box_of_image = padded[image]
        nearest = _iou64(anchors[anchor, None].astype(np.float64), box_of_image.astype(np.float64)).argmax(axis=-1)
        deltas = box_refinement(anchors[anchor], box_of_image[np.arange(image.size), nearest[:, 0]])
        kept = np.bincount(image, minlength=images)
        _, slot = _ragged(kept, np.zeros_like(kept))
        rpn_bbox[image, slot] = deltas / np.asarray(config.RPN_BBOX_STD_DEV, dtype=np.float32)
    return rpn_match, rpn_bbox


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
    padded[_ragged(sizes, np.zeros_like(sizes))] = np.concatenate(boxes)
    return padded


def _subsample_rows(rpn_match: np.ndarray, ids: np.ndarray, limits: Sequence[int],
                    rngs: Sequence[np.random.Generator]) -> None:
    """For each row i of ``rpn_match`` [N, A]: reset random anchors among ``ids`` (sorted flat ids of one
    label) in that row to neutral until at most ``limits[i]`` remain, drawing from ``rngs[i]`` exactly as
    a per-image ``rng.choice`` over the row's anchor ids would."""
    count = rpn_match.shape[1]
    bounds = np.searchsorted(ids, np.arange(len(rngs) + 1) * count)
    for image, (row, rng, limit) in enumerate(zip(rpn_match, rngs, limits)):
        own = ids[bounds[image]:bounds[image + 1]] - image * count
        if own.size > limit:
            row[rng.choice(own, own.size - max(int(limit), 0), replace=False)] = 0


def _iou64(anchors: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """float64 IoU [..., Na, Nb] of [..., Na, 4] and [..., Nb, 4] (leading axes broadcast), with
    matterport's operation order (so values match it bit for bit); 0 where the union is empty."""
    a, b = anchors[..., :, None, :], boxes[..., None, :, :]
    ih = np.maximum(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0)
    iw = np.maximum(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0)
    inter = ih * iw
    union = _areas(anchors)[..., :, None] + _areas(boxes)[..., None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def _areas(boxes: np.ndarray) -> np.ndarray:
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])


def _dense_labels(anchors: np.ndarray, boxes: np.ndarray, crowd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(not negative, positive) bool [A] from the full anchors x boxes IoU matrix, in anchor chunks."""
    count = anchors.shape[0]
    not_negative = np.zeros(count, dtype=bool)
    best = np.zeros(count, dtype=np.float64)
    box_best = np.zeros(boxes.shape[0], dtype=np.float64)
    for start in range(0, count, ANCHOR_CHUNK):
        chunk = anchors[start:start + ANCHOR_CHUNK].astype(np.float64)
        if crowd.shape[0]:
            not_negative[start:start + chunk.shape[0]] = (_iou64(chunk, crowd) >= CROWD_IOU).any(axis=1)
        if boxes.shape[0]:
            block = _iou64(chunk, boxes)
            best[start:start + chunk.shape[0]] = block.max(axis=1)
            np.maximum(box_best, block.max(axis=0), out=box_best)
    not_negative |= best >= NEGATIVE_IOU
    positive = best >= POSITIVE_IOU
    touched = box_best > 0
    if touched.any():
        candidates = np.flatnonzero(best >= box_best[touched].min())
        block = _iou64(anchors[candidates].astype(np.float64), boxes[touched])
        positive[candidates[(block == box_best[touched][None, :]).any(axis=1)]] = True
    return not_negative, positive


class _Grid(NamedTuple):
    """Anchor geometry per (level, ratio) group: rows (y extents) and columns (x extents), flat over
    groups, with sort keys for windows, index parts to rebuild anchor ids, and per-group size bounds."""

    row_y1: np.ndarray
    row_y2: np.ndarray
    row_y1_key: np.ndarray
    row_y2_key: np.ndarray
    row_start: np.ndarray
    row_base: np.ndarray
    col_x1: np.ndarray
    col_x2: np.ndarray
    col_x1_key: np.ndarray
    col_x2_key: np.ndarray
    col_start: np.ndarray
    col_step: np.ndarray
    height: tuple[np.ndarray, np.ndarray]
    width: tuple[np.ndarray, np.ndarray]


@functools.lru_cache(maxsize=16)
def _grid(source: tuple) -> _Grid | None:
    """The grid of anchors_for's array for ``source``, or None if the array is not a regular grid."""
    scales, ratios, strides, anchor_stride, height, width = source
    anchors = _cached_anchors(*source).astype(np.float64)
    per_ratio = len(ratios)
    rows_y1, rows_y2, row_base, cols_x1, cols_x2, col_step = [], [], [], [], [], []
    offset = 0
    for feature_h, feature_w in compute_backbone_shapes((height, width), strides):
        rows, cols = -(-int(feature_h) // anchor_stride), -(-int(feature_w) // anchor_stride)
        level = anchors[offset:offset + rows * cols * per_ratio].reshape(rows, cols, per_ratio, 4)
        if not ((level[..., 0] == level[:, :1, :, 0]).all() and (level[..., 2] == level[:, :1, :, 2]).all()
                and (level[..., 1] == level[:1, :, :, 1]).all() and (level[..., 3] == level[:1, :, :, 3]).all()):
            return None
        for ratio in range(per_ratio):
            rows_y1.append(level[:, 0, ratio, 0])
            rows_y2.append(level[:, 0, ratio, 2])
            row_base.append(offset + np.arange(rows) * cols * per_ratio + ratio)
            cols_x1.append(level[0, :, ratio, 1])
            cols_x2.append(level[0, :, ratio, 3])
            col_step.append(np.arange(cols) * per_ratio)
        offset += rows * cols * per_ratio
    if offset != anchors.shape[0] or np.abs(anchors).max() >= _LIMIT:
        return None
    tables = []
    for low, high in ((rows_y1, rows_y2), (cols_x1, cols_x2)):
        if not all((np.diff(a) >= 0).all() and (np.diff(b) >= 0).all() and (b > a).all() for a, b in zip(low, high)):
            return None
        sizes = [b - a for a, b in zip(low, high)]
        tables.append((np.concatenate(low), np.concatenate(high),
                       np.concatenate([i * _SPAN + a for i, a in enumerate(low)]),
                       np.concatenate([i * _SPAN + b for i, b in enumerate(high)]),
                       np.cumsum([0] + [a.size for a in low]),
                       (np.array([s.min() for s in sizes]), np.array([s.max() for s in sizes]))))
    (ry1, ry2, ry1k, ry2k, rstart, heights), (cx1, cx2, cx1k, cx2k, cstart, widths) = tables
    return _Grid(ry1, ry2, ry1k, ry2k, rstart, np.concatenate(row_base), cx1, cx2, cx1k, cx2k, cstart,
                 np.concatenate(col_step), heights, widths)


class _Blocks(NamedTuple):
    """Candidate windows, one per (box, group): box index, first flat row/column and their counts."""

    box: np.ndarray
    row: np.ndarray
    rows: np.ndarray
    col: np.ndarray
    cols: np.ndarray

    def select(self, keep: np.ndarray) -> "_Blocks":
        return _Blocks(*(field[keep] for field in self))


def _windows(grid: _Grid, boxes: np.ndarray) -> tuple[_Blocks, np.ndarray]:
    """Every (box, group) window of anchors the box may overlap (one spare row/column each side) and
    an upper bound of the IoU any anchor of the window can reach, box-major."""
    groups = grid.row_start.size - 1
    key = np.arange(groups) * _SPAN
    y1, x1, y2, x2 = (np.clip(boxes[:, i:i + 1], -_LIMIT, _LIMIT) for i in range(4))
    first_row, last_row = grid.row_start[:-1], grid.row_start[1:]
    first_col, last_col = grid.col_start[:-1], grid.col_start[1:]
    row = np.maximum(np.searchsorted(grid.row_y2_key, key + y1, side="right") - 1, first_row)
    row_end = np.minimum(np.searchsorted(grid.row_y1_key, key + y2, side="left") + 1, last_row)
    col = np.maximum(np.searchsorted(grid.col_x2_key, key + x1, side="right") - 1, first_col)
    col_end = np.minimum(np.searchsorted(grid.col_x1_key, key + x2, side="left") + 1, last_col)
    box_h, box_w = np.maximum(y2 - y1, 0), np.maximum(x2 - x1, 0)
    inter = np.minimum(grid.height[1], box_h) * np.minimum(grid.width[1], box_w)
    union = grid.height[0] * grid.width[0] + box_h * box_w - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = np.where(union > 0, inter / union * (1 + 1e-6), np.inf)
    box = np.broadcast_to(np.arange(boxes.shape[0])[:, None], row.shape)
    blocks = _Blocks(box.ravel(), row.ravel(), np.maximum(row_end - row, 0).ravel(), col.ravel(),
                     np.maximum(col_end - col, 0).ravel())
    return blocks, bound.ravel()


class _Pairs(NamedTuple):
    """IoUs of every anchor of some windows with their box, grouped by (window, row) entries; per pair
    its column and entry (gathers by pair_entry stand in for np.repeat, which keeps the GIL)."""

    iou: np.ndarray
    entry_start: np.ndarray
    entry_box: np.ndarray
    entry_row: np.ndarray
    pair_col: np.ndarray
    pair_entry: np.ndarray

    def anchors(self, grid: _Grid, pairs: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Anchor ids of the pairs with the given indices, each plus its box's entry in ``offsets``."""
        entry = self.pair_entry[pairs]
        return (grid.row_base[self.entry_row[entry]] + grid.col_step[self.pair_col[pairs]]
                + offsets[self.entry_box[entry]])

    def box_best(self, count: int) -> np.ndarray:
        """float64 [count]: each box's highest IoU among these pairs (0 if none)."""
        best = np.zeros(count, dtype=np.float64)
        if self.iou.size:
            np.maximum.at(best, self.entry_box, np.maximum.reduceat(self.iou, self.entry_start))
        return best


def _ragged(counts: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs of ``counts`` consecutive integers beginning at ``starts``: (run of each item, item)."""
    run = np.repeat(np.arange(counts.size), counts)
    return run, np.arange(run.size) - (np.cumsum(counts) - counts - starts)[run]


def _pair_ious(grid: _Grid, boxes: np.ndarray, blocks: _Blocks) -> _Pairs:
    """float64 IoU of every (anchor, box) pair in ``blocks``, with matterport's operation order.

    Heights/widths of overlap are computed per window row and column and combined per pair, the
    products and sums in the same order as the full matrix, so the values are identical.
    """
    keep = (blocks.rows > 0) & (blocks.cols > 0)
    blocks = blocks.select(keep)
    entry_block, entry_row = _ragged(blocks.rows, blocks.row)
    col_block, col = _ragged(blocks.cols, blocks.col)
    entry_box = blocks.box[entry_block]
    boxes_of_entry = boxes[entry_box]
    overlap_h = np.maximum(np.minimum(grid.row_y2[entry_row], boxes_of_entry[:, 2])
                           - np.maximum(grid.row_y1[entry_row], boxes_of_entry[:, 0]), 0)
    boxes_of_col = boxes[blocks.box[col_block]]
    overlap_w = np.maximum(np.minimum(grid.col_x2[col], boxes_of_col[:, 3])
                           - np.maximum(grid.col_x1[col], boxes_of_col[:, 1]), 0)
    anchor_h = grid.row_y2[entry_row] - grid.row_y1[entry_row]
    anchor_w = grid.col_x2[col] - grid.col_x1[col]
    per_entry = blocks.cols[entry_block]
    first_col = (np.cumsum(blocks.cols) - blocks.cols)[entry_block]
    pair_entry, pair_col_entry = _ragged(per_entry, first_col)
    inter = overlap_h[pair_entry] * overlap_w[pair_col_entry]
    union = anchor_h[pair_entry] * anchor_w[pair_col_entry] + _areas(boxes)[entry_box][pair_entry]
    union -= inter
    return _Pairs(inter / union, np.cumsum(per_entry) - per_entry, entry_box, entry_row, col[pair_col_entry],
                  pair_entry)


def _grid_labels(grid: _Grid, boxes: np.ndarray, box_offsets: np.ndarray, crowd: np.ndarray,
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
        blocks, bound = _windows(grid, boxes)
        rest = (bound < NEGATIVE_IOU) & (blocks.rows > 0) & (blocks.cols > 0)
        top = np.zeros_like(rest)
        per_box = np.where(rest, bound, -1.0).reshape(boxes.shape[0], -1)
        top.reshape(per_box.shape)[np.arange(per_box.shape[0]), per_box.argmax(axis=1)] = True
        top &= rest
        # The windows that may reach 0.3 and each box's most promising other window, in one pass
        # (IoUs >= 0.3 can only come from the former); the rest only where they may hold a box's best.
        near = _pair_ious(grid, boxes, blocks.select((bound >= NEGATIVE_IOU) | top))
        box_best = near.box_best(boxes.shape[0])
        far_windows = rest & ~top & (bound >= box_best[blocks.box])
        computed = [near]
        if far_windows.any():
            computed.append(_pair_ious(grid, boxes, blocks.select(far_windows)))
            np.maximum(box_best, computed[-1].box_best(boxes.shape[0]), out=box_best)
        not_negative.append(near.anchors(grid, np.flatnonzero(near.iou >= NEGATIVE_IOU), box_offsets))
        positive.append(near.anchors(grid, np.flatnonzero(near.iou >= POSITIVE_IOU), box_offsets))
        for pairs in computed:
            target = box_best[pairs.entry_box][pairs.pair_entry]
            positive.append(pairs.anchors(grid, np.flatnonzero((pairs.iou == target) & (target > 0)), box_offsets))
    if crowd.shape[0]:
        blocks, bound = _windows(grid, crowd)
        pairs = _pair_ious(grid, crowd, blocks.select(bound >= CROWD_IOU))
        not_negative.append(pairs.anchors(grid, np.flatnonzero(pairs.iou >= CROWD_IOU), crowd_offsets))
    return np.concatenate(not_negative), np.concatenate(positive)


def generate_random_rois(image_shape: tuple[int, ...], count: int, gt_boxes: np.ndarray,
                         rng: np.random.Generator | None = None) -> np.ndarray:
    """int32 [count, 4] ROIs like an RPN's: 90% jittered around the GT boxes, the rest anywhere.

    Each GT box gets ``0.9 * count / len(gt_boxes)`` ROIs whose edges fall within one box size of
    the box; ROIs are at least 2 px on each side and clipped to the image.
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

    Returns rois int32 [R, 4], roi class ids int32 [R] (0 = background), bbox deltas float32
    [R, NUM_CLASSES, 4] (divided by BBOX_STD_DEV) and masks float32 [R, *MASK_SHAPE, NUM_CLASSES].
    ROIs with IoU >= 0.5 to a non-crowd GT box are foreground (at most ROI_POSITIVE_RATIO of R);
    background fills the rest, repeated at random when too few. ``gt_masks`` are mini masks when
    USE_MINI_MASK is set, else full-image masks.
    """
    rng = rng if rng is not None else np.random.default_rng()
    rpn_rois = np.asarray(rpn_rois, dtype=np.int32).reshape(-1, 4)
    keep_gt = np.asarray(gt_class_ids) > 0
    gt_class_ids = np.asarray(gt_class_ids)[keep_gt]
    gt_boxes = np.asarray(gt_boxes, dtype=np.int32).reshape(-1, 4)[keep_gt]
    gt_masks = np.asarray(gt_masks)[..., keep_gt]
    total = config.TRAIN_ROIS_PER_IMAGE
    if gt_boxes.shape[0]:
        overlaps = _iou64(rpn_rois.astype(np.float64), gt_boxes.astype(np.float64))
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
