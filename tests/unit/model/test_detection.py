"""DetectionLayer: per-class NMS keeps the confident best class."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from maskkit.config import Config  # noqa: E402
from maskkit.model.detection import DetectionLayer  # noqa: E402
from tests.helpers import meta_for  # noqa: E402


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
