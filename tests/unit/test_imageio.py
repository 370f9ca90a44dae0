"""Image files: RGB written and read back unchanged, unreadable files named, pictures converted to uint8 RGB."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.imageio import read_image_rgb, to_rgb_uint8, write_image_rgb


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
