"""Weights-file helpers shared by the weights and CLI tests: a tiny matterport-named model and Keras 2 files."""

from __future__ import annotations

import re
from pathlib import Path

import h5py
import numpy as np


def tiny_model(num_classes: int = 4, seed: int = 0):
    """A few matterport-named layers: stem, BN, a nested rpn_model, a TimeDistributed head, class heads."""
    import keras

    keras.utils.set_random_seed(seed)
    layers = keras.layers
    images = keras.Input((8, 8, 3))
    x = layers.Conv2D(4, 3, padding="same", name="conv1")(images)
    x = layers.BatchNormalization(name="bn_conv1")(x)
    x = layers.Conv2D(4, 1, name="res2a_branch2a")(x)
    x = layers.BatchNormalization(name="bn2a_branch2a")(x)
    feature = keras.Input((None, None, 4))
    shared = layers.Conv2D(4, 1, name="rpn_conv_shared")(feature)
    rpn_logits = layers.Conv2D(2, 1, name="rpn_class_raw")(shared)
    rpn = keras.Model(feature, rpn_logits, name="rpn_model")(x)
    rois = layers.Reshape((1, 8, 8, 4))(x)
    mask = layers.TimeDistributed(layers.Conv2D(num_classes, 1), name="mrcnn_mask")(rois)
    pooled = layers.GlobalAveragePooling2D()(x)
    fc = layers.Dense(6, name="mrcnn_class_fc")(pooled)
    logits = layers.Dense(num_classes, name="mrcnn_class_logits")(fc)
    bbox = layers.Dense(num_classes * 4, name="mrcnn_bbox_fc")(fc)
    return keras.Model(images, [rpn, mask, logits, bbox], name="tiny")


def values(model) -> dict[str, np.ndarray]:
    """Weights by path, without the auto-numbered inner layer name TimeDistributed adds."""
    return {re.sub(r"/conv2d(_\d+)?/", "/", v.path): np.array(v.numpy()) for v in model.weights}


def assert_same(left: dict[str, np.ndarray], right: dict[str, np.ndarray], skip: str = "^$") -> None:
    assert left.keys() == right.keys()
    for key in left:
        if not re.match(skip, key):
            np.testing.assert_array_equal(left[key], right[key], err_msg=key)


def write_keras2(path: Path, groups: dict[str, list[tuple[str, np.ndarray]]], full_model: bool = False,
                 chunk_names: bool = False) -> None:
    """Write a file exactly like Keras 2 ``save_weights`` (or ``model.save`` with ``full_model``)."""
    with h5py.File(path, "w") as handle:
        root = handle.create_group("model_weights") if full_model else handle
        names = np.array([name.encode("utf8") for name in ["input_image", *groups]])
        if chunk_names:
            root.attrs["layer_names0"], root.attrs["layer_names1"] = names[:3], names[3:]
        else:
            root.attrs["layer_names"] = names
        root.attrs["backend"] = b"tensorflow"
        root.attrs["keras_version"] = b"2.1.6"
        root.create_group("input_image").attrs["weight_names"] = np.array([], dtype="S1")
        for name, weights in groups.items():
            group = root.create_group(name)
            group.attrs["weight_names"] = np.array([weight_name.encode("utf8") for weight_name, _ in weights])
            for weight_name, array in weights:
                group.create_dataset(weight_name, data=array)


def matterport_groups(model) -> dict[str, list[tuple[str, np.ndarray]]]:
    """The model's weights under matterport's Keras 2 names: nested rpn_model is one group."""
    import keras

    groups: dict[str, list[tuple[str, np.ndarray]]] = {}
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            groups[layer.name] = [
                (f"{inner.name}/{variable.name}:0", variable.numpy()) for inner in layer.layers
                for variable in inner.weights
            ]
        elif layer.weights:
            groups[layer.name] = [(f"{layer.name}/{variable.name}:0", variable.numpy()) for variable in layer.weights]
    return groups
