"""Drawing primitives every picture shares: colours, text, titles, boxes, outlines and saving.

OpenCV only (no matplotlib, no display, no TensorFlow); images are RGB uint8 in memory.
"""

from __future__ import annotations

import colorsys
import os
from typing import Optional, Sequence

import cv2
import numpy as np

from maskkit.imageio import to_rgb_uint8, write_image_rgb

Color = Sequence[float]

FONT = cv2.FONT_HERSHEY_SIMPLEX
FONT_SCALE = 0.4
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
GRAY = (128, 128, 128)
TITLE_H = 24


def as_rgb(image: np.ndarray) -> np.ndarray:
    """Any [H, W] or [H, W, 1|3|4] array as RGB uint8 for display (masks and floats stretched).

    Args:
        image: the array to show.
    """
    return to_rgb_uint8(image, stretch=True)


def save(image: np.ndarray, path: Optional[str | os.PathLike]) -> np.ndarray:
    """Write ``image`` (RGB uint8) as PNG to ``path`` atomically when a path is given; return it."""
    if path is not None:
        write_image_rgb(path, image)
    return image


def random_colors(n: int, seed: int = 0) -> list[tuple[float, float, float]]:
    """``n`` distinct bright RGB colours in [0, 1], evenly spaced in hue, shuffled by ``seed``."""
    if n <= 0:
        return []
    colors = [colorsys.hsv_to_rgb(i / n, 1.0, 1.0) for i in range(n)]
    order = np.random.default_rng(seed).permutation(n)
    return [tuple(float(c) for c in colors[i]) for i in order]  # type: ignore[misc]


def to_255(color: Color) -> tuple[int, int, int]:
    """Colour as 0-255 ints; floats all <= 1.0 are read as matterport-style [0, 1] colours.

    Args:
        color: RGB (further channels ignored), 0-255 or [0, 1].
    """
    c = [float(v) for v in color[:3]]
    if max(c) <= 1.0:
        c = [v * 255.0 for v in c]
    return tuple(int(round(min(max(v, 0.0), 255.0))) for v in c)  # type: ignore[return-value]


def apply_mask(image: np.ndarray, mask: np.ndarray, color: Color, alpha: float = 0.5) -> np.ndarray:
    """Blend ``color`` into ``image`` where ``mask`` is set; returns a new RGB uint8 array.

    Args:
        image: the picture (any array ``as_rgb`` takes).
        mask: [H, W], the image's size; non-zero pixels are coloured.
        color: RGB, 0-255 or [0, 1] (``to_255``).
        alpha: weight of ``color`` in the blend, 0-1.
    """
    out = as_rgb(image).copy()
    mask = np.asarray(mask).astype(bool)
    if mask.shape != out.shape[:2]:
        raise ValueError(f"mask shape {mask.shape} does not match image shape {out.shape[:2]}")
    c = np.array(to_255(color), dtype=np.float64)
    blended = out[mask].astype(np.float64) * (1 - alpha) + alpha * c
    out[mask] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    return out


def text_size(text: str, scale: float = FONT_SCALE) -> tuple[int, int]:
    """(width, height) in pixels of ``text`` drawn by :func:`put_text`.

    Args:
        text: the text.
        scale: OpenCV font scale.
    """
    (w, h), base = cv2.getTextSize(text, FONT, scale, 1)
    return w, h + base


def put_text(img: np.ndarray, text: str, org: tuple[int, int], color=BLACK,
             scale: float = FONT_SCALE, bg: Optional[tuple[int, int, int]] = None) -> None:
    """Draw ``text`` with its top-left corner at ``org``, optionally on a filled background.

    Args:
        img: RGB uint8 image, drawn on in place.
        text: the text.
        org: (x, y) of the text's top-left corner in pixels.
        color: text colour, RGB 0-255.
        scale: OpenCV font scale.
        bg: background colour, RGB 0-255; None for none.
    """
    w, h = text_size(text, scale)
    x, y = int(org[0]), int(org[1])
    if bg is not None:
        cv2.rectangle(img, (x, y), (x + w + 2, y + h + 2), bg, -1)
    cv2.putText(img, text, (x + 1, y + h - 2), FONT, scale, color, 1, cv2.LINE_AA)


