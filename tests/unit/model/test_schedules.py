"""Learning-rate schedules: warm-up rises linearly, cosine ends near zero, step drops tenfold late."""

from __future__ import annotations

import pytest

from maskkit.config import Config
from maskkit.errors import ConfigError
from maskkit.model.schedules import COSINE_FLOOR, learning_rate_at, schedule_for


def test_constant_without_warmup_is_the_base_rate() -> None:
    assert [learning_rate_at(s, 100, 0.02) for s in (0, 50, 99)] == [0.02, 0.02, 0.02]


def test_warmup_rises_linearly_to_the_base_rate() -> None:
    rates = [learning_rate_at(s, 100, 0.02, "constant", warmup_steps=4) for s in range(6)]
    assert rates == pytest.approx([0.005, 0.01, 0.015, 0.02, 0.02, 0.02])


def test_cosine_starts_at_base_after_warmup_and_ends_at_the_floor() -> None:
    rates = [learning_rate_at(s, 101, 0.02, "cosine", warmup_steps=10) for s in range(101)]
    assert rates[10] == pytest.approx(0.02)
    assert rates[-1] == pytest.approx(0.02 * COSINE_FLOOR)
    assert all(a >= b for a, b in zip(rates[10:], rates[11:]))
    assert rates[55] == pytest.approx(0.02 * (COSINE_FLOOR + (1 - COSINE_FLOOR) / 2))


def test_step_drops_tenfold_for_the_last_fifth() -> None:
    rates = [learning_rate_at(s, 100, 0.02, "step") for s in (0, 79, 80, 99)]
    assert rates == pytest.approx([0.02, 0.02, 0.002, 0.002])


def test_schedule_for_spans_every_epoch_of_the_run() -> None:
    config = Config(STEPS_PER_EPOCH=10, LR_SCHEDULE="cosine", LR_WARMUP_STEPS=0)
    rate = schedule_for(config, 0.1, total_epochs=3)
    assert rate(0) == pytest.approx(0.1) and rate(29) == pytest.approx(0.1 * COSINE_FLOOR)


def test_unknown_schedule_names_the_field() -> None:
    with pytest.raises(ConfigError, match="LR_SCHEDULE"):
        Config(LR_SCHEDULE="linear")
    with pytest.raises(ConfigError, match="LR_WARMUP_STEPS"):
        Config(LR_WARMUP_STEPS=-1)
