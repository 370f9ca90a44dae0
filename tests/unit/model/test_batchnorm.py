"""BatchNorm learns its moving statistics only when asked, training, and not frozen for the step."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from maskkit.model.batchnorm import BatchNorm, frozen_batchnorm, frozen_batchnorm_layers  # noqa: E402

BATCH = np.random.default_rng(0).normal(5.0, 2.0, size=(8, 3)).astype(np.float32)


def moving_mean_after_training_call(layer: BatchNorm) -> np.ndarray:
    layer(BATCH, training=True)
    return np.asarray(layer.moving_mean)


def test_statistics_learn_only_when_training_and_wanted():
    assert moving_mean_after_training_call(BatchNorm()) == pytest.approx(0.1 * BATCH.mean(axis=0), rel=1e-5)
    assert moving_mean_after_training_call(BatchNorm(learn_statistics=False)) == pytest.approx(0.0)
    inference = BatchNorm()
    inference(BATCH, training=False)
    assert np.asarray(inference.moving_mean) == pytest.approx(0.0)


def test_a_frozen_layer_keeps_its_statistics_inside_the_block_only():
    frozen, free = BatchNorm(), BatchNorm()
    with frozen_batchnorm([frozen]):
        assert moving_mean_after_training_call(frozen) == pytest.approx(0.0)
        assert moving_mean_after_training_call(free) != pytest.approx(0.0)
    assert moving_mean_after_training_call(frozen) != pytest.approx(0.0)


def test_the_layers_outside_the_trained_set_are_the_frozen_ones():
    inputs = keras.Input((3,))
    first, second = BatchNorm(name="bn_a"), BatchNorm(name="bn_b")
    model = keras.Model(inputs, second(keras.layers.Dense(3, name="fc")(first(inputs))))
    assert frozen_batchnorm_layers(model, [second]) == [first]
    assert BatchNorm(learn_statistics=False).get_config()["learn_statistics"] is False
