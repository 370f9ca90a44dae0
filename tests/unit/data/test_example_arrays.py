"""example_arrays: ground truth padded to MAX_GT_INSTANCES, groups stacked in KEYS order with static shapes."""

from __future__ import annotations

import numpy as np

from maskkit.config import Config
from maskkit.data.example_arrays import ARRAY_DTYPES, KEYS, example_shapes, pad_instances, stack_examples

CONFIG = Config(IMAGE_MIN_DIM=64, IMAGE_MAX_DIM=64, MAX_GT_INSTANCES=5, MINI_MASK_SHAPE=(8, 8),
                RPN_TRAIN_ANCHORS_PER_IMAGE=16)


def example(instances: int) -> dict[str, np.ndarray]:
    shapes = example_shapes(CONFIG)
    out = {key: np.ones(tuple(size for size in shape), ARRAY_DTYPES[key]) for key, shape in shapes.items()}
    out["gt_class_ids"] = np.arange(1, instances + 1, dtype=np.int32)
    out["gt_boxes"] = np.ones((instances, 4), np.float32)
    out["gt_masks"] = np.ones((8, 8, instances), bool)
    return out


def test_example_shapes_are_static_for_square_images_and_padded_to_the_instance_limit():
    shapes = example_shapes(CONFIG)
    assert list(shapes) == list(KEYS)
    assert shapes["images"] == (64, 64, 3) and shapes["gt_masks"] == (8, 8, 5) and shapes["gt_boxes"] == (5, 4)
    assert shapes["rpn_match"][0] > 0 and shapes["rpn_bbox"] == (16, 4)


def test_pad_instances_keeps_the_instances_and_zero_fills_the_rest():
    padded = pad_instances(example(2), 5)
    assert padded["gt_class_ids"].tolist() == [1, 2, 0, 0, 0]
    assert padded["gt_masks"].shape == (8, 8, 5) and not padded["gt_masks"][..., 2:].any()


def test_stacking_pads_each_example_to_the_limit_and_takes_stacked_keys_as_given():
    rpn_match = np.zeros((2, example_shapes(CONFIG)["rpn_match"][0]), np.int8)
    arrays = stack_examples([example(1), example(3)], example_shapes(CONFIG), {"rpn_match": rpn_match})
    stacked = dict(zip(KEYS, arrays))
    assert stacked["rpn_match"] is rpn_match
    assert stacked["gt_class_ids"].tolist() == [[1, 0, 0, 0, 0], [1, 2, 3, 0, 0]]
    assert all(stacked[key].dtype == ARRAY_DTYPES[key] for key in KEYS)


def test_no_examples_stack_into_empty_arrays_of_the_static_shapes():
    arrays = dict(zip(KEYS, stack_examples([], example_shapes(CONFIG))))
    assert arrays["images"].shape == (0, 64, 64, 3) and arrays["gt_masks"].shape == (0, 8, 8, 5)
