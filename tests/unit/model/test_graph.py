"""The Keras graph on the tiny config: two models on one set of layers, named inputs, layer shortcuts, refusals."""

from __future__ import annotations

import pytest

pytest.importorskip("tensorflow")

import maskkit  # noqa: E402
from maskkit import ConfigError  # noqa: E402
from maskkit.backbone import Backbone  # noqa: E402
from maskkit.model.graph import HEADS_REGEX, build_graph  # noqa: E402
from tests.helpers import tiny_config  # noqa: E402


@pytest.fixture(scope="module")
def graph():
    config = tiny_config()
    return build_graph(config, maskkit.backbones.create(config.BACKBONE))


def test_inference_uses_the_training_models_weights_and_the_split_models_too(graph):
    training = {id(v) for v in graph.training_model.weights}
    for model in (graph.inference_model, graph.feature_model, graph.head_model):
        assert {id(v) for v in model.weights} <= training
    assert sorted(t.name for t in graph.inference_model.inputs) == ["anchors", "image_meta", "images"]
    assert {"rpn_match", "gt_masks"} <= {t.name for t in graph.training_model.inputs}


def test_layer_shortcuts_resolve_and_custom_regexes_pass_through(graph):
    assert graph.layer_regex("heads") == HEADS_REGEX and graph.layer_regex("all") == ".*"
    assert graph.layer_regex(r"mrcnn_mask.*") == r"mrcnn_mask.*"


class ThreeLevels(Backbone):
    """Declares three levels where Mask R-CNN reads five."""

    outputs = {"P2": 4, "P3": 8, "P4": 16}


class Coarse(Backbone):
    """Five levels at twice the strides the ROI heads' level rule assumes."""

    name = "coarse"
    outputs = {"P2": 8, "P3": 16, "P4": 32, "P5": 64, "P6": 128}


def test_external_rois_and_backbones_without_the_p2_to_p6_pyramid_are_refused():
    with pytest.raises(ConfigError, match="USE_RPN_ROIS"):
        build_graph(tiny_config(USE_RPN_ROIS=False), Backbone())
    config = tiny_config(BACKBONE_STRIDES=(4, 8, 16), RPN_ANCHOR_SCALES=(8, 16, 32))
    with pytest.raises(ConfigError, match=r"config field BACKBONE: backbone 'backbone' declares levels "
                                          r"\{'P2': 4, 'P3': 8, 'P4': 16\}; Mask R-CNN requires"):
        build_graph(config, ThreeLevels())
    coarse = tiny_config(BACKBONE_STRIDES=(8, 16, 32, 64, 128))
    with pytest.raises(ConfigError, match="backbone 'coarse' declares .* assuming P_k has stride 2\\*\\*k"):
        build_graph(coarse, Coarse())


def test_config_strides_that_differ_from_the_backbones_are_refused():
    with pytest.raises(ConfigError, match=r"BACKBONE_STRIDES: is \(2, 4, 8, 16, 32\) but backbone 'backbone'"):
        build_graph(tiny_config(BACKBONE_STRIDES=(2, 4, 8, 16, 32)), Backbone())
