"""Charts drawn with OpenCV: precision-recall, IoU overlaps, loss curves and the mask-area histogram.

Every function returns an RGB uint8 image and, given ``path=``, writes it as a PNG atomically.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional, Sequence

import cv2
import numpy as np

from maskkit.visualize.draw import (
    BLACK,
    FONT,
    GRAY,
    WHITE,
    add_title,
    put_text,
    random_colors,
    rotated_label,
    save,
    text_size,
    to_255,
)


def axes(canvas: np.ndarray, left: int, top: int, right: int, bottom: int,
          xlim: tuple[float, float], ylim: tuple[float, float],
          xlabel: str, ylabel: str, xticks: Sequence[float], yticks: Sequence[float],
          ytick_labels: Optional[Sequence[str]] = None):
    """Draw plot axes with ticks and labels; return a data->pixel mapping function."""
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


def polyline(canvas: np.ndarray, pts: np.ndarray, color, thickness: int = 2) -> None:
    """Draw a polyline, breaking it at non-finite points."""
    idx = np.flatnonzero(np.all(np.isfinite(pts), axis=1))
    if idx.size == 0:
        return
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    for run in runs:
        poly = np.rint(pts[run]).astype(np.int32).reshape(-1, 1, 2)
        if len(run) == 1:
            cv2.circle(canvas, tuple(int(v) for v in poly[0, 0]), thickness, color, -1)
        else:
            cv2.polylines(canvas, [poly], False, color, thickness, cv2.LINE_AA)


def plot_precision_recall(
    ap: float,
    precisions: np.ndarray,
    recalls: np.ndarray,
    path: Optional[str | os.PathLike] = None,
) -> np.ndarray:
    """Precision-recall curve on white axes (recall 0-1, precision 0-1.1), AP in the title."""
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


def plot_overlaps(
    gt_class_ids: np.ndarray,
    pred_class_ids: np.ndarray,
    pred_scores: np.ndarray,
    overlaps: np.ndarray,
    class_names: Sequence[str],
    threshold: float = 0.5,
    path: Optional[str | os.PathLike] = None,
) -> np.ndarray:
    """Heat map of prediction (rows) vs ground-truth (columns) IoUs with class labels;
    cells say "match" (same class, IoU > threshold) or "wrong" (other class, IoU > threshold)."""
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
    """One polyline per loss on shared axes, with a colour legend.

    x is ``epochs`` (shared by every series; default the index 0..n-1); NaN values are skipped and the line joins across them (metrics evaluated every K epochs).
    ``log_scale`` draws the loss axis logarithmically (non-positive values are left out).
    """
    size_w, size_h = 640, 420
    left, top, right, bottom = 70, 10, size_w - 20, size_h - 50
    canvas = np.full((size_h, size_w, 3), 255, np.uint8)
    series = {k: np.asarray(v, float).reshape(-1) for k, v in history.items()}
    if log_scale:
        series = {k: np.log10(np.where(v > 0, v, np.nan)) for k, v in series.items()}
    values = np.concatenate([v[np.isfinite(v)] for v in series.values()] or [np.zeros(0)])
    n_max = max([len(v) for v in series.values()] + [0])
    xs = np.asarray(epochs, float) if epochs is not None else np.arange(n_max, dtype=float)
    if values.size:
        lo, hi = float(values.min()), float(values.max())
    else:
        lo, hi = 0.0, 1.0
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    pad = 0.05 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    x_lo = float(xs.min()) if xs.size else 0.0
    x_hi = max(float(xs.max()) if xs.size else 0.0, x_lo + 1)
    span = int(round(x_hi - x_lo))
    xticks = np.unique(np.linspace(x_lo, x_hi, min(span, 10) + 1).round().astype(int))
    yticks = np.linspace(lo + pad, hi - pad, 5)
    labels = [f"{10 ** t:.3g}" for t in yticks] if log_scale else None
    to_px = axes(canvas, left, top, right, bottom, (x_lo, x_hi), (lo, hi),
                 "Epoch", "Loss (log scale)" if log_scale else "Loss", xticks, yticks, labels)
    colors = random_colors(len(series))
    for (name, v), color in zip(series.items(), colors):
        finite = np.isfinite(v)
        if finite.any():
            polyline(canvas, to_px(xs[:v.size][finite], v[finite]), to_255(color))
    # Legend, top-right inside the plot area.
    if series:
        tw = max(text_size(k)[0] for k in series)
        row_h = 16
        lx = right - tw - 36
        ly = top + 6
        cv2.rectangle(canvas, (lx - 4, ly - 4), (right - 6, ly + row_h * len(series)), WHITE, -1)
        cv2.rectangle(canvas, (lx - 4, ly - 4), (right - 6, ly + row_h * len(series)), GRAY, 1)
        for k, (name, color) in enumerate(zip(series, colors)):
            y = ly + k * row_h + row_h // 2
            cv2.line(canvas, (lx, y), (lx + 20, y), to_255(color), 2)
            put_text(canvas, name, (lx + 26, y - text_size(name)[1] // 2))
    title = "Loss curves" if values.size else "Loss curves (no data)"
    return save(add_title(canvas, title), path)


_HIST_W, _HIST_H = 720, 400
_HIST_LEFT, _HIST_RIGHT, _HIST_TOP, _HIST_BOTTOM = 70, 20, 40, 60
_HIST_BAR = (70, 130, 180)


def log2_bins(areas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(edges, counts): bins [0, 1), [1, 2), [2, 4), ... up to the largest area."""
    areas = np.asarray(areas, dtype=np.int64).reshape(-1)
    top = int(areas.max()) if areas.size else 1
    edges = np.concatenate([[0], 2 ** np.arange(max(top, 1).bit_length() + 1)])
    counts, _ = np.histogram(areas, bins=edges)
    return edges, counts


