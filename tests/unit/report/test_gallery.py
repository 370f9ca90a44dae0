"""The gallery's thumbnails (shrunk, never enlarged) and SVG outlines of masks."""

from __future__ import annotations

import numpy as np

from maskkit.evaluation.coco_format import encode_masks
from maskkit.report.gallery import outline, thumbnail


def test_thumbnails_shrink_the_longer_side_only():
    big = np.zeros((300, 600, 3), dtype=np.uint8)
    assert thumbnail(big, side=256).shape == (128, 256, 3)
    assert thumbnail(np.zeros((20, 30, 3), dtype=np.uint8), side=256).shape == (20, 30, 3)
    assert thumbnail(np.zeros((10, 4), dtype=np.uint8)).shape == (10, 4, 3)


def test_a_square_mask_outlines_as_its_four_corners():
    mask = np.zeros((40, 40, 1), dtype=bool)
    mask[10:20, 5:25] = True
    path = outline(encode_masks(mask)[0], [5, 10, 20, 10], tolerance=1.0)
    assert path.startswith("M") and path.endswith("Z") and path.count("Z") == 1
    numbers = [int(v) for v in path[1:-1].split()]
    assert set(zip(numbers[::2], numbers[1::2])) == {(5, 10), (5, 19), (24, 19), (24, 10)}
