"""Image files: RGB written and read back unchanged, unreadable files named, pictures converted to uint8 RGB,
EXIF orientation applied."""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np
import pytest

from maskkit.imageio import (decode_with_orientation, exif_orientation, read_image_rgb, to_rgb_uint8,
                             write_image_rgb)
from tests.helpers_exif import asymmetric_image, exif_segment, write_exif_jpeg


def test_an_rgb_png_round_trips_in_rgb_order(tmp_path):
    image = np.zeros((6, 8, 3), dtype=np.uint8)
    image[..., 0] = 200  # red: a BGR mix-up would show it in the last channel
    image[2:4, 3:5] = [10, 120, 250]
    write_image_rgb(tmp_path / "a.png", image)
    np.testing.assert_array_equal(read_image_rgb(tmp_path / "a.png"), image)


def test_a_missing_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(Exception, match="nope.png"):
        read_image_rgb(tmp_path / "nope.png")


def test_grey_pictures_become_three_channel_uint8():
    rgb = to_rgb_uint8(np.full((4, 5), 7, dtype=np.uint8))
    assert rgb.shape == (4, 5, 3) and rgb.dtype == np.uint8 and (rgb == 7).all()


def test_a_jpeg_with_orientation_6_is_read_upright(tmp_path):
    stored = asymmetric_image(48, 80)
    path = write_exif_jpeg(tmp_path / "phone.jpg", stored, 6)
    image = read_image_rgb(path)
    assert image.shape == (80, 48, 3)  # turned 90 degrees clockwise, as a photo viewer shows it
    upright = cv2.cvtColor(np.rot90(stored, k=-1), cv2.COLOR_BGR2RGB)
    assert np.abs(image.astype(int) - upright).mean() < 2  # JPEG noise only
    assert image[6:30, 32:44].min() > 200  # the bright block, top-right once turned


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("byte_order", ["<", ">"])
def test_every_orientation_gives_what_opencv_imread_shows(tmp_path, orientation, byte_order):
    path = write_exif_jpeg(tmp_path / "a.jpg", asymmetric_image(), orientation, byte_order)
    image, found = decode_with_orientation(path)
    assert found == orientation
    np.testing.assert_array_equal(image, cv2.imread(str(path), cv2.IMREAD_COLOR))


def test_a_png_exif_chunk_is_read_and_files_without_exif_are_as_stored(tmp_path):
    ok, buf = cv2.imencode(".png", asymmetric_image())
    png = buf.tobytes()
    tiff = exif_segment(8)[10:]
    chunk = struct.pack(">I", len(tiff)) + b"eXIf" + tiff + struct.pack(">I", zlib.crc32(b"eXIf" + tiff))
    assert exif_orientation(png[:33] + chunk + png[33:]) == 8
    assert exif_orientation(png) == 1
    ok, jpeg = cv2.imencode(".jpg", asymmetric_image())
    assert exif_orientation(jpeg.tobytes()) == 1
    assert exif_orientation(b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00") == 1  # truncated: as stored
    assert exif_orientation(b"GIF89a") == 1
