"""Box arithmetic on TensorFlow tensors: delta encoding/decoding, clipping, IoU, normalisation.

Normalised boxes are (y1, x1, y2, x2) with (y2, x2) shifted by one pixel as in matterport, so that
pixel box (0, 0, H, W) maps to (0, 0, 1, 1).
"""

from __future__ import annotations

import math

import tensorflow as tf

from maskkit.utils.box_math import refinement_deltas


LOG_SCALE_CLAMP = math.log(1000.0 / 16.0)


def apply_box_deltas(boxes: tf.Tensor, deltas: tf.Tensor) -> tf.Tensor:
    """Refine boxes [..., 4] by deltas [..., (dy, dx, log(dh), log(dw))].

    Log-scale deltas are capped at log(1000/16), as detectron2 does: an untrained or diverging head
    can predict a huge one, and exp() would overflow to inf and turn the box into NaNs downstream.
    """
    height = boxes[..., 2] - boxes[..., 0]
    width = boxes[..., 3] - boxes[..., 1]
    center_y = boxes[..., 0] + 0.5 * height + deltas[..., 0] * height
    center_x = boxes[..., 1] + 0.5 * width + deltas[..., 1] * width
    height = height * tf.exp(tf.minimum(deltas[..., 2], LOG_SCALE_CLAMP))
    width = width * tf.exp(tf.minimum(deltas[..., 3], LOG_SCALE_CLAMP))
    y1 = center_y - 0.5 * height
    x1 = center_x - 0.5 * width
    return tf.stack([y1, x1, y1 + height, x1 + width], axis=-1)


def clip_boxes(boxes: tf.Tensor, window: tf.Tensor) -> tf.Tensor:
    """Clip boxes [..., 4] to windows (y1, x1, y2, x2) whose shape broadcasts against them."""
    wy1, wx1, wy2, wx2 = tf.unstack(tf.cast(window, boxes.dtype), axis=-1)
    low = tf.stack([wy1, wx1, wy1, wx1], axis=-1)
    high = tf.stack([wy2, wx2, wy2, wx2], axis=-1)
    return tf.minimum(tf.maximum(boxes, low), high)


def norm_boxes(boxes: tf.Tensor, shape: tf.Tensor) -> tf.Tensor:
    """Pixel boxes [..., 4] to normalised coordinates for an image of (height, width) ``shape``."""
    h, w = tf.unstack(tf.cast(shape, tf.float32), axis=-1)
    scale = tf.stack([h - 1.0, w - 1.0, h - 1.0, w - 1.0], axis=-1)
    shift = tf.constant([0.0, 0.0, 1.0, 1.0])
    return (tf.cast(boxes, tf.float32) - shift) / scale


def overlaps(boxes1: tf.Tensor, boxes2: tf.Tensor) -> tf.Tensor:
    """IoU matrix [N1, N2] between two sets of boxes [N, 4].

    Args:
        boxes1: [N1, 4] boxes (y1, x1, y2, x2).
        boxes2: [N2, 4] boxes in the same coordinates.

    Returns:
        [N1, N2] IoU; 0 where the union is empty.
    """
    b1 = boxes1[:, None, :]
    b2 = boxes2[None, :, :]
    y1 = tf.maximum(b1[..., 0], b2[..., 0])
    x1 = tf.maximum(b1[..., 1], b2[..., 1])
    y2 = tf.minimum(b1[..., 2], b2[..., 2])
    x2 = tf.minimum(b1[..., 3], b2[..., 3])
    intersection = tf.maximum(y2 - y1, 0.0) * tf.maximum(x2 - x1, 0.0)
    area1 = (b1[..., 2] - b1[..., 0]) * (b1[..., 3] - b1[..., 1])
    area2 = (b2[..., 2] - b2[..., 0]) * (b2[..., 3] - b2[..., 1])
    union = area1 + area2 - intersection
    return tf.math.divide_no_nan(intersection, union)


def box_refinement(boxes: tf.Tensor, gt_boxes: tf.Tensor) -> tf.Tensor:
    """Deltas [N, 4] that turn ``boxes`` into ``gt_boxes`` (inverse of apply_box_deltas), in the same
    operation order as the input pipeline's numpy targets (maskkit.utils.box_math.refinement_deltas)."""
    return refinement_deltas(boxes, gt_boxes, tf.math.log, lambda columns: tf.stack(columns, axis=1))
