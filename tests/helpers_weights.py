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


#: One layer of a Keras 2 weights file: its group name and (weight name, shape) pairs ([] if weightless).
LayerSpec = tuple[str, list[tuple[str, tuple[int, ...]]]]


def _conv(name: str, kernel: tuple[int, ...]) -> LayerSpec:
    return name, [(f"{name}/kernel:0", kernel), (f"{name}/bias:0", (kernel[-1],))]


def _batch_norm(name: str, channels: int) -> LayerSpec:
    return name, [(f"{name}/{weight}:0", (channels,)) for weight in ("gamma", "beta", "moving_mean", "moving_variance")]


def matterport_coco_layers(num_classes: int = 81, architecture: str = "resnet101", pyramid: int = 256,
                           fc_size: int = 1024, pool_size: int = 7, anchor_ratios: int = 3) -> list[LayerSpec]:
    """The layers of matterport's ``mask_rcnn_coco.h5`` as its Keras 2 training model saved them.

    Written from matterport's mrcnn/model.py (resnet_graph, the FPN in MaskRCNN.build, build_rpn_model,
    fpn_classifier_graph, build_fpn_mask_graph), not from maskkit's model, so a maskkit layer whose
    name or shape drifts from matterport's fails to load. The mask head's 256 channels, the RPN's
    512 and the ResNet widths are constants there; weightless layers are kept (empty weight lists)."""
    counters: dict[str, int] = {}

    def unnamed(kind: str) -> LayerSpec:
        counters[kind] = counters.get(kind, 0) + 1
        return f"{kind}_{counters[kind]}", []

    layers: list[LayerSpec] = [("input_image", []), unnamed("zero_padding2d"), _conv("conv1", (7, 7, 3, 64)),
                               _batch_norm("bn_conv1", 64), unnamed("activation"), unnamed("max_pooling2d")]
    channels = 64
    stage4 = {"resnet50": 6, "resnet101": 23}[architecture]
    for stage, blocks, width in ((2, 3, 64), (3, 4, 128), (4, stage4, 256), (5, 3, 512)):
        for index in range(blocks):
            conv, bn = f"res{stage}{chr(97 + index)}_branch", f"bn{stage}{chr(97 + index)}_branch"
            layers += [_conv(conv + "2a", (1, 1, channels, width)), _batch_norm(bn + "2a", width),
                       unnamed("activation"), _conv(conv + "2b", (3, 3, width, width)),
                       _batch_norm(bn + "2b", width), unnamed("activation"),
                       _conv(conv + "2c", (1, 1, width, 4 * width))]
            if index == 0:
                layers.append(_conv(conv + "1", (1, 1, channels, 4 * width)))
            layers.append(_batch_norm(bn + "2c", 4 * width))
            if index == 0:
                layers.append(_batch_norm(bn + "1", 4 * width))
            layers += [unnamed("add"), (f"res{stage}{chr(97 + index)}_out", [])]
            channels = 4 * width
    layers += [_conv("fpn_c5p5", (1, 1, 2048, pyramid)), ("fpn_p5upsampled", []),
               _conv("fpn_c4p4", (1, 1, 1024, pyramid)), ("fpn_p4add", []), ("fpn_p4upsampled", []),
               _conv("fpn_c3p3", (1, 1, 512, pyramid)), ("fpn_p3add", []), ("fpn_p3upsampled", []),
               _conv("fpn_c2p2", (1, 1, 256, pyramid)), ("fpn_p2add", [])]
    layers += [_conv(f"fpn_p{level}", (3, 3, pyramid, pyramid)) for level in (2, 3, 4, 5)]
    layers += [("fpn_p6", []), ("input_image_meta", []), ("input_rpn_match", []), ("input_rpn_bbox", []),
               ("input_gt_class_ids", []), ("input_gt_boxes", []), ("input_gt_masks", [])]
    rpn = [_conv("rpn_conv_shared", (3, 3, pyramid, 512)), _conv("rpn_class_raw", (1, 1, 512, 2 * anchor_ratios)),
           _conv("rpn_bbox_pred", (1, 1, 512, 4 * anchor_ratios))]
    layers += [("rpn_model", [weight for _, weights in rpn for weight in weights]), ("rpn_class_logits", []),
               ("rpn_class", []), ("rpn_bbox", []), ("ROI", []), ("proposal_targets", []),
               ("roi_align_mask", []), ("roi_align_classifier", [])]
    layers += [_conv("mrcnn_mask_conv1", (3, 3, pyramid, 256)), _conv("mrcnn_class_conv1",
                                                                    (pool_size, pool_size, pyramid, fc_size))]
    layers += [_batch_norm("mrcnn_mask_bn1", 256), _batch_norm("mrcnn_class_bn1", fc_size),
               unnamed("activation"), unnamed("activation"),
               _conv("mrcnn_mask_conv2", (3, 3, 256, 256)), _conv("mrcnn_class_conv2", (1, 1, fc_size, fc_size)),
               _batch_norm("mrcnn_mask_bn2", 256), _batch_norm("mrcnn_class_bn2", fc_size),
               unnamed("activation"), unnamed("activation"), ("pool_squeeze", [])]
    for index in (3, 4):
        layers += [_conv(f"mrcnn_mask_conv{index}", (3, 3, 256, 256)), _batch_norm(f"mrcnn_mask_bn{index}", 256),
                   unnamed("activation")]
    layers += [_conv("mrcnn_bbox_fc", (fc_size, 4 * num_classes)), _conv("mrcnn_mask_deconv", (2, 2, 256, 256)),
               _conv("mrcnn_class_logits", (fc_size, num_classes)), ("mrcnn_bbox", []),
               _conv("mrcnn_mask", (1, 1, 256, num_classes)), ("mrcnn_class", []), ("output_rois", []),
               ("rpn_class_loss", []), ("rpn_bbox_loss", []), ("mrcnn_class_loss", []), ("mrcnn_bbox_loss", []),
               ("mrcnn_mask_loss", [])]
    return layers


