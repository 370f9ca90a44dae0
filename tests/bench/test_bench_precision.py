"""bench/bench_precision.py's own logic: which settings it times, in which order, and its ratios."""

from __future__ import annotations

import pytest

from tests.helpers import load_bench


def test_float32_is_the_reference_and_bfloat16_is_timed_only_where_the_cpu_has_it() -> None:
    bench = load_bench("bench_precision")
    assert bench.settings_for(False) == [("float32", False), ("float32", True)]
    assert bench.settings_for(True) == [("float32", False), ("float32", True),
                                        ("mixed_bfloat16", False), ("mixed_bfloat16", True)]


def test_each_round_starts_one_setting_later() -> None:
    bench = load_bench("bench_precision")
    assert [bench.round_order(["a", "b", "c"], k) for k in range(4)] == [
        ["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"], ["a", "b", "c"]]


def test_a_ratio_is_the_median_of_same_round_ratios() -> None:
    bench = load_bench("bench_precision")
    # Round 2 ran under load: both sides slowed, and its ratio (2.0) stays the median's neighbour.
    assert bench.median_ratio([2.0, 8.0, 3.0], [1.0, 4.0, 1.0]) == 2.0


def test_size_and_rounds_are_checked() -> None:
    bench = load_bench("bench_precision")
    args = bench.parse_args([])
    assert (args.backbone, args.size, args.rounds, args.preset) == ("resnet50", 512, 3, None)
    assert bench.parse_args(["--backbone", "resnet18", "--size", "256"]).size == 256
    for bad in (["--size", "100"], ["--rounds", "0"]):
        with pytest.raises(SystemExit):
            bench.parse_args(bad)
