"""The report's SVG charts: nice ticks, a PR line, escaped titles."""

from __future__ import annotations

from maskkit.report.page import pr_line
from maskkit.report.svg_chart import line_chart, nice_ticks


def test_chart_helpers():
    assert nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(1, 3, integer=True) == [1, 2, 3]
    line = pr_line("IoU 0.5", [0.0, 0.5, 1.0], [1.0, 0.5, 0.0], dash=False)
    assert line["x"] == [0.0, 0.5] and line["y"] == [1.0, 0.5]
    svg = line_chart([line], title="a<b", x_label="recall", y_label="precision", x_range=(0, 1), y_range=(0, 1))
    assert svg.startswith("<svg") and "a&lt;b" in svg and svg.count("<polyline") == 1
