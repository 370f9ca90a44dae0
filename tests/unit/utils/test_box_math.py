"""Tests for maskkit.utils.box_math (matterport box conventions)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskkit.utils.box_math import (apply_box_deltas, box_refinement, compute_iou, compute_overlaps,
                                    compute_overlaps_masks, denorm_boxes, extract_bboxes, non_max_suppression,
                                    norm_boxes)

FAST = settings(max_examples=40, deadline=None)


@st.composite
def boxes_st(draw, n_min=1, n_max=6):
    n = draw(st.integers(n_min, n_max))
    y1 = np.array(draw(st.lists(st.integers(0, 50), min_size=n, max_size=n)))
    x1 = np.array(draw(st.lists(st.integers(0, 50), min_size=n, max_size=n)))
    h = np.array(draw(st.lists(st.integers(1, 40), min_size=n, max_size=n)))
    w = np.array(draw(st.lists(st.integers(1, 40), min_size=n, max_size=n)))
    return np.stack([y1, x1, y1 + h, x1 + w], axis=1).astype(np.float32)


def test_extract_bboxes_rectangle_exclusive_end_and_empty():
    mask = np.zeros((10, 12, 2), dtype=bool)
    mask[2:5, 3:9, 0] = True
    boxes = extract_bboxes(mask)
    assert boxes.dtype == np.int32
    np.testing.assert_array_equal(boxes, [[2, 3, 5, 9], [0, 0, 0, 0]])


@FAST
@given(st.integers(0, 15), st.integers(0, 15), st.integers(1, 8), st.integers(1, 8))
def test_extract_bboxes_recovers_any_rectangle(y, x, h, w):
    mask = np.zeros((24, 24, 1), dtype=np.uint8)
    mask[y:y + h, x:x + w, 0] = 1
    np.testing.assert_array_equal(extract_bboxes(mask)[0], [y, x, y + h, x + w])


def test_compute_iou_hand_worked():
    box = np.array([0, 0, 10, 10])
    boxes = np.array([[0, 0, 10, 10], [5, 5, 15, 15], [20, 20, 30, 30]])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    iou = compute_iou(box, boxes, 100, areas)
    np.testing.assert_allclose(iou, [1.0, 25 / 175, 0.0])


def test_compute_overlaps_matches_compute_iou_and_shape():
    b1 = np.array([[0, 0, 10, 10], [5, 5, 15, 15]], dtype=float)
    b2 = np.array([[0, 0, 10, 10], [0, 0, 5, 5], [100, 100, 110, 110]], dtype=float)
    ov = compute_overlaps(b1, b2)
    assert ov.shape == (2, 3)
    np.testing.assert_allclose(ov[0], [1.0, 0.25, 0.0])
    np.testing.assert_allclose(ov[1], [25 / 175, 0.0, 0.0])
    assert compute_overlaps(np.zeros((0, 4)), b2).shape == (0, 3)


@FAST
@given(boxes_st(), boxes_st())
def test_overlaps_symmetric_and_bounded(a, b):
    ab = compute_overlaps(a, b)
    np.testing.assert_allclose(ab, compute_overlaps(b, a).T)
    assert np.all((ab >= 0) & (ab <= 1 + 1e-9))
    np.testing.assert_allclose(np.diag(compute_overlaps(a, a)), 1.0)


def test_compute_overlaps_masks_hand_worked():
    m1 = np.zeros((4, 4, 1), dtype=bool)
    m1[:2, :, 0] = True  # 8 px
    m2 = np.zeros((4, 4, 2), dtype=bool)
    m2[:, :2, 0] = True  # 8 px, 4 shared
    m2[2:, 2:, 1] = True  # disjoint
    np.testing.assert_allclose(compute_overlaps_masks(m1, m2), [[4 / 12, 0.0]])
    assert compute_overlaps_masks(m1, np.zeros((4, 4, 0))).shape == (1, 0)


def test_nms_hand_worked():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9]])
    scores = np.array([0.9, 0.95, 0.5, 0.1])
    keep = non_max_suppression(boxes, scores, 0.5)
    assert keep.dtype == np.int32
    np.testing.assert_array_equal(keep, [1, 2])
    # With a high threshold nothing overlapping enough is dropped.
    np.testing.assert_array_equal(non_max_suppression(boxes, scores, 0.99), [1, 0, 2, 3])
    assert non_max_suppression(np.zeros((0, 4)), np.zeros(0), 0.5).shape == (0,)


@FAST
@given(boxes_st(1, 8), st.floats(0.05, 0.95), st.data())
def test_nms_properties(boxes, thr, data):
    scores = np.array(data.draw(st.permutations(list(range(len(boxes)))))) / 10.0
    keep = non_max_suppression(boxes, scores, thr)
    assert keep[0] == np.argmax(scores)
    assert np.all(np.diff(scores[keep]) < 0)
    ov = compute_overlaps(boxes[keep], boxes[keep])
    np.fill_diagonal(ov, 0)
    assert np.all(ov <= thr + 1e-6)


def test_box_refinement_hand_worked():
    box = np.array([[0, 0, 10, 20]])
    gt = np.array([[5, 0, 25, 20]])
    np.testing.assert_allclose(box_refinement(box, gt), [[1.0, 0.0, np.log(2), 0.0]], rtol=1e-6)


@FAST
@given(boxes_st(), st.data())
def test_apply_deltas_inverts_refinement(a, data):
    b = data.draw(boxes_st(len(a), len(a)))
    np.testing.assert_allclose(apply_box_deltas(a, box_refinement(a, b)), b, atol=1e-3)


def test_norm_denorm_convention_and_roundtrip():
    shape = (101, 201)
    boxes = np.array([[0, 0, 101, 201], [10, 20, 50, 60]])
    n = norm_boxes(boxes, shape)
    assert n.dtype == np.float32
    np.testing.assert_allclose(n[0], [0, 0, 1, 1])
    np.testing.assert_allclose(n[1], [0.1, 0.1, 0.49, 0.295], rtol=1e-6)
    np.testing.assert_array_equal(denorm_boxes(n, shape), boxes)


def test_nms_keeps_box_with_iou_equal_to_threshold():
    # IoU is exactly 0.5; matterport only suppresses IoU > threshold.
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 5]])
    np.testing.assert_array_equal(non_max_suppression(boxes, np.array([0.9, 0.8]), 0.5), [0, 1])
    np.testing.assert_array_equal(non_max_suppression(boxes, np.array([0.9, 0.8]), 0.49), [0])


@pytest.mark.parametrize("count", [1, 16, 17, 600])
def test_extract_bboxes_of_few_and_many_instances_equal_each_instance_alone(count):
    """Few instances are reduced instance-major, many in place: the boxes are the same either way."""
    rng = np.random.default_rng(count)
    mask = rng.random((40, 50, count)) < 0.002
    mask[:, :, 0] = False  # an empty instance
    mask[5, 7:9, -1] = True
    alone = np.concatenate([extract_bboxes(mask[:, :, i:i + 1]) for i in range(count)])
    np.testing.assert_array_equal(extract_bboxes(mask), alone)
    np.testing.assert_array_equal(extract_bboxes(mask.astype(np.uint8)), alone)


@pytest.mark.parametrize("layout", ["C", "F", "picked"])
def test_mask_overlaps_counted_on_shared_pixels_equal_the_dense_product(layout, monkeypatch):
    """Many instances: intersections counted pixel by pixel give bit for bit the dense product's IoUs,
    whatever the masks' memory layout (detections picked by score order lie instance-major)."""
    from maskkit.utils import box_math

    rng = np.random.default_rng(["C", "F", "picked"].index(layout))
    for _ in range(20):
        height, width, n1, n2 = (int(v) for v in rng.integers(1, 40, 4))
        density = rng.choice([0.005, 0.05, 0.5])
        masks1, masks2 = rng.random((height, width, n1 + 20)) < density, rng.random((height, width, n2 + 20)) < density
        masks1 = np.asfortranarray(masks1) if layout == "F" else masks1
        masks2 = masks2[..., rng.permutation(n2 + 20)] if layout == "picked" else masks2
        monkeypatch.setattr(box_math, "_PAIR_COST", 10 ** 12)
        dense = compute_overlaps_masks(masks1, masks2.astype(np.float32))
        monkeypatch.setattr(box_math, "_PAIR_COST", 0)
        assert box_math._shared_pixel_counts(masks1.reshape(-1, n1 + 20), masks2.reshape(-1, n2 + 20)) is not None
        shared = compute_overlaps_masks(masks1, masks2.astype(np.float32))
        assert shared.dtype == dense.dtype
        np.testing.assert_array_equal(shared, dense)


def test_overlaps_of_600_instances_with_themselves_are_the_identity():
    from tests.helpers_crowded import crowded_masks

    masks = crowded_masks()
    np.testing.assert_array_equal(compute_overlaps_masks(masks, masks), np.eye(600))
    shifted = np.roll(masks, 3, axis=1)  # each square moved half its side: IoU 18 / 54
    np.testing.assert_allclose(compute_overlaps_masks(shifted, masks), np.eye(600) / 3, rtol=1e-6)
