"""Headless visualisation: render detections, masks, anchors and plots to RGB uint8 arrays.

OpenCV only (no matplotlib, no display, no TensorFlow). Every public function returns an
HxWx3 uint8 RGB image and, given ``path=``, also writes it as a PNG atomically.
"""
from __future__ import annotations

import colorsys
import math
import os
from typing import Mapping, Optional, Sequence

import cv2
import numpy as np

from maskkit.io import atomic_write_bytes

__all__ = [
    "random_colors",
    "apply_mask",
    "display_instances",
    "display_top_masks",
    "display_images",
    "draw_boxes",
    "plot_precision_recall",
    "plot_overlaps",
    "plot_loss_curves",
]

Color = Sequence[float]

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_FONT_SCALE = 0.4
_WHITE = (255, 255, 255)
_BLACK = (0, 0, 0)
_GRAY = (128, 128, 128)
_TITLE_H = 24


# ----------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------


def _save(image: np.ndarray, path: Optional[str | os.PathLike]) -> np.ndarray:
    """Write ``image`` (RGB uint8) as PNG to ``path`` atomically when a path is given."""
    if path is not None:
        ok, buf = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        if not ok:
            raise OSError(f"cannot encode PNG for {path}")
        atomic_write_bytes(path, buf.tobytes())
    return image


def _to_255(color: Color) -> tuple[int, int, int]:
    """Colour as 0-255 ints; floats all <= 1.0 are read as matterport-style [0, 1] colours."""
    c = [float(v) for v in color[:3]]
    if max(c) <= 1.0:
        c = [v * 255.0 for v in c]
    return tuple(int(round(min(max(v, 0.0), 255.0))) for v in c)  # type: ignore[return-value]


