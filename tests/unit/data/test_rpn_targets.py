"""RPN targets on hand-checked cases (IoU thresholds, best anchor, crowds, balancing), and against matterport's
full float64 computation (maskkit.testing.matterport_rpn_targets) on random cases, on an AnchorGrid's window
path and a plain anchors array's full-matrix path alike."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskkit.data import AnchorGrid, anchor_grid, build_group_rpn_targets, build_rpn_targets
from maskkit.data.rpn_targets import subsample_rows
from maskkit.testing import matterport_rpn_targets
from maskkit.utils.box_math import apply_box_deltas, compute_overlaps, extract_bboxes
from tests.helpers import matterport_shapes_config
from tests.helpers_crowded import SIZE, crowded_class_ids, crowded_config, crowded_masks

GT = np.array([[0, 0, 10, 10]], dtype=np.float32)


def targets(anchors, class_ids, boxes, **overrides):
    config = matterport_shapes_config(**overrides)
    return build_rpn_targets(np.array(anchors, dtype=np.float32), np.array(class_ids), np.array(boxes, np.float32),
                             config, rng=np.random.default_rng(0))


def test_iou_thresholds_label_positive_negative_and_neutral():
    anchors = [[0, 0, 10, 10], [0, 0, 10, 11], [20, 20, 30, 30], [0, 5, 10, 15], [0, 2, 10, 12]]
    match, bbox = targets(anchors, [1], GT)
    # IoUs with the GT: 1.0, 0.909, 0, 0.333, 0.667
    np.testing.assert_array_equal(match, [1, 1, -1, 0, 0])
    assert bbox.shape == (256, 4) and bbox.dtype == np.float32
    np.testing.assert_allclose(bbox[0], 0, atol=1e-6)
    # anchor [0,0,10,11] -> GT: dx = (5 - 5.5) / 11, dw = log(10 / 11); divided by std (0.1, 0.1, 0.2, 0.2)
    np.testing.assert_allclose(bbox[1], [0, -0.5 / 11 / 0.1, 0, np.log(10 / 11) / 0.2], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(bbox[2:], 0)


def test_best_anchor_of_a_gt_is_positive_below_the_threshold():
    match, bbox = targets([[0, 5, 10, 15], [0, 2, 10, 12], [50, 50, 60, 60]], [1], GT)
    np.testing.assert_array_equal(match, [0, 1, -1])
    np.testing.assert_allclose(bbox[0], [0, -2 / 10 / 0.1, 0, 0], atol=1e-6)


def test_crowd_boxes_are_never_matched_and_protect_nearby_anchors():
    boxes = [[0, 0, 10, 10], [40, 40, 60, 60]]
    anchors = [[40, 40, 60, 60], [45, 45, 50, 50], [70, 70, 80, 80], [0, 0, 10, 10]]
    match, _ = targets(anchors, [1, -2], boxes)
    np.testing.assert_array_equal(match, [0, 0, -1, 1])


def test_an_all_crowd_image_has_only_negatives_away_from_the_crowd():
    match, bbox = targets([[40, 40, 60, 60], [70, 70, 80, 80], [0, 0, 5, 5]], [-1], [[40, 40, 60, 60]])
    np.testing.assert_array_equal(match, [0, -1, -1])
    np.testing.assert_array_equal(bbox, 0)


def test_balancing_keeps_at_most_half_positives_and_fills_with_negatives():
    anchors = [[0, 0, 10, 10]] * 20 + [[50, 50, 60, 60]] * 20
    match, bbox = targets(anchors, [1], GT, RPN_TRAIN_ANCHORS_PER_IMAGE=8)
    assert (match == 1).sum() == 4 and (match == -1).sum() == 4
    assert bbox.shape == (8, 4)
    one_positive = [[0, 0, 10, 10]] + [[50, 50, 60, 60]] * 20
    match, _ = targets(one_positive, [1], GT, RPN_TRAIN_ANCHORS_PER_IMAGE=8)
    assert (match == 1).sum() == 1 and (match == -1).sum() == 7


def test_subsampling_is_seeded():
    anchors = [[0, 0, 10, 10]] * 20 + [[50, 50, 60, 60]] * 20
    config = matterport_shapes_config(RPN_TRAIN_ANCHORS_PER_IMAGE=8)
    runs = [build_rpn_targets(np.array(anchors, np.float32), np.array([1]), GT, config, rng=np.random.default_rng(5))
            for _ in range(2)]
    np.testing.assert_array_equal(runs[0][0], runs[1][0])


def naive_rpn_match(anchors, boxes):
    """matterport's labelling without crowds or balancing, from the reference utils."""
    overlaps = compute_overlaps(anchors, boxes)
    match = np.zeros(len(anchors), dtype=np.int32)
    best = overlaps.max(axis=1)
    match[best < 0.3] = -1
    match[np.argwhere(overlaps == overlaps.max(axis=0))[:, 0]] = 1
    match[best >= 0.7] = 1
    return match


