"""Image files as stored: size, channel count and EXIF orientation before maskkit converts them to RGB.

A file is decoded once by ``maskkit.imageio`` (OpenCV releases the GIL, so threads read in parallel);
for datasets with their own ``load_image`` only the PNG/JPEG header is read to learn the channels.
"""

from __future__ import annotations

import os
import struct

from maskkit import imageio

#: PNG colour type -> channels as stored.
PNG_CHANNELS = {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}
JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def decode_file(path: str | os.PathLike) -> tuple[int, int, int, int]:
    """(height, width, channels, EXIF orientation) of the decoded file, upright as maskkit loads it;
    ``imageio.UnreadableImage`` if it is missing or corrupt.

    Args:
        path: the image file.
    """
    image, orientation = imageio.decode_with_orientation(path)
    channels = 1 if image.ndim == 2 else int(image.shape[2])
    return int(image.shape[0]), int(image.shape[1]), channels, orientation


def file_orientation(path: str | os.PathLike) -> int:
    """The EXIF orientation of a file from its first bytes; 1 when it has none or cannot be read.

    Args:
        path: the image file.
    """
    try:
        with open(path, "rb") as handle:
            return imageio.exif_orientation(handle.read(imageio.HEADER_BYTES))
    except OSError:
        return 1


def header_channels(path: str | os.PathLike) -> int | None:
    """Channels stored in a PNG or JPEG file, from its header; None for other or unreadable files.

    Args:
        path: the image file.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError:
        return None
    if head[:8] == b"\x89PNG\r\n\x1a\n" and len(head) >= 26 and head[12:16] == b"IHDR":
        return PNG_CHANNELS.get(head[25])
    if head[:2] == b"\xff\xd8":
        return jpeg_channels(head)
    return None


def jpeg_channels(head: bytes) -> int | None:
    """Component count of the first start-of-frame segment in the JPEG bytes ``head``."""
    pos = 2
    while pos + 4 <= len(head):
        if head[pos] != 0xFF:
            return None
        marker = head[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        (length,) = struct.unpack(">H", head[pos + 2:pos + 4])
        if marker in JPEG_SOF:
            return head[pos + 9] if pos + 9 < len(head) else None
        pos += 2 + length
    return None
