"""Box arithmetic in the graph: deltas applied with the log-scale clamp, and encoded as the numpy targets are."""

from __future__ import annotations

import math

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from maskkit.model.box_graph_ops import LOG_SCALE_CLAMP, apply_box_deltas, box_refinement  # noqa: E402
from maskkit.utils import box_math  # noqa: E402


def test_huge_log_scale_deltas_give_finite_boxes_capped_at_the_clamp() -> None:
    boxes = tf.constant([[0.2, 0.2, 0.4, 0.4], [0.1, 0.1, 0.2, 0.3]])
    deltas = tf.constant([[0.0, 0.0, 500.0, 500.0], [0.5, -0.5, 0.1, -0.2]])
    refined = apply_box_deltas(boxes, deltas).numpy()
    assert np.isfinite(refined).all()
    np.testing.assert_allclose(refined[0, 2] - refined[0, 0], 0.2 * math.exp(LOG_SCALE_CLAMP), rtol=1e-5)
    np.testing.assert_allclose(refined[1], [0.2 - 0.05 * math.exp(0.1), 0.1 - 0.1 * math.exp(-0.2),
                                            0.2 + 0.05 * math.exp(0.1), 0.1 + 0.1 * math.exp(-0.2)], rtol=1e-5)


def test_graph_deltas_equal_the_numpy_targets() -> None:
    """One formula, one operation order: centre deltas bit for bit; the log terms differ only by the two
    libraries' log (at most an ulp or two)."""
    rng = np.random.default_rng(0)
    corners = rng.uniform(0, 1, size=(2, 50, 2)).astype(np.float32)
    boxes, gt_boxes = np.concatenate([corners, corners + rng.uniform(0.01, 0.5, size=(2, 50, 2))], axis=-1)
    boxes, gt_boxes = boxes.astype(np.float32), gt_boxes.astype(np.float32)
    graph = box_refinement(tf.constant(boxes), tf.constant(gt_boxes)).numpy()
    expected = box_math.box_refinement(boxes, gt_boxes)
    np.testing.assert_array_equal(graph[:, :2], expected[:, :2])
    np.testing.assert_allclose(graph[:, 2:], expected[:, 2:], rtol=3e-7, atol=1e-7)