def keras_applications_resnet_layers(depth: int) -> list[LayerSpec]:
    """The layers of keras-applications' ``resnet<depth>_weights_tf_dim_ordering_tf_kernels_notop.h5``.

    Taken from the same architecture code that wrote those files (``keras.applications.ResNet50``/
    ``ResNet101`` without the top, built with no weights): conv1_conv, conv2_block1_1_conv, ..."""
    import keras

    build = {50: keras.applications.ResNet50, 101: keras.applications.ResNet101}[depth]
    model = build(include_top=False, weights=None, input_shape=(32, 32, 3))
    return [(layer.name, [(f"{layer.name}/{variable.name}:0", tuple(variable.shape)) for variable in layer.weights])
            for layer in model.layers]


def plausible_weights(seed: int = 0):
    """A filler for ``write_keras2_layers``: random arrays scaled like trained weights (kernels by
    fan-in, BN gammas near 1 and positive variances), so a network loaded from them trains finitely."""
    rng = np.random.default_rng(seed)

    def fill(weight_name: str, shape: tuple[int, ...]) -> np.ndarray:
        kind = short_kind(weight_name)
        if kind == "kernel":
            fan_in = int(np.prod(shape[:-1]))
            return (rng.standard_normal(shape, dtype=np.float32) / np.sqrt(fan_in)).astype(np.float32)
        if kind == "gamma":
            return rng.uniform(0.2, 0.6, shape).astype(np.float32)
        if kind == "moving_variance":
            return rng.uniform(0.5, 1.5, shape).astype(np.float32)
        return (0.01 * rng.standard_normal(shape, dtype=np.float32)).astype(np.float32)

    return fill


def short_kind(weight_name: str) -> str:
    """``"conv1/kernel:0"`` -> ``"kernel"``."""
    return weight_name.rsplit("/", 1)[-1].split(":")[0]


def write_keras2_layers(path: Path, layers: list[LayerSpec], fill, keras_version: str = "2.0.8") -> None:
    """Write every layer (weightless ones too) as Keras 2 ``save_weights`` did, one array at a time.

    ``fill(weight_name, shape)`` makes each array, so a 250 MB file never sits in memory whole."""
    with h5py.File(path, "w") as handle:
        handle.attrs["layer_names"] = np.array([name.encode("utf8") for name, _ in layers])
        handle.attrs["backend"] = b"tensorflow"
        handle.attrs["keras_version"] = keras_version.encode("utf8")
        for name, weights in layers:
            group = handle.create_group(name)
            group.attrs["weight_names"] = (np.array([weight.encode("utf8") for weight, _ in weights])
                                           if weights else np.array([], dtype="S1"))
            for weight, shape in weights:
                group.create_dataset(weight, data=fill(weight, shape))
