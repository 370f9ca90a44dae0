"""Augmenters keep image/mask alignment, colour ones leave masks alone, all are seeded; contract checks."""

from __future__ import annotations

import numpy as np
import pytest

import maskkit
from maskkit.augment import Augmenter, Compose, OneOf, Sometimes, build_augmenters, check_augmenter_contract
from maskkit.errors import PluginError, UnknownNameError
from tests.helpers import registered

BUILTINS = ("fliplr", "flipud", "rot90", "scale_crop", "rotate", "brightness_contrast", "gaussian_blur")
GEOMETRIC = {"fliplr": {"p": 1.0}, "flipud": {"p": 1.0}, "rot90": {}, "scale_crop": {"scale": (1.25, 1.25)},
             "rotate": {"max_angle": 12.0}}


def marker(height: int = 64, width: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """A black image with two white, asymmetric blocks; each block is one instance mask."""
    image = np.zeros((height, width, 3), dtype=np.uint8)
    masks = np.zeros((height, width, 2), dtype=bool)
    masks[10:22, 30:52, 0] = True
    masks[34:50, 12:20, 1] = True
    image[masks.any(axis=2)] = 255
    return image, masks


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


def test_build_augmenters_parses_names_probabilities_and_objects():
    composed = build_augmenters("fliplr, rot90,gaussian_blur@0.3")
    assert isinstance(composed, Compose) and len(composed) == 3
    assert isinstance(composed.augmenters[2], Sometimes) and composed.augmenters[2].p == 0.3
    assert composed.targets == "both"
    assert build_augmenters("brightness_contrast").targets == "image"
    assert len(build_augmenters(None)) == 0 and len(build_augmenters("")) == 0
    flip = maskkit.augmenters.create("flipud")
    assert build_augmenters([flip, "fliplr"]).augmenters[0] is flip
    with pytest.raises(UnknownNameError, match="fliplr"):
        build_augmenters("nosuch")


def test_combinators_apply_children_by_the_rng():
    image, masks = marker()
    never = Sometimes(0.0, maskkit.augmenters.create("fliplr", p=1.0))
    assert never(image, masks, np.random.default_rng(0))[0] is image
    one = OneOf([maskkit.augmenters.create("fliplr", p=1.0), maskkit.augmenters.create("flipud", p=1.0)])
    outputs = {one(image, masks, np.random.default_rng(s))[1].tobytes() for s in range(8)}
    assert len(outputs) == 2


class Invert(Augmenter):
    """Invert pixel values; reads and changes the image only."""

    targets = "image"

    def __call__(self, image, masks, rng):
        return 255 - image, masks


class NoTargets(Augmenter):
    """Declares no targets."""

    def __call__(self, image, masks, rng):
        return image, masks


class NoDoc(Augmenter):
    targets = "both"

    def __call__(self, image, masks, rng):
        return image, masks


def test_contract_rejects_non_augmenters_missing_targets_and_missing_docstrings():
    check_augmenter_contract(Invert(), where="test")
    with pytest.raises(PluginError, match="not a maskkit.Augmenter"):
        check_augmenter_contract(lambda image, masks, rng: (image, masks), where="test")
    with pytest.raises(PluginError, match="targets"):
        check_augmenter_contract(NoTargets(), where="test")
    with pytest.raises(PluginError, match="docstring"):
        check_augmenter_contract(NoDoc(), where="augmenter 'nodoc'")


def test_third_party_augmenter_registers_like_builtins():
    with registered("augmenter", "invert", Invert):
        composed = build_augmenters("fliplr,invert")
        image, masks = marker()
        out, _ = composed(image, masks, np.random.default_rng(0))
        assert out.max() == 255 and out.min() == 0
    with registered("augmenter", "nodoc", NoDoc):
        with pytest.raises(PluginError, match="nodoc"):
            build_augmenters("nodoc")


class SneakyShift(Augmenter):
    """Claims to be colour-only but shifts the masks."""

    targets = "image"

    def __call__(self, image, masks, rng):
        return image, np.roll(masks, 1, axis=0)


def test_a_colour_augmenter_that_moves_masks_is_caught():
    image, masks = marker()
    with pytest.raises(PluginError, match="SneakyShift"):
        Compose([SneakyShift()])(image, masks, np.random.default_rng(0))
