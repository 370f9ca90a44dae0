"""check_augmenter: the stock augmenters pass, even at strong settings; broken ones fail naming the problem."""

from __future__ import annotations

import numpy as np
import pytest

import maskkit
from maskkit.augment.base import Augmenter
from maskkit.testing import check_augmenter
from tests import broken_plugins
from tests.helpers import conformance_failure


BUILTIN_AUGMENTERS = sorted(name for name, entry in maskkit.augmenters.entries().items()
                            if entry.plugin == "augmenters")


def test_every_stock_augmenter_is_checked():
    assert {"fliplr", "flipud", "rot90", "scale_crop", "rotate", "brightness_contrast",
            "gaussian_blur"} <= set(BUILTIN_AUGMENTERS)


@pytest.mark.parametrize("name", BUILTIN_AUGMENTERS)
def test_builtin_augmenter_conforms(name):
    check_augmenter(name)


@pytest.mark.parametrize("name, kwargs", [("fliplr", {"p": 1.0}), ("rotate", {"max_angle": 45.0}),
                                          ("scale_crop", {"scale": (0.8, 1.5)})])
def test_stock_geometric_augmenters_conform_at_strong_settings(name, kwargs):
    check_augmenter(name, seed=10, **kwargs)


@pytest.mark.parametrize("name, expected", [
    ("broken_flip_image_only", "masks do not move with the pixels"),
    ("broken_colour_masks", "colour augmenter (targets='image') changed"),
    ("broken_unseeded", "the same seed gave a different result on a second call"),
])
def test_broken_augmenter_fails_naming_the_problem(broken, name, expected):
    message = conformance_failure(check_augmenter, name)
    assert message.startswith(f"augmenter {name!r} (plugin 'broken') fails")
    assert expected in message and "seed 0 on the marker image" in message


class Undocumented(Augmenter):
    targets = "image"

    def __call__(self, image, masks, rng):
        return image, masks


class FloatMasks(Augmenter):
    """Returns masks as float (broken)."""

    targets = "both"

    def __call__(self, image, masks, rng):
        return image, masks.astype(np.float32)


class InPlace(Augmenter):
    """Inverts the image in place (broken)."""

    targets = "image"

    def __call__(self, image, masks, rng):
        np.subtract(255, image, out=image)
        return image, masks


@pytest.mark.parametrize("augmenter, expected", [
    (Undocumented(), "needs a docstring saying what it reads and changes"),
    (broken_plugins.NoTargets(), "targets must be 'image'"),
    (FloatMasks(), "returned masks of dtype float32 shape (48, 64, 3); they must be bool HxWxN"),
    (InPlace(), "modified its input arrays in place"),
])
def test_augmenter_contract_violations_are_reported(augmenter, expected):
    assert expected in conformance_failure(check_augmenter, augmenter)
