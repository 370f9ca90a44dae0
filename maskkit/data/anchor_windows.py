"""Which anchors of a regular grid a box can overlap, and their exact IoUs, without the full matrix.

Anchors of one (level, ratio) group share their y extents along a row and their x extents along a
column, so a box can only overlap the anchors of a window of rows and columns around it, found by
binary search in per-group row and column tables. IoUs of the pairs in those windows are computed
with matterport's operation order (maskkit.data.iou64), so they equal the full matrix's entries.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from maskkit.data.iou64 import box_areas

# Row/column tables of all (level, ratio) groups are searched at once with keys group * SPAN + coordinate.
SPAN = 2.0 ** 20
#: Grids with a coordinate this far from the origin are not searched (keys of groups would overlap).
LIMIT = 2.0 ** 18


class WindowTables(NamedTuple):
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


def window_tables(anchors: np.ndarray, cells: Sequence[tuple[int, int]], per_cell: int) -> WindowTables | None:
    """The row and column tables of anchors laid out level by level, row-major cell, then ratio.

    Args:
        anchors: [A, (y1, x1, y2, x2)] pixel anchors.
        cells: (rows, columns) of anchor cells per level.
        per_cell: anchors per cell (one per ratio).

    Returns:
        The tables, or None if the anchors are not such a grid (or lie beyond LIMIT): callers then
        compute the full IoU matrix.
    """
    anchors = np.asarray(anchors, dtype=np.float64)
    if anchors.shape[0] != sum(rows * cols for rows, cols in cells) * per_cell or np.abs(anchors).max() >= LIMIT:
        return None
    rows_y1, rows_y2, row_base, cols_x1, cols_x2, col_step = [], [], [], [], [], []
    offset = 0
    for rows, cols in cells:
        level = anchors[offset:offset + rows * cols * per_cell].reshape(rows, cols, per_cell, 4)
        if not ((level[..., 0] == level[:, :1, :, 0]).all() and (level[..., 2] == level[:, :1, :, 2]).all()
                and (level[..., 1] == level[:1, :, :, 1]).all() and (level[..., 3] == level[:1, :, :, 3]).all()):
            return None
        for ratio in range(per_cell):
            rows_y1.append(level[:, 0, ratio, 0])
            rows_y2.append(level[:, 0, ratio, 2])
            row_base.append(offset + np.arange(rows) * cols * per_cell + ratio)
            cols_x1.append(level[0, :, ratio, 1])
            cols_x2.append(level[0, :, ratio, 3])
            col_step.append(np.arange(cols) * per_cell)
        offset += rows * cols * per_cell
    tables = []
    for low, high in ((rows_y1, rows_y2), (cols_x1, cols_x2)):
        if not all((np.diff(a) >= 0).all() and (np.diff(b) >= 0).all() and (b > a).all() for a, b in zip(low, high)):
            return None
        sizes = [b - a for a, b in zip(low, high)]
        tables.append((np.concatenate(low), np.concatenate(high),
                       np.concatenate([i * SPAN + a for i, a in enumerate(low)]),
                       np.concatenate([i * SPAN + b for i, b in enumerate(high)]),
                       np.cumsum([0] + [a.size for a in low]),
                       (np.array([s.min() for s in sizes]), np.array([s.max() for s in sizes]))))
    (ry1, ry2, ry1k, ry2k, rstart, heights), (cx1, cx2, cx1k, cx2k, cstart, widths) = tables
    return WindowTables(ry1, ry2, ry1k, ry2k, rstart, np.concatenate(row_base), cx1, cx2, cx1k, cx2k, cstart,
                        np.concatenate(col_step), heights, widths)


class Windows(NamedTuple):
    """Candidate windows, one per (box, group): box index, first flat row/column and their counts."""

    box: np.ndarray
    row: np.ndarray
    rows: np.ndarray
    col: np.ndarray
    cols: np.ndarray

    def select(self, keep: np.ndarray) -> "Windows":
        """The windows where ``keep`` (bool or indices over the windows) holds."""
        return Windows(*(field[keep] for field in self))


def box_windows(tables: WindowTables, boxes: np.ndarray) -> tuple[Windows, np.ndarray]:
    """Every (box, group) window of anchors a box may overlap, and a bound of the IoU it can reach there.

    Args:
        tables: the grid's window_tables.
        boxes: float64 [N, (y1, x1, y2, x2)] pixel boxes.

    Returns:
        The windows (one spare row/column each side), box-major, and float64 upper bounds of the
        IoU any anchor of each window can reach with its box.
    """
    groups = tables.row_start.size - 1
    key = np.arange(groups) * SPAN
    y1, x1, y2, x2 = (np.clip(boxes[:, i:i + 1], -LIMIT, LIMIT) for i in range(4))
    first_row, last_row = tables.row_start[:-1], tables.row_start[1:]
    first_col, last_col = tables.col_start[:-1], tables.col_start[1:]
    row = np.maximum(np.searchsorted(tables.row_y2_key, key + y1, side="right") - 1, first_row)
    row_end = np.minimum(np.searchsorted(tables.row_y1_key, key + y2, side="left") + 1, last_row)
    col = np.maximum(np.searchsorted(tables.col_x2_key, key + x1, side="right") - 1, first_col)
    col_end = np.minimum(np.searchsorted(tables.col_x1_key, key + x2, side="left") + 1, last_col)
    box_h, box_w = np.maximum(y2 - y1, 0), np.maximum(x2 - x1, 0)
    inter = np.minimum(tables.height[1], box_h) * np.minimum(tables.width[1], box_w)
    union = tables.height[0] * tables.width[0] + box_h * box_w - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = np.where(union > 0, inter / union * (1 + 1e-6), np.inf)
    box = np.broadcast_to(np.arange(boxes.shape[0])[:, None], row.shape)
    windows = Windows(box.ravel(), row.ravel(), np.maximum(row_end - row, 0).ravel(), col.ravel(),
                      np.maximum(col_end - col, 0).ravel())
    return windows, bound.ravel()


class PairIous(NamedTuple):
    """IoUs of every anchor of some windows with their box, grouped by (window, row) entries; per pair
    its column and entry (gathers by pair_entry stand in for np.repeat, which keeps the GIL)."""

    iou: np.ndarray
    entry_start: np.ndarray
    entry_box: np.ndarray
    entry_row: np.ndarray
    pair_col: np.ndarray
    pair_entry: np.ndarray

    def anchors(self, tables: WindowTables, pairs: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Anchor ids of the pairs with the given indices, each plus its box's entry in ``offsets``.

        Args:
            tables: the grid's window_tables these pairs were computed with.
            pairs: int indices of the pairs.
            offsets: int per box, added to the anchor id of each of its pairs.
        """
        entry = self.pair_entry[pairs]
        return (tables.row_base[self.entry_row[entry]] + tables.col_step[self.pair_col[pairs]]
                + offsets[self.entry_box[entry]])

    def box_best(self, count: int) -> np.ndarray:
        """float64 [count]: each box's highest IoU among these pairs (0 if none)."""
        best = np.zeros(count, dtype=np.float64)
        if self.iou.size:
            np.maximum.at(best, self.entry_box, np.maximum.reduceat(self.iou, self.entry_start))
        return best


