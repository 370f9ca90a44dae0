"""The conformance kit: built-in plugins pass it, each deliberately broken plugin fails with a clear message."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

import maskkit
from maskkit import MaskkitError, plugins
from maskkit.augment.base import Augmenter
from maskkit.testing import ConformanceError, check_augmenter, check_backbone, check_dataset
from tests import broken_plugins
from tests.helpers import ArrayDataset


@pytest.fixture
def broken():
    """The broken plugin, registered in this process only."""
    plugins.register_plugin(broken_plugins, name="broken")
    yield
    plugins.unregister_plugin("broken")


def failure(check, *args, **kwargs) -> str:
    with pytest.raises(ConformanceError) as info:
        check(*args, **kwargs)
    return str(info.value)


def test_importing_the_kit_does_not_import_tensorflow():
    code = "import sys, maskkit.testing; sys.exit('tensorflow' in sys.modules or 'keras' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_conformance_error_is_an_assertion_and_a_maskkit_error():
    error = ConformanceError("dataset 'x'", ["first problem", "second problem"])
    assert isinstance(error, AssertionError) and isinstance(error, MaskkitError)
    assert str(error) == "dataset 'x' fails 2 conformance checks:\n  - first problem\n  - second problem"


def test_shapes_dataset_conforms():
    dataset = check_dataset("shapes", count=6, height=64, width=64)
    assert len(dataset.image_info) == 6


def test_coco_dataset_conforms(tmp_path):
    from tests.helpers_coco import build_coco

    files = build_coco(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_dataset("coco", annotations=str(files.annotations), images=str(files.images))


def test_baseline_of_the_broken_plugin_conforms():
    check_dataset(broken_plugins.SquaresDataset, count=3)


def test_sample_none_checks_every_image():
    images = [np.zeros((16, 16, 3), np.uint8)] * 20
    masks = [np.ones((16, 16, 1), bool)] * 20
    masks[5] = np.ones((16, 16, 1), np.uint8)
    dataset = ArrayDataset(images, masks, [np.array([1], np.int32)] * 20)
    check_dataset(dataset, sample=3)
    assert "image 5 " in failure(check_dataset, dataset, sample=None)


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


def test_tiny_resnet_fpn_backbone_conforms():
    backbone = check_backbone("tiny", widths=(8, 8, 16, 16), image_size=64, pyramid_size=16)
    assert backbone.output_strides() == (4, 8, 16, 32, 64)


@pytest.mark.parametrize("name, expected", [
    ("broken_float_masks", "load_mask returned masks of dtype float32; they must be bool [4 of 4 sampled images]"),
    ("broken_mask_count", "load_mask returned 1 masks but 2 class ids (N must match)"),
    ("broken_random", "load_image returned different data for the same image id on a second call"),
])
def test_broken_dataset_fails_naming_the_problem(broken, name, expected):
    message = failure(check_dataset, name)
    assert message.startswith(f"dataset {name!r} (plugin 'broken') fails 1 conformance check:")
    assert expected in message
    assert "image 0 (source id 0, square 0)" in message


def test_dataset_with_unknown_class_ids_and_wrong_mask_size_fails():
    image = np.zeros((16, 16, 3), dtype=np.uint8)
    dataset = ArrayDataset([image, image], [np.ones((16, 16, 1), bool), np.ones((8, 16, 1), bool)],
                           [np.array([5], np.int32), np.array([1], np.int32)])
    message = failure(check_dataset, dataset)
    assert "image 0" in message and "class ids [5] are not classes of the dataset (1..2" in message
    assert "image 1" in message and "mask size (8, 16) differs from image size (16, 16)" in message


def test_dataset_must_return_uint8_rgb_images():
    dataset = ArrayDataset([np.zeros((16, 16), np.uint8)], [np.ones((16, 16, 1), bool)], [np.array([1], np.int32)])
    assert "load_image returned shape (16, 16) dtype uint8; it must be uint8 HxWx3" in failure(check_dataset, dataset)


def test_unknown_dataset_name_is_a_conformance_error():
    assert "cannot be looked up: unknown dataset 'no_such_dataset'" in failure(check_dataset, "no_such_dataset")


@pytest.mark.parametrize("name, expected", [
    ("broken_flip_image_only", "masks do not move with the pixels"),
    ("broken_colour_masks", "colour augmenter (targets='image') changed"),
    ("broken_unseeded", "the same seed gave a different result on a second call"),
])
def test_broken_augmenter_fails_naming_the_problem(broken, name, expected):
    message = failure(check_augmenter, name)
    assert message.startswith(f"augmenter {name!r} (plugin 'broken') fails")
    assert expected in message and "seed 0 on the marker image" in message


class Undocumented(Augmenter):
    targets = "image"

    def __call__(self, image, masks, rng):
        return image, masks


class NoTargets(Augmenter):
    """Declares no targets."""

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
    (NoTargets(), "targets must be 'image'"),
    (FloatMasks(), "returned masks of dtype float32 shape (48, 64, 3); they must be bool HxWxN"),
    (InPlace(), "modified its input arrays in place"),
])
def test_augmenter_contract_violations_are_reported(augmenter, expected):
    assert expected in failure(check_augmenter, augmenter)


def test_broken_backbone_fails_naming_the_strides(broken):
    message = failure(check_backbone, "broken_strides")
    assert message.startswith("backbone 'broken_strides' (plugin 'broken') fails 5 conformance checks")
    assert "P2 has shape (1, 32, 32, 32) for a 64x64 input; stride 4" in message


def test_a_tiny_mask_rcnn_builds_on_the_tiny_backbone():
    check_backbone("tiny", widths=(8, 8, 16, 16), pyramid_size=16, build_model=True)


class StaticOnlyBackbone(broken_plugins.WrongStrideBackbone):
    """Broken: reshapes with the input's static size, which the model leaves unknown."""

    def build(self, images, config):
        import keras

        side = images.shape[1]
        x = keras.layers.Reshape((side * side * 3,))(images)
        return [x] * 5


def test_backbone_that_needs_a_static_input_size_fails():
    assert "build(images, config) raised" in failure(check_backbone, StaticOnlyBackbone())
