"""matterport's mAP: one for perfect detections, lower for shifted masks and stricter thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.evaluation import evaluate_map
from tests.helpers_crowded import crowded_dataset
from tests.helpers_evaluation import perfect_results, result


def test_reference_map_is_one_for_perfect_and_drops_for_shifted(dataset):
    perfect = evaluate_map(dataset, dataset.image_ids, perfect_results(dataset))
    assert perfect["mAP"] == pytest.approx(1.0) and perfect["mAP_50_95"] == pytest.approx(1.0)
    assert [r["AP"] for r in perfect["per_image"]] == pytest.approx([1.0] * 4)
    shifted = []
    for det in perfect_results(dataset):
        masks = np.roll(det["masks"], 8, axis=1)
        shifted.append(result(masks, det["class_ids"], det["scores"]))
    moved = evaluate_map(dataset, dataset.image_ids, shifted)
    assert moved["mAP"] < 1.0 and moved["mAP_50_95"] < moved["mAP"]


def test_600_perfect_detections_in_one_image_score_one():
    dataset = crowded_dataset()
    metrics = evaluate_map(dataset, [0], perfect_results(dataset))
    assert metrics["mAP"] == pytest.approx(1.0) and metrics["mAP_50_95"] == pytest.approx(1.0)
