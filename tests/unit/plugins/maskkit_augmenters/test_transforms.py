"""The built-in augmenters keep image/mask alignment, colour ones leave masks alone, all are seeded."""

from __future__ import annotations

import numpy as np
import pytest

import maskkit
from tests.helpers import marker


BUILTINS = ("fliplr", "flipud", "rot90", "scale_crop", "rotate", "brightness_contrast", "gaussian_blur")


GEOMETRIC = {"fliplr": {"p": 1.0}, "flipud": {"p": 1.0}, "rot90": {}, "scale_crop": {"scale": (1.25, 1.25)},
             "rotate": {"max_angle": 12.0}}


def test_every_builtin_is_registered_and_passes_the_contract():
    assert set(BUILTINS) <= set(maskkit.augmenters.names())
    for name in BUILTINS:
        aug = maskkit.augmenters.create(name)
        assert aug.targets == ("both" if name in GEOMETRIC else "image")


@pytest.mark.parametrize("name", sorted(GEOMETRIC))
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_geometric_augmenters_move_mask_pixels_with_image_pixels(name, seed):
    image, masks = marker()
    aug = maskkit.augmenters.create(name, **GEOMETRIC[name])
    out_image, out_masks = aug(image, masks, np.random.default_rng(seed))
    assert out_masks.dtype == bool and out_masks.shape == out_image.shape[:2] + (2,)
    bright = out_image[:, :, 0] > 127
    union = out_masks.any(axis=2)
    if name in ("fliplr", "flipud", "rot90"):
        np.testing.assert_array_equal(bright, union)
    else:
        iou = (bright & union).sum() / (bright | union).sum()
        assert iou > 0.9, f"{name}: image and masks disagree (IoU {iou:.3f})"
    for i in range(2):
        ys, xs = np.nonzero(out_masks[:, :, i])
        assert ys.size, f"{name}: instance {i} vanished"
        assert bright[ys, xs].mean() > 0.9


def test_flip_and_rot90_move_pixels_where_expected():
    image, masks = marker()
    flipped_image, flipped = maskkit.augmenters.create("fliplr", p=1.0)(image, masks, np.random.default_rng(0))
    np.testing.assert_array_equal(flipped[:, ::-1], masks)
    np.testing.assert_array_equal(flipped_image[:, ::-1], image)
    turned_image, turned = maskkit.augmenters.create("rot90")(image, masks, np.random.default_rng(0))
    k = int(np.random.default_rng(0).integers(4))
    np.testing.assert_array_equal(turned, np.rot90(masks, k, axes=(0, 1)))
    assert turned_image.shape[:2] == turned.shape[:2]


@pytest.mark.parametrize("name", ["brightness_contrast", "gaussian_blur"])
def test_colour_augmenters_change_pixels_but_not_masks(name):
    image, masks = marker()
    image = image // 2 + 40
    aug = maskkit.augmenters.create(name)
    changed = False
    for seed in range(5):
        out_image, out_masks = aug(image, masks, np.random.default_rng(seed))
        np.testing.assert_array_equal(out_masks, masks)
        assert out_image.shape == image.shape and out_image.dtype == np.uint8
        changed |= not np.array_equal(out_image, image)
    assert changed


@pytest.mark.parametrize("name", BUILTINS)
def test_builtins_are_deterministic_for_a_seed_and_leave_inputs_alone(name):
    image, masks = marker()
    before = image.copy(), masks.copy()
    aug = maskkit.augmenters.create(name)
    first = aug(image, masks, np.random.default_rng(7))
    second = aug(image, masks, np.random.default_rng(7))
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    np.testing.assert_array_equal(image, before[0])
    np.testing.assert_array_equal(masks, before[1])
