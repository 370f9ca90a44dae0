"""TrainingBudget and BudgetMonitor: epochs planned from measured times, evaluations, the stop."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from maskkit.errors import ConfigError
from maskkit.model.budget import FIRST_GUESS_EPOCHS, BudgetMonitor, TrainingBudget
from maskkit.model.validation_metrics import ValidationMonitor, validation_summary


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeValidation:
    """Stands in for ValidationMonitor: records which epochs were evaluated and how long each took."""

    def __init__(self, clock: FakeClock, seconds: float) -> None:
        self.clock, self.seconds = clock, seconds
        self.evaluated: list[int] = []
        self.stop_reason = ""

    def measure(self, epoch: int, evaluate: bool | None = None) -> dict[str, float]:
        if evaluate:
            self.evaluated.append(epoch)
            self.clock.now += self.seconds
            return {"val_map50": 0.5}
        return {"val_map50": math.nan}

    def checkpointed(self, epoch: int, path: Path, history: dict) -> bool:
        return False


def run(monitor: BudgetMonitor, clock: FakeClock, epoch_seconds: list[float], start: int = 0) -> list[int]:
    """Drive the monitor as run_epochs does; returns the epochs trained."""
    monitor.budget.start(start)
    trained = []
    for index, seconds in enumerate(epoch_seconds):
        epoch = start + index + 1
        clock.now += seconds
        monitor.measure(epoch)
        trained.append(epoch)
        if monitor.checkpointed(epoch, Path(f"ckpt_{epoch}"), {}):
            break
    return trained


def test_stops_before_an_epoch_that_would_overrun_and_evaluates_the_last() -> None:
    clock = FakeClock()
    budget = TrainingBudget(10, clock=clock)
    validation = FakeValidation(clock, seconds=20)
    trained = run(BudgetMonitor(budget, validation, every=3, verbose=0), clock, [120] + [60] * 30)
    used = clock.now - 1000.0
    assert used <= 600 and used + 60 + 20 > 600
    assert validation.evaluated[-1] == trained[-1]
    assert [e for e in validation.evaluated[:-1]] == [e for e in trained[:-1] if e % 3 == 0]
    assert budget.planned_epochs == trained[-1]


def test_the_first_epoch_does_not_set_the_pace() -> None:
    """A slow first epoch (tracing) must not end the run early: later epochs set the cost."""
    clock = FakeClock()
    budget = TrainingBudget(5, clock=clock)
    trained = run(BudgetMonitor(budget, None, verbose=0), clock, [200] + [20] * 40)
    assert len(trained) == 6 and clock.now - 1000.0 == 300  # 200 + 5 x 20: no room for a seventh


def test_plan_follows_the_measured_cost_and_cap() -> None:
    clock = FakeClock()
    budget = TrainingBudget(10, max_epochs=5, clock=clock)
    trained = run(BudgetMonitor(budget, None, verbose=0), clock, [10] * 20)
    assert trained == [1, 2, 3, 4, 5]
    budget = TrainingBudget(10, clock=clock)
    budget.start(0)
    assert budget.planned_epochs == FIRST_GUESS_EPOCHS
    clock.now += 30
    budget.training_done(1)
    budget.epoch_closed(1, None, last=False)
    clock.now += 30
    budget.training_done(2)
    budget.epoch_closed(2, None, last=False)
    left = 600 - 60 - 15  # the evaluation is guessed at half an epoch until one is measured
    assert budget.planned_epochs == 2 + left // 30
    budget.evaluates = False
    budget.epoch_closed(2, None, last=False)
    assert budget.planned_epochs == 2 + (600 - 60) // 30


def test_automatic_evaluation_interval_evaluates_halfway_and_at_the_end() -> None:
    clock = FakeClock()
    validation = FakeValidation(clock, seconds=1)
    trained = run(BudgetMonitor(TrainingBudget(10, clock=clock), validation, verbose=0), clock, [30] * 100)
    assert 2 <= len(validation.evaluated) <= 3 and validation.evaluated[-1] == trained[-1]
    assert abs(validation.evaluated[0] - len(trained) / 2) <= 1.5


def test_a_resumed_run_counts_from_its_first_epoch() -> None:
    clock = FakeClock()
    budget = TrainingBudget(1, clock=clock)
    trained = run(BudgetMonitor(budget, None, verbose=0), clock, [10] * 20, start=7)
    assert trained[0] == 8 and budget.planned_epochs == trained[-1]


@pytest.mark.parametrize("minutes", [0, -1, math.inf, math.nan])
def test_impossible_budget_names_the_option(minutes: float) -> None:
    with pytest.raises(ConfigError, match="minutes"):
        TrainingBudget(minutes)


def test_validation_summary_reports_last_evaluation_and_best(tmp_path: Path) -> None:
    monitor = ValidationMonitor(lambda: {"map50": 0.8, "segm": {"stats": {"AP": 0.4}},
                                         "bbox": {"stats": {"AP": 0.5}}}, "demo", every=1, keep_best="segm_ap")
    history: dict[str, list[float]] = {}
    for epoch in (1, 2):
        for name, value in monitor.measure(epoch, evaluate=epoch == 2).items():
            history.setdefault(name, []).append(value)
        checkpoint = tmp_path / f"mask_rcnn_demo_{epoch:04d}.weights.h5"
        checkpoint.write_text("weights")
        monitor.checkpointed(epoch, checkpoint, history)
    text = validation_summary(history, tmp_path, "demo")
    assert "map50 0.800, segm_ap 0.400, bbox_ap 0.500" in text
    assert "best checkpoint (segm_ap)" in text and "at epoch 2" in text
    assert validation_summary({}, tmp_path / "none", "demo") == "no validation metrics were measured"


def test_the_probe_epochs_run_unless_the_budget_is_spent(capsys: pytest.CaptureFixture) -> None:
    """Epochs of half the budget: the plan is not trusted before three epochs, so the third still
    starts (the budget is not spent after two), and the user is told the epochs are coarse."""
    clock = FakeClock()
    trained = run(BudgetMonitor(TrainingBudget(10, clock=clock), None, verbose=0), clock, [250] * 10)
    assert trained == [1, 2, 3]
    assert "lower STEPS_PER_EPOCH" in capsys.readouterr().err


def test_the_first_status_line_promises_no_epoch_count_the_traced_epoch_cannot_give() -> None:
    clock = FakeClock()
    budget = TrainingBudget(10, clock=clock)
    budget.start(0)
    for epoch, seconds in enumerate([40.0, 10.0], start=1):
        clock.now += seconds
        budget.training_done(epoch)
        budget.epoch_closed(epoch, None, last=False)
        if epoch == 1:
            first = budget.status(1)
    assert "of about" not in first and "planned from the next" in first and "9.3 of 10 min left" in first
    assert "epoch 2 of about 56" in budget.status(2)  # 550 s left, less a 5 s evaluation, 10 s epochs