def short(value: int) -> str:
    """1536 -> '1.5k', 2097152 -> '2M': compact axis labels."""
    for suffix, scale in (("M", 1 << 20), ("k", 1 << 10)):
        if value >= scale:
            return f"{value / scale:.3g}{suffix}"
    return str(value)


def draw_area_histogram(areas: np.ndarray, title: str = "mask areas",
                        path: Optional[str | os.PathLike] = None) -> np.ndarray:
    """An RGB uint8 bar chart of instance counts per mask-area bin (pixels, log2 scale)."""
    edges, counts = log2_bins(areas)
    canvas = np.full((_HIST_H, _HIST_W, 3), 255, dtype=np.uint8)
    cv2.putText(canvas, f"{title} ({int(counts.sum())} instances)", (_HIST_LEFT, 25), FONT, 0.55, BLACK, 1, cv2.LINE_AA)
    plot_w, plot_h = _HIST_W - _HIST_LEFT - _HIST_RIGHT, _HIST_H - _HIST_TOP - _HIST_BOTTOM
    cv2.rectangle(canvas, (_HIST_LEFT, _HIST_TOP), (_HIST_LEFT + plot_w, _HIST_TOP + plot_h), BLACK, 1)
    peak = max(int(counts.max()) if counts.size else 0, 1)
    step = plot_w / len(counts)
    for i, count in enumerate(counts):
        x1, x2 = int(_HIST_LEFT + i * step + 2), int(_HIST_LEFT + (i + 1) * step - 2)
        y1 = int(_HIST_TOP + plot_h - 0.9 * plot_h * count / peak)
        if count:
            cv2.rectangle(canvas, (x1, y1), (x2, _HIST_TOP + plot_h - 1), _HIST_BAR, -1)
            cv2.putText(canvas, str(int(count)), (x1, max(y1 - 4, _HIST_TOP + 12)), FONT, 0.35, BLACK, 1, cv2.LINE_AA)
        cv2.putText(canvas, short(int(edges[i])), (x1, _HIST_TOP + plot_h + 16), FONT, 0.35, BLACK, 1, cv2.LINE_AA)
    cv2.putText(canvas, "mask area in pixels (bin starts)", (_HIST_LEFT, _HIST_H - 15), FONT, 0.45, BLACK, 1, cv2.LINE_AA)
    cv2.putText(canvas, str(peak), (5, _HIST_TOP + 10), FONT, 0.4, BLACK, 1, cv2.LINE_AA)
    cv2.putText(canvas, "0", (5, _HIST_TOP + plot_h), FONT, 0.4, BLACK, 1, cv2.LINE_AA)
    return save(canvas, path)
