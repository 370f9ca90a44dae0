"""The COCO dataset plugin: masks match pycocotools, crowds, class id mapping, skipped and broken data."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from pycocotools.coco import COCO

import maskkit
from maskkit import DatasetError
from maskkit.evaluation.coco_format import category_ids, evaluation_ground_truth
from maskkit.utils.box_math import extract_bboxes
import maskkit_coco.dataset as coco_dataset
from maskkit_coco.dataset import make_coco
from tests.helpers_coco import (
    CAT,
    COMPRESSED_ANN,
    CROWD_ANN,
    DOG,
    EMPTY_ANN,
    ROBOFLOW_FILE,
    UNCOMPRESSED_ANN,
    annotation,
    build_coco,
    compressed_rle,
    crowded_image,
    rect_mask,
    roboflow_split,
)


def load(files, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_coco(str(files.annotations), str(files.images), **kwargs)


@pytest.fixture
def files(tmp_path):
    return build_coco(tmp_path)


def test_masks_equal_pycocotools_ann_to_mask(files):
    dataset = load(files)
    reference = COCO(str(files.annotations))
    checked = 0
    for image_id in dataset.image_ids:
        image, mask, class_ids = dataset.load_checked(image_id)
        info = dataset.image_info[image_id]
        anns = [a for a in reference.imgToAnns[info["id"]] if a["id"] != EMPTY_ANN]
        assert mask.shape == (info["height"], info["width"], len(anns))
        assert image.shape[:2] == mask.shape[:2]
        for k, ann in enumerate(anns):
            np.testing.assert_array_equal(mask[:, :, k], reference.annToMask(ann).astype(bool))
            assert mask[:, :, k].any()
            checked += 1
    assert checked == 7


def test_all_segmentation_kinds_are_present(files):
    dataset = load(files)
    kinds = {type(a["segmentation"]).__name__ + ("-" + type(a["segmentation"]["counts"]).__name__
                                                   if isinstance(a["segmentation"], dict) else "")
             for info in dataset.image_info for a in info["annotations"]}
    assert kinds == {"list", "dict-list", "dict-str"}


def test_crowd_regions_get_negative_class_ids(files):
    dataset = load(files)
    image_id = dataset.image_from_source_map["coco.20"]
    _, class_ids = dataset.load_mask(image_id)
    ids = [a["id"] for a in dataset.image_info[image_id]["annotations"]]
    by_ann = dict(zip(ids, class_ids.tolist()))
    dog = dataset.map_source_class_id(f"coco.{DOG}")
    assert by_ann[CROWD_ANN] == -dog
    assert by_ann[COMPRESSED_ANN] == dog
    assert by_ann[UNCOMPRESSED_ANN] == dataset.map_source_class_id(f"coco.{CAT}")


def test_class_ids_map_both_ways(files):
    dataset = load(files)
    assert dataset.class_names == ["BG", "cat", "dog"]
    assert dataset.map_source_class_id(f"coco.{CAT}") == 1
    assert dataset.map_source_class_id(f"coco.{DOG}") == 2
    assert dataset.get_source_class_id(1, "coco") == CAT
    assert dataset.get_source_class_id(2, "coco") == DOG
    with pytest.raises(DatasetError, match="coco.5"):
        dataset.map_source_class_id("coco.5")


def test_class_subset_keeps_only_its_images_and_annotations(files):
    dataset = load(files, class_ids=[DOG])
    assert dataset.class_names == ["BG", "dog"]
    assert sorted(info["id"] for info in dataset.image_info) == [10, 20, 30]
    for image_id in dataset.image_ids:
        _, class_ids = dataset.load_mask(image_id)
        assert set(np.abs(class_ids).tolist()) == {1}
    assert load(files, class_ids=f"{DOG}").class_names == ["BG", "dog"]
    with pytest.raises(DatasetError, match=r"no categories \[5\]"):
        load(files, class_ids=[5])
    with pytest.raises(DatasetError, match="class_ids must be COCO category ids"):
        load(files, class_ids=["dog"])


def test_image_without_annotations_has_no_instances(files):
    dataset = load(files)
    image_id = dataset.image_from_source_map["coco.40"]
    _, mask, class_ids = dataset.load_checked(image_id)
    assert mask.shape == (32, 32, 0) and class_ids.shape == (0,)


def test_empty_masks_are_skipped_and_reported_once(files):
    with pytest.warns(UserWarning, match=rf"skipped 1 annotation.*ids {EMPTY_ANN}") as record:
        dataset = make_coco(str(files.annotations), str(files.images))
    assert len([w for w in record if "skipped" in str(w.message)]) == 1
    assert dataset.skipped_annotations == [EMPTY_ANN]
    kept = [a["id"] for info in dataset.image_info for a in info["annotations"]]
    assert EMPTY_ANN not in kept and len(kept) == 7


def test_annotations_of_images_not_in_the_file_are_reported_with_both_ids(tmp_path):
    def orphan(data):
        data["annotations"].append({**annotation(data, 301), "id": 901, "image_id": 999})

    files = build_coco(tmp_path, orphan)
    with pytest.warns(UserWarning, match=r"left out 1 annotation\(s\) whose image_id is not among the images "
                                         r"\(annotation 901 -> image 999\)"):
        dataset = make_coco(str(files.annotations), str(files.images))
    assert dataset.unknown_image_annotations == [(901, 999)]
    problems = {problem.code: problem.message for problem in dataset.annotation_problems()}
    assert problems["unknown-image"].startswith(str(files.annotations))
    assert "annotation 901 -> image 999" in problems["unknown-image"]
    assert f"(ids {EMPTY_ANN})" in problems["skipped-annotation"]
    restricted = load(files, class_ids=[DOG])  # the orphan's category lists image 999, which is not in the file
    assert 999 not in [info["id"] for info in restricted.image_info]


def test_a_clean_file_reports_no_annotation_problem(tmp_path):
    def clean(data):
        data["annotations"] = [ann for ann in data["annotations"] if ann["id"] != EMPTY_ANN]

    assert load(build_coco(tmp_path, clean)).annotation_problems() == []


def test_return_coco_keeps_the_coco_object(files):
    assert load(files).coco is None
    dataset = load(files, return_coco=True)
    assert isinstance(dataset.coco, COCO)
    assert sorted(dataset.coco.cats) == [CAT, DOG]


def test_registered_as_coco_with_subset_placeholder(files, tmp_path):
    renamed = tmp_path / "instances_val.json"
    files.annotations.rename(renamed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = maskkit.datasets.create("coco", annotations=str(tmp_path / "instances_{subset}.json"),
                                          images=str(files.images), subset="val")
    assert dataset.is_prepared and len(dataset) == 4
    with pytest.raises(DatasetError, match="contains {subset} but no subset was given"):
        make_coco(str(tmp_path / "instances_{subset}.json"), str(files.images))


@pytest.mark.parametrize("ann_id, segmentation, message", [
    (101, [[5.0, 5.0, 30.0, 6.0, 18.5]], "polygon 0 must be a flat list"),
    (101, [[5.0, "x", 30.0, 6.0, 18.5, 30.0]], "polygon 0 is not a list of numbers"),
    (101, {"x": 1}, "segmentation must be"),
    (UNCOMPRESSED_ANN, {"size": [60, 81], "counts": [10, 5]}, r"RLE size \[60, 81\] differs"),
    (UNCOMPRESSED_ANN, {"size": [60, 80], "counts": [10, 5, 20]}, "RLE runs sum to 35 pixels"),
    (COMPRESSED_ANN, {"size": [48, 80], "counts": "P1370000000V1"}, r"RLE size \[48, 80\] differs"),
    (COMPRESSED_ANN, {"size": [60, 80], "counts": "P1 ~~"}, "characters outside"),
])
def test_broken_segmentation_names_annotation_and_image(tmp_path, ann_id, segmentation, message):
    def mutate(data):
        annotation(data, ann_id)["segmentation"] = segmentation

    files = build_coco(tmp_path, mutate)
    with pytest.raises(DatasetError, match=message) as info:
        load(files)
    assert f"annotation {ann_id}" in str(info.value)
    assert "coco image" in str(info.value) and ".png" in str(info.value)


def test_overflowing_compressed_runs_fail_when_loaded(tmp_path):
    def mutate(data):
        wider = compressed_rle(rect_mask(60, 160, 8, 100, 28, 150))["counts"]
        annotation(data, COMPRESSED_ANN)["segmentation"]["counts"] = wider

    with pytest.raises(DatasetError, match=f"annotation {COMPRESSED_ANN}: compressed RLE runs sum to 9600 pixels, "
                                           f"the image has 60x80 = 4800"):
        load(build_coco(tmp_path, mutate))


def test_missing_annotation_file_names_the_path(files, tmp_path):
    with pytest.raises(DatasetError, match="annotation file not found: .*nope.json"):
        make_coco(str(tmp_path / "nope.json"), str(files.images))


def test_missing_image_folder_names_the_path(files, tmp_path):
    with pytest.raises(DatasetError, match="image folder not found: .*nowhere"):
        make_coco(str(files.annotations), str(tmp_path / "nowhere"))


def test_missing_image_file_names_the_path(files):
    (files.images / "c.png").unlink()
    with pytest.raises(DatasetError, match=r"1 image file\(s\) .* missing .*c\.png"):
        load(files)


def test_invalid_json_and_wrong_structure_name_the_file(tmp_path, files):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(DatasetError, match="bad.json is not valid JSON"):
        make_coco(str(bad), str(files.images))
    bad.write_text('{"images": []}')
    with pytest.raises(DatasetError, match="bad.json must be a JSON object with images, annotations"):
        make_coco(str(bad), str(files.images))


def test_image_with_600_instances_loads_every_mask(tmp_path):
    files = build_coco(tmp_path, lambda data: crowded_image(data, 50, 600))
    dataset = load(files)
    image_id = dataset.image_from_source_map["coco.50"]
    _, mask, class_ids = dataset.load_checked(image_id)
    assert mask.shape == (100, 150, 600) and class_ids.shape == (600,)
    assert (class_ids == dataset.map_source_class_id(f"coco.{CAT}")).all()
    areas = mask.sum(axis=(0, 1))
    assert (areas == areas[0]).all() and areas[0] > 0
    reference = COCO(str(files.annotations))
    for k in (0, 255, 256, 599):
        ann = reference.imgToAnns[50][k]
        np.testing.assert_array_equal(mask[:, :, k], reference.annToMask(ann).astype(bool))


def test_roboflow_supercategory_is_dropped_and_source_ids_map_back(tmp_path):
    roboflow_split(tmp_path, 4)
    dataset = make_coco(str(tmp_path / ROBOFLOW_FILE), str(tmp_path))
    assert dataset.class_names == ["BG", "Cube", "Octahedron", "Sphere"]
    assert dataset.dropped_supercategories == [0]
    assert [dataset.get_source_class_id(c, "coco") for c in (1, 2, 3)] == [1, 2, 3]
    assert dataset.map_source_class_id("coco.3") == 3
    with pytest.raises(DatasetError, match="coco.0"):
        dataset.map_source_class_id("coco.0")
    assert category_ids(dataset) == {1: 1, 2: 2, 3: 3}
    ground_truth = evaluation_ground_truth(dataset)
    assert sorted(ground_truth.cats) == [1, 2, 3] and len(ground_truth.anns) == 12


def test_real_class_without_annotations_stays_so_splits_agree(tmp_path):
    roboflow_split(tmp_path / "train", 3)
    roboflow_split(tmp_path / "valid", 2, cats=(1, 3))
    train = make_coco(str(tmp_path / "train" / ROBOFLOW_FILE), str(tmp_path / "train"))
    val = make_coco(str(tmp_path / "valid" / ROBOFLOW_FILE), str(tmp_path / "valid"))
    assert val.class_names == train.class_names == ["BG", "Cube", "Octahedron", "Sphere"]
    assert val.dropped_supercategories == [0]


def test_supercategory_stays_when_used_or_asked_for(tmp_path):
    data = roboflow_split(tmp_path, 2)
    assert len(make_coco(str(tmp_path / ROBOFLOW_FILE), str(tmp_path), class_ids=[0, 1]).class_names) == 3
    data["annotations"][0]["category_id"] = 0
    (tmp_path / ROBOFLOW_FILE).write_text(json.dumps(data))
    dataset = make_coco(str(tmp_path / ROBOFLOW_FILE), str(tmp_path))
    assert dataset.class_names == ["BG", "Octohedrons", "Cube", "Octahedron", "Sphere"]
    assert dataset.dropped_supercategories == []


def boxes_from_masks(dataset, image_id):
    mask, class_ids = dataset.load_mask(image_id)
    return extract_bboxes(mask).astype(np.float32), class_ids


@pytest.mark.parametrize("kind", ["roboflow", "mixed"])
def test_annotation_boxes_agree_with_the_masks(tmp_path, kind):
    if kind == "roboflow":
        roboflow_split(tmp_path, 4)
        dataset = make_coco(str(tmp_path / ROBOFLOW_FILE), str(tmp_path))
    else:  # polygons, RLEs, a crowd and a skipped empty mask; all bboxes [0, 0, 0, 0], so from the masks
        dataset = load(build_coco(tmp_path, lambda data: crowded_image(data, 50, 300)))
    for image_id in dataset.image_ids:
        boxes, class_ids = dataset.annotation_boxes(int(image_id))
        expected_boxes, expected_ids = boxes_from_masks(dataset, int(image_id))
        assert boxes.dtype == np.float32 and class_ids.dtype == np.int32
        assert boxes.shape == expected_boxes.shape
        np.testing.assert_allclose(boxes, expected_boxes, atol=1.0)
        np.testing.assert_array_equal(class_ids, expected_ids)
    if kind == "mixed":
        _, class_ids = dataset.annotation_boxes(dataset.image_from_source_map["coco.20"])
        assert (class_ids < 0).sum() == 1


def test_annotation_boxes_read_bbox_without_decoding(tmp_path, monkeypatch):
    def mutate(data):
        annotation(data, 301)["bbox"] = [9.5, 8.0, 20.0, 30.0]
        annotation(data, 302)["bbox"] = [0.0, 50.0, 200.0, 30.0]

    dataset = load(build_coco(tmp_path, mutate))
    monkeypatch.setattr(coco_dataset, "decode_checked", None)
    boxes, class_ids = dataset.annotation_boxes(dataset.image_from_source_map["coco.30"])
    np.testing.assert_array_equal(boxes, [[8.0, 9.5, 38.0, 29.5], [50.0, 0.0, 64.0, 64.0]])
    assert class_ids.tolist() == [2, 1]
