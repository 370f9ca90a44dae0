"""header_channels reads the channel count from PNG and JPEG headers without decoding."""

from __future__ import annotations

import cv2
import numpy as np

from maskkit.data_check.imagefile import header_channels
from tests.helpers_data_check import write_png


def test_header_channels_reads_png_and_jpeg(tmp_path):
    cv2.imwrite(str(tmp_path / "g.jpg"), np.zeros((8, 8), np.uint8))
    cv2.imwrite(str(tmp_path / "c.jpg"), np.zeros((8, 8, 3), np.uint8))
    assert header_channels(write_png(tmp_path / "a.png", 4)) == 4
    assert header_channels(tmp_path / "g.jpg") == 1 and header_channels(tmp_path / "c.jpg") == 3
    assert header_channels(tmp_path / "nope.png") is None
