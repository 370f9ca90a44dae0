"""What training prints: the progress of an epoch (a bar on a terminal, plain lines in a log), the
epoch summary line and the slow-epoch warning."""

from __future__ import annotations

import sys
import time
import warnings
from typing import Any, Callable, Protocol, Sequence

#: An estimated epoch at least this long (seconds) is worth a warning before the user waits for it.
SLOW_EPOCH_SECONDS = 3600.0
#: In a log, a long epoch gets a line at each tenth of its steps, but at most once per this many seconds.
LOG_INTERVAL_SECONDS = 30.0


def format_duration(seconds: float) -> str:
    """``42 s``, ``12 min`` or ``3.4 h``.

    Args:
        seconds: the duration; under 90 s in seconds, under 90 min in minutes, else in hours.
    """
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def slow_epoch_message(seconds_per_step: float, steps: int, device: str) -> str | None:
    """A warning when ``steps`` steps at ``seconds_per_step`` take an hour or more, else None.

    Args:
        seconds_per_step: measured seconds per training step.
        steps: steps in the epoch.
        device: ``GPU`` or ``CPU``, named in the warning.
    """
    estimate = seconds_per_step * steps
    if estimate < SLOW_EPOCH_SECONDS:
        return None
    return (f"one epoch will take about {format_duration(estimate)} on this {device} "
            f"({seconds_per_step:.2f} s/step x {steps} steps); for a CPU try --preset cpu, a smaller "
            f"IMAGE_MAX_DIM or BACKBONE, or fewer STEPS_PER_EPOCH")


def warn_slow_epoch(message: str, verbose: int) -> None:
    """Print the warning on its own stderr line under a progress bar, or warn through ``warnings``.

    Args:
        message: the warning's text.
        verbose: nonzero when a progress bar is shown (print); 0 raises a RuntimeWarning instead.
    """
    if verbose:
        print(f"\nWARNING: {message}", file=sys.stderr, flush=True)
    else:
        warnings.warn(message, RuntimeWarning, stacklevel=3)


def device_kind() -> str:
    """``GPU`` when TensorFlow sees one, else ``CPU``."""
    import tensorflow as tf

    return "GPU" if tf.config.list_physical_devices("GPU") else "CPU"


class EpochTimeCheck:
    """Times the steps after the first (which traces the graph) and warns once if the epoch of
    ``steps`` steps would take an hour or more on this device.

    Args:
        steps: steps in the epoch.
        verbose: as in ``warn_slow_epoch``.
    """

    TIMED_STEPS = 2

    def __init__(self, steps: int, verbose: int) -> None:
        self.steps, self.verbose = steps, verbose
        self.started = 0.0

    def step_done(self, step: int) -> None:
        """Call after each finished step (numbered from 1)."""
        if step == 1:
            self.started = time.perf_counter()
        elif step == 1 + self.TIMED_STEPS < self.steps:
            per_step = (time.perf_counter() - self.started) / self.TIMED_STEPS
            message = slow_epoch_message(per_step, self.steps, device_kind())
            if message:
                warn_slow_epoch(message, self.verbose)


def epoch_summary(epoch: int, record: dict[str, float], checkpoint: str) -> str:
    """One line: the epoch's mean training losses (what the bar ended on), validation means, time.

    Args:
        epoch: the absolute epoch number.
        record: the epoch's history entry: name -> value, ``epoch_seconds`` included.
        checkpoint: the checkpoint's file name, shown after the arrow.
    """
    shown = "  ".join(f"{k}={v:.4f}" for k, v in record.items() if k != "epoch_seconds")
    return f"epoch {epoch}: {shown}  ({record['epoch_seconds']:.1f}s) -> {checkpoint}"


class StepProgress(Protocol):
    """What the training loop reports each step to (keras' Progbar has this shape)."""

    def update(self, current: int, values: Sequence[tuple[str, float]] | None = None) -> Any:
        """Step ``current`` of the epoch is done; ``values`` are (name, running mean) pairs."""


def stdout_is_terminal() -> bool:
    """True when stdout is a terminal, where a progress bar can redraw itself in place."""
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def progress_line(epoch: int, total: int, step: int, steps: int, values: Sequence[tuple[str, float]],
                  elapsed: float, left: float) -> str:
    """One plain log line: where the epoch is, the running mean losses, time spent and time left.

    Args:
        epoch: the absolute epoch number.
        total: the epoch the run trains to.
        step: the step just finished.
        steps: steps in the epoch.
        values: (name, running mean) pairs.
        elapsed: seconds since the epoch started.
        left: estimated seconds until it ends.
    """
    shown = "  ".join(f"{name}={value:.4f}" for name, value in values)
    return (f"epoch {epoch}/{total} step {step}/{steps}: {shown}  "
            f"({format_duration(elapsed)}, about {format_duration(left)} left)")


class LogProgress:
    """An epoch's progress for a log or a pipe: no bar, carriage returns or escape codes.

    A short epoch prints nothing here (its summary line is its one line); a long one prints a
    ``progress_line`` at each tenth of its steps, at most once every ``interval`` seconds.

    Args:
        epoch: the absolute epoch number.
        total: the epoch the run trains to.
        steps: steps in the epoch.
        interval: the least seconds between two lines.
        clock: seconds as a float (injectable for tests).
    """

    def __init__(self, epoch: int, total: int, steps: int, interval: float = LOG_INTERVAL_SECONDS,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.epoch, self.total, self.steps, self.interval, self.clock = epoch, total, steps, interval, clock
        self.started = self.last_line = self.first_done = clock()
        self.next_tenth = 1

    def update(self, current: int, values: Sequence[tuple[str, float]] | None = None) -> None:
        """Print a line when ``current`` opens a new tenth of the epoch and ``interval`` has passed.

        Args:
            current: the step just finished (from 1).
            values: (name, running mean) pairs; None shows none.
        """
        if current == 1:
            self.first_done = self.clock()
        if current >= self.steps or current * 10 // self.steps < self.next_tenth:
            return
        now = self.clock()
        if now - self.last_line < self.interval:
            return
        self.next_tenth, self.last_line = current * 10 // self.steps + 1, now
        # The first step traces the graph: the time left is estimated from the steps after it.
        per_step = (now - self.first_done) / (current - 1) if current > 1 else now - self.started
        print(progress_line(self.epoch, self.total, current, self.steps, values or [], now - self.started,
                            per_step * (self.steps - current)), flush=True)


def epoch_progress(epoch: int, total: int, steps: int, names: Sequence[str], verbose: int) -> StepProgress:
    """What an epoch reports its steps to: on a terminal the ``Epoch N/M`` line and keras' bar (each
    of ``names`` shown as given, the running mean); in a log or pipe a LogProgress; silent when not
    ``verbose``.

    Args:
        epoch: the absolute epoch number starting now.
        total: the epoch the run trains to (or plans to, under a time budget).
        steps: steps in the epoch.
        names: the losses the loop passes to ``update``.
        verbose: 0 prints nothing.

    Returns:
        An object with ``update(step, [(name, value), ...])``.
    """
    if verbose and not stdout_is_terminal():
        return LogProgress(epoch, total, steps)
    if verbose:
        print(f"Epoch {epoch}/{total}")
    import keras

    return keras.utils.Progbar(steps, verbose=verbose, unit_name="step", stateful_metrics=names)
