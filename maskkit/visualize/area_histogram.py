"""The mask-area histogram of ``maskkit data check``: instance counts per power-of-two area bin.

Every function returning a picture gives an RGB uint8 image and, given ``path=``, writes it as a PNG
atomically.
"""

from __future__ import annotations

import os
from typing import Optional

import cv2
import numpy as np

from maskkit.visualize.draw import BLACK, FONT, save

_HIST_W, _HIST_H = 720, 400
_HIST_LEFT, _HIST_RIGHT, _HIST_TOP, _HIST_BOTTOM = 70, 20, 40, 60
_HIST_BAR = (70, 130, 180)


def log2_bins(areas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(edges, counts): bins [0, 1), [1, 2), [2, 4), ... up to the largest area.

    Args:
        areas: mask areas in pixels.
    """
    areas = np.asarray(areas, dtype=np.int64).reshape(-1)
    top = int(areas.max()) if areas.size else 1
    edges = np.concatenate([[0], 2 ** np.arange(max(top, 1).bit_length() + 1)])
    counts, _ = np.histogram(areas, bins=edges)
    return edges, counts


def short(value: int) -> str:
    """1536 -> '1.5k', 2097152 -> '2M': compact axis labels.

    Args:
        value: a non-negative number (k = 1024, M = 1024**2).
    """
    for suffix, scale in (("M", 1 << 20), ("k", 1 << 10)):
        if value >= scale:
            return f"{value / scale:.3g}{suffix}"
    return str(value)


def draw_area_histogram(areas: np.ndarray, title: str = "mask areas",
                        path: Optional[str | os.PathLike] = None) -> np.ndarray:
    """An RGB uint8 bar chart of instance counts per mask-area bin (pixels, log2 scale).

    Args:
        areas: [N] mask areas in pixels.
        title: the heading; the instance count is appended.
        path: where to write the PNG (None: only return it).
    """
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
