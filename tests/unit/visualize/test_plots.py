"""Charts: log2 area bins and compact labels, the histogram's bars, the PR curve's input check, empty losses."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.visualize.plots import draw_area_histogram, log2_bins, plot_loss_curves, plot_precision_recall, short
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


def test_precision_recall_needs_matching_lengths_and_empty_losses_say_so():
    with pytest.raises(ValueError, match="differ in length"):
        plot_precision_recall(0.5, np.array([1.0, 0.5]), np.array([0.5]))
    assert_rgb(plot_loss_curves({}))
    assert not np.array_equal(plot_loss_curves({}), plot_loss_curves({"loss": [2.0, 1.0]}))
