"""Metrics written as JSON and shown as a table."""

from __future__ import annotations

import json

import pytest

from maskkit.evaluation import STAT_NAMES, evaluate_coco, evaluate_map, format_metrics_table, write_metrics_json
from tests.helpers_evaluation import imperfect_results


def test_metrics_json_and_table(dataset, tmp_path):
    results = imperfect_results(dataset)
    metrics = evaluate_coco(dataset, dataset.image_ids, results)
    metrics["reference"] = evaluate_map(dataset, dataset.image_ids, results)
    path = tmp_path / "out" / "metrics.json"
    write_metrics_json(path, metrics)
    loaded = json.loads(path.read_text())
    assert loaded["segm"]["stats"]["AP"] == pytest.approx(metrics["segm"]["stats"]["AP"])
    assert loaded["reference"]["mAP"] == pytest.approx(metrics["reference"]["mAP"])
    assert [p.name for p in path.parent.iterdir()] == ["metrics.json"]
    table = format_metrics_table(metrics)
    for name in STAT_NAMES:
        assert f"\n{name} " in table
    assert "cat (3)" in table and "dog (7)" in table
    assert f"{metrics['bbox']['stats']['AP']:.3f}" in table
    assert "mAP@0.5 " in table and "mAP@0.5:0.95" in table
    assert "APl" in table and " -" in table  # no large objects: COCOeval's -1 shows as '-'
