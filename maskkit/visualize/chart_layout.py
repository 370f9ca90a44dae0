"""The loss chart's layout as plain data: one colour per loss with validation dashed, and axis ticks
on the 1-2-5 sequence (0.1, 0.2, 0.5, 1, 2, 5...) so a reader can take values off the axis."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

#: matplotlib's tab10 colours (RGB): ten hues that stay apart on screen and in print.
PALETTE = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207))
#: More ticks than this on a log axis keeps only the powers of ten.
MAX_LOG_TICKS = 10


@dataclass(frozen=True)
class SeriesStyle:
    """How one series is drawn: ``group`` is the loss it measures (``val_`` left off), which picks
    ``color``; ``dashed`` marks validation."""

    name: str
    group: str
    color: tuple[int, int, int]
    dashed: bool


def series_styles(names: Sequence[str]) -> list[SeriesStyle]:
    """A style per series name: ``x`` and ``val_x`` share a colour, the ``val_`` one is dashed.

    Args:
        names: series names such as ``loss``, ``val_loss``, ``mrcnn_mask_loss``.

    Returns:
        One SeriesStyle per name, in the given order; groups take PALETTE colours in first-seen order.
    """
    groups = list(dict.fromkeys(name.removeprefix("val_") for name in names))
    return [SeriesStyle(name, name.removeprefix("val_"),
                        PALETTE[groups.index(name.removeprefix("val_")) % len(PALETTE)], name.startswith("val_"))
            for name in names]


def one_two_five(low_exponent: int, high_exponent: int) -> list[float]:
    """1, 2 and 5 times each power of ten from 10**low_exponent to 10**high_exponent, ascending."""
    return [float(f"{m}e{k}") for k in range(low_exponent, high_exponent + 1) for m in (1, 2, 5)]


def log_ticks(low: float, high: float) -> list[float]:
    """Ticks for a log axis over positive [low, high]: the 1-2-5 values from the largest at or below
    ``low`` to the smallest at or above ``high`` (the axis spans them); powers of ten only when that
    would be more than MAX_LOG_TICKS."""
    if not 0 < low <= high:
        raise ValueError(f"a log axis needs 0 < low <= high, got [{low}, {high}]")
    values = one_two_five(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
    first = max(v for v in values if v <= low * (1 + 1e-9))
    last = min(v for v in values if v >= high * (1 - 1e-9))
    if first == last:
        last = min(v for v in values if v > first)
    ticks = [v for v in values if first <= v <= last]
    if len(ticks) > MAX_LOG_TICKS:
        ticks = [float(f"1e{k}") for k in range(math.floor(math.log10(first)), math.ceil(math.log10(last)) + 1)]
    return ticks


def linear_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` evenly spaced ticks for a linear axis, a 1-2-5 step apart, from a multiple of
    the step at or below ``low`` to one at or above ``high`` (the axis spans them)."""
    if high <= low:
        low, high = low - 0.5, high + 0.5
    raw = (high - low) / count
    step = next(v for v in one_two_five(math.floor(math.log10(raw)), math.floor(math.log10(raw)) + 1) if v >= raw)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [float(f"{k * step:.12g}") for k in range(first, last + 1)]


def tick_label(value: float) -> str:
    """``0.1``, ``2``, ``0.05``, ``1e-05``: the shortest text of a tick value."""
    return f"{value:g}"
