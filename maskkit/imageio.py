"""Reading and writing image files with OpenCV, always RGB uint8 in memory."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from maskkit.errors import DatasetError


def to_rgb_uint8(image: np.ndarray) -> np.ndarray:
    """Convert grayscale, RGBA and 16-bit/float images to RGB uint8 HxWx3."""
    import cv2

    if image.dtype == np.uint16:
        image = (image / 257.0).round().astype(np.uint8)
    elif image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 1:
        return cv2.cvtColor(image[:, :, 0], cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return np.ascontiguousarray(image[:, :, :3])
    return image


def read_image_rgb(path: str | os.PathLike, who: str | None = None) -> np.ndarray:
    """Read an image file as RGB uint8; a missing or undecodable file raises DatasetError."""
    import cv2

    who = who or str(path)
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{who}: image file not found: {path}")
    data = np.fromfile(str(path), dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if image is None:
        raise DatasetError(f"{who}: cannot decode image file {path} (corrupt or not an image)")
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)
    elif image.ndim == 3 and image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return to_rgb_uint8(image)


def write_image_rgb(path: str | os.PathLike, image: np.ndarray) -> None:
    """Write an RGB (or grayscale) uint8 image as PNG/JPEG by extension, atomically."""
    import cv2

    from maskkit.io import atomic_write_bytes

    path = Path(path)
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else image
    ok, buf = cv2.imencode(path.suffix or ".png", bgr)
    if not ok:
        raise OSError(f"cannot encode image for {path}")
    atomic_write_bytes(path, buf.tobytes())
