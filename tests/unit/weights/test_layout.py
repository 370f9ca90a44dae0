"""A file's weights layout: HDF5 that is no weights file is refused; nested layer names that repeat get prefixed."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from maskkit.errors import WeightsError  # noqa: E402
from maskkit.weights import load_weights, save_weights  # noqa: E402
from tests.helpers_weights import assert_same, tiny_model, values  # noqa: E402


def test_nested_layer_names_that_repeat_get_prefixed(tmp_path):
    def model(seed):
        keras.utils.set_random_seed(seed)
        inner_in = keras.Input((3,))
        inner = keras.Model(inner_in, keras.layers.Dense(2, name="fc")(inner_in), name="branch")
        images = keras.Input((3,))
        return keras.Model(images, [inner(images), keras.layers.Dense(2, name="fc")(images)])

    source, target = model(1), model(2)
    save_weights(source, tmp_path / "n.weights.h5")
    assert sorted(load_weights(target, tmp_path / "n.weights.h5").loaded) == ["branch/fc", "fc"]
    assert_same(values(source), values(target))


def test_hdf5_that_is_not_a_weights_file_is_refused(tmp_path):
    with h5py.File(tmp_path / "data.h5", "w") as handle:
        handle.create_dataset("images", data=np.zeros(3))
    with pytest.raises(WeightsError, match=r"data\.h5 is HDF5 but has no 'layer_names'"):
        load_weights(tiny_model(), tmp_path / "data.h5")
    model = tiny_model()
    model.save_weights(tmp_path / "k3.weights.h5")
    with pytest.raises(WeightsError, match="Keras 3 file from model.save_weights"):
        load_weights(model, tmp_path / "k3.weights.h5")
