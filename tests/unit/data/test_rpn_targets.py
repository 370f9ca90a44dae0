"""RPN targets on hand-checked cases (IoU thresholds, best anchor, crowds, balancing), against matterport's full
float64 computation (maskkit.testing.matterport_rpn_targets) on random cases, and debug ROI targets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskkit.data import (anchors_for, build_detection_targets, build_group_rpn_targets, build_rpn_targets,
                          generate_random_rois)
from maskkit.data.anchors import anchor_source
from maskkit.data.targets import _grid
from maskkit.testing import matterport_rpn_targets
from maskkit.utils.boxes import apply_box_deltas, compute_overlaps, extract_bboxes
from maskkit.utils.resize import minimize_mask
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
    anchors = anchors_for(config, config.IMAGE_SHAPE)
    boxes = np.array([[10, 12, 50, 40], [60, 60, 120, 126], [70, 5, 90, 30]], dtype=np.float32)
    match, bbox = build_rpn_targets(anchors, np.array([1, 2, 3]), boxes, config, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(match, naive_rpn_match(anchors, boxes))
    positive = np.flatnonzero(match == 1)
    refined = apply_box_deltas(anchors[positive], bbox[:positive.size] * np.array(config.RPN_BBOX_STD_DEV))
    targets_of = compute_overlaps(anchors[positive], boxes).argmax(axis=1)
    np.testing.assert_allclose(refined, boxes[targets_of], atol=1e-3)


def test_random_rois_stay_in_the_image_and_cluster_around_gt():
    boxes = np.array([[20, 20, 60, 50], [70, 80, 110, 120]])
    rois = generate_random_rois((128, 128, 3), 200, boxes, rng=np.random.default_rng(0))
    assert rois.shape == (200, 4) and rois.dtype == np.int32
    assert rois[:, :2].min() >= 0 and rois[:, 2].max() <= 128 and rois[:, 3].max() <= 128
    assert ((rois[:, 2] - rois[:, 0]) >= 2).all() and ((rois[:, 3] - rois[:, 1]) >= 2).all()
    per_box = 90
    for i, (y1, x1, y2, x2) in enumerate(boxes):
        near = rois[i * per_box:(i + 1) * per_box]
        h, w = y2 - y1, x2 - x1
        assert (near[:, 0] >= y1 - h).all() and (near[:, 2] <= y2 + h).all()
        assert (near[:, 1] >= x1 - w).all() and (near[:, 3] <= x2 + w).all()
        assert (compute_overlaps(near, boxes[i:i + 1]) > 0).mean() > 0.5


def test_detection_targets_respect_the_positive_ratio_and_crop_masks():
    config = matterport_shapes_config(USE_MINI_MASK=False)
    boxes = np.array([[20, 20, 60, 50], [70, 80, 110, 120]], dtype=np.int32)
    masks = np.zeros((128, 128, 2), dtype=bool)
    for i, (y1, x1, y2, x2) in enumerate(boxes):
        masks[y1:y2, x1:x2, i] = True
    rois = np.concatenate([np.repeat(boxes, 20, axis=0), [[0, 0, 5, 5]] * 30]).astype(np.int32)
    out_rois, class_ids, deltas, mask_targets = build_detection_targets(
        rois, np.array([1, 3]), boxes, masks, config, rng=np.random.default_rng(0))
    assert out_rois.shape == (32, 4) and class_ids.shape == (32,)
    assert deltas.shape == (32, 4, 4) and mask_targets.shape == (32, 28, 28, 4)
    fg = np.flatnonzero(class_ids > 0)
    assert fg.size == int(32 * config.ROI_POSITIVE_RATIO)
    assert set(class_ids[fg]) <= {1, 3}
    for i in fg:
        np.testing.assert_allclose(deltas[i, class_ids[i]], 0, atol=1e-6)
        assert mask_targets[i, :, :, class_ids[i]].min() == 1.0
    assert mask_targets[class_ids == 0].max() == 0.0


@pytest.mark.parametrize("use_mini_mask", [True, False])
def test_mask_targets_are_the_same_from_mini_or_full_masks(use_mini_mask):
    config = matterport_shapes_config(USE_MINI_MASK=use_mini_mask)
    box = np.array([[20, 20, 60, 60]], dtype=np.int32)
    full = np.zeros((128, 128, 1), dtype=bool)
    full[20:60, 20:40, 0] = True  # left half of the box
    mask = minimize_mask(box, full, config.MINI_MASK_SHAPE) if use_mini_mask else full
    _, class_ids, _, targets_ = build_detection_targets(box, np.array([2]), box, mask, config,
                                                       rng=np.random.default_rng(0))
    target = targets_[class_ids == 2][0, :, :, 2]
    assert target[:, :13].min() == 1.0 and target[:, 15:].max() == 0.0


def assert_like_matterport(anchors, class_ids, boxes, config, seed=0):
    """build_rpn_targets equals the reference: labels before sampling (with sampling switched off), and the
    sampled match and deltas with the same seed."""
    unsampled = config.replace(RPN_TRAIN_ANCHORS_PER_IMAGE=2 * len(anchors) + 2)
    expected_labels, expected_bbox = matterport_rpn_targets(anchors, boxes, unsampled, np.random.default_rng(seed),
                                                            class_ids)
    labels, bbox = build_rpn_targets(anchors, class_ids, boxes, unsampled, rng=np.random.default_rng(seed))
    np.testing.assert_array_equal(labels, expected_labels)
    np.testing.assert_array_equal(bbox, expected_bbox)
    expected_match, expected_bbox = matterport_rpn_targets(anchors, boxes, config, np.random.default_rng(seed),
                                                           class_ids)
    match, bbox = build_rpn_targets(anchors, class_ids, boxes, config, rng=np.random.default_rng(seed))
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
    anchors = anchors_for(config, (height, width, 3))
    assert _grid(anchor_source(anchors)) is not None  # the grid-window path is the one under test
    assert_like_matterport(anchors, class_ids, boxes, config, seed)


def test_anchors_not_from_anchors_for_take_the_full_matrix_path_with_the_same_result():
    config = matterport_shapes_config(RPN_TRAIN_ANCHORS_PER_IMAGE=64)
    anchors = anchors_for(config, (96, 160, 3))
    class_ids, boxes = np.array([1, -1, 2]), np.array([[10, 12, 50, 40], [60, 60, 90, 126], [0, 0, 3, 2]], np.float32)
    assert anchor_source(anchors.copy()) is None
    for given_anchors in (anchors, anchors.copy(), anchors[::-1].copy()):
        assert_like_matterport(given_anchors, class_ids, boxes, config)


@pytest.mark.parametrize("height, width, count", [(1024, 1024, 20), (640, 1024, 12), (1024, 576, 1)])
def test_rpn_targets_at_full_size_equal_the_reference(height, width, count):
    config = matterport_shapes_config(IMAGE_MIN_DIM=800, IMAGE_MAX_DIM=1024, RPN_ANCHOR_SCALES=(32, 64, 128, 256, 512))
    rng = np.random.default_rng(count)
    corners = rng.uniform(-20, [height, width], size=(count, 2))
    boxes = np.concatenate([corners, corners + rng.uniform(1, 400, size=(count, 2))], axis=1).round()
    class_ids = np.where(rng.random(count) < 0.1, -1, 1)
    assert_like_matterport(anchors_for(config, (height, width, 3)), class_ids, boxes.astype(np.float32), config)


@settings(max_examples=60, deadline=None)
@given(groups=st.lists(st.tuples(box_lists(6), st.booleans()), min_size=1, max_size=4),
       shape=st.sampled_from([(64, 64), (96, 160)]), seed=st.integers(0, 3), grid=st.booleans())
def test_a_group_of_images_gets_each_images_own_targets(groups, shape, seed, grid):
    """build_group_rpn_targets row i == build_rpn_targets of image i with image i's generator: crowds, images
    without boxes and ties included, on the grid path and the full-matrix path."""
    config = matterport_shapes_config(RPN_TRAIN_ANCHORS_PER_IMAGE=32)
    anchors = anchors_for(config, (*shape, 3))
    anchors = anchors if grid else anchors.copy()
    gts = [as_gt(entries, repeat_first) for entries, repeat_first in groups]
    match, bbox = build_group_rpn_targets(anchors, [ids for ids, _ in gts], [boxes for _, boxes in gts], config,
                                          [np.random.default_rng([seed, i]) for i in range(len(gts))])
    assert match.dtype == np.int8 and match.shape == (len(gts), anchors.shape[0])
    assert bbox.dtype == np.float32 and bbox.shape == (len(gts), 32, 4)
    for i, (ids, boxes) in enumerate(gts):
        expected_match, expected_bbox = build_rpn_targets(anchors, ids, boxes, config,
                                                          rng=np.random.default_rng([seed, i]))
        np.testing.assert_array_equal(match[i], expected_match)
        np.testing.assert_array_equal(bbox[i], expected_bbox)


def test_a_group_needs_one_class_id_array_box_array_and_generator_per_image():
    config = matterport_shapes_config()
    with pytest.raises(ValueError, match="got 2, 2 and 1"):
        build_group_rpn_targets(anchors_for(config, (64, 64, 3)), [np.array([1])] * 2, [GT] * 2, config,
                                [np.random.default_rng(0)])


def test_rpn_targets_of_600_instances_equal_the_reference_alone_and_in_a_group():
    config = crowded_config()
    anchors = anchors_for(config, (SIZE, SIZE, 3))
    class_ids, boxes = crowded_class_ids(), extract_bboxes(crowded_masks()).astype(np.float32)
    assert_like_matterport(anchors, class_ids, boxes, config)
    match, bbox = build_rpn_targets(anchors, class_ids, boxes, config, rng=np.random.default_rng(1))
    assert (match == 1).sum() == config.RPN_TRAIN_ANCHORS_PER_IMAGE // 2  # far more candidates than room
    group_match, group_bbox = build_group_rpn_targets(anchors, [class_ids, class_ids[:10]], [boxes, boxes[:10]],
                                                      config, [np.random.default_rng(1), np.random.default_rng(2)])
    np.testing.assert_array_equal(group_match[0], match)
    np.testing.assert_array_equal(group_bbox[0], bbox)
