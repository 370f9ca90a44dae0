"""Tests of the maskkit-via plugin: VIA parsing, rasterised masks, errors, the hue-shift augmenter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import maskkit
import maskkit_via
from maskkit import DatasetError, plugins
from maskkit.imageio import write_image_rgb
from maskkit.testing import check_augmenter, check_dataset
from maskkit_via.augment import HueShift
from maskkit_via.dataset import make_via


def polygon(xs: list[int], ys: list[int], label: str = "balloon") -> dict:
    return {"shape_attributes": {"name": "polygon", "all_points_x": xs, "all_points_y": ys},
            "region_attributes": {"name": label}}


def write_subset(root: Path, subset: str, images: dict[str, list[dict]], size: tuple[int, int] = (40, 50),
                 as_dict: bool = False, skip_files: tuple[str, ...] = ()) -> Path:
    """Write ``root/subset`` with one black PNG per filename and a via_region_data.json of its regions."""
    folder = root / subset
    folder.mkdir(parents=True, exist_ok=True)
    annotations = {}
    for filename, regions in images.items():
        if filename not in skip_files:
            write_image_rgb(folder / filename, np.zeros((*size, 3), dtype=np.uint8))
        entry_regions = {str(i): r for i, r in enumerate(regions)} if as_dict else regions
        annotations[f"{filename}123"] = {"filename": filename, "size": 123, "regions": entry_regions,
                                         "file_attributes": {}}
    (folder / "via_region_data.json").write_text(json.dumps(annotations), encoding="utf-8")
    return root


SHAPES = [
    polygon([5, 14, 14, 5], [3, 3, 9, 9]),
    {"shape_attributes": {"name": "rect", "x": 20, "y": 5, "width": 10, "height": 6},
     "region_attributes": {"name": "kite"}},
    {"shape_attributes": {"name": "circle", "cx": 35, "cy": 28, "r": 4},
     "region_attributes": {"name": {"balloon": True, "kite": False}}},
    {"shape_attributes": {"name": "ellipse", "cx": 12, "cy": 28, "rx": 8, "ry": 3, "theta": 0.0},
     "region_attributes": {"name": "kite"}},
]


@pytest.mark.parametrize("as_dict", [False, True])
def test_masks_are_the_annotated_shapes_pixel_for_pixel(tmp_path, as_dict):
    write_subset(tmp_path, "train", {"a.png": SHAPES}, as_dict=as_dict)
    dataset = make_via(str(tmp_path), class_names=["balloon", "kite"])
    image, masks, class_ids = dataset.load_checked(0)
    assert image.shape == (40, 50, 3) and masks.shape == (40, 50, 4)
    assert class_ids.tolist() == [1, 2, 1, 2]
    expected = np.zeros((40, 50, 2), dtype=bool)
    expected[3:10, 5:15, 0] = True  # polygon corners are inclusive
    expected[5:11, 20:30, 1] = True  # rect covers x .. x+width-1
    assert np.array_equal(masks[:, :, :2], expected)
    ys, xs = np.nonzero(masks[:, :, 2])
    assert np.all((xs - 35) ** 2 + (ys - 28) ** 2 <= 4.5 ** 2) and masks[28, 31:40, 2].all()
    ys, xs = np.nonzero(masks[:, :, 3])
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (4, 20, 25, 31)


def test_classes_default_to_every_label_under_root_so_subsets_agree(tmp_path):
    write_subset(tmp_path, "train", {"a.png": [polygon([1, 9, 9], [1, 1, 9], "kite")]})
    write_subset(tmp_path, "val", {"b.png": [polygon([1, 9, 9], [1, 1, 9], "balloon")]})
    train, val = make_via(str(tmp_path), "train"), make_via(str(tmp_path), "val")
    assert train.class_names == val.class_names == ["BG", "balloon", "kite"]
    assert train.load_mask(0)[1].tolist() == [2] and val.load_mask(0)[1].tolist() == [1]


def test_class_names_string_sets_the_order(tmp_path):
    write_subset(tmp_path, "train", {"a.png": [polygon([1, 9, 9], [1, 1, 9], "kite")]})
    dataset = make_via(str(tmp_path), class_names="kite, balloon")
    assert dataset.class_names == ["BG", "kite", "balloon"]
    assert dataset.load_mask(0)[1].tolist() == [1]


def test_misspelled_class_is_an_error_naming_file_region_and_known_names(tmp_path):
    write_subset(tmp_path, "train", {"a.png": [polygon([1, 9, 9], [1, 1, 9]), polygon([1, 9, 9], [1, 1, 9], "baloon")]})
    with pytest.raises(DatasetError) as err:
        make_via(str(tmp_path), class_names=["balloon", "kite"])
    message = str(err.value)
    for part in ("via_region_data.json", "'a.png'", "region 1", "'baloon'", "balloon, kite", "did you mean 'balloon'"):
        assert part in message


def test_missing_image_file_is_named(tmp_path):
    write_subset(tmp_path, "train", {"a.png": [], "gone.png": []}, skip_files=("gone.png",))
    with pytest.raises(DatasetError, match="not found.*'gone.png'"):
        make_via(str(tmp_path), class_names="balloon")


@pytest.mark.parametrize("region, match", [
    ({"shape_attributes": {"name": "polyline", "all_points_x": [1, 2], "all_points_y": [1, 2]},
      "region_attributes": {"name": "balloon"}}, "shape 'polyline'.*supported shapes: polygon, rect"),
    ({"shape_attributes": {"name": "polygon", "all_points_x": [1, 2], "all_points_y": [1, 2]},
      "region_attributes": {"name": "balloon"}}, "bad polygon coordinates"),
    ({"shape_attributes": {"name": "rect", "x": 1, "y": 1}, "region_attributes": {"name": "balloon"}},
     "rect lacks width, height"),
    ({"shape_attributes": {"name": "circle", "cx": 5, "cy": 5, "r": 2}, "region_attributes": {"type": "balloon"}},
     "no 'name'.*attributes present: type.*2 classes.*default_class=.*label_key"),
])
def test_bad_regions_are_errors_naming_the_region(tmp_path, region, match):
    write_subset(tmp_path, "train", {"a.png": [region]})
    with pytest.raises(DatasetError, match=match) as err:
        make_via(str(tmp_path), class_names="balloon,kite")
    assert "'a.png', region 0" in str(err.value)


def test_label_key_reads_another_attribute(tmp_path):
    region = {"shape_attributes": {"name": "circle", "cx": 5, "cy": 5, "r": 2}, "region_attributes": {"type": "kite"}}
    write_subset(tmp_path, "train", {"a.png": [region]})
    assert make_via(str(tmp_path), label_key="type").class_names == ["BG", "kite"]


def test_missing_subset_lists_the_subsets_found(tmp_path):
    write_subset(tmp_path, "train", {"a.png": [polygon([1, 9, 9], [1, 1, 9])]})
    with pytest.raises(DatasetError, match="not found.*val.*: train"):
        make_via(str(tmp_path), "val", class_names="balloon")


def test_hue_shift_changes_colour_only_and_is_reproducible():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(16, 20, 3)).astype(np.uint8)
    masks = rng.random((16, 20, 3)) > 0.5
    before = image.copy(), masks.copy()
    augmenter = HueShift(max_degrees=90)
    out_image, out_masks = augmenter(image, masks, np.random.default_rng(1))
    again, _ = augmenter(image, masks, np.random.default_rng(1))
    assert out_masks is masks and np.array_equal(image, before[0]) and np.array_equal(masks, before[1])
    assert out_image.dtype == np.uint8 and out_image.shape == image.shape
    assert np.array_equal(out_image, again) and not np.array_equal(out_image, image)
    grey = np.full((4, 4, 3), 128, dtype=np.uint8)
    assert np.array_equal(augmenter(grey, masks[:4, :4], np.random.default_rng(1))[0], grey)
    with pytest.raises(ValueError, match="max_degrees"):
        HueShift(max_degrees=200)


def test_plugin_hooks_register_both_names(tmp_path):
    write_subset(tmp_path, "val", {"a.png": [polygon([1, 9, 9], [1, 1, 9])]})
    plugins.register_plugin(maskkit_via, name="via", distribution="maskkit-via")
    try:
        dataset = maskkit.datasets.create("via", root=str(tmp_path), subset="val")
        augmenter = maskkit.augmenters.create("via_hue_shift", max_degrees=10)
    finally:
        plugins.reset()
    assert dataset.class_names == ["BG", "balloon"] and len(dataset) == 1
    assert isinstance(augmenter, HueShift) and augmenter.targets == "image"


def test_importing_the_plugin_stays_light():
    code = ("import sys, maskkit_via; heavy = [m for m in ('tensorflow', 'maskkit_via.dataset', "
            "'maskkit_via.augment') if m in sys.modules]; print(heavy)")
    src = str(Path(maskkit_via.__file__).parent.parent)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": src, "PATH": ""})
    assert out.stdout.strip() == "[]"


def test_conformance_kit_passes(tmp_path):
    write_subset(tmp_path, "train", {"a.png": SHAPES, "b.png": [], "c.png": SHAPES[:2]})
    check_dataset(make_via, root=str(tmp_path), class_names=["balloon", "kite"])
    check_augmenter(HueShift(max_degrees=60))
