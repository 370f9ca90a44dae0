"""Detection targets in the graph: ROI sampling, crowds, padding, seeded by the step counter."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from maskkit.config import Config  # noqa: E402
from maskkit.model.detection_target import DetectionTargetLayer, detection_targets  # noqa: E402


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
