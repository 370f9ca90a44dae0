"""bench/train_real.py and bench/export_shapes.py: both folder layouts are found and read as a user's files."""

from __future__ import annotations

import json
import sys

import pytest

import maskkit
from tests.helpers import load_bench


def export(tmp_path, monkeypatch, fmt: str):
    out = tmp_path / fmt
    monkeypatch.setattr(sys, "argv", ["export_shapes.py", str(out), "--format", fmt, "--counts", "4", "2", "3",
                                      "--height", "64", "--width", "96"])
    load_bench("export_shapes").main()
    return out


def test_a_coco_export_is_found_and_loads_with_every_instance(tmp_path, monkeypatch):
    root = export(tmp_path, monkeypatch, "coco")
    layout = load_bench("train_real").data_layout(root, val_fraction=0.1)
    assert layout.dataset == "coco" and layout.train == {"root": str(root / "train")}
    assert layout.test == {"root": str(root / "test"), "subset": "test"}
    train = maskkit.datasets.create("coco", **layout.train)
    shapes = maskkit.datasets.create("shapes", count=4, height=64, width=96)
    assert len(train) == 4 and list(train.class_names[1:]) == list(shapes.class_names[1:])
    for image_id in train.image_ids:
        mask, class_ids = train.load_mask(image_id)
        expected_mask, expected_ids = shapes.load_mask(image_id)
        assert class_ids.size == expected_ids.size and train.load_image(image_id).shape == (64, 96, 3)
        overlap = (mask.any(-1) & expected_mask.any(-1)).sum() / max(expected_mask.any(-1).sum(), 1)
        assert overlap > 0.9, "polygons trace the shapes"


def test_a_via_export_is_found_with_its_val_and_test_folders(tmp_path, monkeypatch):
    root = export(tmp_path, monkeypatch, "via")
    layout = load_bench("train_real").data_layout(root, val_fraction=0.1)
    assert layout.dataset == "via" and layout.train == {"root": str(root)}
    assert layout.test == {"root": str(root), "subset": "test"}
    entries = json.loads((root / "train" / "via_region_data.json").read_text())
    regions = [region for entry in entries.values() for region in entry["regions"]]
    assert len(entries) == 4 and regions and all(r["shape_attributes"]["name"] == "polygon" for r in regions)
    assert {r["region_attributes"]["name"] for r in regions} <= {"square", "circle", "triangle"}


def test_without_a_validation_folder_a_share_of_train_is_held_out(tmp_path, monkeypatch):
    root = export(tmp_path, monkeypatch, "via")
    (root / "val" / "via_region_data.json").unlink()
    layout = load_bench("train_real").data_layout(root, val_fraction=0.2)
    assert layout.train == {"root": str(root), "folder": "train", "val_fraction": 0.2}


def test_a_folder_without_a_train_split_is_refused_naming_both_layouts(tmp_path):
    with pytest.raises(SystemExit, match="_annotations.coco.json .COCO. or via_region_data.json .VIA."):
        load_bench("train_real").data_layout(tmp_path, val_fraction=0.1)
