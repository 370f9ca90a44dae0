"""The RPN, classifier/box and mask heads, with matterport's layer names.

Each head owns its layers and is applied to the training and the inference graph alike, so
both graphs share one set of weights. Per-ROI layers run on ROIs folded into the batch axis,
which holds the same weights as matterport's TimeDistributed wrappers of the same names. Under a
mixed precision policy the convolutions compute in bfloat16/float16; ROIAlign and the final
logits, box deltas and mask sigmoid are float32 layers, so every head output is float32.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from maskkit.model.batchnorm import BatchNorm
from maskkit.model.precision import FLOAT32
from maskkit.model.roi_align import PyramidROIAlign


class FoldRois(keras.layers.Layer):
    """[B, N, ...] -> [B * N, ...] so per-ROI layers see plain batches."""

    def call(self, x: tf.Tensor) -> tf.Tensor:
        """``x`` with its first two axes merged.

        Args:
            x: [B, N, ...] per-ROI tensor.
        """
        return tf.reshape(x, tf.concat([[-1], tf.shape(x)[2:]], axis=0))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """(None, ...): B * N is known only at run time.

        Args:
            input_shape: the per-ROI tensor's shape (B, N, ...).
        """
        return (None, *input_shape[2:])


class UnfoldRois(keras.layers.Layer):
    """[B * N, ...] back to [B, N, ...] using the ROI tensor [B, N, 4] for B and N.

    Args:
        tail: the static shape after the first axis of the folded tensor, e.g. (NUM_CLASSES, 4).
        kwargs: passed to keras.layers.Layer.
    """

    def __init__(self, tail: tuple[int, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tail = tuple(tail)

    def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        """The folded tensor reshaped to [B, N, *tail].

        Args:
            inputs: [x, rois] tensors: the folded [B * N, ...] values and the ROIs [B, N, 4].
        """
        x, rois = inputs
        shape = tf.concat([tf.shape(rois)[:2], self.tail], axis=0)
        return tf.ensure_shape(tf.reshape(x, shape), [None, None, *self.tail])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """(B, N, *tail).

        Args:
            input_shape: the shapes of [x, rois].
        """
        return (*input_shape[1][:2], *self.tail)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "tail": self.tail}


class RPNHead:
    """Shared 3x3 conv, then per-anchor class logits and box deltas on every pyramid level.

    Args:
        anchors_per_location: anchors at each feature-map position (len(config.RPN_ANCHOR_RATIOS)).
        anchor_stride: the shared conv's stride, in feature-map cells (config.RPN_ANCHOR_STRIDE).
        depth: the shared conv's filters.
    """

    def __init__(self, anchors_per_location: int, anchor_stride: int, depth: int) -> None:
        self.shared = keras.layers.Conv2D(depth, 3, padding="same", activation="relu",
                                          strides=anchor_stride, name="rpn_conv_shared")
        self.class_raw = keras.layers.Conv2D(2 * anchors_per_location, 1, name="rpn_class_raw", dtype=FLOAT32)
        self.bbox_pred = keras.layers.Conv2D(4 * anchors_per_location, 1, name="rpn_bbox_pred", dtype=FLOAT32)

    def __call__(self, feature_maps: list[Any]) -> tuple[Any, Any, Any]:
        """Return rpn_class_logits [B, A, 2], rpn_probs [B, A, 2], rpn_bbox [B, A, 4] over all levels."""
        logits, deltas = [], []
        for feature_map in feature_maps:
            shared = self.shared(feature_map)
            logits.append(keras.layers.Reshape((-1, 2), dtype=FLOAT32)(self.class_raw(shared)))
            deltas.append(keras.layers.Reshape((-1, 4), dtype=FLOAT32)(self.bbox_pred(shared)))
        rpn_class_logits = keras.layers.Concatenate(axis=1, dtype=FLOAT32)(logits)
        rpn_bbox = keras.layers.Concatenate(axis=1, dtype=FLOAT32)(deltas)
        rpn_probs = keras.layers.Activation("softmax", dtype=FLOAT32)(rpn_class_logits)
        return rpn_class_logits, rpn_probs, rpn_bbox


class ClassifierHead:
    """ROIAlign, two 'fully connected' convs with BN, then class logits and per-class box deltas.

    Args:
        config: the model's Config (NUM_CLASSES, POOL_SIZE, FPN_CLASSIF_FC_LAYERS_SIZE, TRAIN_BN).
    """

    def __init__(self, config: Any) -> None:
        size, learn = config.FPN_CLASSIF_FC_LAYERS_SIZE, bool(config.TRAIN_BN)
        self.num_classes = config.NUM_CLASSES
        self.roi_align = PyramidROIAlign((config.POOL_SIZE, config.POOL_SIZE), name="roi_align_classifier",
                                         dtype=FLOAT32)
        self.conv1 = keras.layers.Conv2D(size, config.POOL_SIZE, padding="valid", name="mrcnn_class_conv1")
        self.bn1 = BatchNorm(learn, name="mrcnn_class_bn1")
        self.conv2 = keras.layers.Conv2D(size, 1, name="mrcnn_class_conv2")
        self.bn2 = BatchNorm(learn, name="mrcnn_class_bn2")
        self.logits = keras.layers.Dense(self.num_classes, name="mrcnn_class_logits", dtype=FLOAT32)
        self.bbox = keras.layers.Dense(4 * self.num_classes, name="mrcnn_bbox_fc", dtype=FLOAT32)

    def __call__(self, rois: Any, image_meta: Any, feature_maps: list[Any]) -> tuple[Any, Any, Any]:
        """Return mrcnn_class_logits [B, N, C], mrcnn_class (probabilities), mrcnn_bbox [B, N, C, 4]."""
        x = FoldRois()(self.roi_align([rois, image_meta, *feature_maps]))
        x = keras.layers.Activation("relu")(self.bn1(self.conv1(x)))
        x = keras.layers.Activation("relu")(self.bn2(self.conv2(x)))
        x = keras.layers.Flatten()(x)
        logits = UnfoldRois((self.num_classes,), dtype=FLOAT32)([self.logits(x), rois])
        probs = keras.layers.Activation("softmax", dtype=FLOAT32)(logits)
        bbox = UnfoldRois((self.num_classes, 4), dtype=FLOAT32)([self.bbox(x), rois])
        return logits, probs, bbox


class MaskHead:
    """ROIAlign, four 3x3 conv + BN layers, a 2x deconvolution and a per-class sigmoid mask.

    Args:
        config: the model's Config (NUM_CLASSES, MASK_POOL_SIZE, MASK_SHAPE, TOP_DOWN_PYRAMID_SIZE, TRAIN_BN).
    """

    def __init__(self, config: Any) -> None:
        width, learn = config.TOP_DOWN_PYRAMID_SIZE, bool(config.TRAIN_BN)
        self.num_classes = config.NUM_CLASSES
        self.mask_shape = tuple(config.MASK_SHAPE)
        self.roi_align = PyramidROIAlign((config.MASK_POOL_SIZE, config.MASK_POOL_SIZE), name="roi_align_mask",
                                         dtype=FLOAT32)
        self.convs = [keras.layers.Conv2D(width, 3, padding="same", name=f"mrcnn_mask_conv{i}") for i in range(1, 5)]
        self.bns = [BatchNorm(learn, name=f"mrcnn_mask_bn{i}") for i in range(1, 5)]
        self.deconv = keras.layers.Conv2DTranspose(width, 2, strides=2, activation="relu", name="mrcnn_mask_deconv")
        self.mask = keras.layers.Conv2D(self.num_classes, 1, activation="sigmoid", name="mrcnn_mask",
                                        dtype=FLOAT32)

    def __call__(self, rois: Any, image_meta: Any, feature_maps: list[Any]) -> Any:
        """Return mrcnn_mask [B, N, MASK_H, MASK_W, C] probabilities."""
        x = FoldRois()(self.roi_align([rois, image_meta, *feature_maps]))
        for conv, bn in zip(self.convs, self.bns):
            x = keras.layers.Activation("relu")(bn(conv(x)))
        x = self.mask(self.deconv(x))
        return UnfoldRois((*self.mask_shape, self.num_classes), dtype=FLOAT32)([x, rois])
