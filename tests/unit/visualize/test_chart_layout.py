"""The loss chart's layout: a colour per loss with validation dashed, ticks on the 1-2-5 sequence."""

from __future__ import annotations

import math

import pytest

from maskkit.visualize.chart_layout import PALETTE, linear_ticks, log_ticks, series_styles, tick_label

ONE_TWO_FIVE = {1.0, 2.0, 5.0}


def mantissa(value: float) -> float:
    return round(value / 10 ** math.floor(math.log10(value)), 6)


def test_train_and_val_of_a_loss_share_a_colour_and_only_val_is_dashed():
    names = ["loss", "mrcnn_mask_loss", "val_loss", "val_mrcnn_mask_loss", "val_map50"]
    styles = {s.name: s for s in series_styles(names)}
    assert styles["loss"].color == styles["val_loss"].color == PALETTE[0]
    assert styles["mrcnn_mask_loss"].color == styles["val_mrcnn_mask_loss"].color == PALETTE[1]
    assert styles["val_map50"].color == PALETTE[2] and styles["val_map50"].group == "map50"
    assert [s.name for s in series_styles(names) if s.dashed] == ["val_loss", "val_mrcnn_mask_loss", "val_map50"]


def test_twelve_series_use_six_colours():
    losses = ["loss", "rpn_class_loss", "rpn_bbox_loss", "mrcnn_class_loss", "mrcnn_bbox_loss", "mrcnn_mask_loss"]
    styles = series_styles([*losses, *(f"val_{name}" for name in losses)])
    assert len({s.color for s in styles}) == 6 and sum(s.dashed for s in styles) == 6


@pytest.mark.parametrize("low, high", [(0.151, 4.12), (0.0123, 0.0789), (3e-5, 12.0), (0.3, 0.45), (1.0, 1.0)])
def test_log_ticks_are_one_two_five_values_that_span_the_data(low, high):
    ticks = log_ticks(low, high)
    assert all(mantissa(t) in ONE_TWO_FIVE for t in ticks), ticks
    assert ticks[0] <= low and ticks[-1] >= high and len(ticks) >= 2 and ticks == sorted(set(ticks))
    assert len(ticks) <= 10


def test_log_ticks_of_the_reported_range_read_as_round_numbers():
    labels = [tick_label(t) for t in log_ticks(0.151, 4.12)]
    assert labels == ["0.1", "0.2", "0.5", "1", "2", "5"]
    assert [tick_label(t) for t in log_ticks(3e-5, 12.0)][:2] == ["1e-05", "0.0001"]
    with pytest.raises(ValueError, match="0 < low <= high"):
        log_ticks(0.0, 1.0)


@pytest.mark.parametrize("low, high", [(0.151, 4.12), (-0.3, 0.7), (1.0, 20.0), (2.0, 2.0)])
def test_linear_ticks_step_by_one_two_five_and_span_the_data(low, high):
    ticks = linear_ticks(low, high)
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1 and mantissa(steps.pop()) in ONE_TWO_FIVE
    assert ticks[0] <= low and ticks[-1] >= high and 3 <= len(ticks) <= 11
    assert all(len(tick_label(t)) <= 4 for t in ticks), ticks
