"""write_report on in-memory data (no model): the page, its numbers, the gallery, mismatched results, crowds."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from maskkit.report import write_report
from maskkit.report.run_history import loss_series
from tests.helpers import two_images


def as_results(dataset, scores_by_image) -> list[dict]:
    """Detections equal to the ground truth, with the given scores."""
    results = []
    for image_id, scores in zip(dataset.image_ids, scores_by_image):
        masks, class_ids = dataset.load_mask(image_id)
        rois = np.array([[*np.argwhere(m).min(0), *(np.argwhere(m).max(0) + 1)] for m in masks.transpose(2, 0, 1)])
        results.append({"rois": rois, "class_ids": class_ids, "scores": np.array(scores, dtype=np.float32),
                        "masks": masks})
    return results


def cell(page: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}"[^>]*>([^<]*)<', page).group(1)


def page_data(page: str) -> dict:
    return json.loads(re.search(r'<script id="report-data" type="application/json">(.*?)</script>', page,
                                re.S).group(1))


def test_perfect_detections_make_a_page_of_ones(tmp_path):
    dataset = two_images()
    path = write_report(tmp_path / "r", dataset, dataset.image_ids, as_results(dataset, [[0.9, 0.6], [0.8]]),
                        run={"checkpoint": "ckpt.h5"})
    page = path.read_text()
    assert path == tmp_path / "r" / "index.html"
    assert 'id="stat-segm-AP">1.000<' in page and 'id="stat-bbox-AP50">1.000<' in page
    assert 'id="run-checkpoint">ckpt.h5<' in page and "Training history" not in page
    data = page_data(page)
    assert [img["ap"] for img in data["images"]] == [1.0, 1.0] and data["classes"] == ["a", "b"]
    assert all((tmp_path / "r" / img["thumb"]).is_file() for img in data["images"])
    first = next(img for img in data["images"] if img["id"] == 0)
    assert [d[0:2] for d in first["dt"]] == [[0, 0.9], [1, 0.6]] and all(d[4] == 1 for d in first["dt"])
    assert first["dt"][0][2] == [5.0, 5.0, 25.0, 20.0] and first["dt"][0][3].startswith("M")
    # confusion: every instance on the diagonal at the default 0.5 score cut
    assert [cell(page, f"cm-{i}-{j}") for i in range(3) for j in range(3)] == ["1", "0", "0", "0", "2", "0",
                                                                              "0", "0", "0"]


def test_gallery_worst_first_and_hostile_names_stay_inert(tmp_path):
    dataset = two_images(class_names=("</script><b>x", "b&c"))
    results = as_results(dataset, [[0.9, 0.6], [0.8]])
    results[1]["class_ids"] = np.array([1])  # image 1: wrong class, AP 0
    page = write_report(tmp_path, dataset, dataset.image_ids, results).read_text()
    assert "</script><b>" not in page
    data = page_data(page)
    assert data["classes"] == ["</script><b>x", "b&c"]
    assert [img["id"] for img in data["images"]] == [1, 0] and data["images"][0]["ap"] == 0.0


def test_history_pairs_train_and_val_and_keeps_validation_only_metrics():
    history = {"loss": {1: 3.0, 2: 2.0}, "val_loss": {1: 3.5, 2: 2.5}, "mrcnn_mask_loss": {1: 0.7},
               "val_map50": {2: 0.4}, "epoch_seconds": {1: 9.0}}
    series = loss_series(history)
    assert [name for name, _, _ in series] == ["loss", "mrcnn_mask_loss", "map50"]
    assert series[0][1:] == ({1: 3.0, 2: 2.0}, {1: 3.5, 2: 2.5}) and series[2][1:] == ({}, {2: 0.4})


@pytest.mark.parametrize("bad", [[0.9], [0.9, 0.8, 0.7]])
def test_mismatched_results_name_the_image(tmp_path, bad):
    from maskkit.errors import MaskkitError

    dataset = two_images()
    results = as_results(dataset, [[0.9, 0.6], [0.8]])
    results[0]["scores"] = np.array(bad, dtype=np.float32)
    with pytest.raises(MaskkitError, match="image 0"):
        write_report(tmp_path, dataset, dataset.image_ids, results)


def test_coco_file_dataset_with_crowds_sizes_and_an_empty_image(tmp_path):
    import maskkit
    from tests.helpers_coco import build_coco

    files = build_coco(tmp_path / "coco")
    with pytest.warns(UserWarning, match="empty"):
        dataset = maskkit.datasets.create("coco", annotations=str(files.annotations), images=str(files.images))
    results = []
    for image_id in dataset.image_ids:  # perfect detections of the non-crowd instances
        masks, class_ids = dataset.load_mask(image_id)
        keep = (class_ids > 0) & masks.any(axis=(0, 1))
        masks, class_ids = masks[:, :, keep], class_ids[keep]
        rois = np.array([[*np.argwhere(m).min(0), *(np.argwhere(m).max(0) + 1)] for m in masks.transpose(2, 0, 1)])
        results.append({"rois": rois.reshape(-1, 4), "class_ids": class_ids,
                        "scores": np.linspace(0.9, 0.6, len(class_ids)), "masks": masks})
    page = write_report(tmp_path / "r", dataset, dataset.image_ids, results).read_text()
    data = page_data(page)
    # scored against the file's own annotations, as evaluate_coco: its empty annotation (image 10) stays unmatched
    from maskkit.evaluation import evaluate_coco

    expected = evaluate_coco(dataset, dataset.image_ids, results)["segm"]["stats"]["AP"]
    assert data["classes"] == ["cat", "dog"] and cell(page, "stat-segm-AP") == f"{expected:.3f}" != "1.000"
    by_id = {img["id"]: img for img in data["images"]}
    assert [img["id"] for img in data["images"]][-1] == 40 and by_id[40]["ap"] is None
    assert all(by_id[i]["ap"] == 1.0 for i in (20, 30)) and by_id[10]["ap"] < 1.0
    assert (by_id[20]["w"], by_id[20]["h"]) == (80, 60) and [g[3] for g in by_id[20]["gt"]].count(1) == 1
