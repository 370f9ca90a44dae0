"""The five losses on small hand-made inputs: neutral anchors, inactive classes, positive ROIs only."""

from __future__ import annotations

import math

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from maskkit.model import losses  # noqa: E402


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
