"""The printed plan: statistics, coverage current vs proposed, one line per field."""

from __future__ import annotations

from maskkit.planning.machine import GIB, Machine
from maskkit.planning.plan import make_plan
from maskkit.planning.plan_report import format_plan
from maskkit.presets import preset_config
from tests.helpers_planning import synthetic_annotations


def test_format_plan_shows_stats_coverage_and_fields():
    table = synthetic_annotations(images=3, per_image=[2, 4, 6], image_hw=(300, 400), sides=(10, 12))
    current = preset_config("default").replace(LEARNING_RATE=0.01)
    plan = make_plan(table, current, Machine(False, 16 * GIB), "default", preset_config("default"))
    text = format_plan(plan, "demo")
    lines = text.splitlines()
    assert lines[0] == "dataset demo: 3 images, 12 instances, 2 classes"
    assert "  per class: a 6, b 6" in lines and "  image sizes (WxH): 400x300 (3)" in lines
    assert "  instances per image: min 2, median 4, p90 5.6, max 6" in lines
    current_line = next(line for line in lines if line.startswith("  current "))
    proposed_line = next(line for line in lines if line.startswith("  proposed "))
    assert "1024 px square, scales 32-512" in current_line and current_line.endswith(plan.current_coverage.line())
    assert proposed_line.endswith(plan.proposed_coverage.line()) and "IoU>=0.7" in proposed_line
    assert sum(line.startswith("    * ") for line in lines) <= 1
    for field in plan.fields:
        assert any(line.startswith(f"  {field.name} ") and line.endswith(field.reason) for line in lines)
    assert "  kept from the current config: LEARNING_RATE" in lines
    assert "proposed config (base preset default; CPU only, 16.0 GiB available):" in lines
