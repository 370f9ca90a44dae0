"""image_meta: the per-image vector (matterport layout) that carries resize facts into the graph.

Layout: [image_id, original_image_shape(3), image_shape(3), window(y1, x1, y2, x2)(4), scale(1),
active_class_ids(NUM_CLASSES)] -- 12 + NUM_CLASSES float32 values. The one place that knows it:
data, model and export compose and parse image_meta here (numpy, and TensorFlow for export).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

FIELDS = (("image_id", 0, 1), ("original_image_shape", 1, 4), ("image_shape", 4, 7),
          ("window", 7, 11), ("scale", 11, 12))
ACTIVE_CLASS_IDS_START = 12


def meta_size(num_classes: int) -> int:
    """Length of the image_meta vector: 12 fixed entries plus one per class.

    Args:
        num_classes: the config's NUM_CLASSES, background included.
    """
    return ACTIVE_CLASS_IDS_START + num_classes


def compose_image_meta(image_id: int, original_image_shape: Sequence[int], image_shape: Sequence[int],
                       window: Sequence[float], scale: float, active_class_ids: Sequence[int]) -> np.ndarray:
    """Pack the attributes of one image into its float32 image_meta vector.

    Args:
        image_id: internal image id.
        original_image_shape: (height, width, channels) before resizing.
        image_shape: (height, width, channels) after resizing and padding.
        window: (y1, x1, y2, x2) of the image inside the padded one, in pixels, y2/x2 exclusive.
        scale: the resize factor applied to the original image.
        active_class_ids: 1 per class of the image's dataset source, else 0; NUM_CLASSES values.

    Returns:
        float32 [12 + NUM_CLASSES], laid out as in the module docstring.
    """
    return np.array([image_id, *original_image_shape, *image_shape, *window, scale, *active_class_ids],
                    dtype=np.float32)


def compose_image_meta_tf(image_id: Any, original_image_shape: Any, image_shape: Any, window: Any, scale: Any,
                          active_class_ids: Any) -> Any:
    """compose_image_meta inside a TensorFlow graph: every part a number or a tensor, the result float32 [N].

    Args:
        image_id: internal image id, a scalar.
        original_image_shape, image_shape: 3 values each, (height, width, channels) before and after resizing.
        window: 4 values (y1, x1, y2, x2) of the image inside the padded one, in pixels.
        scale: the resize factor, a scalar.
        active_class_ids: NUM_CLASSES values, 1 for classes of the image's source.
    """
    import tensorflow as tf

    parts = [tf.reshape(image_id, [1]), original_image_shape, image_shape, window, tf.reshape(scale, [1]),
             active_class_ids]
    return tf.concat([tf.cast(part, tf.float32) for part in parts], axis=0)


def parse_image_meta(meta: np.ndarray) -> dict[str, Any]:
    """Unpack one image_meta vector [N] into ints, tuples, the scale and active class ids.

    Args:
        meta: one image_meta vector, at least 13 values; anything else is a ValueError.

    Returns:
        The fields by name (``image_id``, ``original_image_shape``, ``image_shape``, ``window``,
        ``scale``, ``active_class_ids`` int32).
    """
    meta = np.asarray(meta)
    if meta.ndim != 1 or meta.shape[0] < ACTIVE_CLASS_IDS_START + 1:
        raise ValueError(f"image_meta must be a vector of at least {ACTIVE_CLASS_IDS_START + 1} values, "
                         f"got shape {meta.shape}")
    return {
        "image_id": int(meta[0]),
        "original_image_shape": tuple(int(v) for v in meta[1:4]),
        "image_shape": tuple(int(v) for v in meta[4:7]),
        "window": tuple(int(v) for v in meta[7:11]),
        "scale": float(meta[11]),
        "active_class_ids": meta[ACTIVE_CLASS_IDS_START:].astype(np.int32),
    }


def parse_image_meta_batch(meta: Any) -> dict[str, Any]:
    """Slice a batch of image_meta [B, N] into its fields; plain slicing, so numpy arrays and
    TensorFlow tensors both work without this module importing TensorFlow.

    Args:
        meta: image_meta rows [B, N], a numpy array or a tensor.

    Returns:
        The fields by name, each [B, k] (``image_id`` and ``scale`` [B]).
    """
    out = {name: meta[:, start:stop] for name, start, stop in FIELDS}
    out["image_id"] = meta[:, 0]
    out["scale"] = meta[:, 11]
    out["active_class_ids"] = meta[:, ACTIVE_CLASS_IDS_START:]
    return out
