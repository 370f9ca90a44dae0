"""A model's weighted layers flattened to unique names: nested models walked into, holders unwrapped."""

from __future__ import annotations

import pytest

keras = pytest.importorskip("keras")

from maskkit.errors import WeightsError  # noqa: E402
from maskkit.weights.model_layers import flatten_model  # noqa: E402


def nested() -> keras.Model:
    inner_in = keras.Input((3,))
    inner = keras.Model(inner_in, keras.layers.Dense(2, name="conv")(inner_in), name="rpn_model")
    images = keras.Input((3,))
    hidden = keras.layers.Dense(3, name="fc")(images)
    return keras.Model(images, [inner(hidden), keras.layers.Dense(2, name="head")(hidden)], name="outer")


def test_weighted_layers_in_model_order_with_their_own_names():
    layers = flatten_model(nested())
    assert [(layer.name, layer.path) for layer in layers] == [
        ("fc", ("fc",)), ("conv", ("rpn_model", "conv")), ("head", ("head",))]
    assert [v.shape for v in layers[0].variables] == [(3, 3), (3,)]


def test_a_holder_is_unwrapped_and_other_objects_refused():
    class Holder:
        keras_model = nested()

    assert [layer.name for layer in flatten_model(Holder())] == ["fc", "conv", "head"]
    with pytest.raises(WeightsError, match="expected a Keras model, got str"):
        flatten_model("model")
    with pytest.raises(WeightsError, match="has no weights yet"):
        flatten_model(keras.Sequential([keras.layers.Flatten()], name="empty"))
