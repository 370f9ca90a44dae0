"""Charts drawn with OpenCV: precision-recall, IoU overlaps and loss curves (the mask-area histogram is
maskkit.visualize.area_histogram).

Every function returns an RGB uint8 image and, given ``path=``, writes it as a PNG atomically.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional, Sequence

import cv2
import numpy as np

from maskkit.visualize.chart_layout import SeriesStyle, linear_ticks, log_ticks, series_styles, tick_label
from maskkit.visualize.draw import BLACK, GRAY, WHITE, add_title, put_text, rotated_label, save, text_size

#: Height of a legend row in pixels.
LEGEND_ROW = 16


def axes(canvas: np.ndarray, left: int, top: int, right: int, bottom: int,
          xlim: tuple[float, float], ylim: tuple[float, float],
          xlabel: str, ylabel: str, xticks: Sequence[float], yticks: Sequence[float],
          ytick_labels: Optional[Sequence[str]] = None):
    """Draw plot axes with ticks and labels; return a data->pixel mapping function.

    Args:
        canvas: RGB uint8 image, drawn on in place.
        left, top, right, bottom: the plot frame in pixels.
        xlim, ylim: (low, high) data values at the frame's edges.
        xlabel, ylabel: the axis titles.
        xticks, yticks: tick positions in data units.
        ytick_labels: a text per y tick (default the value, 3 significant digits).

    Returns:
        ``to_px(x, y)``: data coordinates to pixel coordinates [..., (x, y)].
    """
    x0, x1 = xlim
    y0, y1 = ylim

    def to_px(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        px = left + (np.asarray(x, float) - x0) / (x1 - x0) * (right - left)
        py = bottom - (np.asarray(y, float) - y0) / (y1 - y0) * (bottom - top)
        return np.stack([px, py], axis=-1)

    cv2.rectangle(canvas, (left, top), (right, bottom), BLACK, 1)
    for t in xticks:
        px = int(round(to_px(t, y0)[0]))
        cv2.line(canvas, (px, bottom), (px, bottom + 4), BLACK, 1)
        lbl = f"{t:g}"
        w, h = text_size(lbl)
        put_text(canvas, lbl, (px - w // 2, bottom + 6))
    for i, t in enumerate(yticks):
        py = int(round(to_px(x0, t)[1]))
        cv2.line(canvas, (left - 4, py), (left, py), BLACK, 1)
        lbl = ytick_labels[i] if ytick_labels is not None else f"{t:.3g}"
        w, h = text_size(lbl)
        put_text(canvas, lbl, (left - 6 - w, py - h // 2))
    w, h = text_size(xlabel)
    put_text(canvas, xlabel, ((left + right - w) // 2, bottom + 24))
    strip = rotated_label(ylabel)[: canvas.shape[0], : max(left - 30, 1)]
    ys = max((top + bottom - strip.shape[0]) // 2, 0)
    canvas[ys:ys + strip.shape[0], 2:2 + strip.shape[1]] = strip
    return to_px


def finite_runs(pts: np.ndarray) -> list[np.ndarray]:
    """The stretches of consecutive finite points of a [N, 2] polyline.

    Args:
        pts: [N, 2] points; a row with NaN or inf breaks the line.
    """
    idx = np.flatnonzero(np.all(np.isfinite(pts), axis=1))
    if idx.size == 0:
        return []
    return [pts[run] for run in np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)]


def polyline(canvas: np.ndarray, pts: np.ndarray, color, thickness: int = 2) -> None:
    """Draw a polyline, breaking it at non-finite points.

    Args:
        canvas: RGB uint8 image, drawn on in place.
        pts: [N, 2] (x, y) points in pixels; a lone finite point is drawn as a dot.
        color: RGB 0-255.
        thickness: line width in pixels.
    """
    for run in finite_runs(pts):
        poly = np.rint(run).astype(np.int32).reshape(-1, 1, 2)
        if len(run) == 1:
            cv2.circle(canvas, tuple(int(v) for v in poly[0, 0]), thickness + 2, color, -1)
        else:
            cv2.polylines(canvas, [poly], False, color, thickness, cv2.LINE_AA)


def dashed_polyline(canvas: np.ndarray, pts: np.ndarray, color, thickness: int = 2,
                    dash: float = 7.0, gap: float = 5.0) -> None:
    """Draw a polyline as ``dash``-pixel dashes ``gap`` pixels apart along its length, breaking it at
    non-finite points; a lone point is a dot.

    Args:
        canvas, pts, color, thickness: as for ``polyline``.
        dash, gap: lengths of the dashes and of the gaps between them, in pixels.
    """
    for run in finite_runs(pts):
        if len(run) == 1:
            polyline(canvas, run, color, thickness)
            continue
        along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(run, axis=0).T))])
        at = np.append(np.arange(0.0, along[-1], 1.0), along[-1])
        on = np.flatnonzero(at % (dash + gap) < dash)
        dashes = np.split(on, np.flatnonzero(np.diff(on) > 1) + 1)
        points = np.rint(np.stack([np.interp(at, along, run[:, 0]), np.interp(at, along, run[:, 1])], axis=1))
        cv2.polylines(canvas, [points[d].astype(np.int32).reshape(-1, 1, 2) for d in dashes if len(d) > 1],
                      False, color, thickness, cv2.LINE_AA)


def plot_precision_recall(
    ap: float,
    precisions: np.ndarray,
    recalls: np.ndarray,
    path: Optional[str | os.PathLike] = None,
) -> np.ndarray:
    """Precision-recall curve on white axes (recall 0-1, precision 0-1.1), AP in the title.

    Args:
        ap: the AP shown in the title (labelled AP@50).
        precisions, recalls: [N] the curve's points.
        path: where to write the PNG (None: only return it).

    Returns:
        The RGB picture.
    """
    precisions = np.asarray(precisions, float).reshape(-1)
    recalls = np.asarray(recalls, float).reshape(-1)
    if precisions.shape != recalls.shape:
        raise ValueError(f"precisions {precisions.shape} and recalls {recalls.shape} differ in length")
    size_w, size_h = 480, 420
    canvas = np.full((size_h, size_w, 3), 255, np.uint8)
    to_px = axes(canvas, 60, 10, size_w - 20, size_h - 50, (0.0, 1.0), (0.0, 1.1),
                  "Recall", "Precision", np.linspace(0, 1, 6), np.linspace(0, 1, 6))
    if precisions.size:
        polyline(canvas, to_px(recalls, precisions), (31, 119, 180))
    return save(add_title(canvas, f"Precision-Recall Curve. AP@50 = {float(ap):.3f}"), path)


def _blues(v: np.ndarray) -> np.ndarray:
    """Map values in [0, 1] to a white->dark-blue ramp (RGB uint8)."""
    v = np.clip(np.nan_to_num(np.asarray(v, float)), 0, 1)[..., None]
    lo = np.array([247, 251, 255], float)
    hi = np.array([8, 48, 107], float)
    return np.rint(lo + (hi - lo) * v).astype(np.uint8)


def plot_overlaps(gt_class_ids: np.ndarray, pred_class_ids: np.ndarray, pred_scores: np.ndarray,
                  overlaps: np.ndarray, class_names: Sequence[str], threshold: float = 0.5,
                  path: Optional[str | os.PathLike] = None) -> np.ndarray:
    """Heat map of prediction (rows) vs ground-truth (columns) IoUs with class labels.

    Args:
        gt_class_ids: [N] ground-truth class ids.
        pred_class_ids, pred_scores: [M] predicted class ids and scores.
        overlaps: [M, N] IoUs, as compute_matches returns them.
        class_names: names by class id.
        threshold: cells above it say "match" (same class) or "wrong" (other class).
        path: where to write the PNG (None: only return it).

    Returns:
        The RGB picture.
    """
    gt_class_ids = np.asarray(gt_class_ids).reshape(-1)
    pred_class_ids = np.asarray(pred_class_ids).reshape(-1)
    pred_scores = np.asarray(pred_scores, float).reshape(-1)
    overlaps = np.asarray(overlaps, float).reshape(len(pred_class_ids), len(gt_class_ids))
    if len(pred_scores) != len(pred_class_ids):
        raise ValueError(f"{len(pred_scores)} scores for {len(pred_class_ids)} predictions")

    def name(c) -> str:
        c = int(c)
        return class_names[c] if 0 <= c < len(class_names) else str(c)

    row_labels = [f"{name(c)} ({s:.2f})" for c, s in zip(pred_class_ids, pred_scores)]
    col_labels = [name(c) for c in gt_class_ids]
    cell = 48
    left = max([text_size(t)[0] for t in row_labels] + [40]) + 10
    top = max([text_size(t)[0] for t in col_labels] + [40]) + 10
    p, g = overlaps.shape
    width = max(left + g * cell + 10, 240)
    height = top + p * cell + 10 + 20
    canvas = np.full((height, width, 3), 255, np.uint8)
    for i in range(p):
        for j in range(g):
            y, x = top + i * cell, left + j * cell
            v = overlaps[i, j]
            fill = tuple(int(c) for c in _blues(v))
            cv2.rectangle(canvas, (x, y), (x + cell - 1, y + cell - 1), fill, -1)
            txt_color = WHITE if v > 0.5 else BLACK
            tag = ""
            if v > threshold:
                tag = "match" if pred_class_ids[i] == gt_class_ids[j] else "wrong"
            put_text(canvas, f"{v:.3f}", (x + 4, y + 8), color=txt_color, scale=0.35)
            if tag:
                put_text(canvas, tag, (x + 4, y + 26), color=txt_color, scale=0.35)
    for i, t in enumerate(row_labels):
        w, h = text_size(t)
        put_text(canvas, t, (left - 6 - w, top + i * cell + (cell - h) // 2))
    for j, t in enumerate(col_labels):
        strip = rotated_label(t)
        x = left + j * cell + (cell - strip.shape[1]) // 2
        y = top - 6 - strip.shape[0]
        canvas[y:y + strip.shape[0], x:x + strip.shape[1]] = strip
    put_text(canvas, "Ground Truth (columns) / Predictions (rows)", (4, height - 18), scale=0.35)
    title = f"Ground Truth and Detections (IoU threshold {threshold:g})"
    if p == 0 or g == 0:
        title = f"No overlaps to show ({p} predictions, {g} ground truth)"
    return save(add_title(canvas, title), path)


def plot_loss_curves(
    history: Mapping[str, Sequence[float]],
    path: Optional[str | os.PathLike] = None,
    epochs: Optional[Sequence[float]] = None,
    log_scale: bool = False,
) -> np.ndarray:
    """One line per series on shared axes: a colour per loss, its ``val_`` series dashed, and the
    legend in a panel right of the plot so it hides no epoch.

    Args:
        history: series name -> values, one per epoch; NaN values are skipped and the line joins
            across them (metrics evaluated every K epochs).
        path: where to write the PNG (atomically), if anywhere.
        epochs: x of every series (default the index 0..n-1).
        log_scale: draw the loss axis logarithmically (non-positive values are left out); ticks
            stay on the 1-2-5 sequence either way.

    Returns:
        The chart as an RGB uint8 image.
    """
    series = {k: np.asarray(v, float).reshape(-1) for k, v in history.items()}
    if log_scale:
        series = {k: np.where(v > 0, v, np.nan) for k, v in series.items()}
    values = np.concatenate([v[np.isfinite(v)] for v in series.values()] or [np.zeros(0)])
    styles = series_styles(list(series))
    groups = list(dict.fromkeys(style.group for style in styles))
    panel = max([text_size(g)[0] for g in groups] + [text_size("validation")[0]]) + 48 if series else 0
    size_w, size_h = 640 + panel, 420
    left, top, right, bottom = 70, 10, 620, size_h - 50
    canvas = np.full((size_h, size_w, 3), 255, np.uint8)
    n_max = max([len(v) for v in series.values()] + [0])
    xs = np.asarray(epochs, float) if epochs is not None else np.arange(n_max, dtype=float)
    if log_scale and values.size:
        ticks = log_ticks(float(values.min()), float(values.max()))
    else:
        lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
        ticks = linear_ticks(lo - 0.05 * (hi - lo or 1.0), hi + 0.05 * (hi - lo or 1.0))
    scale = np.log10 if log_scale else np.asarray
    y_ticks = scale(np.asarray(ticks, float))
    x_lo, x_hi = (float(xs.min()), float(xs.max())) if xs.size else (0.0, 1.0)
    if x_hi - x_lo < 1:  # one epoch: centre its points rather than pin them to the frame
        x_lo, x_hi = x_lo - 1, x_hi + 1
    xticks = [t for t in linear_ticks(x_lo, x_hi, 10) if x_lo <= t <= x_hi and t == int(t)]
    to_px = axes(canvas, left, top, right, bottom, (x_lo, x_hi), (float(y_ticks[0]), float(y_ticks[-1])),
                 "Epoch", "Loss (log scale)" if log_scale else "Loss", xticks, y_ticks,
                 [tick_label(t) for t in ticks])
    for style in styles:
        v = series[style.name]
        finite = np.isfinite(v)
        if finite.any():
            draw = dashed_polyline if style.dashed else polyline
            draw(canvas, to_px(xs[:v.size][finite], scale(v[finite])), style.color)
    legend(canvas, styles, right + 12, top + 6)
    title = "Loss curves" if values.size else "Loss curves (no data)"
    return save(add_title(canvas, title), path)


def legend(canvas: np.ndarray, styles: Sequence[SeriesStyle], x: int, y: int) -> None:
    """A row per loss in its colour (dashed when it has only a validation series), a blank row, then
    the key: solid = training, dashed = validation.

    Args:
        canvas: RGB uint8 image, drawn on in place.
        styles: the series' styles (``series_styles``).
        x, y: the legend's top-left corner in pixels.
    """
    groups: dict[str, list[SeriesStyle]] = {}
    for style in styles:
        groups.setdefault(style.group, []).append(style)
    if not groups:
        return
    rows = {k: (group, members[0].color, all(s.dashed for s in members))
            for k, (group, members) in enumerate(groups.items())}
    rows.update({len(groups) + 1: ("training", GRAY, False), len(groups) + 2: ("validation", GRAY, True)})
    for k, (name, color, dashed) in rows.items():
        mid = y + k * LEGEND_ROW + LEGEND_ROW // 2
        (dashed_polyline if dashed else polyline)(canvas, np.array([[x, mid], [x + 24, mid]], float), color)
        put_text(canvas, name, (x + 30, mid - text_size(name)[1] // 2))
