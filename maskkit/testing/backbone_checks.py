"""Conformance checks for backbone plugins: the feature pyramid a small input produces (needs TensorFlow)."""

from __future__ import annotations

import importlib.util
import math
import re
import unittest
from typing import Any

import numpy as np

from maskkit.backbone import PYRAMID_LEVELS, Backbone, backbones
from maskkit.config import Config
from maskkit.errors import PluginError
from maskkit.testing.conformance_error import ConformanceError
from maskkit.testing.resolve import build

LEVELS = tuple(PYRAMID_LEVELS)


def check_backbone(factory_or_name: Any, *, image_size: int = 64, pyramid_size: int = 32,
                   build_model: bool = False, **kwargs: Any) -> Backbone:
    """Check a backbone plugin (registered name, factory or Backbone) and return the backbone.

    ``outputs`` must declare the pyramid Mask R-CNN reads, P2..P6 at strides 4..64
    (Backbone.level_problem says why), and ``build`` on an ``image_size`` square input must give
    those five maps with ``pyramid_size`` (config.TOP_DOWN_PYRAMID_SIZE) channels, run on real data,
    and ``trainable_layer_regex`` must give valid regexes that match its layers. With
    ``build_model=True`` a tiny Mask R-CNN (training and inference graphs) is built on it too (skipped,
    via unittest.SkipTest, while maskkit.model is not available). Raises ConformanceError.

    Args:
        factory_or_name: a registered backbone name, a factory returning a Backbone, or a Backbone.
        image_size: side of the square test input in pixels; a positive multiple of the largest stride.
        pyramid_size: channels every pyramid level must have (TOP_DOWN_PYRAMID_SIZE).
        build_model: also build a tiny Mask R-CNN on the backbone.
        kwargs: passed to the factory (those it accepts).

    Returns:
        The backbone that was checked.
    """
    subject, backbone = build("backbone", factory_or_name, backbones, lambda obj: isinstance(obj, Backbone),
                              kwargs)
    if not isinstance(backbone, Backbone):
        raise ConformanceError(subject, [f"factory returned {type(backbone).__name__}, not a maskkit.Backbone"])
    strides = promised_strides(backbone, subject)
    if image_size <= 0 or image_size % max(strides):
        raise ValueError(f"image_size must be a positive multiple of the largest stride {max(strides)}, "
                         f"got {image_size}")
    config = Config(NAME="conformance", IMAGES_PER_GPU=1, NUM_CLASSES=2, TOP_DOWN_PYRAMID_SIZE=pyramid_size,
                    BACKBONE=factory_or_name if isinstance(factory_or_name, str) else backbone.name,
                    BACKBONE_STRIDES=strides, IMAGE_MIN_DIM=image_size, IMAGE_MAX_DIM=image_size)
    problems = feature_problems(backbone, config, image_size, strides)
    if problems:
        raise ConformanceError(subject, problems)
    if build_model:
        check_model_builds(backbone, config, subject)
    return backbone


def promised_strides(backbone: Backbone, subject: str) -> tuple[int, ...]:
    """The strides of the declared levels, which must be PYRAMID_LEVELS' (P2..P6 at 4..64); else
    ConformanceError with Backbone.level_problem's reason, the one the model build gives too.

    Args:
        backbone: the backbone under test.
        subject: how errors name the plugin.

    Returns:
        The stride of each declared level, P2 first.
    """
    problem = backbone.level_problem()
    if problem is not None:
        raise ConformanceError(subject, [problem])
    try:
        return tuple(int(s) for s in backbone.output_strides())
    except Exception as exc:
        raise ConformanceError(subject, [f"output_strides() raised {type(exc).__name__}: {exc}"]) from exc