def rotated_label(text: str, scale: float = FONT_SCALE) -> np.ndarray:
    """``text`` on white, turned 90 degrees counter-clockwise so it reads bottom to top.

    Args:
        text: the label.
        scale: OpenCV font scale.
    """
    w, h = text_size(text, scale)
    strip = np.full((h + 2, w + 4, 3), 255, np.uint8)
    put_text(strip, text, (0, 0), scale=scale)
    return np.ascontiguousarray(np.rot90(strip))


def add_title(img: np.ndarray, title: Optional[str]) -> np.ndarray:
    """Prepend a white strip with ``title`` (font shrunk to fit the width).

    Args:
        img: RGB uint8 [H, W, 3] image.
        title: the text; None or "" returns ``img`` as it is.

    Returns:
        A new image TITLE_H pixels taller, or ``img`` itself without a title.
    """
    if not title:
        return img
    strip = np.full((TITLE_H, img.shape[1], 3), 255, np.uint8)
    scale = 0.5
    while scale > 0.25 and text_size(title, scale)[0] > img.shape[1] - 4:
        scale -= 0.05
    w, h = text_size(title, scale)
    put_text(strip, title, (max((img.shape[1] - w) // 2, 0), (TITLE_H - h) // 2), scale=scale)
    return np.concatenate([strip, img], axis=0)


def dashed_line(img: np.ndarray, p1, p2, color, dash: int = 4, thickness: int = 1) -> None:
    """A line of ``dash``-pixel dashes from ``p1`` to ``p2`` (x, y).

    Args:
        img: RGB uint8 image, drawn on in place.
        p1, p2: the ends, (x, y) in pixels.
        color: RGB 0-255.
        dash: length of a dash, and of the gap after it, in pixels.
        thickness: line width in pixels.
    """
    p1 = np.asarray(p1, float)
    p2 = np.asarray(p2, float)
    length = float(np.hypot(*(p2 - p1)))
    n = max(int(length // dash), 1)
    pts = p1 + (p2 - p1) * (np.arange(n + 1)[:, None] / n)
    for k in range(0, n, 2):
        a = tuple(int(round(v)) for v in pts[k])
        b = tuple(int(round(v)) for v in pts[k + 1])
        cv2.line(img, a, b, color, thickness, cv2.LINE_AA)


def rect(img: np.ndarray, box, color, dashed: bool = False, thickness: int = 1) -> None:
    """Draw a (y1, x1, y2, x2) box (y2/x2 exclusive), solid or dashed.

    Args:
        img: RGB uint8 image, drawn on in place.
        box: (y1, x1, y2, x2) in pixels; further entries are ignored.
        color: RGB 0-255.
        dashed: draw the box dashed.
        thickness: line width in pixels.
    """
    y1, x1, y2, x2 = (int(round(float(v))) for v in box[:4])
    x2, y2 = x2 - 1, y2 - 1
    if not dashed:
        cv2.rectangle(img, (x1, y1), (x2, y2), color, thickness)
        return
    for a, b in (((x1, y1), (x2, y1)), ((x2, y1), (x2, y2)), ((x2, y2), (x1, y2)), ((x1, y2), (x1, y1))):
        dashed_line(img, a, b, color, thickness=thickness)


def draw_contours(img: np.ndarray, mask: np.ndarray, color, offset: tuple[int, int] = (0, 0)) -> None:
    """Outline the regions of ``mask`` on ``img`` in place; ``offset`` (x, y) places a mask cut from a
    larger one (its top-left corner in ``img``).

    Args:
        img: RGB uint8 image, drawn on in place.
        mask: [h, w] the regions to outline.
        color: RGB 0-255.
        offset: (x, y) of the mask's top-left corner in ``img``.
    """
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE,
                                   offset=(int(offset[0]), int(offset[1])))
    cv2.drawContours(img, contours, -1, color, 1)
