"""MaskRCNN on the tiny config without training: modes, starting weights that follow SEED without
reseeding the process, molded inputs, checkpoints written and resumed."""

from __future__ import annotations

import inspect
import random

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
import keras  # noqa: E402

from maskkit import ConfigError  # noqa: E402
from maskkit.model.maskrcnn import MaskRCNN  # noqa: E402
from tests.helpers import tiny_config  # noqa: E402


def test_an_unknown_mode_is_an_argument_error(tmp_path):
    with pytest.raises(ConfigError, match="argument mode: must be one of .*, got 'serving'"):
        MaskRCNN("serving", tiny_config(), tmp_path)


def test_building_a_model_follows_seed_without_reseeding_the_process(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(tf.config.experimental, "enable_op_determinism", lambda: calls.append("determinism"))
    monkeypatch.setattr(keras.utils, "set_random_seed", calls.append)
    random.seed(5)
    np.random.seed(5)
    expected = random.random(), float(np.random.rand())
    random.seed(5)
    np.random.seed(5)
    first = MaskRCNN("inference", tiny_config(SEED=1), tmp_path)
    assert (random.random(), float(np.random.rand())) == expected and calls == []
    same, other = (MaskRCNN("inference", tiny_config(SEED=seed), tmp_path) for seed in (1, 2))

    def kernel(model: MaskRCNN) -> np.ndarray:
        return model.keras_model.get_layer("mrcnn_class_logits").kernel.numpy()

    assert np.array_equal(kernel(first), kernel(same)) and not np.array_equal(kernel(first), kernel(other))


def test_every_training_entry_trains_all_layers_unless_told():
    from maskkit.pipeline import Pipeline

    entries = (MaskRCNN.train, MaskRCNN.fit, Pipeline.train)
    assert [inspect.signature(entry).parameters["layers"].default for entry in entries] == ["all"] * 3


def test_images_are_molded_as_in_training_and_a_checkpoint_resumes_its_run(tmp_path):
    model = MaskRCNN("inference", tiny_config(), tmp_path)
    assert model.keras_model is model.graph.inference_model
    images = [np.zeros((32, 64, 3), np.uint8), np.full((64, 48, 3), 200, np.uint8)]
    molded, metas, windows = model.mold_inputs(images)
    assert molded.shape == (2, 64, 64, 3) and metas.shape == (2, model.config.IMAGE_META_SIZE)
    assert windows.tolist() == [[16, 0, 48, 64], [0, 8, 64, 56]]
    path = model.save_checkpoint(3, class_names=["BG", "a", "b", "c"])
    assert path.name == "mask_rcnn_tiny_0003.weights.h5" and model.find_last() == path
    fresh = MaskRCNN("inference", tiny_config(), tmp_path / "elsewhere")
    assert fresh.epoch == 0 and fresh.log_dir.parent == tmp_path / "elsewhere"
    fresh.load_weights(path, class_names=["BG", "a", "b", "c"])
    assert (fresh.epoch, fresh.log_dir) == (3, path.parent)
