"""The window search over an anchor grid: every anchor a box overlaps lies in one of its windows, the pairs'
IoUs equal the full matrix's bit for bit, and anchors that are no grid get no tables."""

from __future__ import annotations

import numpy as np

from maskkit.data import anchor_grid
from maskkit.data.anchor_windows import box_windows, pair_ious, ragged, window_tables
from maskkit.data.iou64 import iou64
from tests.helpers import matterport_shapes_config


def test_window_pairs_cover_every_overlapping_anchor_with_the_full_matrixs_iou():
    grid = anchor_grid(matterport_shapes_config(RPN_ANCHOR_STRIDE=2), (96, 160, 3))
    rng = np.random.default_rng(0)
    corners = rng.uniform(-20, [96, 160], size=(12, 2))
    boxes = np.concatenate([corners, corners + rng.uniform(1, 120, size=(12, 2))], axis=1)
    windows, bound = box_windows(grid.windows, boxes)
    pairs = pair_ious(grid.windows, boxes, windows)
    anchor = pairs.anchors(grid.windows, np.arange(pairs.iou.size), np.zeros(boxes.shape[0], dtype=np.int64))
    box = pairs.entry_box[pairs.pair_entry]
    full = iou64(grid.anchors.astype(np.float64), boxes)
    np.testing.assert_array_equal(pairs.iou, full[anchor, box])
    found = np.zeros_like(full, dtype=bool)
    found[anchor, box] = True
    assert not ((full > 0) & ~found).any()
    assert (bound.reshape(boxes.shape[0], -1).max(axis=1) >= full.max(axis=0)).all()
    np.testing.assert_array_equal(pairs.box_best(boxes.shape[0]), full.max(axis=0))


def test_anchors_that_are_no_grid_or_lie_too_far_out_get_no_tables():
    grid = anchor_grid(matterport_shapes_config(), (64, 64, 3))
    assert window_tables(grid.anchors, grid.cells, grid.per_cell) is not None
    assert window_tables(grid.anchors[::-1], grid.cells, grid.per_cell) is None
    assert window_tables(grid.anchors + 2.0 ** 18, grid.cells, grid.per_cell) is None
    assert window_tables(grid.anchors[:-3], grid.cells, grid.per_cell) is None


def test_ragged_lists_each_run_and_its_items():
    run, item = ragged(np.array([2, 0, 3]), np.array([5, 9, 0]))
    assert run.tolist() == [0, 0, 2, 2, 2] and item.tolist() == [5, 6, 0, 1, 2]
