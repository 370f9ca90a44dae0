"""The resnet_fpn plugin's backbones: pyramid strides and widths, matterport layer names, frozen BN."""

from __future__ import annotations

import re

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import maskkit  # noqa: E402
from maskkit.config import Config  # noqa: E402

WIDTH = 16


def build(name: str, **overrides) -> tuple[keras.Model, maskkit.Backbone]:
    config = Config(BACKBONE=name, TOP_DOWN_PYRAMID_SIZE=WIDTH, IMAGE_MAX_DIM=64, IMAGE_MIN_DIM=64, **overrides)
    backbone = maskkit.backbones.create(name)
    images = keras.Input((64, 64, 3))
    return keras.Model(images, backbone.pyramid(images, config)), backbone


def test_registered_through_the_backbone_hook() -> None:
    assert {"resnet50", "resnet101", "resnet18", "tiny"} <= set(maskkit.backbones.names())


@pytest.mark.parametrize("name", ["tiny", "resnet18", "resnet50", "resnet101"])
def test_five_maps_at_the_promised_strides_and_width(name: str) -> None:
    model, backbone = build(name)
    outputs = model(np.zeros((1, 64, 64, 3), dtype=np.float32))
    assert len(outputs) == 5
    shapes = [tuple(o.shape) for o in outputs]
    assert shapes == [(1, 64 // s, 64 // s, WIDTH) for s in backbone.output_strides()]
    assert backbone.outputs == {"P2": 4, "P3": 8, "P4": 16, "P5": 32, "P6": 64}
    assert backbone.output_strides() == (4, 8, 16, 32, 64)


@pytest.mark.parametrize("name, last_stage4", [("resnet50", "res4f"), ("resnet101", "res4w")])
def test_matterport_layer_names(name: str, last_stage4: str) -> None:
    model, _ = build(name)
    names = {layer.name for layer in model.layers}
    expected = {"conv1", "bn_conv1", "res2a_branch2a", "bn2a_branch2a", "res2a_branch1", "bn2a_branch1",
                "res2c_branch2c", "res3d_branch2c", f"{last_stage4}_branch2c", "res5c_branch2c", "bn5c_branch2c",
                "fpn_c5p5", "fpn_c4p4", "fpn_c3p3", "fpn_c2p2", "fpn_p2", "fpn_p3", "fpn_p4", "fpn_p5", "fpn_p6"}
    assert expected <= names
    stage4 = chr(ord(last_stage4[-1]) + 1)
    assert f"res4{stage4}_branch2a" not in names
    assert model.get_layer("res5c_branch2c").kernel.shape == (1, 1, 512, 2048)


def test_stage_regexes_select_the_right_layers() -> None:
    model, backbone = build("resnet50")
    regex = re.compile(backbone.trainable_layer_regex()["4+"])
    chosen = {layer.name for layer in model.layers if layer.weights and regex.fullmatch(layer.name)}
    assert {"res4a_branch2a", "bn5c_branch2c", "fpn_c2p2"} <= chosen
    assert not {"res3a_branch2a", "bn_conv1", "conv1"} & chosen


@pytest.mark.parametrize("train_bn", [False, True])
def test_batch_norm_follows_train_bn(train_bn: bool) -> None:
    model, _ = build("tiny", TRAIN_BN=train_bn)
    x = np.random.default_rng(0).normal(size=(2, 64, 64, 3)).astype(np.float32) * 50
    train_out = model(x, training=True)[0].numpy()
    infer_out = model(x, training=False)[0].numpy()
    assert np.allclose(train_out, infer_out) is (not train_bn)


def test_pyramid_orders_levels_by_their_declared_names() -> None:
    class Named(maskkit.Backbone):
        outputs = {"P2": 4, "P3": 8}

        def build(self, images, config):
            return {"P3": "p3", "P2": "p2"}

    assert Named().pyramid(None, None) == ["p2", "p3"]
    with pytest.raises(maskkit.PluginError, match="declared"):
        type("Short", (Named,), {"build": lambda self, images, config: {"P2": "p2"}})().pyramid(None, None)
