"""The image size rule: native resolution, grown for small objects, capped for the machine."""

from __future__ import annotations

import numpy as np

from maskkit.planning.sizing import plan_image_size, round_up, small_object_side
from tests.helpers_planning import synthetic_annotations


def plan(table, cap):
    objects = table.objects
    return plan_image_size(table.image_hw, table.boxes[objects], table.image_index[objects], cap)


def test_round_up():
    assert [round_up(v, 64) for v in (1, 64, 64.2, 416, 622.3)] == [64, 64, 128, 448, 640]


def test_small_images_with_big_enough_objects_keep_their_native_resolution():
    size, reason = plan(synthetic_annotations(image_hw=(416, 416), sides=(30, 60)), cap=512)
    assert size == 448 and "median image side 416 px" in reason


def test_small_objects_grow_the_image_until_the_5th_percentile_side_is_16_px():
    table = synthetic_annotations(image_hw=(416, 416), sides=(12, 13), images=20, per_image=10)
    size, reason = plan(table, cap=1024)
    objects = table.objects
    assert size == 576 and "enlarged" in reason
    assert small_object_side(table.image_hw, table.boxes, table.image_index, 576) >= 16
    assert small_object_side(table.image_hw, table.boxes[objects], table.image_index[objects], 512) < 16


def test_the_cap_bounds_the_growth_and_shrinks_large_images():
    tiny_objects = synthetic_annotations(image_hw=(416, 416), sides=(8, 9))
    size, reason = plan(tiny_objects, cap=512)
    assert size == 512 and "capped at 512" in reason
    size, reason = plan(synthetic_annotations(image_hw=(2000, 1500), sides=(200, 300)), cap=512)
    assert size == 512 and "shrink" in reason


def test_no_objects_and_tiny_images_give_the_smallest_size():
    table = synthetic_annotations(image_hw=(40, 60), per_image=0)
    size, reason = plan(table, cap=512)
    assert size == 128 and "no objects" in reason
    assert plan_image_size(np.array([[40, 60]]), np.zeros((0, 4)), np.zeros(0, np.int64), 512)[0] == 128


def test_a_cpu_plans_the_smallest_square_where_small_objects_keep_16_px():
    table = synthetic_annotations(image_hw=(160, 224), sides=(40, 70))
    objects = table.objects
    size, reason = plan_image_size(table.image_hw, table.boxes[objects], table.image_index[objects], 512,
                                   smallest_first=True)
    assert size == 128 and "on a CPU" in reason
    assert plan(table, cap=512)[0] == 256
    small = synthetic_annotations(image_hw=(416, 416), sides=(12, 13), images=20, per_image=10)
    objects = small.objects
    grown, _ = plan_image_size(small.image_hw, small.boxes[objects], small.image_index[objects], 1024,
                               smallest_first=True)
    assert grown == plan(small, cap=1024)[0] == 576
