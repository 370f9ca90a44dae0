"""DetectionLayer: final boxes, classes and scores from the classifier head (inference only)."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from maskkit.image_meta import parse_image_meta_batch
from maskkit.model.box_graph_ops import apply_box_deltas, clip_boxes, norm_boxes


class DetectionLayer(keras.layers.Layer):
    """Best class per ROI, class-specific refinement, clipping to the image window, per-class NMS.

    Inputs: rois [B, N, 4] normalised, mrcnn_class [B, N, C] probabilities, mrcnn_bbox
    [B, N, C, 4] deltas, image_meta. Output [B, DETECTION_MAX_INSTANCES, (y1, x1, y2, x2,
    class_id, score)] in normalised coordinates, sorted by score and zero-padded.

    Args:
        config: the model's Config (DETECTION_MAX_INSTANCES, DETECTION_MIN_CONFIDENCE,
            DETECTION_NMS_THRESHOLD, BBOX_STD_DEV).
        kwargs: passed to keras.layers.Layer.
    """

    def __init__(self, config: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = config

    def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        """The detections of a batch.

        Args:
            inputs: [rois, mrcnn_class, mrcnn_bbox, image_meta] tensors as in the class docstring.

        Returns:
            [B, DETECTION_MAX_INSTANCES, 6] detections as in the class docstring.
        """
        rois, probs, deltas, image_meta = inputs
        config = self.config
        count = config.DETECTION_MAX_INSTANCES
        class_ids = tf.argmax(probs, axis=-1, output_type=tf.int32)
        class_scores = tf.reduce_max(probs, axis=-1)
        class_deltas = tf.gather(deltas, class_ids, batch_dims=2)
        refined = apply_box_deltas(rois, class_deltas * tf.constant(config.BBOX_STD_DEV, tf.float32))
        meta = parse_image_meta_batch(image_meta)
        window = norm_boxes(meta["window"], meta["image_shape"][:, :2])
        refined = clip_boxes(refined, window[:, None, :])
        scores = tf.one_hot(class_ids, tf.shape(probs)[-1]) * class_scores[..., None]
        boxes, scores, classes, valid = tf.image.combined_non_max_suppression(
            refined[:, :, None, :], scores[:, :, 1:], max_output_size_per_class=count,
            max_total_size=count, iou_threshold=config.DETECTION_NMS_THRESHOLD,
            score_threshold=max(config.DETECTION_MIN_CONFIDENCE, 1e-6), clip_boxes=False)
        keep = tf.cast(tf.range(count)[None, :] < valid[:, None], tf.float32)
        detections = tf.concat([boxes, (classes + 1.0)[..., None], scores[..., None]], axis=-1)
        return tf.ensure_shape(detections * keep[..., None], [None, count, 6])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """(B, DETECTION_MAX_INSTANCES, 6).

        Args:
            input_shape: the shapes of [rois, mrcnn_class, mrcnn_bbox, image_meta].
        """
        return (input_shape[0][0], self.config.DETECTION_MAX_INSTANCES, 6)
