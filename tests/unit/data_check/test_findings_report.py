"""A data-check report as JSON and as a table."""

from __future__ import annotations

import json

from tests.helpers_data_check import arrays, check, square_mask


def test_json_and_table_forms():
    report = check(arrays([square_mask(), square_mask(size=16)], [[1], [2]]))
    data = json.loads(report.to_json())
    assert data["summary"]["errors"] == 1 and data["findings"][0]["code"] == "mask-size-mismatch"
    assert [c["name"] for c in data["classes"]] == ["a", "b"]
    table = report.format_table()
    assert "ERROR   mask-size-mismatch" in table and "image 1: mask size 16x16" in table
