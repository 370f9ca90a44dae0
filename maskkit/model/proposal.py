"""ProposalLayer: turns RPN scores and deltas into the top region proposals of each image."""

from __future__ import annotations

from typing import Any, Sequence

import keras
import tensorflow as tf

from maskkit.model.box_graph_ops import apply_box_deltas, clip_boxes


class ProposalLayer(keras.layers.Layer):
    """Top-k anchors by foreground score, refined by their deltas, clipped, then NMS.

    Inputs: rpn_probs [B, A, 2], rpn_bbox [B, A, 4] (deltas scaled by RPN_BBOX_STD_DEV), anchors
    [B, A, 4] normalised. Output: proposals [B, proposal_count, 4] normalised, zero-padded.

    Args:
        proposal_count: proposals kept per image after NMS.
        nms_threshold: IoU above which NMS drops the lower-scored box (config.RPN_NMS_THRESHOLD).
        pre_nms_limit: top-scored anchors refined and passed to NMS (config.PRE_NMS_LIMIT).
        bbox_std_dev: the 4 factors rpn_bbox is multiplied by (config.RPN_BBOX_STD_DEV).
        kwargs: passed to keras.layers.Layer.
    """

    def __init__(self, proposal_count: int, nms_threshold: float, pre_nms_limit: int,
                 bbox_std_dev: Sequence[float], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.proposal_count = int(proposal_count)
        self.nms_threshold = float(nms_threshold)
        self.pre_nms_limit = int(pre_nms_limit)
        self.bbox_std_dev = tuple(float(v) for v in bbox_std_dev)

    def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        """The proposals of a batch.

        Args:
            inputs: [rpn_probs, rpn_bbox, anchors] tensors as in the class docstring.
        """
        rpn_probs, rpn_bbox, anchors = inputs
        scores = rpn_probs[:, :, 1]
        deltas = rpn_bbox * tf.constant(self.bbox_std_dev, dtype=rpn_bbox.dtype)
        limit = tf.minimum(self.pre_nms_limit, tf.shape(anchors)[1])
        top = tf.math.top_k(scores, limit, sorted=True).indices
        scores = tf.gather(scores, top, batch_dims=1)
        deltas = tf.gather(deltas, top, batch_dims=1)
        anchors = tf.gather(anchors, top, batch_dims=1)
        boxes = clip_boxes(apply_box_deltas(anchors, deltas), tf.constant([0.0, 0.0, 1.0, 1.0]))

        def nms(args: tuple[tf.Tensor, tf.Tensor]) -> tf.Tensor:
            image_boxes, image_scores = args
            keep = tf.image.non_max_suppression(image_boxes, image_scores, self.proposal_count,
                                                self.nms_threshold)
            kept = tf.gather(image_boxes, keep)
            return tf.pad(kept, [[0, self.proposal_count - tf.shape(kept)[0]], [0, 0]])

        proposals = tf.map_fn(nms, (boxes, scores), fn_output_signature=tf.float32)
        return tf.ensure_shape(proposals, [None, self.proposal_count, 4])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """(B, proposal_count, 4).

        Args:
            input_shape: the shapes of [rpn_probs, rpn_bbox, anchors].
        """
        return (input_shape[0][0], self.proposal_count, 4)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "proposal_count": self.proposal_count,
                "nms_threshold": self.nms_threshold, "pre_nms_limit": self.pre_nms_limit,
                "bbox_std_dev": self.bbox_std_dev}
