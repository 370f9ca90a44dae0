"""One training example's arrays and how a group of them is stacked for tf.data.

KEYS names the model inputs in order; ground truth (class ids, boxes, masks) is zero-padded along
its instance axis to MAX_GT_INSTANCES, so every batch has one static shape. Kept apart from the
pipeline (maskkit.data.input) because the worker processes and the benchmarks stack examples too.
"""

from __future__ import annotations

import numpy as np

from maskkit.config import Config
from maskkit.data.anchor_grid import anchors_for
from maskkit.utils.aligned import aligned_array

#: The model inputs of one example, in the order the pipeline hands them over.
KEYS = ("images", "image_meta", "rpn_match", "rpn_bbox", "gt_class_ids", "gt_boxes", "gt_masks")


# Where each ground-truth key counts instances (masks are [H, W, N], matterport's layout).
_INSTANCE_AXIS = {"gt_class_ids": 0, "gt_boxes": 0, "gt_masks": -1}
#: The dtype of each key's array (rpn_match int8: values -1/0/1, a quarter of the bytes to hand over).
ARRAY_DTYPES = {"images": np.uint8, "image_meta": np.float32, "rpn_match": np.int8, "rpn_bbox": np.float32,
                "gt_class_ids": np.int32, "gt_boxes": np.float32, "gt_masks": np.bool_}


def _with_instances(shape: tuple, key: str, count: int) -> tuple:
    """``shape`` of one example's ``key`` with its instance axis (if it has one) set to ``count``."""
    if key not in _INSTANCE_AXIS:
        return tuple(shape)
    changed = list(shape)
    changed[_INSTANCE_AXIS[key]] = count
    return tuple(changed)


def _instances_index(value: np.ndarray, axis: int) -> tuple[slice, ...]:
    """The index of ``value``'s instances inside a zero-padded array of the same layout."""
    index = [slice(None)] * value.ndim
    index[axis] = slice(0, value.shape[axis])
    return tuple(index)


def pad_instances(example: dict[str, np.ndarray], limit: int) -> dict[str, np.ndarray]:
    """``example`` with gt_class_ids/gt_boxes/gt_masks zero-padded along the instance axis to ``limit``."""
    padded = dict(example)
    for key, axis in _INSTANCE_AXIS.items():
        value = example[key]
        padded[key] = np.zeros(_with_instances(value.shape, key, limit), dtype=ARRAY_DTYPES[key])
        padded[key][_instances_index(value, axis)] = value
    return padded


def stack_examples(examples: list[dict[str, np.ndarray]], shapes: dict[str, tuple],
                   stacked: dict[str, np.ndarray] | None = None) -> list[np.ndarray]:
    """Unpadded examples stacked per key (KEYS order) into arrays with a leading example axis: ground
    truth zero-padded to the instance count of ``shapes`` (example_shapes: MAX_GT_INSTANCES),
    rpn_match narrowed to int8 (values -1/0/1: a quarter of the bytes to hand over), each array
    64-byte aligned so that TensorFlow takes it over without a copy (maskkit.utils.aligned). No
    examples give empty arrays of ``shapes``. Keys in ``stacked`` (arrays already stacked for these
    examples, as build_group_rpn_targets gives) are taken as they are."""
    limit = shapes["gt_class_ids"][0]
    stacked = stacked or {}
    arrays = []
    for key in KEYS:
        if key in stacked:
            arrays.append(stacked[key])
            continue
        shape = _with_instances(examples[0][key].shape if examples else tuple(size or 0 for size in shapes[key]),
                                key, limit)
        out = aligned_array((len(examples), *shape), ARRAY_DTYPES[key], zeroed=key in _INSTANCE_AXIS)
        for row, example in zip(out, examples):
            value = example[key]
            row[_instances_index(value, _INSTANCE_AXIS[key]) if key in _INSTANCE_AXIS else ...] = value
        arrays.append(out)
    return arrays


def example_shapes(config: Config) -> dict[str, tuple]:
    """Static per-example shapes of KEYS (None where the image size varies).

    Args:
        config: supplies the resize mode, image shape, anchors, mini-mask and instance settings.
    """
    if config.IMAGE_RESIZE_MODE in ("square", "crop"):
        height, width = config.IMAGE_SHAPE[:2]
        anchors = int(anchors_for(config, config.IMAGE_SHAPE).shape[0])
    else:
        height = width = anchors = None
    mask_hw = tuple(config.MINI_MASK_SHAPE) if config.USE_MINI_MASK else (height, width)
    limit = config.MAX_GT_INSTANCES
    return {"images": (height, width, config.IMAGE_CHANNEL_COUNT), "image_meta": (config.IMAGE_META_SIZE,),
            "rpn_match": (anchors,), "rpn_bbox": (config.RPN_TRAIN_ANCHORS_PER_IMAGE, 4),
            "gt_class_ids": (limit,), "gt_boxes": (limit, 4), "gt_masks": (*mask_hw, limit)}
