"""Reading and writing image files with OpenCV, always RGB uint8 in memory.

One rule for EXIF orientation everywhere (training, detect, data check, the report): a file's
Orientation tag is applied on decoding, as photo viewers, PIL's ``exif_transpose`` and most
labelling tools do, so the pixels and the masks drawn on them are upright as a person saw them.
"""

from __future__ import annotations

import os
import struct
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
    """The image in ``path`` as OpenCV decodes it (BGR/BGRA order, stored depth and channels), turned
    upright by its EXIF orientation.

    The one place maskkit decodes image files; raises UnreadableImage if the file is missing or corrupt.
    """
    return decode_with_orientation(path)[0]


def decode_with_orientation(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """``decode_file``'s upright image and the EXIF orientation (1-8, 1: none) that was applied to it.

    Args:
        path: a PNG, JPEG or any other file OpenCV reads.

    Returns:
        (image as decode_file gives it, orientation); UnreadableImage if the file is missing or corrupt.
    """
    import cv2

    path = Path(path)
    if not path.is_file():
        raise UnreadableImage(f"image file not found: {path}")
    data = np.fromfile(str(path), dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if image is None:
        raise UnreadableImage(f"cannot decode image file {path} (corrupt or not an image)")
    orientation = exif_orientation(data[:HEADER_BYTES].tobytes())
    return apply_orientation(image, orientation), orientation


#: How much of a file is searched for its EXIF block (a JPEG APP1 segment is at most 64 KiB).
HEADER_BYTES = 1 << 17
ORIENTATION_TAG = 0x0112


def exif_orientation(head: bytes) -> int:
    """The EXIF Orientation (1-8) in the first bytes of a JPEG (APP1 segment) or PNG (eXIf chunk) file.

    OpenCV's IMREAD_UNCHANGED, which keeps alpha and 16-bit depth, ignores the tag, so it is read here.

    Args:
        head: the start of the file (``HEADER_BYTES`` is enough).

    Returns:
        The orientation, 1 (as stored) when the file has none or it is unreadable.
    """
    if head[:2] == b"\xff\xd8":
        tiff = _jpeg_exif(head)
    elif head[:8] == b"\x89PNG\r\n\x1a\n":
        tiff = _png_exif(head)
    else:
        tiff = None
    orientation = _tiff_orientation(tiff) if tiff else 1
    return orientation if 1 <= orientation <= 8 else 1


def _jpeg_exif(head: bytes) -> bytes | None:
    """The TIFF block of a JPEG's ``Exif`` APP1 segment, searched up to the start of the scan."""
    pos = 2
    while pos + 4 <= len(head) and head[pos] == 0xFF:
        marker = head[pos + 1]
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no metadata after this
            return None
        (length,) = struct.unpack(">H", head[pos + 2:pos + 4])
        if marker == 0xE1 and head[pos + 4:pos + 10] == b"Exif\x00\x00":
            return head[pos + 10:pos + 2 + length]
        pos += 2 + length
    return None


def _png_exif(head: bytes) -> bytes | None:
    """The TIFF block of a PNG's eXIf chunk, which must come before the image data."""
    pos = 8
    while pos + 8 <= len(head):
        length, kind = struct.unpack(">I4s", head[pos:pos + 8])
        if kind == b"eXIf":
            return head[pos + 8:pos + 8 + length]
        if kind in (b"IDAT", b"IEND"):
            return None
        pos += 12 + length
    return None


def _tiff_orientation(tiff: bytes) -> int:
    """The Orientation entry of a TIFF block's first directory (IFD0); 1 when it has none."""
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return 1
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    if ifd + 2 > len(tiff):
        return 1
    (count,) = struct.unpack(order + "H", tiff[ifd:ifd + 2])
    for entry in range(ifd + 2, min(ifd + 2 + 12 * count, len(tiff) - 11), 12):
        tag, kind = struct.unpack(order + "HH", tiff[entry:entry + 4])
        if tag == ORIENTATION_TAG and kind == 3:  # SHORT
            return struct.unpack(order + "H", tiff[entry + 8:entry + 10])[0]
    return 1


def apply_orientation(image: np.ndarray, orientation: int) -> np.ndarray:
    """``image`` ([H, W] or [H, W, C]) turned as EXIF ``orientation`` says, as PIL's ``exif_transpose``.

    2 mirrors left-right, 3 turns 180 degrees, 4 mirrors top-bottom, 5 transposes, 6 turns 90
    degrees clockwise, 7 transposes across the other diagonal, 8 turns 90 degrees anticlockwise;
    5-8 swap width and height. The result is a contiguous copy unless nothing changes.
    """
    if orientation in (5, 6, 7, 8):
        image = image.swapaxes(0, 1)
        orientation = {5: 1, 6: 2, 7: 3, 8: 4}[orientation]
    if orientation == 2:
        image = image[:, ::-1]
    elif orientation == 3:
        image = image[::-1, ::-1]
    elif orientation == 4:
        image = image[::-1]
    return np.ascontiguousarray(image)


def read_image_rgb(path: str | os.PathLike, who: str | None = None) -> np.ndarray:
    """Read an image file as RGB uint8; a missing or undecodable file raises DatasetError naming ``who``.

    Args:
        path: the image file.
        who: how the error message names the image; None for ``path``.

    Returns:
        uint8 [H, W, 3], upright by the file's EXIF orientation (grayscale, RGBA and 16-bit converted).
    """
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
    """Write an RGB (or grayscale) uint8 image as PNG/JPEG by extension, atomically.

    Args:
        path: the file to write; its extension picks the format (none: PNG bytes under that name).
        image: uint8 [H, W, 3] RGB or [H, W] grayscale.
    """
    import cv2

    from maskkit.atomic_files import atomic_write_bytes

    path = Path(path)
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else image
    ok, buf = cv2.imencode(path.suffix or ".png", bgr)
    if not ok:
        raise OSError(f"cannot encode image for {path}")
    atomic_write_bytes(path, buf.tobytes())
