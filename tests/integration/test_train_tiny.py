"""The slim backbone trains on shapes: every loss falls; checkpoints are written and a run resumes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import maskkit  # noqa: E402
from maskkit.config import LOSS_NAMES, Config  # noqa: E402
from maskkit.model.maskrcnn import MaskRCNN  # noqa: E402

pytestmark = pytest.mark.slow


def tiny_config(**overrides) -> Config:
    values = dict(NAME="tiny", BACKBONE="tiny", NUM_CLASSES=4, IMAGE_MIN_DIM=64, IMAGE_MAX_DIM=64, IMAGES_PER_GPU=2,
                  TOP_DOWN_PYRAMID_SIZE=32, FPN_CLASSIF_FC_LAYERS_SIZE=64, RPN_ANCHOR_SCALES=(8, 16, 32, 64, 128),
                  TRAIN_ROIS_PER_IMAGE=32, POST_NMS_ROIS_TRAINING=1000, POST_NMS_ROIS_INFERENCE=100,
                  MAX_GT_INSTANCES=4, MASK_POOL_SIZE=7, MASK_SHAPE=(14, 14), MINI_MASK_SHAPE=(28, 28),
                  RPN_TRAIN_ANCHORS_PER_IMAGE=64, STEPS_PER_EPOCH=20, VALIDATION_STEPS=1, TRAIN_BN=True,
                  LEARNING_RATE=0.01, NUM_WORKERS=1, SEED=0)
    return Config(**{**values, **overrides})


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[MaskRCNN, Path, object]:
    keras.utils.set_random_seed(0)
    config = tiny_config()
    train = maskkit.datasets.create("shapes", count=4, height=64, width=64, seed=0, subset="train")
    val = maskkit.datasets.create("shapes", count=2, height=64, width=64, seed=0, subset="val")
    model_dir = tmp_path_factory.mktemp("logs")
    model = MaskRCNN("training", config, model_dir)
    model.train(train, val, config.LEARNING_RATE, epochs=3, layers="all", verbose=0)
    return model, model_dir, train


def test_every_loss_falls(trained) -> None:
    history = trained[0].history
    for name in LOSS_NAMES:
        first, last = history[name][0], history[name][-1]
        assert last < first - 0.02, f"{name} did not fall: {history[name]}"
    assert len(history["val_loss"]) == 3 and all(np.isfinite(history["val_loss"]))


def test_each_epoch_writes_a_checkpoint_that_find_last_returns(trained) -> None:
    model, model_dir, _ = trained
    names = sorted(p.name for p in model.log_dir.glob("*.weights.h5"))
    assert names == [f"mask_rcnn_tiny_{e:04d}.weights.h5" for e in (1, 2, 3)]
    assert model.log_dir.parent == model_dir and model.log_dir.name.startswith("tiny")
    assert model.find_last() == model.log_dir / "mask_rcnn_tiny_0003.weights.h5"
    assert list(model.log_dir.glob("events.out.tfevents.*"))


def test_a_new_model_resumes_from_the_last_checkpoint_and_trains_heads_only(trained) -> None:
    model, model_dir, train = trained
    resumed = MaskRCNN("training", tiny_config(STEPS_PER_EPOCH=3), model_dir)
    resumed.load_weights(resumed.find_last())
    assert resumed.epoch == 3 and resumed.log_dir == model.log_dir
    for name in ("conv1", "res2a_branch2a", "mrcnn_mask", "rpn_class_raw"):
        for ours, theirs in zip(resumed.keras_model.get_layer(name).weights, model.keras_model.get_layer(name).weights):
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    head_before = resumed.keras_model.get_layer("mrcnn_class_logits").kernel.numpy().copy()
    resumed.train(train, None, 0.001, epochs=4, layers="heads", verbose=0)
    assert resumed.epoch == 4 and len(resumed.history["loss"]) == 1
    assert (model.log_dir / "mask_rcnn_tiny_0004.weights.h5").is_file()
    np.testing.assert_array_equal(resumed.keras_model.get_layer("res2a_branch2a").kernel.numpy(),
                                  model.keras_model.get_layer("res2a_branch2a").kernel.numpy())
    assert not np.array_equal(resumed.keras_model.get_layer("mrcnn_class_logits").kernel.numpy(), head_before)
    with pytest.raises(maskkit.ConfigError, match="already at epoch 4"):
        resumed.train(train, None, 0.001, epochs=4)
