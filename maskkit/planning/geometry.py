"""Where images and their boxes land after resizing, computed from image sizes alone (no pixels).

Mirrors maskkit.utils.resize.resize_image's arithmetic, vectorised over images, so planning can
place every ground-truth box where training will see it without decoding or resizing a picture.
"""

from __future__ import annotations

import attrs
import numpy as np

from maskkit.config import Config


@attrs.frozen
class Geometry:
    """Per image: the scale, the (top, left) offset of the scaled image and the molded (height, width)."""

    scale: np.ndarray
    offset: np.ndarray
    shape: np.ndarray


def resize_geometry(image_hw: np.ndarray, mode: str, min_dim: int, max_dim: int,
                    min_scale: float = 0.0) -> Geometry:
    """resize_image's scale, padding offset and output shape for images of these sizes.

    ``crop`` mode crops at random, so it is given the scaled image uncropped (offset 0).

    Args:
        image_hw: int [I, 2] original (height, width) of each image.
        mode: IMAGE_RESIZE_MODE (none, square, pad64, crop).
        min_dim, max_dim, min_scale: IMAGE_MIN_DIM, IMAGE_MAX_DIM, IMAGE_MIN_SCALE.

    Returns:
        Geometry with scale float64 [I], offset int64 [I, 2] and shape int64 [I, 2].
    """
    hw = np.asarray(image_hw, dtype=np.int64).reshape(-1, 2)
    if mode == "none":
        return Geometry(np.ones(len(hw)), np.zeros_like(hw), hw.copy())
    scale = np.ones(len(hw))
    if min_dim:
        scale = np.maximum(1.0, min_dim / np.maximum(hw.min(axis=1), 1))
    if min_scale:
        scale = np.where(scale < min_scale, min_scale, scale)
    if max_dim and mode == "square":
        longest = np.maximum(hw.max(axis=1), 1)
        scale = np.where(np.round(longest * scale) > max_dim, max_dim / longest, scale)
    scaled = np.where(scale[:, None] != 1, np.round(hw * scale[:, None]), hw).astype(np.int64)
    if mode == "square":
        offset = (max_dim - scaled) // 2
        return Geometry(scale, offset, np.full_like(scaled, max_dim))
    if mode == "pad64":
        pad = (-scaled) % 64
        return Geometry(scale, pad // 2, scaled + pad)
    return Geometry(scale, np.zeros_like(scaled), scaled)


def config_geometry(image_hw: np.ndarray, config: Config) -> Geometry:
    """resize_geometry with the config's IMAGE_RESIZE_MODE, IMAGE_MIN_DIM, IMAGE_MAX_DIM and IMAGE_MIN_SCALE.

    Args:
        image_hw: int [I, 2] original image sizes.
        config: supplies the resize settings.
    """
    return resize_geometry(image_hw, config.IMAGE_RESIZE_MODE, config.IMAGE_MIN_DIM, config.IMAGE_MAX_DIM,
                           config.IMAGE_MIN_SCALE)


def place_boxes(boxes: np.ndarray, image_index: np.ndarray, geometry: Geometry) -> np.ndarray:
    """float64 [N, 4] boxes (y1, x1, y2, x2) moved from original pixels into their molded images.

    Args:
        boxes: [N, 4] boxes in original image pixels.
        image_index: int [N], the image (row of ``geometry``) each box belongs to.
        geometry: resize_geometry of the images.
    """
    index = np.asarray(image_index, dtype=np.int64)
    shift = np.tile(geometry.offset[index], 2)
    return np.asarray(boxes, dtype=np.float64).reshape(-1, 4) * geometry.scale[index, None] + shift
