"""The Augmenter contract catches non-augmenters, missing targets or docstrings and mask-moving colour changes."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.augment import Augmenter, Compose, build_augmenters, check_augmenter_contract
from maskkit.errors import PluginError
from tests import broken_plugins
from tests.helpers import marker, registered


class Invert(Augmenter):
    """Invert pixel values; reads and changes the image only."""

    targets = "image"

    def __call__(self, image, masks, rng):
        return 255 - image, masks


class NoDoc(Augmenter):
    targets = "both"

    def __call__(self, image, masks, rng):
        return image, masks


def test_contract_rejects_non_augmenters_missing_targets_and_missing_docstrings():
    check_augmenter_contract(Invert(), where="test")
    with pytest.raises(PluginError, match="not a maskkit.Augmenter"):
        check_augmenter_contract(lambda image, masks, rng: (image, masks), where="test")
    with pytest.raises(PluginError, match="targets"):
        check_augmenter_contract(broken_plugins.NoTargets(), where="test")
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
