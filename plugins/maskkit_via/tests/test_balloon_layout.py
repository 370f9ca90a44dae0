"""matterport's balloon layout (VIA 1.x, ``regions`` a dict, empty region_attributes, one class) and the
deterministic train/val split of one VIA file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from maskkit import DatasetError
from maskkit.imageio import write_image_rgb
from maskkit_via.dataset import make_via


def balloon_entry(filename: str, size: int, polygons: list[tuple[list[int], list[int]]]) -> dict:
    """One image entry exactly as the balloon sample's via_region_data.json writes it (VIA 1.x)."""
    regions = {str(k): {"shape_attributes": {"name": "polygon", "all_points_x": xs, "all_points_y": ys},
                        "region_attributes": {}} for k, (xs, ys) in enumerate(polygons)}
    return {"fileref": "", "size": size, "filename": filename, "base64_img_data": "",
            "file_attributes": {}, "regions": regions}


def write_balloons(folder: Path, count: int, start: int = 0) -> None:
    """``count`` 32x40 images, each with two polygons, and their VIA 1.x region file (merged into any existing one)."""
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / "via_region_data.json"
    data = json.loads(json_path.read_text()) if json_path.exists() else {}
    for i in range(start, start + count):
        filename = f"{1000 + i}.jpg"
        write_image_rgb(folder / filename, np.full((32, 40, 3), 200, np.uint8))
        data[f"{filename}{4096 + i}"] = balloon_entry(filename, 4096 + i, [
            ([2, 12, 12, 2], [2, 2, 10, 10]), ([20, 36, 28], [20, 20, 30])])
    json_path.write_text(json.dumps(data))


def test_one_class_name_labels_every_unlabelled_region(tmp_path):
    write_balloons(tmp_path / "train", 2)
    dataset = make_via(str(tmp_path), "train", class_names=["balloon"])
    assert dataset.class_names == ["BG", "balloon"] and dataset.num_images == 2
    masks, class_ids = dataset.load_mask(0)
    assert class_ids.tolist() == [1, 1] and masks.shape == (32, 40, 2)
    assert masks[2:11, 2:13, 0].all() and masks[:, :, 0].sum() == 9 * 11


def test_default_class_without_class_names(tmp_path):
    write_balloons(tmp_path / "train", 1)
    dataset = make_via(str(tmp_path), default_class="balloon")
    assert dataset.class_names == ["BG", "balloon"] and dataset.load_mask(0)[1].tolist() == [1, 1]


def test_default_class_among_several(tmp_path):
    write_balloons(tmp_path / "train", 1)
    dataset = make_via(str(tmp_path), class_names="kite,balloon", default_class="balloon")
    assert dataset.load_mask(0)[1].tolist() == [2, 2]
    with pytest.raises(DatasetError, match="default_class 'cloud' is not one of class_names"):
        make_via(str(tmp_path), class_names="kite,balloon", default_class="cloud")


def test_unlabelled_region_with_several_classes_names_file_and_region(tmp_path):
    write_balloons(tmp_path / "train", 1)
    with pytest.raises(DatasetError) as err:
        make_via(str(tmp_path), class_names=["balloon", "kite"])
    message = str(err.value)
    for part in ("train/via_region_data.json", "'1000.jpg'", "region 0", "attributes present: none", "default_class="):
        assert part in message


def test_unlabelled_regions_without_any_class_say_what_to_pass(tmp_path):
    write_balloons(tmp_path / "train", 1)
    with pytest.raises(DatasetError, match="no labelled regions.*class_names=.*default_class="):
        make_via(str(tmp_path))


def split_files(root: Path, subset: str, seed: int = 0) -> set[str]:
    dataset = make_via(str(root), subset, class_names="balloon", val_fraction=0.25, split_seed=seed)
    return {Path(info["path"]).name for info in dataset.image_info}


def test_split_of_one_file_is_disjoint_covering_and_stable_when_images_are_added(tmp_path):
    write_balloons(tmp_path, 40)
    train, val = split_files(tmp_path, "train"), split_files(tmp_path, "val")
    assert not train & val and len(train | val) == 40 and 4 <= len(val) <= 18
    assert split_files(tmp_path, "val") == val
    assert split_files(tmp_path, "val", seed=1) != val
    write_balloons(tmp_path, 20, start=40)
    grown_val = split_files(tmp_path, "val")
    assert {name for name in grown_val if int(name[:4]) < 1040} == val


def test_split_reads_a_sub_folder_and_rejects_other_subsets(tmp_path):
    write_balloons(tmp_path / "train", 5)
    dataset = make_via(str(tmp_path), "val", class_names="balloon", val_fraction=0.2, folder="train")
    assert 1 <= dataset.num_images < 5
    with pytest.raises(DatasetError, match="subset must be 'train' or 'val'"):
        make_via(str(tmp_path), "test", class_names="balloon", val_fraction=0.2, folder="train")
