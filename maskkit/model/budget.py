"""Training to a time budget: how many epochs fit in M minutes, planned again after every epoch.

The first epoch of a run also traces the graph and starts the input pipeline, so the cost of an
epoch is measured on the epochs after it (the first stands in until there are some). Evaluations
come only every K epochs and are timed apart. The run stops after the last epoch whose successor
would not finish inside the budget, and that last epoch is always evaluated, so the best checkpoint
is chosen among the final weights too. The epoch count depends on measured time: a run with a
budget repeats its losses epoch for epoch, but may stop an epoch earlier or later than another.
"""

from __future__ import annotations

import datetime
import math
import sys
import time
from pathlib import Path
from typing import Callable, Mapping

from maskkit.errors import ConfigError

#: Until an epoch has been measured, the plan assumes this many epochs (only the learning-rate
#: schedule's first epoch reads it; warm-up usually covers that).
FIRST_GUESS_EPOCHS = 10
#: How many evaluations a budgeted run aims for when the user names no --eval-every (halfway and
#: at the end: on crowded images one evaluation can cost as much as an epoch).
TARGET_EVALUATIONS = 2
#: The plan is trusted once the first epoch and this many after it are measured; before that the
#: run stops only when the budget is spent.
PROBE_EPOCHS = 2
#: An epoch longer than this share of the budget makes the stop coarse: worth a word to the user.
COARSE_EPOCH_SHARE = 0.2


