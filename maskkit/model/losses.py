"""The five Mask R-CNN losses with matterport's semantics; each returns a scalar (0 when empty)."""

from __future__ import annotations

import tensorflow as tf


def smooth_l1(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    """Elementwise smooth-L1 (Huber with delta 1).

    Args:
        y_true, y_pred: targets and predictions of the same shape.
    """
    diff = tf.abs(y_true - y_pred)
    return tf.where(diff < 1.0, 0.5 * diff ** 2, diff - 0.5)


def _mean_or_zero(values: tf.Tensor) -> tf.Tensor:
    return tf.cond(tf.size(values) > 0, lambda: tf.reduce_mean(values), lambda: tf.constant(0.0))


def rpn_class_loss(rpn_match: tf.Tensor, rpn_class_logits: tf.Tensor) -> tf.Tensor:
    """Cross-entropy of anchor foreground/background over non-neutral anchors.

    rpn_match [B, A] (1, -1, 0 neutral); rpn_class_logits [B, A, 2].
    """
    rpn_match = tf.cast(rpn_match, tf.int32)
    used = tf.where(tf.not_equal(rpn_match, 0))
    labels = tf.cast(tf.equal(tf.gather_nd(rpn_match, used), 1), tf.int32)
    logits = tf.gather_nd(rpn_class_logits, used)
    return _mean_or_zero(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))


def rpn_bbox_loss(target_bbox: tf.Tensor, rpn_match: tf.Tensor, rpn_bbox: tf.Tensor) -> tf.Tensor:
    """Smooth-L1 between predicted and target deltas of the positive anchors.

    target_bbox [B, T, 4] holds each image's positive-anchor deltas first (zero-padded);
    rpn_match [B, A]; rpn_bbox [B, A, 4].
    """
    positive = tf.equal(tf.cast(rpn_match, tf.int32), 1)
    predicted = tf.boolean_mask(rpn_bbox, positive)
    counts = tf.reduce_sum(tf.cast(positive, tf.int32), axis=1)
    slots = tf.range(tf.shape(target_bbox)[1])[None, :] < counts[:, None]
    target = tf.boolean_mask(target_bbox, slots)
    return _mean_or_zero(smooth_l1(target, predicted))


def mrcnn_class_loss(target_class_ids: tf.Tensor, pred_class_logits: tf.Tensor,
                     active_class_ids: tf.Tensor) -> tf.Tensor:
    """Cross-entropy of ROI classes, ignoring predictions of classes not in the image's dataset.

    target_class_ids [B, N] (0 also for padding, as in matterport); pred_class_logits [B, N, C];
    active_class_ids [B, C] (1 for classes of the image's source).
    """
    target_class_ids = tf.cast(target_class_ids, tf.int64)
    pred_class_ids = tf.argmax(pred_class_logits, axis=2)
    pred_active = tf.cast(tf.gather(active_class_ids[0], pred_class_ids), tf.float32)
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target_class_ids, logits=pred_class_logits)
    return tf.math.divide_no_nan(tf.reduce_sum(loss * pred_active), tf.reduce_sum(pred_active))


def mrcnn_bbox_loss(target_bbox: tf.Tensor, target_class_ids: tf.Tensor, pred_bbox: tf.Tensor) -> tf.Tensor:
    """Smooth-L1 of the class-specific box deltas of positive ROIs.

    target_bbox [B, N, 4]; target_class_ids [B, N]; pred_bbox [B, N, C, 4].
    """
    class_ids = tf.cast(target_class_ids, tf.int32)
    positive = class_ids > 0
    predicted = tf.gather(pred_bbox, class_ids, batch_dims=2)
    return _mean_or_zero(smooth_l1(tf.boolean_mask(target_bbox, positive), tf.boolean_mask(predicted, positive)))


def mrcnn_mask_loss(target_masks: tf.Tensor, target_class_ids: tf.Tensor, pred_masks: tf.Tensor) -> tf.Tensor:
    """Binary cross-entropy of the positive ROIs' masks of their true class.

    target_masks [B, M, h, w] in {0, 1}; target_class_ids [B, N]; pred_masks [B, M, h, w, C]
    sigmoid probabilities. The masks may cover only the first M <= N ROIs (the training graph runs
    the mask head on the leading slice that holds every positive ROI); the class ids are cut to match.
    """
    class_ids = tf.cast(target_class_ids[:, :tf.shape(pred_masks)[1]], tf.int32)
    positive = class_ids > 0
    predicted = tf.transpose(pred_masks, [0, 1, 4, 2, 3])
    predicted = tf.gather(predicted, class_ids, batch_dims=2)
    target = tf.boolean_mask(target_masks, positive)
    predicted = tf.clip_by_value(tf.boolean_mask(predicted, positive), 1e-7, 1.0 - 1e-7)
    bce = -(target * tf.math.log(predicted) + (1.0 - target) * tf.math.log(1.0 - predicted))
    return _mean_or_zero(bce)


def compute_losses(outputs: dict[str, tf.Tensor], batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
    """The five losses from the training graph's outputs and the input batch, always in float32."""
    outputs = {name: tf.cast(value, tf.float32) if value.dtype.is_floating else value
               for name, value in outputs.items()}
    active_class_ids = batch["image_meta"][:, 12:]
    return {
        "rpn_class_loss": rpn_class_loss(batch["rpn_match"], outputs["rpn_class_logits"]),
        "rpn_bbox_loss": rpn_bbox_loss(batch["rpn_bbox"], batch["rpn_match"], outputs["rpn_bbox"]),
        "mrcnn_class_loss": mrcnn_class_loss(outputs["target_class_ids"], outputs["mrcnn_class_logits"],
                                             active_class_ids),
        "mrcnn_bbox_loss": mrcnn_bbox_loss(outputs["target_bbox"], outputs["target_class_ids"],
                                           outputs["mrcnn_bbox"]),
        "mrcnn_mask_loss": mrcnn_mask_loss(outputs["target_mask"], outputs["target_class_ids"],
                                           outputs["mrcnn_mask"]),
    }
