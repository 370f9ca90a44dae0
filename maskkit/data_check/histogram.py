"""The mask-area histogram: instance counts in power-of-two pixel-area bins, drawn with OpenCV."""

from __future__ import annotations

import numpy as np

WIDTH, HEIGHT = 720, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 40, 60
BAR = (70, 130, 180)
INK = (0, 0, 0)


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


def draw_area_histogram(areas: np.ndarray, title: str = "mask areas") -> np.ndarray:
    """An RGB uint8 bar chart of instance counts per mask-area bin (pixels, log2 scale)."""
    import cv2

    edges, counts = log2_bins(areas)
    canvas = np.full((HEIGHT, WIDTH, 3), 255, dtype=np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(canvas, f"{title} ({int(counts.sum())} instances)", (LEFT, 25), font, 0.55, INK, 1, cv2.LINE_AA)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    cv2.rectangle(canvas, (LEFT, TOP), (LEFT + plot_w, TOP + plot_h), INK, 1)
    peak = max(int(counts.max()) if counts.size else 0, 1)
    step = plot_w / len(counts)
    for i, count in enumerate(counts):
        x1, x2 = int(LEFT + i * step + 2), int(LEFT + (i + 1) * step - 2)
        y1 = int(TOP + plot_h - 0.9 * plot_h * count / peak)
        if count:
            cv2.rectangle(canvas, (x1, y1), (x2, TOP + plot_h - 1), BAR, -1)
            cv2.putText(canvas, str(int(count)), (x1, max(y1 - 4, TOP + 12)), font, 0.35, INK, 1, cv2.LINE_AA)
        cv2.putText(canvas, short(int(edges[i])), (x1, TOP + plot_h + 16), font, 0.35, INK, 1, cv2.LINE_AA)
    cv2.putText(canvas, "mask area in pixels (bin starts)", (LEFT, HEIGHT - 15), font, 0.45, INK, 1, cv2.LINE_AA)
    cv2.putText(canvas, str(peak), (5, TOP + 10), font, 0.4, INK, 1, cv2.LINE_AA)
    cv2.putText(canvas, "0", (5, TOP + plot_h), font, 0.4, INK, 1, cv2.LINE_AA)
    return canvas