def _to_rgb_uint8(image: np.ndarray) -> np.ndarray:
    """Any [H, W], [H, W, 1|3|4] array -> RGB uint8; non-uint8 data is min-max normalised."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[:, :, :3]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] != 3):
        raise ValueError(f"expected an [H, W] or [H, W, 1|3|4] image, got shape {img.shape}")
    if img.dtype == np.bool_:
        img = img.astype(np.uint8) * 255
    elif img.dtype != np.uint8:
        f = img.astype(np.float64)
        finite = np.isfinite(f)
        if finite.any():
            lo, hi = f[finite].min(), f[finite].max()
            f = np.where(finite, f, lo)
            f = (f - lo) / (hi - lo) * 255.0 if hi > lo else np.zeros_like(f)
        else:
            f = np.zeros_like(f)
        img = np.clip(np.rint(f), 0, 255).astype(np.uint8)
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
    return np.ascontiguousarray(img)


def _text_size(text: str, scale: float = _FONT_SCALE) -> tuple[int, int]:
    (w, h), base = cv2.getTextSize(text, _FONT, scale, 1)
    return w, h + base


def _put_text(img: np.ndarray, text: str, org: tuple[int, int], color=_BLACK,
              scale: float = _FONT_SCALE, bg: Optional[tuple[int, int, int]] = None) -> None:
    """Draw ``text`` with its top-left corner at ``org``, optionally on a filled background."""
    w, h = _text_size(text, scale)
    x, y = int(org[0]), int(org[1])
    if bg is not None:
        cv2.rectangle(img, (x, y), (x + w + 2, y + h + 2), bg, -1)
    cv2.putText(img, text, (x + 1, y + h - 2), _FONT, scale, color, 1, cv2.LINE_AA)


def _add_title(img: np.ndarray, title: Optional[str]) -> np.ndarray:
    """Prepend a white strip with ``title`` (font shrunk to fit the width)."""
    if not title:
        return img
    strip = np.full((_TITLE_H, img.shape[1], 3), 255, np.uint8)
    scale = 0.5
    while scale > 0.25 and _text_size(title, scale)[0] > img.shape[1] - 4:
        scale -= 0.05
    w, h = _text_size(title, scale)
    _put_text(strip, title, (max((img.shape[1] - w) // 2, 0), (_TITLE_H - h) // 2), scale=scale)
    return np.concatenate([strip, img], axis=0)


def _dashed_line(img: np.ndarray, p1, p2, color, dash: int = 4, thickness: int = 1) -> None:
    p1 = np.asarray(p1, float)
    p2 = np.asarray(p2, float)
    length = float(np.hypot(*(p2 - p1)))
    n = max(int(length // dash), 1)
    pts = p1 + (p2 - p1) * (np.arange(n + 1)[:, None] / n)
    for k in range(0, n, 2):
        a = tuple(int(round(v)) for v in pts[k])
        b = tuple(int(round(v)) for v in pts[k + 1])
        cv2.line(img, a, b, color, thickness, cv2.LINE_AA)


def _rect(img: np.ndarray, box, color, dashed: bool = False, thickness: int = 1) -> None:
    """Draw a (y1, x1, y2, x2) box (y2/x2 exclusive), solid or dashed."""
    y1, x1, y2, x2 = (int(round(float(v))) for v in box[:4])
    x2, y2 = x2 - 1, y2 - 1
    if not dashed:
        cv2.rectangle(img, (x1, y1), (x2, y2), color, thickness)
        return
    for a, b in (((x1, y1), (x2, y1)), ((x2, y1), (x2, y2)), ((x2, y2), (x1, y2)), ((x1, y2), (x1, y1))):
        _dashed_line(img, a, b, color, thickness=thickness)


def _draw_contours(img: np.ndarray, mask: np.ndarray, color) -> None:
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    cv2.drawContours(img, contours, -1, color, 1)


def _check_instances(n: int, **arrays: Optional[np.ndarray]) -> None:
    for name, arr in arrays.items():
        if arr is None:
            continue
        count = arr.shape[-1] if name == "masks" else len(arr)
        if count != n:
            raise ValueError(f"{name} has {count} instances but boxes has {n}")


# ----------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------


def random_colors(n: int, seed: int = 0) -> list[tuple[float, float, float]]:
    """``n`` distinct bright RGB colours in [0, 1], evenly spaced in hue, shuffled by ``seed``."""
    if n <= 0:
        return []
    colors = [colorsys.hsv_to_rgb(i / n, 1.0, 1.0) for i in range(n)]
    order = np.random.default_rng(seed).permutation(n)
    return [tuple(float(c) for c in colors[i]) for i in order]  # type: ignore[misc]


def apply_mask(image: np.ndarray, mask: np.ndarray, color: Color, alpha: float = 0.5) -> np.ndarray:
    """Blend ``color`` into ``image`` where ``mask`` is set; returns a new RGB uint8 array."""
    out = _to_rgb_uint8(image).copy()
    mask = np.asarray(mask).astype(bool)
    if mask.shape != out.shape[:2]:
        raise ValueError(f"mask shape {mask.shape} does not match image shape {out.shape[:2]}")
    c = np.array(_to_255(color), dtype=np.float64)
    blended = out[mask].astype(np.float64) * (1 - alpha) + alpha * c
    out[mask] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    return out


def display_instances(
    image: np.ndarray,
    boxes: np.ndarray,
    masks: np.ndarray,
    class_ids: np.ndarray,
    class_names: Sequence[str],
    scores: Optional[np.ndarray] = None,
    title: Optional[str] = None,
    show_mask: bool = True,
    show_bbox: bool = True,
    colors: Optional[Sequence[Color]] = None,
    path: Optional[str | os.PathLike] = None,
) -> np.ndarray:
    """Draw instance boxes, translucent masks, mask outlines and "name score" captions."""
    out = _to_rgb_uint8(image).copy()
    boxes = np.asarray(boxes).reshape(-1, 4)
    n = boxes.shape[0]
    masks = None if masks is None else np.asarray(masks)
    class_ids = np.asarray(class_ids).reshape(-1)
    _check_instances(n, masks=masks, class_ids=class_ids,
                     scores=None if scores is None else np.asarray(scores).reshape(-1))
    if colors is not None and len(colors) < n:
        raise ValueError(f"got {len(colors)} colours for {n} instances")
    colors = list(colors) if colors is not None else random_colors(n)
    for i in range(n):
        color = _to_255(colors[i])
        if show_mask and masks is not None:
            m = masks[:, :, i].astype(bool)
            out = apply_mask(out, m, colors[i])
            _draw_contours(out, m, color)
        if not np.any(boxes[i]):
            continue  # zero box: instance was probably lost to cropping
        if show_bbox:
            _rect(out, boxes[i], color, dashed=True)
        cid = int(class_ids[i])
        label = class_names[cid] if 0 <= cid < len(class_names) else str(cid)
        caption = f"{label} {float(scores[i]):.3f}" if scores is not None else label
        y1, x1 = int(boxes[i][0]), int(boxes[i][1])
        _put_text(out, caption, (max(x1, 0), max(y1 - _text_size(caption)[1] - 2, 0)),
                  color=_WHITE, bg=color)
    if n == 0 and title is None:
        title = "No instances to display"
    return _save(_add_title(out, title), path)


def display_images(
    images: Sequence[np.ndarray],
    titles: Optional[Sequence[Optional[str]]] = None,
    cols: int = 4,
    path: Optional[str | os.PathLike] = None,
) -> np.ndarray:
    """Tile images in a grid with a caption above each; non-uint8 images are normalised."""
    if len(images) == 0:
        raise ValueError("display_images needs at least one image")
    if cols < 1:
        raise ValueError(f"cols must be >= 1, got {cols}")
    titles = list(titles) if titles is not None else [None] * len(images)
    if len(titles) != len(images):
        raise ValueError(f"got {len(titles)} titles for {len(images)} images")
    tiles = [_to_rgb_uint8(im) for im in images]
    cell_h = max(t.shape[0] for t in tiles)
    cell_w = max(max(t.shape[1] for t in tiles), 32)
    cols = min(cols, len(tiles))
    rows = math.ceil(len(tiles) / cols)
    gap = 4
    block_h = cell_h + _TITLE_H
    canvas = np.full((rows * (block_h + gap) + gap, cols * (cell_w + gap) + gap, 3), 255, np.uint8)
    for k, (tile, title) in enumerate(zip(tiles, titles)):
        r, c = divmod(k, cols)
        y0 = gap + r * (block_h + gap)
        x0 = gap + c * (cell_w + gap)
        block = _add_title(np.full((cell_h, cell_w, 3), 255, np.uint8), title or " ")
        block[_TITLE_H:_TITLE_H + tile.shape[0], :tile.shape[1]] = tile
        canvas[y0:y0 + block_h, x0:x0 + cell_w] = block
    return _save(canvas, path)


def display_top_masks(
    image: np.ndarray,
    mask: np.ndarray,
    class_ids: np.ndarray,
    class_names: Sequence[str],
    limit: int = 4,
    path: Optional[str | os.PathLike] = None,
) -> np.ndarray:
    """Show the image next to the union masks of its ``limit`` largest classes (by pixel area)."""
    img = _to_rgb_uint8(image)
    mask = np.asarray(mask).astype(bool)
    class_ids = np.asarray(class_ids).reshape(-1)
    if mask.ndim != 3 or mask.shape[-1] != class_ids.shape[0]:
        raise ValueError(f"mask {mask.shape} must be [H, W, N] with N = {class_ids.shape[0]} class ids")
    uniq = np.unique(class_ids)
    areas = np.array([mask[:, :, class_ids == c].sum() for c in uniq])
    top = uniq[np.argsort(-areas, kind="stable")][:limit]
    panels = [img]
    titles = [f"H x W={img.shape[0]}x{img.shape[1]}"]
    for k in range(limit):
        if k < len(top):
            c = int(top[k])
            union = mask[:, :, class_ids == c].any(axis=-1)
            name = class_names[c] if 0 <= c < len(class_names) else str(c)
        else:
            union = np.zeros(img.shape[:2], bool)
            name = "-"
        panels.append(union)
        titles.append(name)
    return display_images(panels, titles, cols=limit + 1, path=path)


def draw_boxes(
    image: np.ndarray,
    boxes: Optional[np.ndarray] = None,
    refined_boxes: Optional[np.ndarray] = None,
    masks: Optional[np.ndarray] = None,
    captions: Optional[Sequence[Optional[str]]] = None,
    visibilities: Optional[Sequence[int]] = None,
    title: Optional[str] = None,
    path: Optional[str | os.PathLike] = None,
) -> np.ndarray:
    """Draw anchors/proposals: original boxes thin (dashed when refined boxes are given), refined
    boxes solid with a line from each original to its refinement.

    ``visibilities`` per box: 0 skip, 1 faint, 2 prominent (matterport semantics).
    """
    if boxes is None and refined_boxes is None:
        raise ValueError("draw_boxes needs boxes or refined_boxes")
    out = _to_rgb_uint8(image).copy()
    b = None if boxes is None else np.asarray(boxes, float).reshape(-1, 4)
    rb = None if refined_boxes is None else np.asarray(refined_boxes, float).reshape(-1, 4)
    n = b.shape[0] if b is not None else rb.shape[0]
    _check_instances(n, refined_boxes=rb, masks=None if masks is None else np.asarray(masks),
                     captions=captions, visibilities=visibilities)
    colors = random_colors(n)
    for i in range(n):
        vis = int(visibilities[i]) if visibilities is not None else 1
        if vis == 0:
            continue
        color = _to_255(colors[i])
        if vis == 1:
            color = tuple(int(0.5 * v + 0.5 * g) for v, g in zip(color, _GRAY))
        thickness = 2 if vis == 2 else 1
        if b is not None:
            _rect(out, b[i], color, dashed=rb is not None, thickness=1)
        if rb is not None:
            _rect(out, rb[i], color, thickness=thickness)
            if b is not None:
                p1 = (int(round(b[i, 1])), int(round(b[i, 0])))
                p2 = (int(round(rb[i, 1])), int(round(rb[i, 0])))
                cv2.line(out, p1, p2, color, 1, cv2.LINE_AA)
        if captions is not None and captions[i]:
            ref = rb[i] if rb is not None else b[i]
            _put_text(out, str(captions[i]), (max(int(ref[1]), 0), max(int(ref[0]), 0)),
                      color=_WHITE, bg=color)
        if masks is not None:
            m = np.asarray(masks)[:, :, i].astype(bool)
            out = apply_mask(out, m, colors[i])
            _draw_contours(out, m, color)
    return _save(_add_title(out, title), path)


def _axes(canvas: np.ndarray, left: int, top: int, right: int, bottom: int,
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

    cv2.rectangle(canvas, (left, top), (right, bottom), _BLACK, 1)
    for t in xticks:
        px = int(round(to_px(t, y0)[0]))
        cv2.line(canvas, (px, bottom), (px, bottom + 4), _BLACK, 1)
        lbl = f"{t:g}"
        w, h = _text_size(lbl)
        _put_text(canvas, lbl, (px - w // 2, bottom + 6))
    for i, t in enumerate(yticks):
        py = int(round(to_px(x0, t)[1]))
        cv2.line(canvas, (left - 4, py), (left, py), _BLACK, 1)
        lbl = ytick_labels[i] if ytick_labels is not None else f"{t:.3g}"
        w, h = _text_size(lbl)
        _put_text(canvas, lbl, (left - 6 - w, py - h // 2))
    w, h = _text_size(xlabel)
    _put_text(canvas, xlabel, ((left + right - w) // 2, bottom + 24))
    # Vertical y label: render horizontally then rotate 90 degrees counter-clockwise.
    w, h = _text_size(ylabel)
    strip = np.full((h + 2, w + 4, 3), 255, np.uint8)
    _put_text(strip, ylabel, (0, 0))
    strip = np.rot90(strip)[: canvas.shape[0], : max(left - 30, 1)]
    ys = max((top + bottom - strip.shape[0]) // 2, 0)
    canvas[ys:ys + strip.shape[0], 2:2 + strip.shape[1]] = strip
    return to_px


def _polyline(canvas: np.ndarray, pts: np.ndarray, color, thickness: int = 2) -> None:
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
    to_px = _axes(canvas, 60, 10, size_w - 20, size_h - 50, (0.0, 1.0), (0.0, 1.1),
                  "Recall", "Precision", np.linspace(0, 1, 6), np.linspace(0, 1, 6))
    if precisions.size:
        _polyline(canvas, to_px(recalls, precisions), (31, 119, 180))
    return _save(_add_title(canvas, f"Precision-Recall Curve. AP@50 = {float(ap):.3f}"), path)


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
    left = max([_text_size(t)[0] for t in row_labels] + [40]) + 10
    top = max([_text_size(t)[0] for t in col_labels] + [40]) + 10
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
            txt_color = _WHITE if v > 0.5 else _BLACK
            tag = ""
            if v > threshold:
                tag = "match" if pred_class_ids[i] == gt_class_ids[j] else "wrong"
            _put_text(canvas, f"{v:.3f}", (x + 4, y + 8), color=txt_color, scale=0.35)
            if tag:
                _put_text(canvas, tag, (x + 4, y + 26), color=txt_color, scale=0.35)
    for i, t in enumerate(row_labels):
        w, h = _text_size(t)
        _put_text(canvas, t, (left - 6 - w, top + i * cell + (cell - h) // 2))
    for j, t in enumerate(col_labels):
        w, h = _text_size(t)
        strip = np.full((h + 2, w + 4, 3), 255, np.uint8)
        _put_text(strip, t, (0, 0))
        strip = np.rot90(strip)  # reads bottom-to-top
        x = left + j * cell + (cell - strip.shape[1]) // 2
        y = top - 6 - strip.shape[0]
        canvas[y:y + strip.shape[0], x:x + strip.shape[1]] = strip
    _put_text(canvas, "Ground Truth (columns) / Predictions (rows)", (4, height - 18), scale=0.35)
    title = f"Ground Truth and Detections (IoU threshold {threshold:g})"
    if p == 0 or g == 0:
        title = f"No overlaps to show ({p} predictions, {g} ground truth)"
    return _save(_add_title(canvas, title), path)


def plot_loss_curves(
    history: Mapping[str, Sequence[float]],
    path: Optional[str | os.PathLike] = None,
    epochs: Optional[Sequence[float]] = None,
    log_scale: bool = False,
) -> np.ndarray:
    """One polyline per loss on shared axes, with a colour legend.

    x is ``epochs`` (shared by every series; default the index 0..n-1); NaN values leave gaps.
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
    to_px = _axes(canvas, left, top, right, bottom, (x_lo, x_hi), (lo, hi),
                  "Epoch", "Loss (log scale)" if log_scale else "Loss", xticks, yticks, labels)
    colors = random_colors(len(series))
    for (name, v), color in zip(series.items(), colors):
        finite = np.isfinite(v)
        if finite.any():
            _polyline(canvas, to_px(xs[:v.size][finite], v[finite]), _to_255(color))
    # Legend, top-right inside the plot area.
    if series:
        tw = max(_text_size(k)[0] for k in series)
        row_h = 16
        lx = right - tw - 36
        ly = top + 6
        cv2.rectangle(canvas, (lx - 4, ly - 4), (right - 6, ly + row_h * len(series)), _WHITE, -1)
        cv2.rectangle(canvas, (lx - 4, ly - 4), (right - 6, ly + row_h * len(series)), _GRAY, 1)
        for k, (name, color) in enumerate(zip(series, colors)):
            y = ly + k * row_h + row_h // 2
            cv2.line(canvas, (lx, y), (lx + 20, y), _to_255(color), 2)
            _put_text(canvas, name, (lx + 26, y - _text_size(name)[1] // 2))
    title = "Loss curves" if values.size else "Loss curves (no data)"
    return _save(_add_title(canvas, title), path)
