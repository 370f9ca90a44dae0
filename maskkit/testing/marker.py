"""A marker image whose pixels spell their own coordinates, for following pixels through a transform.

Red encodes the column and green the row (``OFFSET + STEP * coordinate``), blue is full. Bilinear
resampling of such a linear ramp still decodes to the (rounded) source position; pixels blended
with the black border lose full blue and are ignored. Pixels whose colour is an exact code are
compared strictly; the others only where the mask is constant within one pixel, so rounding a
resampled position never counts as an error. Masks are fixed shapes in source coordinates,
so the expected mask at any output pixel is the source mask at the position its colour spells.
"""

from __future__ import annotations

import numpy as np

HEIGHT, WIDTH = 48, 64
OFFSET, STEP = 16, 3


def marker_image(height: int = HEIGHT, width: int = WIDTH) -> np.ndarray:
    """RGB uint8 image with red = column code, green = row code, blue = 255.

    Args:
        height, width: image size in pixels; neither may exceed 80 (the codes must fit in uint8).

    Returns:
        uint8 array of shape [height, width, 3].
    """
    if OFFSET + STEP * (max(height, width) - 1) > 255:
        raise ValueError(f"marker images are at most {(255 - OFFSET) // STEP + 1} pixels on a side")
    ys, xs = np.mgrid[0:height, 0:width]
    return np.stack([OFFSET + STEP * xs, OFFSET + STEP * ys, np.full_like(xs, 255)], axis=-1).astype(np.uint8)


def marker_masks(height: int = HEIGHT, width: int = WIDTH) -> np.ndarray:
    """Three asymmetric instance masks (rectangle, disc, triangle), bool HxWx3.

    Args:
        height, width: mask size in pixels, as the marker image's.
    """
    ys, xs = np.mgrid[0:height, 0:width]
    rectangle = (xs >= width // 10) & (xs < width // 2) & (ys >= height // 12) & (ys < height // 2)
    disc = (xs - 0.7 * width) ** 2 + (ys - 0.6 * height) ** 2 <= (0.18 * min(height, width)) ** 2
    triangle = (ys > 0.55 * height) & (xs < 0.45 * width) & (xs > (height - ys) * 0.5)
    return np.stack([rectangle, disc, triangle], axis=-1)


def decode(image: np.ndarray, height: int = HEIGHT,
           width: int = WIDTH) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(valid, exact, source_y, source_x) per output pixel.

    ``valid`` where the colour spells a source pixel (rounded); ``exact`` where it spells one
    exactly, i.e. the pixel was copied or resampled within 1/(2*STEP) pixel of a source pixel.

    Args:
        image: an augmented marker image, uint8 [h, w, 3] of any size.
        height, width: size of the source marker image; positions outside it are not valid.

    Returns:
        Four [h, w] arrays: bool ``valid`` and ``exact``, int64 source row and column (0 where not valid).
    """
    red, green, blue = (image[..., c].astype(np.int64) for c in range(3))
    source_x = np.rint((red - OFFSET) / STEP).astype(np.int64)
    source_y = np.rint((green - OFFSET) / STEP).astype(np.int64)
    valid = (blue == 255) & (source_x >= 0) & (source_x < width) & (source_y >= 0) & (source_y < height)
    exact = valid & ((red - OFFSET) % STEP == 0) & ((green - OFFSET) % STEP == 0)
    return valid, exact, np.where(valid, source_y, 0), np.where(valid, source_x, 0)


def stable(masks: np.ndarray, radius: int = 1) -> np.ndarray:
    """Per pixel and mask: True where every pixel within ``radius`` has the same mask value.

    Args:
        masks: bool HxWxN masks.
        radius: Chebyshev radius of the neighbourhood in pixels; the edge counts as repeated.

    Returns:
        bool array of the shape of ``masks``.
    """
    padded = np.pad(masks, ((radius, radius), (radius, radius), (0, 0)), mode="edge")
    height, width = masks.shape[:2]
    same = np.ones(masks.shape, dtype=bool)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            same &= padded[dy:dy + height, dx:dx + width] == masks
    return same
