"""Learning-rate schedules: linear warm-up, then constant, cosine or step decay over the whole run.

Pure Python on the absolute step number, so a resumed run continues the same curve.
"""

from __future__ import annotations

import math
from typing import Callable

from maskkit.config import LR_SCHEDULES, Config

STEP_DROP_FRACTION = 0.8
STEP_DROP_FACTOR = 0.1
COSINE_FLOOR = 0.01


def learning_rate_at(step: int, total_steps: int, base_rate: float, schedule: str = "constant",
                     warmup_steps: int = 0) -> float:
    """The learning rate for 0-based ``step`` of a ``total_steps`` run.

    Warm-up rises linearly from base/warmup to base over ``warmup_steps``; after it ``cosine`` decays
    to 1% of base at the last step, ``step`` drops tenfold for the last 20% of the steps.

    Args:
        step: the 0-based absolute step.
        total_steps: steps in the whole run.
        base_rate: the rate after warm-up, before any decay.
        schedule: ``constant``, ``cosine`` or ``step`` (config.LR_SCHEDULE).
        warmup_steps: steps of linear warm-up (0: none).
    """
    if schedule not in LR_SCHEDULES:
        raise ValueError(f"unknown learning-rate schedule {schedule!r}; known: {', '.join(LR_SCHEDULES)}")
    if step < warmup_steps:
        return base_rate * (step + 1) / warmup_steps
    if schedule == "cosine":
        span = max(total_steps - warmup_steps - 1, 1)
        progress = min((step - warmup_steps) / span, 1.0)
        return base_rate * (COSINE_FLOOR + (1.0 - COSINE_FLOOR) * 0.5 * (1.0 + math.cos(math.pi * progress)))
    if schedule == "step" and step >= STEP_DROP_FRACTION * total_steps:
        return base_rate * STEP_DROP_FACTOR
    return base_rate


def schedule_for(config: Config, base_rate: float, total_epochs: int) -> Callable[[int], float]:
    """``step -> learning rate`` for a run of ``total_epochs`` epochs of config.STEPS_PER_EPOCH steps.

    Args:
        config: the run's Config (STEPS_PER_EPOCH, LR_SCHEDULE, LR_WARMUP_STEPS).
        base_rate: the rate after warm-up, before any decay.
        total_epochs: the absolute epoch the run ends at.
    """
    total = total_epochs * config.STEPS_PER_EPOCH

    def rate(step: int) -> float:
        return learning_rate_at(step, total, base_rate, config.LR_SCHEDULE, config.LR_WARMUP_STEPS)

    return rate
