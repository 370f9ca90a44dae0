"""The heads on the tiny config, called eagerly: output shapes, probabilities, float32 under mixed precision."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from maskkit.model.heads import ClassifierHead, FoldRois, MaskHead, RPNHead, UnfoldRois  # noqa: E402
from maskkit.model.precision import policy_scope  # noqa: E402
from tests.helpers import meta_for, tiny_config  # noqa: E402

ROIS = tf.constant([[[0.1, 0.1, 0.5, 0.6], [0.0, 0.0, 1.0, 1.0], [0.4, 0.3, 0.6, 0.9]]])


def pyramid(config) -> list:
    """P2..P5 of a 64x64 image with TOP_DOWN_PYRAMID_SIZE channels."""
    rng = np.random.default_rng(0)
    return [tf.constant(rng.normal(size=(1, 64 // s, 64 // s, config.TOP_DOWN_PYRAMID_SIZE)), tf.float32)
            for s in (4, 8, 16, 32)]


def test_rois_fold_into_the_batch_axis_and_back():
    x = tf.reshape(tf.range(2 * 3 * 5, dtype=tf.float32), (2, 3, 5))
    folded = FoldRois()(x)
    assert folded.shape == (6, 5)
    np.testing.assert_array_equal(UnfoldRois((5,))([folded, tf.zeros((2, 3, 4))]), x)


def test_rpn_head_scores_and_deltas_for_every_anchor_of_every_level():
    maps = pyramid(tiny_config())[:2]
    head = RPNHead(anchors_per_location=3, anchor_stride=1, depth=8)
    logits, probs, deltas = head(maps)
    anchors = 3 * (16 * 16 + 8 * 8)
    assert logits.shape == (1, anchors, 2) and probs.shape == (1, anchors, 2) and deltas.shape == (1, anchors, 4)
    np.testing.assert_allclose(tf.reduce_sum(probs, -1), 1.0, rtol=1e-5)
    assert [layer.name for layer in (head.shared, head.class_raw, head.bbox_pred)] == [
        "rpn_conv_shared", "rpn_class_raw", "rpn_bbox_pred"]


def test_classifier_and_mask_heads_give_per_class_float32_outputs_under_mixed_precision():
    config = tiny_config()
    meta = tf.constant(meta_for(64, 64, config.NUM_CLASSES))
    with policy_scope("mixed_bfloat16"):
        classifier, mask_head = ClassifierHead(config), MaskHead(config)
        logits, probs, bbox = classifier(ROIS, meta, pyramid(config))
        masks = mask_head(ROIS, meta, pyramid(config))
    classes = config.NUM_CLASSES
    assert logits.shape == (1, 3, classes) and bbox.shape == (1, 3, classes, 4)
    assert masks.shape == (1, 3, *config.MASK_SHAPE, classes)
    assert {t.dtype for t in (logits, probs, bbox, masks)} == {tf.float32}
    np.testing.assert_allclose(tf.reduce_sum(probs, -1), 1.0, rtol=1e-5)
    assert float(tf.reduce_min(masks)) >= 0.0 and float(tf.reduce_max(masks)) <= 1.0
    assert classifier.conv1.compute_dtype == "bfloat16" and classifier.logits.compute_dtype == "float32"
