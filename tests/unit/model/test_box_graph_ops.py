"""Box arithmetic in the graph: deltas applied with the log-scale clamp."""

from __future__ import annotations

import math

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from maskkit.model.box_graph_ops import LOG_SCALE_CLAMP, apply_box_deltas  # noqa: E402


def test_huge_log_scale_deltas_give_finite_boxes_capped_at_the_clamp() -> None:
    boxes = tf.constant([[0.2, 0.2, 0.4, 0.4], [0.1, 0.1, 0.2, 0.3]])
    deltas = tf.constant([[0.0, 0.0, 500.0, 500.0], [0.5, -0.5, 0.1, -0.2]])
    refined = apply_box_deltas(boxes, deltas).numpy()
    assert np.isfinite(refined).all()
    np.testing.assert_allclose(refined[0, 2] - refined[0, 0], 0.2 * math.exp(LOG_SCALE_CLAMP), rtol=1e-5)
    np.testing.assert_allclose(refined[1], [0.2 - 0.05 * math.exp(0.1), 0.1 - 0.1 * math.exp(-0.2),
                                            0.2 + 0.05 * math.exp(0.1), 0.1 + 0.1 * math.exp(-0.2)], rtol=1e-5)
