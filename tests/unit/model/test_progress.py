"""The epoch-time check warns only when an epoch would take hours, timing the steps after the traced first."""

from __future__ import annotations

import pytest

from maskkit.model.progress import slow_epoch_message


def test_slow_epoch_warning_only_when_an_epoch_takes_hours():
    assert slow_epoch_message(0.3, 100, "CPU") is None
    message = slow_epoch_message(58.0, 1000, "CPU")
    assert "16.1 h" in message and "CPU" in message and "--preset cpu" in message


def test_the_epoch_time_check_times_the_steps_after_the_traced_first_one(monkeypatch):
    from maskkit.model import progress

    clock = iter([100.0, 216.0])  # after step 1, after step 3: 58 s per step
    monkeypatch.setattr(progress.time, "perf_counter", lambda: next(clock))
    monkeypatch.setattr(progress, "device_kind", lambda: "CPU")
    check = progress.EpochTimeCheck(1000, verbose=0)
    with pytest.warns(RuntimeWarning, match="about 16.1 h on this CPU"):
        for step in range(1, 6):
            check.step_done(step)
