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


def test_a_log_gets_a_plain_line_per_tenth_of_a_long_epoch_at_most_every_interval(capsys):
    from maskkit.model.progress import LogProgress

    done = [0]  # 20 s per step
    progress = LogProgress(epoch=2, total=5, steps=100, interval=30.0, clock=lambda: 20.0 * done[0])
    for step in range(1, 101):
        done[0] = step
        progress.update(step, [("loss", 1.5), ("rpn_class_loss", 0.25)])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"epoch 2/5 step {k}/100" for k in range(10, 100, 10)]
    assert "loss=1.5000  rpn_class_loss=0.2500  (3 min, about 30 min left)" in lines[0]
    assert not any("\r" in line or "\x1b" in line for line in lines)


def test_a_short_epoch_prints_no_progress_lines_in_a_log(capsys):
    from maskkit.model.progress import LogProgress

    done = [0]  # 0.5 s per step
    progress = LogProgress(epoch=1, total=1, steps=50, clock=lambda: 0.5 * done[0])
    for step in range(1, 51):
        done[0] = step
        progress.update(step, [("loss", 1.0)])
    assert capsys.readouterr().out == ""


def test_epoch_progress_draws_keras_bar_only_on_a_terminal(monkeypatch, capsys):
    from maskkit.model import progress

    monkeypatch.setattr(progress, "stdout_is_terminal", lambda: False)
    assert isinstance(progress.epoch_progress(3, 9, 10, ("loss",), verbose=1), progress.LogProgress)
    assert capsys.readouterr().out == ""
    monkeypatch.setattr(progress, "stdout_is_terminal", lambda: True)
    bar = progress.epoch_progress(3, 9, 10, ("loss",), verbose=1)
    assert not isinstance(bar, progress.LogProgress) and capsys.readouterr().out == "Epoch 3/9\n"


def test_log_lines_are_at_least_the_interval_apart(capsys):
    from maskkit.model.progress import LogProgress

    done = [0]  # 1 s per step: a tenth every 10 s, a line every 30 s
    progress = LogProgress(epoch=1, total=1, steps=100, interval=30.0, clock=lambda: 1.0 * done[0])
    for step in range(1, 101):
        done[0] = step
        progress.update(step, [("loss", 1.0)])
    steps = [line.split(":")[0].rsplit(" ", 1)[1] for line in capsys.readouterr().out.splitlines()]
    assert steps == ["30/100", "60/100", "90/100"]


def test_the_time_left_leaves_out_the_traced_first_step(capsys):
    from maskkit.model.progress import LogProgress

    done = [0]  # the first step takes 100 s (tracing), the others 1 s
    progress = LogProgress(epoch=1, total=1, steps=200, interval=30.0,
                           clock=lambda: 100.0 + (done[0] - 1) if done[0] else 0.0)
    for step in range(1, 201):
        done[0] = step
        progress.update(step, [("loss", 1.0)])
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("epoch 1/1 step 20/200:") and first.endswith("(2 min, about 3 min left)")
