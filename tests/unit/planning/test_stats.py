"""Dataset statistics from annotations: counts, sizes, object sides, objects per image."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.planning.annotations import annotations_from_arrays
from maskkit.planning.stats import box_sides, data_stats


def test_box_sides_are_square_roots_of_areas():
    assert box_sides(np.array([[0, 0, 10, 40], [5, 5, 5, 9]])).tolist() == [20.0, 0.0]


def test_data_stats_counts_and_percentiles():
    table = annotations_from_arrays(
        [(100, 200), (100, 200), (50, 60)],
        [[[0, 0, 10, 10], [0, 0, 20, 20], [0, 0, 30, 60]], [[0, 0, 5, 5]], []],
        [[1, 1, -2], [2], []], ("BG", "cat", "dog", "eel"))
    stats = data_stats(table)
    assert (stats.images, stats.objects, stats.crowds) == (3, 3, 1)
    assert stats.class_counts == (("cat", 2), ("dog", 1), ("eel", 0))
    assert stats.common_sizes == ((100, 200, 2), (50, 60, 1)) and stats.distinct_sizes == 2
    assert stats.side_percentiles["side"] == pytest.approx(tuple(np.percentile([10, 20, 5], [5, 50, 95])))
    assert stats.side_percentiles["height"][1] == 10.0
    assert stats.per_image == (0, 1.0, pytest.approx(1.8), 2) and stats.images_without_objects == 1


def test_data_stats_without_objects():
    stats = data_stats(annotations_from_arrays([(8, 8)], [np.zeros((0, 4))], [[]], ("BG", "a")))
    assert stats.objects == 0 and stats.side_percentiles["side"] == () and stats.per_image == (0, 0.0, 0.0, 0)
