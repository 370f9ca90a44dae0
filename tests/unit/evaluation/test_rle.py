"""rle_areas: pycocotools' area for any number of RLEs (it overflows on more than 255 in one call)."""

from __future__ import annotations

import numpy as np
from pycocotools import mask as mask_utils

from maskkit.evaluation.coco_format import encode_masks
from maskkit.evaluation.rle import RLE_CHUNK, rle_areas
from tests.helpers_crowded import crowded_masks


def test_areas_of_600_rles_in_one_call_are_their_pixel_counts():
    masks = crowded_masks()
    masks[:40, :40, 7] = True  # one bigger instance, so the areas are not all alike
    areas = rle_areas(encode_masks(masks))
    assert areas.dtype == np.int64
    np.testing.assert_array_equal(areas, masks.sum(axis=(0, 1)))


def test_a_list_pycocotools_counts_in_one_call_gives_its_numbers():
    rles = encode_masks(crowded_masks(RLE_CHUNK))
    np.testing.assert_array_equal(rle_areas(rles), mask_utils.area(rles))


def test_no_rles_give_no_areas():
    assert rle_areas([]).shape == (0,)
