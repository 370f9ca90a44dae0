"""``maskkit evaluate`` prints and writes what Pipeline.evaluate returns (the Pipeline is a stand-in here)."""

from __future__ import annotations

import json
import types

import pytest

import maskkit.evaluation
import maskkit.pipeline
from tests.helpers import run_cli


@pytest.fixture
def calls(monkeypatch):
    made: list[dict] = []

    def from_checkpoint(path, **kwargs):
        made.append({"path": path, **kwargs})

        def evaluate(limit=None, report=None):
            made[-1].update(limit=limit, report=report)
            return {"map50": 0.75, "coco_results": [{"image_id": 1, "score": 0.9}], "report": report}

        return types.SimpleNamespace(evaluate=evaluate)

    monkeypatch.setattr(maskkit.pipeline.Pipeline, "from_checkpoint", staticmethod(from_checkpoint))
    monkeypatch.setattr(maskkit.evaluation, "format_metrics_table", lambda metrics: f"TABLE {sorted(metrics)}")
    return made


def test_metrics_are_printed_and_written_with_the_coco_results(calls, tmp_path):
    result = run_cli("evaluate", "--weights", "run/ckpt.h5", "--limit", "3", "--out", str(tmp_path),
                     "--set", "detection_min_confidence=0.5")
    assert result.exit_code == 0, result.output
    assert calls == [{"path": "run/ckpt.h5", "dataset": None, "dataset_args": None,
                      "overrides": {"DETECTION_MIN_CONFIDENCE": 0.5}, "limit": 3, "report": None}]
    assert "TABLE ['map50']" in result.output and "mAP@0.5 (matterport compute_ap): 0.7500" in result.output
    assert json.loads((tmp_path / "metrics.json").read_text()) == {"map50": 0.75}
    assert json.loads((tmp_path / "results.json").read_text()) == [{"image_id": 1, "score": 0.9}]


def test_another_dataset_and_a_report_folder_are_passed_on(calls, tmp_path):
    result = run_cli("evaluate", "--weights", "w.h5", "--dataset", "coco", "--data", "images=dir",
                     "--report", str(tmp_path / "report"))
    assert result.exit_code == 0, result.output
    assert calls[0]["dataset"] == "coco" and calls[0]["dataset_args"] == {"images": "dir"}
    assert f"report: {tmp_path / 'report'}" in result.output