class TrainingBudget:
    """The epoch plan of a run limited to ``minutes`` of wall time (training steps, validation
    losses, checkpoints and periodic evaluations; not the final report).

    Args:
        minutes: the budget.
        max_epochs: an absolute epoch the run never goes beyond (None: no cap).
        clock: seconds as a float (injectable for tests).
    """

    def __init__(self, minutes: float, max_epochs: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not math.isfinite(minutes) or minutes <= 0:
            raise ConfigError("minutes", f"must be a positive number, got {minutes}", kind="argument")
        self.seconds = float(minutes) * 60.0
        self.max_epochs = max_epochs
        self.clock = clock
        self.first_epoch = 1
        self.started: float | None = None
        self.epoch_started = 0.0
        self.train_seconds: list[float] = []
        self.eval_seconds: list[float] = []
        #: whether the run evaluates (at least its last epoch); without, evaluations cost nothing
        self.evaluates = True
        self.planned_epochs = max_epochs or FIRST_GUESS_EPOCHS

    def start(self, done_epochs: int) -> None:
        """Start the clock for a run that has ``done_epochs`` epochs behind it (resumed runs)."""
        self.first_epoch = done_epochs + 1
        self.started = self.epoch_started = self.clock()
        if self.max_epochs is None:
            self.planned_epochs = done_epochs + FIRST_GUESS_EPOCHS
        elif self.max_epochs <= done_epochs:
            raise ConfigError("epochs", f"already at epoch {done_epochs}; a budgeted run needs a larger "
                              f"--epochs cap", kind="argument")

    @property
    def elapsed(self) -> float:
        """Seconds since start() (0 before it)."""
        return 0.0 if self.started is None else self.clock() - self.started

    @property
    def deadline(self) -> datetime.datetime:
        """Wall-clock time at which the budget runs out."""
        return datetime.datetime.now() + datetime.timedelta(seconds=self.seconds - self.elapsed)

    def epoch_cost(self) -> float:
        """Seconds an epoch's training takes: the mean over the epochs after the run's first, else
        the first alone (it includes tracing, so it overestimates)."""
        later = self.train_seconds[1:]
        return sum(later) / len(later) if later else self.train_seconds[0]

    def evaluation_cost(self) -> float:
        """Seconds one evaluation takes: the mean measured, else a guess of half an epoch."""
        if not self.evaluates:
            return 0.0
        if self.eval_seconds:
            return sum(self.eval_seconds) / len(self.eval_seconds)
        return 0.5 * self.epoch_cost()

    def training_done(self, epoch: int) -> None:
        """Record that ``epoch``'s training (and validation losses) just finished."""
        now = self.clock()
        self.train_seconds.append(now - self.epoch_started)
        self.epoch_started = now

    def is_last(self, epoch: int, evaluating: bool) -> bool:
        """Whether ``epoch`` must be the run's last: after it (and its evaluation, when ``evaluating``)
        another epoch and a final evaluation would overrun the budget, or it reaches the cap."""
        if self.max_epochs is not None and epoch >= self.max_epochs:
            return True
        if len(self.train_seconds) <= PROBE_EPOCHS:
            return self.elapsed >= self.seconds
        ahead = (self.evaluation_cost() if evaluating else 0.0) + self.epoch_cost() + self.evaluation_cost()
        return self.elapsed + ahead > self.seconds

    def epoch_closed(self, epoch: int, eval_seconds: float | None, last: bool) -> None:
        """Record ``epoch``'s evaluation time and plan the epochs that still fit.

        Args:
            epoch: the absolute epoch that just ended.
            eval_seconds: how long its evaluation took; None when it was not evaluated.
            last: whether the run ends with this epoch (the plan then stops at it).
        """
        if eval_seconds is not None:
            self.eval_seconds.append(eval_seconds)
        self.epoch_started = self.clock()
        if last:
            self.planned_epochs = epoch
            return
        left = self.seconds - self.elapsed - self.evaluation_cost()
        more = max(int(left // self.epoch_cost()), 1)
        planned = epoch + more
        self.planned_epochs = min(planned, self.max_epochs) if self.max_epochs is not None else planned

    def coarse_epochs(self) -> str | None:
        """A warning when measured epochs are so long that stopping between them misses the budget
        by much, else None."""
        if len(self.train_seconds) < 2 or self.epoch_cost() <= COARSE_EPOCH_SHARE * self.seconds:
            return None
        return (f"an epoch takes {self.epoch_cost() / 60:.1f} min, over a fifth of the {self.seconds / 60:g}-minute "
                f"budget, so the run can end well before or after it: lower STEPS_PER_EPOCH")

    def status(self, epoch: int) -> str:
        """One line for the log: the plan, the time left and when training ends.

        Args:
            epoch: the absolute epoch just finished, shown against the planned count.
        """
        left = max(self.seconds - self.elapsed, 0.0)
        plan = (f"epoch {epoch}, the count is planned from the next (this one also built the graph)"
                if len(self.train_seconds) <= 1 else f"epoch {epoch} of about {self.planned_epochs}")
        return (f"budget: {plan}, {left / 60:.1f} of {self.seconds / 60:g} min left, "
                f"training ends by {self.deadline:%H:%M}")


class BudgetMonitor:
    """The EpochMonitor of a budgeted run: evaluates every ``every`` epochs and always at the last
    planned epoch, keeps the best checkpoint through ``validation``, and stops at the budget.

    Args:
        budget: the run's TrainingBudget.
        validation: a ValidationMonitor (evaluation and best checkpoint), or None without validation.
        every: evaluate every this many epochs; None picks it once the epoch cost is measured, so
            that about TARGET_EVALUATIONS evaluations fit.
        verbose: print the plan after every epoch.
    """

    def __init__(self, budget: TrainingBudget, validation: object | None = None, every: int | None = None,
                 verbose: int = 1) -> None:
        self.budget = budget
        self.validation = validation
        self.every = every
        self.verbose = verbose
        self.stop_reason = ""
        self.budget.evaluates = validation is not None
        self._warned = False
        self._last = False
        self._eval_seconds: float | None = None

    def _due(self, epoch: int) -> bool:
        if self.validation is None:
            return False
        every = self.every
        if every is None:
            if len(self.budget.train_seconds) < 3:
                return False
            run_epochs = self.budget.planned_epochs - self.budget.first_epoch + 1
            every = self.every = max(1, round(run_epochs / TARGET_EVALUATIONS))
        return (epoch - self.budget.first_epoch + 1) % every == 0

    def measure(self, epoch: int) -> dict[str, float]:
        """Time the epoch's training, decide whether it is the last, and evaluate when due."""
        self.budget.training_done(epoch)
        due = self._due(epoch)
        self._last = self.budget.is_last(epoch, due)
        self._eval_seconds = None
        if self.validation is None:
            return {}
        evaluate = due or self._last
        started = time.perf_counter()
        values = self.validation.measure(epoch, evaluate=evaluate)
        if evaluate:
            self._eval_seconds = time.perf_counter() - started
        return values

    def checkpointed(self, epoch: int, path: Path, history: Mapping[str, list[float]]) -> bool:
        """Keep the best checkpoint, plan the rest of the run, and stop at the budget (True).

        Args:
            epoch: the absolute epoch whose checkpoint was just written.
            path: that checkpoint's file.
            history: the run's per-epoch records, validation metrics included.

        Returns:
            True when training stops: the budget is used or the validation monitor's patience ran out.
        """
        stop = self.validation.checkpointed(epoch, path, history) if self.validation is not None else False
        self.budget.epoch_closed(epoch, self._eval_seconds, self._last or stop)
        if stop:
            self.stop_reason = self.validation.stop_reason
        elif self._last:
            self.stop_reason = f"the {self.budget.seconds / 60:g}-minute budget is used"
        elif self.verbose:
            print(self.budget.status(epoch), flush=True)
        coarse = self.budget.coarse_epochs()
        if coarse and not self._warned:
            self._warned = True
            print(f"Warning: {coarse}", file=sys.stderr, flush=True)
        return stop or self._last