def test_shapes_sized_case_matches_the_reference_and_deltas_refine_onto_gt():
    config = matterport_shapes_config(RPN_TRAIN_ANCHORS_PER_IMAGE=4092)
    grid = anchor_grid(config, config.IMAGE_SHAPE)
    anchors = grid.anchors
    boxes = np.array([[10, 12, 50, 40], [60, 60, 120, 126], [70, 5, 90, 30]], dtype=np.float32)
    match, bbox = build_rpn_targets(grid, np.array([1, 2, 3]), boxes, config, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(match, naive_rpn_match(anchors, boxes))
    positive = np.flatnonzero(match == 1)
    refined = apply_box_deltas(anchors[positive], bbox[:positive.size] * np.array(config.RPN_BBOX_STD_DEV))
    targets_of = compute_overlaps(anchors[positive], boxes).argmax(axis=1)
    np.testing.assert_allclose(refined, boxes[targets_of], atol=1e-3)


def assert_like_matterport(given, class_ids, boxes, config, seed=0):
    """build_rpn_targets of ``given`` (an AnchorGrid or an anchors array) equals the reference on its anchors:
    labels before sampling (with sampling switched off), and the sampled match and deltas with the same seed."""
    anchors = given.anchors if isinstance(given, AnchorGrid) else given
    unsampled = config.replace(RPN_TRAIN_ANCHORS_PER_IMAGE=2 * len(anchors) + 2)
    expected_labels, expected_bbox = matterport_rpn_targets(anchors, boxes, unsampled, np.random.default_rng(seed),
                                                            class_ids)
    labels, bbox = build_rpn_targets(given, class_ids, boxes, unsampled, rng=np.random.default_rng(seed))
    np.testing.assert_array_equal(labels, expected_labels)
    np.testing.assert_array_equal(bbox, expected_bbox)
    expected_match, expected_bbox = matterport_rpn_targets(anchors, boxes, config, np.random.default_rng(seed),
                                                           class_ids)
    match, bbox = build_rpn_targets(given, class_ids, boxes, config, rng=np.random.default_rng(seed))
    np.testing.assert_array_equal(match, expected_match)
    np.testing.assert_array_equal(bbox, expected_bbox)


def box_lists(max_boxes):
    """GT boxes as (y1, x1, height, width, crowd): tiny to larger than the image, off the borders, some
    repeated (ties between boxes) and some on half pixels."""
    side = st.one_of(st.integers(0, 4), st.integers(5, 80), st.integers(80, 400))
    corner = st.one_of(st.integers(-60, 300), st.sampled_from([0, -1]))
    box = st.tuples(corner, corner, side, side, st.just(False), st.sampled_from([0, 0, 0.5]))
    crowd_box = st.tuples(corner, corner, side, side, st.just(True), st.just(0))
    return st.lists(st.one_of(box, box, box, crowd_box), min_size=0, max_size=max_boxes)


def as_gt(entries, repeat_first):
    """(class ids, float32 boxes) from box_lists entries; ``repeat_first`` appends a copy of the first box."""
    boxes = np.array([[y + off, x, y + off + h, x + w] for y, x, h, w, _, off in entries],
                     dtype=np.float32).reshape(-1, 4)
    class_ids = np.array([-1 if crowd else 1 + i % 3 for i, (*_, crowd, _) in enumerate(entries)], dtype=np.int32)
    if repeat_first and len(entries):
        boxes, class_ids = np.concatenate([boxes, boxes[:1]]), np.concatenate([class_ids, [2]])
    return class_ids, boxes


@settings(max_examples=200, deadline=None)
@given(height=st.sampled_from([32, 64, 100, 128, 192, 256]), width=st.sampled_from([32, 64, 96, 128, 160, 256]),
       anchor_stride=st.sampled_from([1, 1, 2, 3]),
       scales=st.sampled_from([(8, 16, 32, 64, 128), (32, 64, 128, 256, 512)]),
       entries=box_lists(8), repeat_first=st.booleans(), seed=st.integers(0, 3))
def test_rpn_targets_equal_matterports_full_float64_matrix(height, width, anchor_stride, scales, entries,
                                                           repeat_first, seed):
    config = matterport_shapes_config(RPN_ANCHOR_STRIDE=anchor_stride, RPN_ANCHOR_SCALES=scales,
                                      RPN_TRAIN_ANCHORS_PER_IMAGE=64)
    class_ids, boxes = as_gt(entries, repeat_first)
    grid = anchor_grid(config, (height, width, 3))
    assert grid.windows is not None  # the grid-window path is the one under test
    assert_like_matterport(grid, class_ids, boxes, config, seed)


def test_a_plain_anchors_array_takes_the_full_matrix_path_with_the_same_result():
    config = matterport_shapes_config(RPN_TRAIN_ANCHORS_PER_IMAGE=64)
    grid = anchor_grid(config, (96, 160, 3))
    class_ids, boxes = np.array([1, -1, 2]), np.array([[10, 12, 50, 40], [60, 60, 90, 126], [0, 0, 3, 2]], np.float32)
    for given in (grid, grid.anchors, grid.anchors.copy(), grid.anchors[::-1].copy()):
        assert_like_matterport(given, class_ids, boxes, config)


def test_a_grid_built_by_the_caller_takes_the_window_path_too():
    """An AnchorGrid of the caller's own equals the cached one: nothing hidden decides the path."""
    config = matterport_shapes_config(RPN_TRAIN_ANCHORS_PER_IMAGE=64)
    own = AnchorGrid.build(config.RPN_ANCHOR_SCALES, config.RPN_ANCHOR_RATIOS, config.BACKBONE_STRIDES,
                           config.RPN_ANCHOR_STRIDE, (96, 160))
    assert own is not anchor_grid(config, (96, 160, 3)) and own.windows is not None
    class_ids, boxes = np.array([1, -1, 2]), np.array([[10, 12, 50, 40], [60, 60, 90, 126], [0, 0, 3, 2]], np.float32)
    assert_like_matterport(own, class_ids, boxes, config)


@pytest.mark.parametrize("height, width, count", [(1024, 1024, 20), (640, 1024, 12), (1024, 576, 1)])
def test_rpn_targets_at_full_size_equal_the_reference(height, width, count):
    config = matterport_shapes_config(IMAGE_MIN_DIM=800, IMAGE_MAX_DIM=1024, RPN_ANCHOR_SCALES=(32, 64, 128, 256, 512))
    rng = np.random.default_rng(count)
    corners = rng.uniform(-20, [height, width], size=(count, 2))
    boxes = np.concatenate([corners, corners + rng.uniform(1, 400, size=(count, 2))], axis=1).round()
    class_ids = np.where(rng.random(count) < 0.1, -1, 1)
    assert_like_matterport(anchor_grid(config, (height, width, 3)), class_ids, boxes.astype(np.float32), config)


@settings(max_examples=60, deadline=None)
@given(groups=st.lists(st.tuples(box_lists(6), st.booleans()), min_size=1, max_size=4),
       shape=st.sampled_from([(64, 64), (96, 160)]), seed=st.integers(0, 3), grid=st.booleans())
def test_a_group_of_images_gets_each_images_own_targets(groups, shape, seed, grid):
    """build_group_rpn_targets row i == build_rpn_targets of image i with image i's generator: crowds, images
    without boxes and ties included, on the grid path and the full-matrix path."""
    config = matterport_shapes_config(RPN_TRAIN_ANCHORS_PER_IMAGE=32)
    full = anchor_grid(config, (*shape, 3))
    anchors = full if grid else full.anchors.copy()
    gts = [as_gt(entries, repeat_first) for entries, repeat_first in groups]
    match, bbox = build_group_rpn_targets(anchors, [ids for ids, _ in gts], [boxes for _, boxes in gts], config,
                                          [np.random.default_rng([seed, i]) for i in range(len(gts))])
    assert match.dtype == np.int8 and match.shape == (len(gts), full.anchors.shape[0])
    assert bbox.dtype == np.float32 and bbox.shape == (len(gts), 32, 4)
    for i, (ids, boxes) in enumerate(gts):
        expected_match, expected_bbox = build_rpn_targets(anchors, ids, boxes, config,
                                                          rng=np.random.default_rng([seed, i]))
        np.testing.assert_array_equal(match[i], expected_match)
        np.testing.assert_array_equal(bbox[i], expected_bbox)


def test_a_group_needs_one_class_id_array_box_array_and_generator_per_image():
    config = matterport_shapes_config()
    with pytest.raises(ValueError, match="got 2, 2 and 1"):
        build_group_rpn_targets(anchor_grid(config, (64, 64, 3)), [np.array([1])] * 2, [GT] * 2, config,
                                [np.random.default_rng(0)])


def test_rpn_targets_of_600_instances_equal_the_reference_alone_and_in_a_group():
    config = crowded_config()
    anchors = anchor_grid(config, (SIZE, SIZE, 3))
    class_ids, boxes = crowded_class_ids(), extract_bboxes(crowded_masks()).astype(np.float32)
    assert_like_matterport(anchors, class_ids, boxes, config)
    match, bbox = build_rpn_targets(anchors, class_ids, boxes, config, rng=np.random.default_rng(1))
    assert (match == 1).sum() == config.RPN_TRAIN_ANCHORS_PER_IMAGE // 2  # far more candidates than room
    group_match, group_bbox = build_group_rpn_targets(anchors, [class_ids, class_ids[:10]], [boxes, boxes[:10]],
                                                      config, [np.random.default_rng(1), np.random.default_rng(2)])
    np.testing.assert_array_equal(group_match[0], match)
    np.testing.assert_array_equal(group_bbox[0], bbox)


def test_subsampling_resets_each_rows_surplus_as_a_per_image_choice_would():
    match = np.array([[1, -1, -1, -1, 0], [-1, -1, 1, -1, -1]], dtype=np.int8)
    subsample_rows(match, np.flatnonzero(match.reshape(-1) == -1), [1, 2],
                   [np.random.default_rng(0), np.random.default_rng(1)])
    expected = np.array([[1, -1, -1, -1, 0], [-1, -1, 1, -1, -1]], dtype=np.int8)
    expected[0, np.random.default_rng(0).choice([1, 2, 3], 2, replace=False)] = 0
    expected[1, np.random.default_rng(1).choice([0, 1, 3, 4], 2, replace=False)] = 0
    np.testing.assert_array_equal(match, expected)
    assert (match == -1).sum(axis=1).tolist() == [1, 2]
