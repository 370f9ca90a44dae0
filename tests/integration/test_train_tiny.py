"""The slim backbone trains on shapes (the session's ``trained_tiny``): every loss falls; checkpoints are
written and a run resumes."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import maskkit  # noqa: E402
from maskkit.config import LOSS_NAMES  # noqa: E402
from maskkit.model.maskrcnn import MaskRCNN  # noqa: E402
from tests.helpers import tiny_config  # noqa: E402

pytestmark = pytest.mark.slow


def test_every_loss_falls(trained_tiny) -> None:
    history = trained_tiny.model.history
    for name in LOSS_NAMES:
        first, last = history[name][0], history[name][-1]
        assert last < first - 0.02, f"{name} did not fall: {history[name]}"
    assert len(history["val_loss"]) == 3 and all(np.isfinite(history["val_loss"]))


def test_each_epoch_writes_a_checkpoint_that_find_last_returns(trained_tiny) -> None:
    model, model_dir = trained_tiny.model, trained_tiny.model_dir
    names = sorted(p.name for p in model.log_dir.glob("*.weights.h5"))
    assert names == [f"mask_rcnn_tiny_{e:04d}.weights.h5" for e in (1, 2, 3)]
    assert model.log_dir.parent == model_dir and model.log_dir.name.startswith("tiny")
    assert model.find_last() == model.log_dir / "mask_rcnn_tiny_0003.weights.h5"
    assert list(model.log_dir.glob("events.out.tfevents.*"))


def test_a_new_model_resumes_from_the_last_checkpoint_and_trains_heads_only(trained_tiny, tmp_path) -> None:
    model, train = trained_tiny.model, trained_tiny.train
    model_dir = tmp_path / "logs"
    shutil.copytree(trained_tiny.model_dir, model_dir)  # the session's model stays as it is
    resumed = MaskRCNN("training", tiny_config(STEPS_PER_EPOCH=3), model_dir)
    resumed.load_weights(resumed.find_last())
    run = model_dir / model.log_dir.name
    assert resumed.epoch == 3 and resumed.log_dir == run
    for name in ("conv1", "res2a_branch2a", "mrcnn_mask", "rpn_class_raw"):
        for ours, theirs in zip(resumed.keras_model.get_layer(name).weights, model.keras_model.get_layer(name).weights):
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    head_before = resumed.keras_model.get_layer("mrcnn_class_logits").kernel.numpy().copy()
    resumed.train(train, None, 0.001, epochs=4, layers="heads", verbose=0)
    assert resumed.epoch == 4 and len(resumed.history["loss"]) == 1
    assert (run / "mask_rcnn_tiny_0004.weights.h5").is_file()
    assert not (model.log_dir / "mask_rcnn_tiny_0004.weights.h5").exists()
    np.testing.assert_array_equal(resumed.keras_model.get_layer("res2a_branch2a").kernel.numpy(),
                                  model.keras_model.get_layer("res2a_branch2a").kernel.numpy())
    assert not np.array_equal(resumed.keras_model.get_layer("mrcnn_class_logits").kernel.numpy(), head_before)
    with pytest.raises(maskkit.ConfigError, match="already at epoch 4"):
        resumed.train(train, None, 0.001, epochs=4)
