"""run_inspection: statistics of the seed's inspect_data and PNGs that OpenCV decodes at expected sizes."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from maskkit.data.walkthrough import format_inspection, run_inspection
from tests.helpers import matterport_shapes_config, shapes_dataset

TITLE = 24  # height of the caption strip maskkit.visualize adds above a titled picture


def test_inspection_reports_counts_and_writes_decodable_pngs(tmp_path):
    config = matterport_shapes_config()
    stats = run_inspection(shapes_dataset(count=6), config, tmp_path / "inspect", seed=3, count=2,
                           augmenters="rot90,rotate")
    assert stats["images"] == 6 and stats["classes"] == 4
    assert stats["class_names"] == ["BG", "square", "circle", "triangle"]
    assert stats["anchors"] == 4092 and stats["anchors_per_level"] == [3072, 768, 192, 48, 12]
    assert len(stats["samples"]) == 2
    for sample in stats["samples"]:
        assert sample["positive"] + sample["negative"] + sample["neutral"] == 4092
        assert 1 <= sample["positive"] <= 128
        assert sample["positive"] + sample["negative"] == config.RPN_TRAIN_ANCHORS_PER_IMAGE
        assert sum(sample["roi_classes"].values()) == config.TRAIN_ROIS_PER_IMAGE
        assert sample["roi_classes"]["BG"] >= config.TRAIN_ROIS_PER_IMAGE * (1 - config.ROI_POSITIVE_RATIO)

    files = [Path(f) for f in stats["files"]]
    assert len(files) == 6 * 2 + 1 and all(f.parent == tmp_path / "inspect" for f in files)
    kinds = {f.name.rsplit("_", 1)[0] if f.stem[-1].isdigit() else f.stem for f in files}
    assert kinds == {"top_masks", "boxes_from_masks", "resized", "mini_masks", "positive_anchors",
                     "negative_anchors", "anchors_center_cells"}
    for f in files:
        picture = cv2.imread(str(f), cv2.IMREAD_UNCHANGED)
        assert picture is not None and picture.dtype == np.uint8 and picture.shape[2] == 3, f
        name = f.name
        if name.startswith(("resized", "positive_anchors", "negative_anchors", "anchors_center", "boxes_from")):
            assert picture.shape[:2] == (128 + TITLE, 128), name
        elif name.startswith("top_masks"):
            assert picture.shape[1] > 5 * 128 and picture.shape[0] > 128, name
        elif name.startswith("mini_masks"):
            assert picture.shape[1] > 7 * 128 and picture.shape[0] > 2 * 128, name


def test_same_seed_samples_the_same_images_and_text_lists_everything(tmp_path):
    dataset, config = shapes_dataset(count=6), matterport_shapes_config()
    first = run_inspection(dataset, config, tmp_path / "a", seed=1, count=2)
    second = run_inspection(dataset, config, tmp_path / "b", seed=1, count=2)
    assert first["samples"] == second["samples"]
    text = format_inspection(first)
    assert "Anchors: 4092" in text and "positive" in text and "ROIs by class" in text
    assert all(f in text for f in first["files"])