def ragged(counts: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs of ``counts`` consecutive integers beginning at ``starts``: (run of each item, item)."""
    run = np.repeat(np.arange(counts.size), counts)
    return run, np.arange(run.size) - (np.cumsum(counts) - counts - starts)[run]


def pair_ious(tables: WindowTables, boxes: np.ndarray, windows: Windows) -> PairIous:
    """float64 IoU of every (anchor, box) pair in ``windows``, with matterport's operation order.

    Heights/widths of overlap are computed per window row and column and combined per pair, the
    products and sums in the same order as the full matrix, so the values are identical.

    Args:
        tables: the grid's window_tables.
        boxes: float64 [N, 4], the boxes ``windows`` index.
        windows: from box_windows (or a selection of them).

    Returns:
        The pairs' IoUs with what locates each pair's anchor and box.
    """
    keep = (windows.rows > 0) & (windows.cols > 0)
    windows = windows.select(keep)
    entry_window, entry_row = ragged(windows.rows, windows.row)
    col_window, col = ragged(windows.cols, windows.col)
    entry_box = windows.box[entry_window]
    boxes_of_entry = boxes[entry_box]
    overlap_h = np.maximum(np.minimum(tables.row_y2[entry_row], boxes_of_entry[:, 2])
                           - np.maximum(tables.row_y1[entry_row], boxes_of_entry[:, 0]), 0)
    boxes_of_col = boxes[windows.box[col_window]]
    overlap_w = np.maximum(np.minimum(tables.col_x2[col], boxes_of_col[:, 3])
                           - np.maximum(tables.col_x1[col], boxes_of_col[:, 1]), 0)
    anchor_h = tables.row_y2[entry_row] - tables.row_y1[entry_row]
    anchor_w = tables.col_x2[col] - tables.col_x1[col]
    per_entry = windows.cols[entry_window]
    first_col = (np.cumsum(windows.cols) - windows.cols)[entry_window]
    pair_entry, pair_col_entry = ragged(per_entry, first_col)
    inter = overlap_h[pair_entry] * overlap_w[pair_col_entry]
    union = anchor_h[pair_entry] * anchor_w[pair_col_entry] + box_areas(boxes)[entry_box][pair_entry]
    union -= inter
    return PairIous(inter / union, np.cumsum(per_entry) - per_entry, entry_box, entry_row, col[pair_col_entry],
                    pair_entry)
