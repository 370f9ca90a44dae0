"""The mask-area histogram: log2 area bins, compact labels, one bar per filled bin."""

from __future__ import annotations

import numpy as np

from maskkit.visualize.area_histogram import draw_area_histogram, log2_bins, short
from tests.helpers import assert_rgb


def test_areas_fall_into_power_of_two_bins():
    edges, counts = log2_bins(np.array([0, 1, 3, 4, 9]))
    assert edges.tolist() == [0, 1, 2, 4, 8, 16] and counts.tolist() == [1, 1, 1, 1, 1]
    assert log2_bins(np.array([], dtype=np.int64))[1].sum() == 0
    assert [short(v) for v in (999, 1536, 2097152)] == ["999", "1.5k", "2M"]


def test_the_histogram_draws_one_bar_per_filled_bin(tmp_path):
    empty = draw_area_histogram(np.array([], dtype=np.int64))
    picture = draw_area_histogram(np.array([5, 6, 7, 100]), path=tmp_path / "h.png")
    assert_rgb(picture, (400, 720))
    assert (tmp_path / "h.png").is_file()
    bar = np.all(picture == (70, 130, 180), axis=-1)
    assert bar.sum() > 0 and not np.all(empty == (70, 130, 180), axis=-1).any()
