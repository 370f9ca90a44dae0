"""ProposalLayer on small hand-made anchors and deltas."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from maskkit.model.proposal import ProposalLayer  # noqa: E402


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
