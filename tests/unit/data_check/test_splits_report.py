"""The report of several splits: a table per split, the shared images, JSON and files per split."""

from __future__ import annotations

import json

from maskkit.data_check.findings import finding
from maskkit.data_check.splits_report import SplitsReport
from tests.helpers_data_check import arrays, check, square_mask


def test_tables_json_and_files_cover_every_split(tmp_path):
    reports = {"train": check(arrays([square_mask()], [[1]])), "val": check(arrays([square_mask()], [[2]]))}
    leak = finding("leaked-image", "val image 0 is identical to train image 0 (a.png)", 0, "b.png")
    report = SplitsReport(reports, {"test": "no folder"}, [leak])
    table = report.format_table()
    assert table.index("== split train ==") < table.index("== split val ==") < table.index("== across splits")
    assert "split test not checked: no folder" in table and "image 0 (b.png): val image 0 is identical" in table
    assert not report.has_errors
    data = json.loads(report.to_json())
    assert list(data["splits"]) == ["train", "val"] and data["across_splits"][0]["code"] == "leaked-image"
    written = report.write(tmp_path)
    assert (tmp_path / "val" / "data_check.json").is_file() and (tmp_path / "across_splits.json").is_file()
    assert written["across splits"] == str(tmp_path / "across_splits.json")
    assert "no image is shared" in SplitsReport(reports, {}, []).format_table()
