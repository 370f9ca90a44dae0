"""The model's graph layers and losses on small hand-made inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from maskkit.config import Config  # noqa: E402
from maskkit.model import losses  # noqa: E402
from maskkit.model.boxes import LOG_SCALE_CLAMP, apply_box_deltas  # noqa: E402
from maskkit.model.detection import DetectionLayer  # noqa: E402
from maskkit.model.detection_target import DetectionTargetLayer, detection_targets  # noqa: E402
from maskkit.model.proposal import ProposalLayer  # noqa: E402
from maskkit.model.roi_align import PyramidROIAlign, roi_levels  # noqa: E402


def meta_for(height: int, width: int, num_classes: int = 3) -> np.ndarray:
    return np.array([[0, height, width, 3, height, width, 3, 0, 0, height, width, 1] + [1] * num_classes],
                    dtype=np.float32)


# ----- proposals ------------------------------------------------------------------------------


def test_huge_log_scale_deltas_give_finite_boxes_capped_at_the_clamp() -> None:
    boxes = tf.constant([[0.2, 0.2, 0.4, 0.4], [0.1, 0.1, 0.2, 0.3]])
    deltas = tf.constant([[0.0, 0.0, 500.0, 500.0], [0.5, -0.5, 0.1, -0.2]])
    refined = apply_box_deltas(boxes, deltas).numpy()
    assert np.isfinite(refined).all()
    np.testing.assert_allclose(refined[0, 2] - refined[0, 0], 0.2 * math.exp(LOG_SCALE_CLAMP), rtol=1e-5)
    np.testing.assert_allclose(refined[1], [0.2 - 0.05 * math.exp(0.1), 0.1 - 0.1 * math.exp(-0.2),
                                            0.2 + 0.05 * math.exp(0.1), 0.1 + 0.1 * math.exp(-0.2)], rtol=1e-5)

def test_proposals_decode_deltas_clip_and_suppress_overlaps() -> None:
    anchors = np.array([[[0.1, 0.1, 0.3, 0.3], [0.11, 0.1, 0.31, 0.3], [0.8, 0.8, 1.0, 1.0], [0.5, 0.5, 0.6, 0.6]]],
                       dtype=np.float32)
    fg = np.array([0.9, 0.8, 0.7, 0.1], dtype=np.float32)
    probs = np.stack([1 - fg, fg], axis=-1)[None]
    deltas = np.zeros((1, 4, 4), dtype=np.float32)
    deltas[0, 2] = [1.0, 1.0, 0.0, 0.0]  # shift by 0.1 * height (std 0.1) -> partly outside, clipped
    layer = ProposalLayer(proposal_count=5, nms_threshold=0.7, pre_nms_limit=3, bbox_std_dev=(0.1, 0.1, 0.2, 0.2))
    out = layer([tf.constant(probs), tf.constant(deltas), tf.constant(anchors)]).numpy()
    assert out.shape == (1, 5, 4)
    np.testing.assert_allclose(out[0, 0], [0.1, 0.1, 0.3, 0.3], atol=1e-6)  # best anchor, zero deltas
    np.testing.assert_allclose(out[0, 1], [0.82, 0.82, 1.0, 1.0], atol=1e-6)  # shifted, clipped to 1
    assert np.all(out[0, 2:] == 0)  # anchor 1 suppressed (IoU > 0.7), anchor 3 beyond pre_nms_limit


# ----- ROIAlign -------------------------------------------------------------------------------
def test_roi_levels_follow_box_size_relative_to_224_pixels() -> None:
    side = 1024.0
    sizes = np.array([224, 112, 448, 10, 1024], dtype=np.float32) / side
    boxes = np.stack([np.zeros_like(sizes), np.zeros_like(sizes), sizes, sizes], axis=-1)[None]
    levels = roi_levels(tf.constant(boxes), tf.constant([side, side, 3.0])).numpy()
    assert levels.tolist() == [[4, 3, 5, 2, 5]]


def test_pyramid_roi_align_pools_each_box_from_its_level_in_box_order() -> None:
    side = 256
    maps = [tf.fill((2, side // s, side // s, 1), float(level)) for level, s in zip(range(2, 6), (4, 8, 16, 32))]
    big, small = 200.0 / side, 20.0 / side
    boxes = np.array([[[0, 0, small, small], [0, 0, big, big], [0.5, 0.5, 0.5 + small, 0.5 + small]],
                      [[0, 0, big, big], [0, 0, small, small], [0, 0, big, big]]], dtype=np.float32)
    pooled = PyramidROIAlign((3, 3))([tf.constant(boxes), tf.constant(np.repeat(meta_for(side, side), 2, 0)), *maps])
    assert pooled.shape == (2, 3, 3, 3, 1)
    assert pooled.numpy()[:, :, 1, 1, 0].tolist() == [[2, 4, 2], [4, 2, 4]]


# ----- detection targets ----------------------------------------------------------------------
def target_config(**overrides) -> Config:
    values = dict(NUM_CLASSES=3, TRAIN_ROIS_PER_IMAGE=20, ROI_POSITIVE_RATIO=0.33, MASK_POOL_SIZE=7,
                  MASK_SHAPE=(14, 14), USE_MINI_MASK=True, MINI_MASK_SHAPE=(28, 28))
    return Config(**{**values, **overrides})


def make_proposals(rng: np.random.Generator) -> np.ndarray:
    near = np.array([0.2, 0.2, 0.6, 0.6]) + rng.uniform(-0.02, 0.02, size=(10, 4))  # IoU >= 0.5 with the gt
    far = np.concatenate([rng.uniform(0.7, 0.75, size=(50, 2)), rng.uniform(0.9, 1.0, size=(50, 2))], axis=1)
    padding = np.zeros((5, 4))
    return np.concatenate([near, far, padding]).astype(np.float32)


def test_detection_targets_sample_positive_ratio_and_pad() -> None:
    proposals = make_proposals(np.random.default_rng(0))
    gt_boxes = np.array([[0.2, 0.2, 0.6, 0.6], [0, 0, 0, 0]], dtype=np.float32)
    gt_class_ids = np.array([2, 0], dtype=np.int32)
    gt_masks = np.ones((28, 28, 2), dtype=bool)
    rois, class_ids, deltas, masks = (t.numpy() for t in detection_targets(
        tf.constant(proposals), tf.constant(gt_class_ids), tf.constant(gt_boxes), tf.constant(gt_masks),
        config=target_config()))
    positives = int(20 * 0.33)  # 6
    negatives = int(positives / 0.33) - positives  # 12
    assert rois.shape == (20, 4) and class_ids.shape == (20,) and deltas.shape == (20, 4)
    assert masks.shape == (20, 14, 14)
    assert class_ids.tolist() == [2] * positives + [0] * (20 - positives)
    assert np.all(rois[:positives + negatives].any(axis=1)) and not rois[positives + negatives:].any()
    assert np.all(rois[positives:positives + negatives, 0] >= 0.7)  # negatives come from far boxes
    assert np.all(np.abs(deltas[:positives]) < 1.0) and not deltas[positives:].any()
    assert np.all(masks[:positives, 2:12, 2:12] == 1.0) and not masks[positives:].any()  # edges may fall outside


def test_roi_samples_follow_the_step_counter_and_repeat_for_equal_steps() -> None:
    proposals = make_proposals(np.random.default_rng(0))
    inputs = [tf.constant(np.stack([proposals, proposals])), tf.constant([[2, 0], [2, 0]], tf.int32),
              tf.constant(np.array([[[0.2, 0.2, 0.6, 0.6], [0, 0, 0, 0]]] * 2, np.float32)),
              tf.constant(np.ones((2, 28, 28, 2), bool))]
    layer = DetectionTargetLayer(target_config(SEED=3))
    counter = tf.Variable(0, dtype=tf.int64)
    layer.follow_steps(counter)
    first = layer(inputs)[0].numpy()
    again = layer(inputs)[0].numpy()
    counter.assign(1)
    later = layer(inputs)[0].numpy()
    assert not layer.weights  # the optimizer's counter is not tracked as this layer's weight
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first[0], first[1])  # the two images draw different samples
    assert not np.array_equal(first, later)  # and the next step draws new ones


def test_detection_targets_never_use_boxes_on_crowds_as_negatives() -> None:
    proposals = make_proposals(np.random.default_rng(1))
    crowd = [0.7, 0.7, 1.0, 1.0]  # covers every far proposal
    gt_boxes = np.array([[0.2, 0.2, 0.6, 0.6], crowd], dtype=np.float32)
    gt_class_ids = np.array([1, -1], dtype=np.int32)
    gt_masks = np.ones((28, 28, 2), dtype=bool)
    rois, class_ids, _, _ = (t.numpy() for t in detection_targets(
        tf.constant(proposals), tf.constant(gt_class_ids), tf.constant(gt_boxes), tf.constant(gt_masks),
        config=target_config()))
    assert class_ids[:6].tolist() == [1] * 6
    assert not rois[6:].any()


def test_detection_targets_without_ground_truth_give_only_padding() -> None:
    proposals = make_proposals(np.random.default_rng(2))
    rois, class_ids, _, _ = (t.numpy() for t in detection_targets(
        tf.constant(proposals), tf.zeros([2], tf.int32), tf.zeros([2, 4]), tf.zeros([28, 28, 2], tf.bool),
        config=target_config()))
    assert not rois.any() and not class_ids.any()


# ----- detection layer ------------------------------------------------------------------------
def test_detection_layer_keeps_confident_best_class_after_per_class_nms() -> None:
    config = Config(NUM_CLASSES=3, DETECTION_MAX_INSTANCES=5, DETECTION_MIN_CONFIDENCE=0.7,
                    DETECTION_NMS_THRESHOLD=0.3, IMAGE_MAX_DIM=64, IMAGE_MIN_DIM=64)
    rois = np.array([[[0.1, 0.1, 0.4, 0.4], [0.11, 0.1, 0.41, 0.4], [0.5, 0.5, 0.9, 0.9],
                      [0.6, 0.1, 0.9, 0.3], [0.1, 0.6, 0.3, 0.9], [0.11, 0.11, 0.4, 0.4]]], dtype=np.float32)
    probs = np.array([[[0.05, 0.9, 0.05, 0.0],    # class 1, kept
                       [0.1, 0.8, 0.1, 0.0],      # class 1, suppressed by the first
                       [0.0, 0.0, 0.05, 0.95],    # class 3, kept
                       [0.4, 0.1, 0.5, 0.0],      # class 2 below min confidence
                       [0.9, 0.05, 0.05, 0.0],    # background
                       [0.1, 0.0, 0.85, 0.05]]],  # class 2 overlapping class 1: other class, kept
                     dtype=np.float32)
    deltas = np.zeros((1, 6, 4, 4), dtype=np.float32)
    meta = meta_for(64, 64)
    out = DetectionLayer(config)([tf.constant(rois), tf.constant(probs), tf.constant(deltas), tf.constant(meta)])
    out = out.numpy()[0]
    assert out.shape == (5, 6)
    assert out[:3, 4].tolist() == [3, 1, 2]
    np.testing.assert_allclose(out[:3, 5], [0.95, 0.9, 0.85], atol=1e-6)
    np.testing.assert_allclose(out[1, :4], rois[0, 0], atol=1e-6)
    assert not out[3:].any()


# ----- losses ---------------------------------------------------------------------------------
def test_rpn_class_loss_ignores_neutral_anchors() -> None:
    rpn_match = tf.constant([[1, -1, 0, 0]])
    logits = tf.constant([[[0.0, 0.0], [0.0, 0.0], [9.0, -9.0], [-9.0, 9.0]]])
    assert float(losses.rpn_class_loss(rpn_match, logits)) == pytest.approx(math.log(2), rel=1e-5)
    assert float(losses.rpn_class_loss(tf.zeros([1, 4], tf.int32), logits)) == 0.0


def test_rpn_bbox_loss_pairs_each_images_positives_with_its_leading_targets() -> None:
    rpn_match = tf.constant([[0, 1, -1], [1, 1, 0]])
    rpn_bbox = tf.constant([[[9.0] * 4, [0.5, 0, 0, 0], [9.0] * 4], [[0, 2.0, 0, 0], [0, 0, 0, 0], [9.0] * 4]])
    target = tf.constant([[[0.0] * 4, [7.0] * 4], [[0.0] * 4, [0.0] * 4]])
    # diffs: 0.5 -> 0.125; 2.0 -> 1.5; others 0; mean over 12 elements
    assert float(losses.rpn_bbox_loss(target, rpn_match, rpn_bbox)) == pytest.approx((0.125 + 1.5) / 12)


def test_mrcnn_class_loss_skips_predictions_of_inactive_classes() -> None:
    logits = tf.constant([[[5.0, 0.0, 0.0], [0.0, 0.0, 5.0]]])
    target = tf.constant([[0, 1]])
    active = tf.constant([[1.0, 1.0, 0.0]])  # class 2 not in this dataset: the second ROI is ignored
    expected = -math.log(math.exp(5) / (math.exp(5) + 2))
    assert float(losses.mrcnn_class_loss(target, logits, active)) == pytest.approx(expected, rel=1e-5)


def test_mrcnn_bbox_and_mask_losses_use_the_true_class_of_positive_rois_only() -> None:
    target_class_ids = tf.constant([[2, 0]])
    target_bbox = tf.constant([[[1.0, 0, 0, 0], [5.0, 5, 5, 5]]])
    pred_bbox = np.zeros((1, 2, 3, 4), dtype=np.float32)
    pred_bbox[0, 0, 1] = 9.0  # another class's deltas: ignored
    assert float(losses.mrcnn_bbox_loss(target_bbox, target_class_ids, tf.constant(pred_bbox))) == pytest.approx(0.5 / 4)
    target_masks = tf.constant(np.ones((1, 2, 2, 2), dtype=np.float32))
    pred_masks = np.full((1, 2, 2, 2, 3), 0.01, dtype=np.float32)
    pred_masks[0, 0, :, :, 2] = 0.5
    loss = losses.mrcnn_mask_loss(target_masks, target_class_ids, tf.constant(pred_masks))
    assert float(loss) == pytest.approx(math.log(2), rel=1e-5)
    none = tf.constant([[0, 0]])
    assert float(losses.mrcnn_bbox_loss(target_bbox, none, tf.constant(pred_bbox))) == 0.0
    assert float(losses.mrcnn_mask_loss(target_masks, none, tf.constant(pred_masks))) == 0.0


def test_mask_loss_of_the_leading_rois_equals_the_loss_over_all_rois() -> None:
    # The training graph feeds the mask loss only the first ROIs, where the positives are sampled;
    # the class ids stay [B, N] and the loss cuts them to the masks' length.
    rng = np.random.default_rng(0)
    class_ids = np.zeros((2, 8), dtype=np.int32)
    class_ids[0, :3], class_ids[1, :2] = [2, 1, 3], [3, 3]
    target_masks = np.round(rng.uniform(size=(2, 8, 4, 4))).astype(np.float32)
    pred_masks = rng.uniform(0.01, 0.99, size=(2, 8, 4, 4, 4)).astype(np.float32)
    full = losses.mrcnn_mask_loss(tf.constant(target_masks), tf.constant(class_ids), tf.constant(pred_masks))
    leading = losses.mrcnn_mask_loss(tf.constant(target_masks[:, :3]), tf.constant(class_ids),
                                     tf.constant(pred_masks[:, :3]))
    assert float(leading) == float(full) > 0.0
    cut = losses.mrcnn_mask_loss(tf.constant(target_masks[:, :2]), tf.constant(class_ids),
                                 tf.constant(pred_masks[:, :2]))
    assert float(cut) != float(full)  # a slice that drops a positive ROI changes the loss
