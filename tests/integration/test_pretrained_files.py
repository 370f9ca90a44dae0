"""Fine-tuning from the well-known pretrained files, through ``maskkit train``, with stand-ins of
the same layout, layer names and shapes (random values: the real files are downloads).

- matterport's ``mask_rcnn_coco.h5``: ResNet-101 FPN, 81 classes, Keras 2 HDF5 with the nested
  ``rpn_model`` group; written from matterport's architecture (tests.helpers_weights), not from
  maskkit's model. Heads are fine-tuned with the class heads excluded, then the run is resumed
  with all layers.
- keras-applications' ResNet-50 "notop" file (``conv2_block1_1_conv`` ...) into ``--backbone resnet50``,
  and its ResNet-101 file into the resnet101 backbone.

Models are ResNets at 64x64 pixels (weight shapes do not depend on the image size) with the
default head sizes, trained for one epoch of two steps without validation, in float32 (mixed
precision only adds graph-building time here; the variables are float32 either way).
"""

from __future__ import annotations

import re
from pathlib import Path

import h5py
import numpy as np
import pytest

from maskkit.cli.main import cli
from maskkit.weights import CLASS_HEAD_LAYERS, matterport_resnet_name
from tests.helpers_weights import (keras_applications_resnet_layers, matterport_coco_layers, plausible_weights,
                                   write_keras2_layers)

pytestmark = pytest.mark.slow

SMALL = ["--dataset", "shapes", "--data", "count=2", "--data", "height=64", "--data", "width=64",
         "--val-data", "count=1", "--val-data", "height=64", "--val-data", "width=64",
         "--preset", "default", "--set", "IMAGE_MIN_DIM=64", "--set", "IMAGE_MAX_DIM=64",
         "--set", "IMAGES_PER_GPU=1", "--set", "STEPS_PER_EPOCH=2", "--set", "VALIDATION_STEPS=0",
         "--set", "TRAIN_ROIS_PER_IMAGE=32", "--set", "POST_NMS_ROIS_TRAINING=200",
         "--set", "MAX_GT_INSTANCES=10", "--set", "PRECISION=float32"]
EXCLUDE = [arg for layer in CLASS_HEAD_LAYERS for arg in ("--exclude", layer)]
#: Two SGD steps at the default learning rate with gradients clipped to norm 5 move no weight this far.
TWO_STEPS = 0.02


def invoke(*args: str):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def stored(path: Path) -> dict[str, dict[str, np.ndarray]]:
    """{layer: {short weight name: array}} of a Keras 2 file or a maskkit checkpoint (nested groups split)."""
    layers: dict[str, dict[str, np.ndarray]] = {}
    with h5py.File(path, "r") as handle:
        for name in handle.attrs["layer_names"]:
            group = handle[name.decode()]
            for weight in group.attrs.get("weight_names", []):
                weight = weight.decode()
                owner = weight.split("/")[-2] if "/" in weight else name.decode()
                layers.setdefault(owner, {})[re.sub(r":\d+$", "", weight.rsplit("/", 1)[-1])] = group[weight][()]
    return layers


def checkpoints(log_dir: Path) -> list[Path]:
    return sorted(log_dir.rglob("mask_rcnn_*_*.weights.h5"))


@pytest.fixture(scope="module")
def coco_file(tmp_path_factory) -> Path:
    """A stand-in of mask_rcnn_coco.h5 (257 MB like the real one)."""
    path = tmp_path_factory.mktemp("pretrained") / "mask_rcnn_coco.h5"
    write_keras2_layers(path, matterport_coco_layers(), plausible_weights(seed=0))
    return path


@pytest.fixture(scope="module")
def heads_run(coco_file, tmp_path_factory) -> Path:
    """``maskkit train --weights mask_rcnn_coco.h5 --exclude <class heads> --layers heads``: its log folder."""
    log_dir = tmp_path_factory.mktemp("runs")
    result = invoke("train", *SMALL, "--backbone", "resnet101", "--weights", str(coco_file), *EXCLUDE,
                    "--layers", "heads", "--epochs", "1", "--log-dir", str(log_dir))
    assert re.search(r"Loaded \d+ layers from \S*mask_rcnn_coco\.h5", result.output), "train shows what it loaded"
    assert re.search(r"excluded \(\d\): .*mrcnn_class_logits", result.output)
    return log_dir


def test_coco_file_has_matterport_shapes(coco_file):
    layers = stored(coco_file)
    assert sum(array.size for weights in layers.values() for array in weights.values()) == 64_158_584
    assert layers["mrcnn_class_logits"]["kernel"].shape == (1024, 81)
    assert layers["rpn_class_raw"]["kernel"].shape == (1, 1, 512, 6)
    assert layers["res4w_branch2c"]["kernel"].shape == (1, 1, 256, 1024)


