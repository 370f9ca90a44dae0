"""The molded image size: the smallest square where small objects stay big enough, capped.

Rule (square mode, IMAGE_MIN_DIM = IMAGE_MAX_DIM = S, so each image's longer side fills S x S):
start from the images' median longer side rounded up to a multiple of 64 (at least 128: P6 is
1/64 of the image), i.e. keep the native resolution; on a CPU start from 128 instead, since pixels
are training time there (a step's cost grows with them, and a short budget buys more steps at a
smaller size). While the 5th-percentile object side (square root of the box area) after resizing
stays under 16 px, grow S by 64, since the smallest anchors (stride 4) and the 7x7 ROI pooling
lose objects smaller than that; never beyond ``cap``, the largest size the machine trains at a
sensible speed and memory. Images larger than the cap shrink to it.
"""

from __future__ import annotations

import numpy as np

from maskkit.planning.geometry import resize_geometry
from maskkit.planning.stats import box_sides

MIN_OBJECT_SIDE = 16.0
SIDE_PERCENTILE = 5
SIZE_STEP = 64
SMALLEST_SIZE = 128


def round_up(value: float, step: int) -> int:
    """The smallest multiple of ``step`` that is >= ``value``."""
    return int(-(-int(np.ceil(value)) // step) * step)


def small_object_side(image_hw: np.ndarray, boxes: np.ndarray, image_index: np.ndarray, size: int) -> float:
    """The 5th-percentile object side, in pixels, once the images are molded to ``size`` x ``size``.

    Args:
        image_hw: int [I, 2] original image sizes.
        boxes: [N, 4] object boxes in original pixels; at least one.
        image_index: int [N], the image of each box.
        size: the square side S of the molded images.
    """
    scale = resize_geometry(image_hw, "square", size, size).scale
    return float(np.percentile(box_sides(boxes) * scale[np.asarray(image_index, dtype=np.int64)], SIDE_PERCENTILE))


def plan_image_size(image_hw: np.ndarray, boxes: np.ndarray, image_index: np.ndarray, cap: int,
                    smallest_first: bool = False) -> tuple[int, str]:
    """The square side S for IMAGE_MIN_DIM and IMAGE_MAX_DIM, and why (the module's rule).

    Args:
        image_hw: int [I, 2] original image sizes.
        boxes: [N, 4] object boxes (crowds left out) in original pixels.
        image_index: int [N], the image of each box.
        cap: the largest S allowed, a multiple of 64.
        smallest_first: start the search at 128 px rather than at the native size (training on a CPU).

    Returns:
        (S, a one-line reason).
    """
    native = float(np.median(np.asarray(image_hw).reshape(-1, 2).max(axis=1)))
    native_start = min(max(round_up(native, SIZE_STEP), SMALLEST_SIZE), cap)
    if not len(boxes):
        return native_start, f"images' median longer side {native:.0f} px (no objects to size for)"
    start = min(SMALLEST_SIZE, cap) if smallest_first else native_start
    size = start
    while size < cap and small_object_side(image_hw, boxes, image_index, size) < MIN_OBJECT_SIDE:
        size += SIZE_STEP
    side = small_object_side(image_hw, boxes, image_index, size)
    reason = f"median image side {native:.0f} px"
    if smallest_first:
        reason += (f"; on a CPU the smallest square where the p{SIDE_PERCENTILE} object side reaches "
                   f"{MIN_OBJECT_SIDE:.0f} px ({side:.1f} px): fewer pixels, more steps")
    elif size > start:
        reason += f", enlarged so small objects grow: p{SIDE_PERCENTILE} object side {side:.1f} px"
    else:
        reason += f"; p{SIDE_PERCENTILE} object side {side:.1f} px"
    if side < MIN_OBJECT_SIDE and size == cap:
        reason += f" (under {MIN_OBJECT_SIDE:.0f}: capped at {cap} for this machine)"
    elif native > cap and not smallest_first:
        reason += f" (images shrink to this machine's cap {cap})"
    return size, reason
