"""JPEG files carrying an EXIF Orientation tag, written with OpenCV and a hand-made APP1 segment."""

from __future__ import annotations

import struct
from pathlib import Path

import cv2
import numpy as np


def exif_segment(orientation: int, byte_order: str = ">") -> bytes:
    """An APP1 ``Exif`` segment whose first directory holds only the Orientation tag (0x0112, SHORT)."""
    mark = b"MM" if byte_order == ">" else b"II"
    entry = struct.pack(byte_order + "HHIH2x", 0x0112, 3, 1, orientation)
    tiff = mark + struct.pack(byte_order + "HI", 42, 8) + struct.pack(byte_order + "H", 1) + entry + b"\0\0\0\0"
    payload = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def write_exif_jpeg(path: Path, image_bgr: np.ndarray, orientation: int, byte_order: str = ">") -> Path:
    """Write ``image_bgr`` as a (high quality) JPEG whose EXIF says ``orientation``; returns ``path``."""
    ok, buf = cv2.imencode(".jpg", image_bgr, [cv2.IMWRITE_JPEG_QUALITY, 100])
    assert ok
    data = buf.tobytes()
    Path(path).write_bytes(data[:2] + exif_segment(orientation, byte_order) + data[2:])
    return Path(path)


def asymmetric_image(height: int = 48, width: int = 80) -> np.ndarray:
    """A BGR picture with no symmetry: a bright block near the top-left corner, a grey ramp across."""
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[:, :, 1] = np.linspace(0, 200, width, dtype=np.uint8)[None, :]
    image[4:16, 6:30] = 255
    return image
