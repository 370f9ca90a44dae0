"""Builds the training and inference Keras models of Mask R-CNN on one shared set of layers.

Both functional models start from the same image, image_meta and anchor inputs and call the
same backbone, RPN and head layers, so training one updates the other and a weights file loaded
into either serves both. Anchors are an input (normalised, [B, A, 4]) so any image size works.
"""

from __future__ import annotations

from typing import Any

import attrs
import keras
import tensorflow as tf

from maskkit.backbone import Backbone
from maskkit.config import Config
from maskkit.errors import ConfigError
from maskkit.model.box_graph_ops import norm_boxes
from maskkit.model.detection import DetectionLayer
from maskkit.model.detection_target import DetectionTargetLayer, positive_roi_limit
from maskkit.model.heads import ClassifierHead, MaskHead, RPNHead
from maskkit.model.precision import FLOAT32, policy_scope, resolve_precision
from maskkit.model.proposal import ProposalLayer

HEADS_REGEX = r"(mrcnn\_.*)|(rpn\_.*)|(fpn\_.*)"
TRAINING_OUTPUTS = ("rpn_class_logits", "rpn_bbox", "rpn_rois", "rois", "target_class_ids", "target_bbox",
                    "target_mask", "mrcnn_class_logits", "mrcnn_bbox", "mrcnn_mask")
INFERENCE_OUTPUTS = ("detections", "mrcnn_class", "mrcnn_bbox", "mrcnn_mask", "rpn_rois")