def test_heads_fine_tuning_loads_all_but_the_class_heads(coco_file, heads_run):
    [checkpoint] = checkpoints(heads_run)
    file_layers, trained = stored(coco_file), stored(checkpoint)
    assert set(trained) == set(file_layers)
    for layer, weights in file_layers.items():
        for weight, array in weights.items():
            if layer in CLASS_HEAD_LAYERS:
                assert trained[layer][weight].shape != array.shape, (layer, weight)
            elif re.fullmatch(r"(mrcnn|rpn|fpn)_.*", layer):
                np.testing.assert_allclose(trained[layer][weight], array, atol=TWO_STEPS, err_msg=f"{layer}/{weight}")
            else:
                np.testing.assert_array_equal(trained[layer][weight], array, err_msg=f"{layer}/{weight}")


def test_resume_trains_all_layers(coco_file, heads_run):
    result = invoke("train", *SMALL, "--backbone", "resnet101", "--resume", "--layers", "all", "--epochs", "2",
                    "--log-dir", str(heads_run))
    assert re.search(r"Resuming from \S+_0001\.weights\.h5 \(epoch 1\)", result.output)
    first, second = checkpoints(heads_run)
    assert second.name.endswith("_0002.weights.h5") and second.parent == first.parent
    before, after = stored(first), stored(second)
    assert not np.array_equal(after["res2a_branch2a"]["kernel"], before["res2a_branch2a"]["kernel"])
    np.testing.assert_allclose(after["res2a_branch2a"]["kernel"], before["res2a_branch2a"]["kernel"], atol=TWO_STEPS)


def test_imagenet_resnet50_applications_file_initialises_the_backbone(tmp_path):
    path = tmp_path / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    write_keras2_layers(path, keras_applications_resnet_layers(50), plausible_weights(seed=1), keras_version="2.2.4")
    result = invoke("train", *SMALL, "--backbone", "resnet50", "--imagenet-weights", str(path),
                    "--layers", "heads", "--epochs", "1", "--log-dir", str(tmp_path / "runs"))
    assert f"ImageNet backbone: 106 layers loaded from {path}" in result.output
    [checkpoint] = checkpoints(tmp_path / "runs")
    trained = stored(checkpoint)
    imagenet = {matterport_resnet_name(layer): weights for layer, weights in stored(path).items()}
    assert set(imagenet) == {layer for layer in trained if not re.fullmatch(r"(mrcnn|rpn|fpn)_.*", layer)}
    for layer, weights in imagenet.items():
        for weight, array in weights.items():
            np.testing.assert_array_equal(trained[layer][weight], array, err_msg=f"{layer}/{weight}")


@pytest.fixture(scope="module")
def resnet101_backbone():
    """maskkit's resnet101 backbone with its FPN alone, as a Keras model (no heads: quicker to build)."""
    import keras

    import maskkit
    from maskkit.config import Config

    images = keras.Input((64, 64, 3))
    return keras.Model(images, maskkit.backbones.create("resnet101").pyramid(images, Config()))


def test_imagenet_resnet101_applications_file_fills_every_backbone_layer(resnet101_backbone, tmp_path):
    from maskkit.weights import load_imagenet_backbone

    path = tmp_path / "resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5"
    write_keras2_layers(path, keras_applications_resnet_layers(101), plausible_weights(seed=2), keras_version="2.2.4")
    report = load_imagenet_backbone(resnet101_backbone, path)
    assert len(report.loaded) == 208 and not report.unused_in_file
    assert all(name.startswith("fpn_") for name in report.missing_in_file)
    kernel = resnet101_backbone.get_layer("res4w_branch2b").kernel.numpy()
    with h5py.File(path, "r") as handle:
        np.testing.assert_array_equal(kernel, handle["conv4_block23_2_conv/conv4_block23_2_conv/kernel:0"][()])


def test_a_resnet50_file_for_a_resnet101_backbone_is_refused(resnet101_backbone, tmp_path):
    from maskkit.errors import WeightsError
    from maskkit.weights import load_imagenet_backbone

    path = tmp_path / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    write_keras2_layers(path, keras_applications_resnet_layers(50), plausible_weights(seed=3), keras_version="2.2.4")
    before = resnet101_backbone.get_layer("res2a_branch2a").kernel.numpy()
    with pytest.raises(WeightsError, match=r"another depth .* stage 4 has 6 blocks in the file and 23 in the model"):
        load_imagenet_backbone(resnet101_backbone, path)
    np.testing.assert_array_equal(resnet101_backbone.get_layer("res2a_branch2a").kernel.numpy(), before)
