"""Molding inside the train and validation steps: the input pipeline hands images over as uint8 and
the step subtracts MEAN_PIXEL on its own device.

uint8 is a quarter of float32's bytes to batch on tf.data's threads and to copy to a GPU; molding
there instead cost the pipeline about a fifth of its images/s at 1024 px (docs/benchmarks.md).
Batches whose images are already float (molded by a caller's own pipeline) pass unchanged.
"""

from __future__ import annotations

from typing import Any, Sequence

import tensorflow as tf


def mold_batch(images: tf.Tensor, mean: tf.Tensor) -> tf.Tensor:
    """uint8 [B, H, W, C] -> float32 minus ``mean`` [C], as maskkit.data.mean_pixel.mold_image: subtracted row
    by row from the mean tiled W times, which TensorFlow does several times faster than broadcasting
    over C.

    Args:
        images: uint8 [B, H, W, C] batch.
        mean: float32 [C] mean pixel (config.MEAN_PIXEL).
    """
    shape = tf.shape(images)
    rows = tf.reshape(tf.cast(images, tf.float32), [shape[0], shape[1], shape[2] * shape[3]])
    return tf.reshape(rows - tf.tile(mean, [shape[2]]), shape)


def molded_inputs(batch: dict[str, Any], mean_pixel: Sequence[float]) -> dict[str, Any]:
    """``batch`` with uint8 ``images`` molded around ``mean_pixel`` (config.MEAN_PIXEL); any other
    dtype is taken as molded already."""
    images = batch["images"]
    if images.dtype != tf.uint8:
        return batch
    return {**batch, "images": mold_batch(images, tf.constant(mean_pixel, dtype=tf.float32))}