class NormBoxes(keras.layers.Layer):
    """Pixel gt boxes [B, G, 4] -> normalised, using the height and width of the image batch."""

    def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        """Normalised gt boxes [B, G, 4].

        Args:
            inputs: [gt_boxes, images] tensors: pixel boxes [B, G, 4] and the image batch [B, H, W, C].
        """
        boxes, images = inputs
        return norm_boxes(boxes, tf.shape(images)[1:3])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The gt boxes' shape.

        Args:
            input_shape: the shapes of [gt_boxes, images].
        """
        return tuple(input_shape[0])


class DetectionBoxes(keras.layers.Layer):
    """The boxes (y1, x1, y2, x2) of the detections [B, N, 6], cut after the last real detection of the
    batch (at least one), so the mask head does not run on the zero padding."""

    def call(self, detections: tf.Tensor) -> tf.Tensor:
        """Boxes [B, n, 4] of the first n detections, n the most real detections of any image (>= 1).

        Args:
            detections: [B, N, 6] DetectionLayer output; class_id 0 marks padding.
        """
        count = tf.reduce_max(tf.reduce_sum(tf.cast(detections[..., 4] > 0, tf.int32), axis=1))
        return detections[:, :tf.maximum(count, 1), :4]

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """(B, None, 4): the count is known only at run time.

        Args:
            input_shape: the detections' shape (B, N, 6).
        """
        return (input_shape[0], None, 4)


class FixedCountLayer(keras.layers.Layer):
    """A layer whose output holds ``count`` entries along axis 1 whatever its input had there.

    Args:
        count: the length of axis 1 in the output.
        kwargs: passed to keras.layers.Layer.
    """

    def __init__(self, count: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.count = int(count)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """(B, count, ...).

        Args:
            input_shape: the input's shape (B, n, ...).
        """
        return (input_shape[0], self.count, *input_shape[2:])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "count": self.count}


class PadDetections(FixedCountLayer):
    """Zero-pad per-detection outputs [B, n, ...] back to [B, DETECTION_MAX_INSTANCES, ...].

    Args:
        count: the padded length (config.DETECTION_MAX_INSTANCES).
        kwargs: passed to keras.layers.Layer.
    """

    def call(self, values: tf.Tensor) -> tf.Tensor:
        """``values`` zero-padded to ``count`` along axis 1.

        Args:
            values: [B, n, ...] per-detection outputs, n <= ``count``.
        """
        padding = [[0, 0], [0, self.count - tf.shape(values)[1]]] + [[0, 0]] * (len(values.shape) - 2)
        return tf.ensure_shape(tf.pad(values, padding), [None, self.count, *values.shape[2:]])


class LeadingRois(FixedCountLayer):
    """Per-ROI values [B, T, ...] -> their first ``count`` ROIs [B, count, ...].

    The detection-target layer puts each image's positive ROIs first and samples at most
    ``positive_roi_limit(config)`` of them, so this slice holds every ROI the mask loss averages
    over; training the mask head on it alone (as detectron2 does) spares its convolutions on the
    negative and padding ROIs, which make up two thirds of the batch.

    Args:
        count: how many leading ROIs to keep (``positive_roi_limit(config)``).
        kwargs: passed to keras.layers.Layer.
    """

    def call(self, values: tf.Tensor) -> tf.Tensor:
        """The first ``count`` ROIs of ``values``.

        Args:
            values: [B, T, ...] per-ROI values, T >= ``count``.
        """
        return values[:, :self.count]


@attrs.define
class MaskRCNNGraph:
    """The two functional models and the backbone that built them.

    ``feature_model`` (images -> P2..P5, rpn_probs, rpn_bbox) and ``head_model`` (those, image_meta,
    anchors -> the inference outputs) split the inference model where shapes stop being static, so
    the convolutional part can be XLA-compiled on its own (config.XLA)."""

    training_model: keras.Model
    inference_model: keras.Model
    backbone: Backbone
    feature_model: keras.Model
    head_model: keras.Model

    def layer_regex(self, layers: str) -> str:
        """Resolve ``heads``/``3+``/``4+``/``5+``/``all`` or pass a custom regex through.

        Args:
            layers: a shortcut the backbone knows, ``heads``, or a regex over layer names.

        Returns:
            A regex over layer names; the shortcuts below ``all`` include the heads.
        """
        if layers == "heads":
            return HEADS_REGEX
        shortcuts = self.backbone.trainable_layer_regex()
        if layers in shortcuts:
            regex = shortcuts[layers]
            return regex if regex == ".*" else f"{regex}|{HEADS_REGEX}"
        return layers


def model_inputs(config: Config) -> dict[str, keras.KerasTensor]:
    """Keras inputs named like the data pipeline's keys, plus ``anchors``.

    Args:
        config: the model's Config (IMAGE_CHANNEL_COUNT, IMAGE_META_SIZE, USE_MINI_MASK, MINI_MASK_SHAPE).
    """
    mask_shape = tuple(config.MINI_MASK_SHAPE) if config.USE_MINI_MASK else (None, None)
    return {
        "images": keras.Input((None, None, config.IMAGE_CHANNEL_COUNT), name="images"),
        "image_meta": keras.Input((config.IMAGE_META_SIZE,), name="image_meta"),
        "anchors": keras.Input((None, 4), name="anchors"),
        "rpn_match": keras.Input((None,), dtype="int32", name="rpn_match"),
        "rpn_bbox": keras.Input((None, 4), name="rpn_bbox"),
        "gt_class_ids": keras.Input((None,), dtype="int32", name="gt_class_ids"),
        "gt_boxes": keras.Input((None, 4), name="gt_boxes"),
        "gt_masks": keras.Input((*mask_shape, None), dtype="bool", name="gt_masks"),
    }


def build_graph(config: Config, backbone: Backbone) -> MaskRCNNGraph:
    """Build both models for ``config`` on ``backbone``, in ``config.PRECISION``: the backbone, FPN and
    heads compute in that policy, box geometry, proposals, detection and the final logits in float32."""
    with policy_scope(resolve_precision(config.PRECISION).precision):
        return _build_graph(config, backbone)


def _build_graph(config: Config, backbone: Backbone) -> MaskRCNNGraph:
    if not config.USE_RPN_ROIS:
        raise ConfigError("USE_RPN_ROIS", "training on externally supplied ROIs is not supported; set it to true")
    problem = backbone.level_problem()
    if problem is not None:
        raise ConfigError("BACKBONE", f"backbone {backbone.name!r} {problem}")
    if tuple(config.BACKBONE_STRIDES) != backbone.output_strides():
        raise ConfigError("BACKBONE_STRIDES", f"is {tuple(config.BACKBONE_STRIDES)} but backbone {backbone.name!r} "
                          f"produces {dict(backbone.outputs)}; the anchors must lie on the levels' strides")
    inputs = model_inputs(config)
    images, image_meta, anchors = inputs["images"], inputs["image_meta"], inputs["anchors"]
    pyramid = backbone.pyramid(images, config)
    mrcnn_maps = pyramid[:4]

    rpn = RPNHead(len(config.RPN_ANCHOR_RATIOS), config.RPN_ANCHOR_STRIDE, 2 * config.TOP_DOWN_PYRAMID_SIZE)
    classifier = ClassifierHead(config)
    mask_head = MaskHead(config)
    rpn_class_logits, rpn_probs, rpn_bbox = rpn(pyramid)

    def proposals(count: int, name: str) -> Any:
        layer = ProposalLayer(count, config.RPN_NMS_THRESHOLD, config.PRE_NMS_LIMIT, config.RPN_BBOX_STD_DEV,
                              name=name, dtype=FLOAT32)
        return layer([rpn_probs, rpn_bbox, anchors])

    rpn_rois = proposals(config.POST_NMS_ROIS_TRAINING, "ROI")
    gt_boxes = NormBoxes(name="norm_gt_boxes", dtype=FLOAT32)([inputs["gt_boxes"], images])
    targets = DetectionTargetLayer(config, name="proposal_targets", dtype=FLOAT32)
    rois, target_class_ids, target_bbox, target_mask = targets(
        [rpn_rois, inputs["gt_class_ids"], gt_boxes, inputs["gt_masks"]])
    class_logits, _, bbox = classifier(rois, image_meta, mrcnn_maps)
    mask_rois = positive_roi_limit(config)
    target_mask = LeadingRois(mask_rois, name="positive_target_masks", dtype=FLOAT32)(target_mask)
    masks = mask_head(LeadingRois(mask_rois, name="positive_rois", dtype=FLOAT32)(rois), image_meta, mrcnn_maps)
    training_outputs = dict(zip(TRAINING_OUTPUTS, (
        rpn_class_logits, rpn_bbox, rpn_rois, rois, target_class_ids, target_bbox, target_mask,
        class_logits, bbox, masks)))
    training_model = keras.Model(inputs, training_outputs, name="mask_rcnn_training")

    inference_rois = proposals(config.POST_NMS_ROIS_INFERENCE, "ROI_inference")
    _, class_probs, bbox = classifier(inference_rois, image_meta, mrcnn_maps)
    detection = DetectionLayer(config, name="mrcnn_detection", dtype=FLOAT32)
    detections = detection([inference_rois, class_probs, bbox, image_meta])
    masks = mask_head(DetectionBoxes(name="detection_boxes", dtype=FLOAT32)(detections), image_meta, mrcnn_maps)
    masks = PadDetections(config.DETECTION_MAX_INSTANCES, name="pad_detection_masks", dtype=FLOAT32)(masks)
    inference_inputs = {key: inputs[key] for key in ("images", "image_meta", "anchors")}
    inference_outputs = dict(zip(INFERENCE_OUTPUTS, (detections, class_probs, bbox, masks, inference_rois)))
    inference_model = keras.Model(inference_inputs, inference_outputs, name="mask_rcnn_inference")
    features = [*mrcnn_maps, rpn_probs, rpn_bbox]
    feature_model = keras.Model(images, features, name="mask_rcnn_features")
    head_model = keras.Model([*features, image_meta, anchors], inference_outputs, name="mask_rcnn_heads")
    return MaskRCNNGraph(training_model, inference_model, backbone, feature_model, head_model)
