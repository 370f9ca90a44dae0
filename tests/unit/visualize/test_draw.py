"""Drawing primitives: seeded distinct colours, masks blended only where set."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit import visualize as vis
from tests.helpers import assert_rgb


def test_random_colors_deterministic_and_distinct():
    a = vis.random_colors(8, seed=3)
    assert a == vis.random_colors(8, seed=3)
    assert a != vis.random_colors(8, seed=4)
    assert len(set(a)) == 8
    assert all(0 <= c <= 1 for col in a for c in col)
    assert vis.random_colors(0) == []


def test_apply_mask_changes_only_masked_pixels():
    img = np.full((20, 30, 3), 100, np.uint8)
    mask = np.zeros((20, 30), bool)
    mask[5:10, 3:12] = True
    out = vis.apply_mask(img, mask, (1.0, 0.0, 0.0), alpha=0.5)
    assert_rgb(out, (20, 30))
    np.testing.assert_array_equal(out[~mask], img[~mask])
    np.testing.assert_array_equal(out[mask], np.tile([178, 50, 50], (mask.sum(), 1)))
    np.testing.assert_array_equal(img, 100)  # input untouched
    with pytest.raises(ValueError):
        vis.apply_mask(img, mask[:10], (1, 0, 0))