def feature_problems(backbone: Backbone, config: Config, size: int, strides: tuple[int, ...]) -> list[str]:
    """Build on an input of unknown size (as the model does), run on zeros: count, channels and sizes of
    P2..P6, and the layer-name regexes.

    Args:
        backbone: the backbone under test.
        config: Config whose TOP_DOWN_PYRAMID_SIZE the levels must have.
        size: side in pixels of the square all-zero input.
        strides: the declared stride of each level, P2 first.

    Returns:
        Problem messages; empty when the pyramid conforms.
    """
    import keras

    images = keras.Input(shape=(None, None, 3), name="input_image")
    try:
        features = backbone.pyramid(images, config)
    except PluginError as exc:
        return [f"build must return the five levels it declares in outputs: {exc}"]
    except Exception as exc:
        return [f"build(images, config) raised {type(exc).__name__}: {exc} (the input has shape "
                f"[batch, None, None, 3], as in the model)"]
    try:
        model = keras.Model(images, list(features), name="conformance_backbone")
        outputs = model(np.zeros((1, size, size, 3), dtype=np.float32), training=False)
    except Exception as exc:
        return [f"the feature maps do not form a working Keras model ({type(exc).__name__}: {exc}); layer names "
                f"must be unique and every map must derive from the input"]
    problems = []
    for level, stride, value in zip(LEVELS, strides, outputs):
        side = math.ceil(size / stride)
        expected = (1, side, side, config.TOP_DOWN_PYRAMID_SIZE)
        shape = tuple(int(d) for d in value.shape)
        if shape != expected:
            problems.append(f"{level} has shape {shape} for a {size}x{size} input; stride {stride} and "
                            f"TOP_DOWN_PYRAMID_SIZE={config.TOP_DOWN_PYRAMID_SIZE} promise {expected}")
        elif not np.all(np.isfinite(keras.ops.convert_to_numpy(value))):
            problems.append(f"{level} contains NaN or Inf for an all-zero input")
    problems.extend(regex_problems(backbone, [layer.name for layer in model.layers]))
    return problems


def regex_problems(backbone: Backbone, layer_names: list[str]) -> list[str]:
    """trainable_layer_regex() must map shortcut names to valid regexes that each match some layer.

    Args:
        backbone: the backbone under test.
        layer_names: names of the layers of the built backbone model.

    Returns:
        Problem messages; empty when every regex is valid and matches a layer.
    """
    try:
        table = backbone.trainable_layer_regex()
    except Exception as exc:
        return [f"trainable_layer_regex() raised {type(exc).__name__}: {exc}"]
    if not isinstance(table, dict):
        return [f"trainable_layer_regex() must return a dict, got {type(table).__name__}"]
    problems = []
    for shortcut, pattern in table.items():
        try:
            regex = re.compile(pattern)
        except (re.error, TypeError) as exc:
            problems.append(f"trainable_layer_regex()[{shortcut!r}] = {pattern!r} is not a valid regex: {exc}")
            continue
        if not any(regex.fullmatch(name) for name in layer_names):
            problems.append(f"trainable_layer_regex()[{shortcut!r}] = {pattern!r} matches none of the "
                            f"backbone's layers")
    return problems


def check_model_builds(backbone: Backbone, config: Config, subject: str) -> None:
    """Build a tiny Mask R-CNN (training and inference graphs) on the backbone; ConformanceError if that fails.

    Args:
        backbone: the backbone under test.
        config: the conformance Config, shrunk further for the tiny model.
        subject: how errors (and the skip message) name the plugin.
    """
    if importlib.util.find_spec("maskkit.model.graph") is None:
        raise unittest.SkipTest(f"{subject}: backbone checks passed; model build skipped because "
                                f"maskkit.model.graph is not available")
    from maskkit.model.graph import build_graph

    tiny = config.replace(FPN_CLASSIF_FC_LAYERS_SIZE=32, TRAIN_ROIS_PER_IMAGE=8, MAX_GT_INSTANCES=4,
                          POST_NMS_ROIS_TRAINING=32, POST_NMS_ROIS_INFERENCE=16, PRE_NMS_LIMIT=128,
                          DETECTION_MAX_INSTANCES=4, RPN_ANCHOR_SCALES=tuple(4 * s for s in config.BACKBONE_STRIDES),
                          MINI_MASK_SHAPE=(14, 14))
    try:
        build_graph(tiny, backbone)
    except Exception as exc:
        raise ConformanceError(subject, [f"a tiny Mask R-CNN does not build on it: {type(exc).__name__}: {exc}"]) \
            from exc
