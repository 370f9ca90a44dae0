"""PyramidROIAlign: pools each box from the FPN level that suits its size (FPN paper, eq. 1)."""

from __future__ import annotations

from typing import Any, Sequence

import keras
import tensorflow as tf

from maskkit.image_meta import parse_image_meta_batch


def roi_levels(boxes: tf.Tensor, image_shape: tf.Tensor) -> tf.Tensor:
    """Pyramid level 2..5 of each normalised box [B, N, 4]: 4 + log2(sqrt(area) / 224 pixels).

    Args:
        boxes: [B, N, 4] normalised boxes.
        image_shape: the molded image's (height, width, ...), which turns normalised area into pixels.

    Returns:
        int32 [B, N] levels.
    """
    height = boxes[..., 2] - boxes[..., 0]
    width = boxes[..., 3] - boxes[..., 1]
    image_area = tf.cast(image_shape[0] * image_shape[1], tf.float32)
    level = tf.math.log(tf.sqrt(height * width) / (224.0 / tf.sqrt(image_area))) / tf.math.log(2.0)
    level = 4 + tf.cast(tf.round(level), tf.int32)
    return tf.clip_by_value(level, 2, 5)


class PyramidROIAlign(keras.layers.Layer):
    """Crops and resizes boxes from P2..P5 to ``pool_shape``.

    Inputs: boxes [B, N, 4] normalised, image_meta [B, META], then the feature maps P2..P5.
    Output: [B, N, pool_h, pool_w, channels], in the order of the boxes.

    Args:
        pool_shape: (pool_h, pool_w) of every crop.
        kwargs: passed to keras.layers.Layer.
    """

    def __init__(self, pool_shape: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool_shape = tuple(int(v) for v in pool_shape)

    def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        """The pooled crops of every box.

        Args:
            inputs: [boxes, image_meta, P2, P3, P4, P5] tensors as in the class docstring.
        """
        boxes, image_meta, *feature_maps = inputs
        image_shape = parse_image_meta_batch(image_meta)["image_shape"][0]
        levels = roi_levels(boxes, image_shape)
        pooled, placement = [], []
        for level, feature_map in zip(range(2, 6), feature_maps):
            index = tf.where(tf.equal(levels, level))
            level_boxes = tf.stop_gradient(tf.gather_nd(boxes, index))
            box_indices = tf.stop_gradient(tf.cast(index[:, 0], tf.int32))
            pooled.append(tf.image.crop_and_resize(feature_map, level_boxes, box_indices,
                                                   self.pool_shape, method="bilinear"))
            placement.append(index)
        pooled = tf.concat(pooled, axis=0)
        placement = tf.concat(placement, axis=0)
        order_key = placement[:, 0] * tf.cast(tf.shape(boxes)[1], tf.int64) + placement[:, 1]
        pooled = tf.gather(pooled, tf.argsort(order_key))
        channels = feature_maps[0].shape[-1]
        shape = tf.concat([tf.shape(boxes)[:2], [self.pool_shape[0], self.pool_shape[1], channels]], axis=0)
        return tf.ensure_shape(tf.reshape(pooled, shape), [None, None, *self.pool_shape, channels])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """(B, N, pool_h, pool_w, channels).

        Args:
            input_shape: the shapes of [boxes, image_meta, P2, ...].
        """
        return (*input_shape[0][:2], *self.pool_shape, input_shape[2][-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_shape": self.pool_shape}
