"""Tests for maskkit.utils.resize (matterport resize modes, mini masks)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskkit.utils import (
    expand_mask,
    extract_bboxes,
    minimize_mask,
    resize,
    resize_image,
    resize_mask,
    unmold_mask,
)
from tests.helpers_crowded import crowded_masks

FAST = settings(max_examples=25, deadline=None)


def test_none_mode_is_identity():
    img = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    out, window, scale, padding, crop = resize_image(img, 64, 128, mode="none")
    assert out is img and window == (0, 0, 2, 4) and scale == 1 and crop is None
    assert padding == [(0, 0), (0, 0), (0, 0)]


def test_square_mode_hand_worked():
    img = np.full((50, 100, 3), 200, dtype=np.uint8)
    out, window, scale, padding, crop = resize_image(img, min_dim=64, max_dim=128, mode="square")
    assert out.shape == (128, 128, 3) and out.dtype == np.uint8
    # min_dim wants x1.28 but max side 100*1.28 > 128, so the scale is capped at 1.28.
    assert scale == pytest.approx(1.28)
    assert window == (32, 0, 96, 128)
    assert padding == [(32, 32), (0, 0), (0, 0)]
    assert np.all(out[32:96] == 200) and np.all(out[:32] == 0) and np.all(out[96:] == 0)


@FAST
@given(st.integers(5, 90), st.integers(5, 90), st.sampled_from([32, 64, 96]))
def test_square_mode_shape_and_window(h, w, max_dim):
    img = np.ones((h, w, 3), dtype=np.float32)
    out, (y1, x1, y2, x2), scale, padding, _ = resize_image(img, min_dim=16, max_dim=max_dim)
    assert out.shape == (max_dim, max_dim, 3) and out.dtype == np.float32
    assert (y2 - y1, x2 - x1) == (round(h * scale), round(w * scale))
    assert max(y2 - y1, x2 - x1) <= max_dim
    assert np.all(out[y1:y2, x1:x2] == 1)
    assert out.sum() == pytest.approx((y2 - y1) * (x2 - x1) * 3)


def test_pad64_mode():
    img = np.ones((70, 130, 3), dtype=np.uint8)
    out, window, scale, padding, _ = resize_image(img, min_dim=64, mode="pad64")
    assert scale == 1
    assert out.shape == (128, 192, 3)
    assert padding[:2] == [(29, 29), (31, 31)]
    assert window == (29, 31, 99, 161)
    with pytest.raises(ValueError, match="multiple of 64"):
        resize_image(img, min_dim=60, mode="pad64")


def test_crop_mode_deterministic_with_rng():
    img = np.random.default_rng(1).integers(0, 255, (80, 90, 3)).astype(np.uint8)
    a = resize_image(img, min_dim=64, mode="crop", rng=np.random.default_rng(7))
    b = resize_image(img, min_dim=64, mode="crop", rng=np.random.default_rng(7))
    assert a[0].shape == (64, 64, 3) and a[1] == (0, 0, 64, 64)
    np.testing.assert_array_equal(a[0], b[0])
    y, x, ch, cw = a[4]
    np.testing.assert_array_equal(a[0], img[y:y + ch, x:x + cw])


def test_bad_mode_and_missing_args():
    img = np.zeros((10, 10, 3), np.uint8)
    with pytest.raises(ValueError, match="not supported"):
        resize_image(img, 8, 16, mode="stretch")
    with pytest.raises(ValueError, match="max_dim"):
        resize_image(img, 8, None, mode="square")


def test_resize_mask_follows_image_and_stays_bool():
    mask = np.zeros((50, 100, 2), dtype=bool)
    mask[10:20, 10:40, 0] = True
    img = np.zeros((50, 100, 3), np.uint8)
    out, window, scale, padding, crop = resize_image(img, min_dim=64, max_dim=128)
    m = resize_mask(mask, scale, padding, crop)
    assert m.shape == (128, 128, 2) and m.dtype == bool
    y1, x1, y2, x2 = extract_bboxes(m)[0]
    assert abs(y1 - (32 + 12.8)) <= 1 and abs(y2 - (32 + 25.6)) <= 1
    assert abs(x1 - 12.8) <= 1 and abs(x2 - 51.2) <= 1
    assert not m[..., 1].any()
    crop_m = resize_mask(mask, 1, padding, crop=(5, 5, 20, 30))
    assert crop_m.shape == (20, 30, 2)


@FAST
@given(st.integers(0, 30), st.integers(0, 30), st.integers(1, 30), st.integers(1, 30))
def test_expand_minimize_recovers_box_mask(y, x, h, w):
    mask = np.zeros((64, 64, 1), dtype=bool)
    mask[y:y + h, x:x + w, 0] = True
    bbox = extract_bboxes(mask)
    mini = minimize_mask(bbox, mask, (14, 14))
    assert mini.shape == (14, 14, 1) and mini.all()
    np.testing.assert_array_equal(expand_mask(bbox, mini, (64, 64, 3)), mask)


def test_minimize_mask_empty_box_names_instance():
    mask = np.zeros((8, 8, 2), dtype=bool)
    bbox = np.array([[0, 0, 4, 4], [3, 3, 3, 5]])
    with pytest.raises(ValueError, match="instance 1"):
        minimize_mask(bbox, mask, (4, 4))


def test_unmold_mask_threshold_and_placement():
    small = np.zeros((4, 4), np.float32)
    small[:, 2:] = 0.9
    small[:, :2] = 0.1
    full = unmold_mask(small, (10, 20, 18, 28), (40, 50, 3))
    assert full.shape == (40, 50) and full.dtype == bool
    assert full[10:18, 24:28].all()
    assert full.sum() == 8 * 4
    # A box partly outside the image is clipped instead of crashing.
    assert unmold_mask(np.ones((4, 4)), (-2, -2, 6, 6), (4, 4)).all()


def test_minimize_mask_thresholds_at_half():
    # 10 px wide box, first 4 columns set, shrunk to 4 columns: mini column 1 covers source
    # columns 2.5..5 (mostly set) -> True; columns 2 and 3 are empty -> False.
    mask = np.zeros((10, 10, 1), dtype=bool)
    mask[:, :4, 0] = True
    mini = minimize_mask(np.array([[0, 0, 10, 10]]), mask, (2, 4))
    np.testing.assert_array_equal(mini[..., 0], [[True, True, False, False]] * 2)


def test_resize_mask_handles_hundreds_of_instances_like_one_at_a_time():
    rng = np.random.default_rng(0)
    masks = rng.random((37, 53, 300)) < 0.4
    out = resize_mask(masks, 1.7, [(2, 1), (0, 3), (0, 0)])
    assert out.shape == (63 + 3, 90 + 3, 300) and out.dtype == bool
    for i in (0, 128, 299):
        one = resize_mask(masks[:, :, i:i + 1], 1.7, [(2, 1), (0, 3), (0, 0)])
        np.testing.assert_array_equal(out[:, :, i], one[:, :, 0])


@pytest.mark.parametrize("padding", [[(0, 0), (0, 0)], [(3, 1), (0, 2)], [(0, 5), (4, 0)]])
@pytest.mark.parametrize("shape", [(6, 5), (6, 5, 3), (6, 5, 0)])
def test_pad_with_zeros_equals_numpy_constant_padding(shape, padding):
    from maskkit.utils.resize import pad_with_zeros

    image = np.random.default_rng(0).integers(1, 255, size=shape).astype(np.uint8)
    expected = np.pad(image, padding + [(0, 0)] * (len(shape) - 2))
    got = pad_with_zeros(image, padding + [(0, 0)])
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("layout", ["planes view", "contiguous", "uint8"])
def test_minimize_mask_equals_resizing_each_crop_on_its_own(layout):
    """The one-call-per-instance loop gives, bit for bit, each instance's box crop resized as float32
    (bilinear) and thresholded at 0.5, for [H, W, N] views of [N, H, W] planes and for plain arrays."""
    rng = np.random.default_rng(["planes view", "contiguous", "uint8"].index(layout))
    for _ in range(40):
        height, width, count = int(rng.integers(8, 120)), int(rng.integers(8, 120)), int(rng.integers(0, 8))
        planes = rng.random((count, height, width)) < rng.uniform(0.1, 0.9)
        mask = planes.transpose(1, 2, 0)
        if layout != "planes view":
            mask = np.ascontiguousarray(mask).astype(np.uint8 if layout == "uint8" else bool)
        y1, x1 = rng.integers(0, height - 1, count), rng.integers(0, width - 1, count)
        boxes = np.stack([y1, x1, np.minimum(y1 + rng.integers(1, height, count), height),
                          np.minimum(x1 + rng.integers(1, width, count), width)], axis=1).reshape(-1, 4)
        shape = tuple(int(v) for v in rng.integers(1, 40, 2))
        expected = np.zeros(shape + (count,), dtype=bool)
        for i, (top, left, bottom, right) in enumerate(boxes):
            expected[:, :, i] = resize(mask[top:bottom, left:right, i].astype(np.float32), shape) >= 0.5
        mini = minimize_mask(boxes, mask, shape)
        assert mini.dtype == bool and mini.flags.c_contiguous
        np.testing.assert_array_equal(mini, expected)


def test_minimize_mask_of_no_instances_is_empty_whatever_the_boxes_shape():
    for boxes in (np.zeros((0, 4)), np.array([])):
        mini = minimize_mask(boxes, np.zeros((16, 16, 0), dtype=bool), (7, 5))
        assert mini.shape == (7, 5, 0) and mini.dtype == bool


def test_600_instances_minimize_each_to_its_own_crop():
    masks = crowded_masks()
    masks[:, :, 599] = False
    masks[40:50, 100:130, 599] = True  # one wide instance, whose crop is not a square
    masks[40:45, 100:115, 599] = False
    boxes = extract_bboxes(masks)
    mini = minimize_mask(boxes, masks, (14, 14))
    assert mini.shape == (14, 14, 600) and mini[:, :, :599].all()
    np.testing.assert_array_equal(mini[:, :, 599], minimize_mask(boxes[599:], masks[:, :, 599:], (14, 14))[:, :, 0])
    assert not mini[:, :, 599].all() and mini[:, :, 599].any()
