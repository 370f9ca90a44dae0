"""Reading and writing image files with OpenCV, always RGB uint8 in memory."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from maskkit.errors import DatasetError


def to_rgb_uint8(image: np.ndarray, stretch: bool = False) -> np.ndarray:
    """Convert grayscale, RGBA, bool and 16-bit/float images to RGB uint8 HxWx3.

    By default uint16 is scaled by 1/257 and other types are clipped to 0-255, as image files are
    read. ``stretch=True`` is for showing arrays that are not pictures (masks, scores, feature maps):
    bool becomes 0/255 and other non-uint8 data is min-max scaled over its finite values.
    """
    import cv2

    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[:, :, :3]
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise ValueError(f"expected an [H, W] or [H, W, 1|3|4] image, got shape {image.shape}")
    if image.dtype == np.bool_ and stretch:
        image = image.astype(np.uint8) * 255
    elif image.dtype != np.uint8 and stretch:
        image = _stretch(image)
    elif image.dtype == np.uint16:
        image = (image / 257.0).round().astype(np.uint8)
    elif image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    return np.ascontiguousarray(image)


def _stretch(values: np.ndarray) -> np.ndarray:
    """Min-max scale the finite values to 0-255 uint8; non-finite ones and constant arrays become 0."""
    f = values.astype(np.float64)
    finite = np.isfinite(f)
    if not finite.any():
        return np.zeros(f.shape, np.uint8)
    lo, hi = f[finite].min(), f[finite].max()
    f = np.where(finite, f, lo)
    f = (f - lo) / (hi - lo) * 255.0 if hi > lo else np.zeros_like(f)
    return np.clip(np.rint(f), 0, 255).astype(np.uint8)


class UnreadableImage(DatasetError):
    """An image file is missing or cannot be decoded; the message names the file."""


def decode_file(path: str | os.PathLike) -> np.ndarray:
    """The image in ``path`` exactly as OpenCV decodes it (BGR/BGRA order, stored depth and channels).

    The one place maskkit decodes image files; raises UnreadableImage if the file is missing or corrupt.
    """
    import cv2

    path = Path(path)
    if not path.is_file():
        raise UnreadableImage(f"image file not found: {path}")
    data = np.fromfile(str(path), dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if image is None:
        raise UnreadableImage(f"cannot decode image file {path} (corrupt or not an image)")
    return image


def read_image_rgb(path: str | os.PathLike, who: str | None = None) -> np.ndarray:
    """Read an image file as RGB uint8; a missing or undecodable file raises DatasetError naming ``who``."""
    import cv2

    try:
        image = decode_file(path)
    except UnreadableImage as exc:
        raise DatasetError(f"{who or path}: {exc}") from None
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)
    elif image.ndim == 3 and image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return to_rgb_uint8(image)


def write_image_rgb(path: str | os.PathLike, image: np.ndarray) -> None:
    """Write an RGB (or grayscale) uint8 image as PNG/JPEG by extension, atomically."""
    import cv2

    from maskkit.atomic_files import atomic_write_bytes

    path = Path(path)
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else image
    ok, buf = cv2.imencode(path.suffix or ".png", bgr)
    if not ok:
        raise OSError(f"cannot encode image for {path}")
    atomic_write_bytes(path, buf.tobytes())
