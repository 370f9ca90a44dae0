"""Frozen layers stay frozen: with TRAIN_BN=True, a ``heads`` epoch changes no weight outside the
heads, BatchNorm moving statistics included (matterport semantics), while the heads' own BN learns."""

from __future__ import annotations

import re

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import maskkit  # noqa: E402
from maskkit.model.batchnorm import BatchNorm, frozen_batchnorm  # noqa: E402
from maskkit.model.graph import HEADS_REGEX  # noqa: E402
from maskkit.model.maskrcnn import MaskRCNN  # noqa: E402
from tests.helpers import tiny_config  # noqa: E402

pytestmark = pytest.mark.slow


def test_a_frozen_batchnorm_keeps_its_moving_statistics_under_training_true() -> None:
    free, frozen = BatchNorm(name="free"), BatchNorm(name="frozen")
    x = np.random.default_rng(0).normal(3.0, 2.0, (8, 4)).astype("float32")
    with frozen_batchnorm([frozen]):
        free(x, training=True)
        out = frozen(x, training=True)
    assert not np.allclose(free.moving_mean.numpy(), 0.0)
    np.testing.assert_array_equal(frozen.moving_mean.numpy(), np.zeros(4, "float32"))
    np.testing.assert_allclose(out.numpy(), frozen(x, training=False).numpy())


def test_a_heads_epoch_leaves_every_other_layer_bit_identical(tmp_path) -> None:
    config = tiny_config(STEPS_PER_EPOCH=2, VALIDATION_STEPS=0, TRAIN_BN=True)
    train = maskkit.datasets.create("shapes", count=4, height=64, width=64, seed=0, subset="train")
    model = MaskRCNN("training", config, tmp_path)
    layers = model.keras_model.layers
    before = {layer.name: [w.numpy().copy() for w in layer.weights] for layer in layers if layer.weights}
    model.train(train, None, 0.01, epochs=1, layers="heads", verbose=0)
    heads = re.compile(HEADS_REGEX)
    frozen_bn = [layer for layer in layers if isinstance(layer, BatchNorm) and not heads.fullmatch(layer.name)]
    assert frozen_bn, "the tiny backbone has BatchNorm layers outside the heads"
    changed_heads = []
    for layer in layers:
        if layer.name not in before:
            continue
        after = [w.numpy() for w in layer.weights]
        if heads.fullmatch(layer.name):
            changed_heads += [layer.name for b, a in zip(before[layer.name], after) if not np.array_equal(b, a)]
            continue
        for weight, old, new in zip(layer.weights, before[layer.name], after):
            assert np.array_equal(old, new), f"{layer.name}/{weight.name} changed in a heads epoch"
    assert "mrcnn_class_logits" in changed_heads
    moving = model.keras_model.get_layer("mrcnn_mask_bn1").moving_mean.numpy()
    assert not np.array_equal(moving, before["mrcnn_mask_bn1"][2]), "the heads' own BN statistics learn"
