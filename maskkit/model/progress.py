"""What training prints besides the progress bar: the epoch summary line and the slow-epoch warning."""

from __future__ import annotations

import sys
import time
import warnings

#: An estimated epoch at least this long (seconds) is worth a warning before the user waits for it.
SLOW_EPOCH_SECONDS = 3600.0


def format_duration(seconds: float) -> str:
    """``42 s``, ``12 min`` or ``3.4 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def slow_epoch_message(seconds_per_step: float, steps: int, device: str) -> str | None:
    """A warning when ``steps`` steps at ``seconds_per_step`` take an hour or more, else None."""
    estimate = seconds_per_step * steps
    if estimate < SLOW_EPOCH_SECONDS:
        return None
    return (f"one epoch will take about {format_duration(estimate)} on this {device} "
            f"({seconds_per_step:.2f} s/step x {steps} steps); for a CPU try --preset cpu, a smaller "
            f"IMAGE_MAX_DIM or BACKBONE, or fewer STEPS_PER_EPOCH")


def warn_slow_epoch(message: str, verbose: int) -> None:
    """Print the warning on its own stderr line under a progress bar, or warn through ``warnings``."""
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
    ``steps`` steps would take an hour or more on this device."""

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
    """One line: the epoch's mean training losses (what the bar ended on), validation means, time."""
    shown = "  ".join(f"{k}={v:.4f}" for k, v in record.items() if k != "epoch_seconds")
    return f"epoch {epoch}: {shown}  ({record['epoch_seconds']:.1f}s) -> {checkpoint}"
