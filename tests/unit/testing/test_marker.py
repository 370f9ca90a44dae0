"""The marker image spells each pixel's own coordinates, so a transform's pixel moves can be read back."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.testing.marker import HEIGHT, WIDTH, decode, marker_image, marker_masks, stable


def test_every_pixel_decodes_to_where_it_came_from_even_after_a_flip():
    image = marker_image()
    valid, exact, ys, xs = decode(image)
    assert valid.all() and exact.all()
    np.testing.assert_array_equal(ys, np.mgrid[0:HEIGHT, 0:WIDTH][0])
    _, _, _, flipped_xs = decode(image[:, ::-1])
    np.testing.assert_array_equal(flipped_xs[:, 0], WIDTH - 1)
    black = np.zeros_like(image)
    assert not decode(black)[0].any()


def test_masks_are_three_asymmetric_instances_and_stability_marks_their_edges():
    masks = marker_masks()
    assert masks.shape == (HEIGHT, WIDTH, 3) and masks.dtype == bool and masks.any(axis=(0, 1)).all()
    assert not np.array_equal(masks, masks[:, ::-1]) and not np.array_equal(masks, masks[::-1])
    steady = stable(masks)
    assert steady[0, 0].all()
    edge = np.argmax(masks[HEIGHT // 4, :, 0])
    assert not steady[HEIGHT // 4, edge, 0] and steady[HEIGHT // 4, edge + 3, 0]


def test_images_too_large_to_encode_are_refused():
    with pytest.raises(ValueError, match="at most 80 pixels"):
        marker_image(100, 100)
