"""Dataset base class: matterport's bookkeeping and the load_mask contract checks."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from maskkit import Dataset, DatasetError
from tests.helpers import ArrayDataset


def make_two_source_dataset() -> Dataset:
    ds = Dataset()
    ds.add_class("coco", 1, "person")
    ds.add_class("coco", 3, "car")
    ds.add_class("shapes", 1, "square")
    ds.add_class("coco", 1, "person")  # duplicate: ignored
    ds.add_image("coco", image_id=42, path="a.png")
    ds.add_image("shapes", image_id=7, path=None, extra="kept")
    ds.prepare()
    return ds


def test_prepare_builds_tables():
    ds = make_two_source_dataset()
    assert ds.class_names == ["BG", "person", "car", "square"]
    assert ds.num_classes == 4 and list(ds.image_ids) == [0, 1]
    assert ds.map_source_class_id("coco.3") == 2
    assert ds.get_source_class_id(2, "coco") == 3
    assert ds.source_class_ids == {"": [0], "coco": [0, 1, 2], "shapes": [0, 3]}
    assert ds.image_info[1]["extra"] == "kept"
    assert ds.image_from_source_map["coco.42"] == 0


def test_lookup_errors_are_clear():
    ds = make_two_source_dataset()
    with pytest.raises(DatasetError, match="coco.99"):
        ds.map_source_class_id("coco.99")
    with pytest.raises(DatasetError, match="belongs to source"):
        ds.get_source_class_id(3, "coco")
    with pytest.raises(DatasetError, match="dot"):
        ds.add_class("a.b", 1, "x")


def test_load_image_reads_files_as_rgb(tmp_path):
    bgr = np.zeros((5, 6, 3), np.uint8)
    bgr[..., 0] = 255  # blue in OpenCV's order
    cv2.imwrite(str(tmp_path / "c.png"), bgr)
    gray = np.full((4, 4), 9, np.uint8)
    cv2.imwrite(str(tmp_path / "g.png"), gray)
    rgba = np.zeros((3, 3, 4), np.uint8)
    rgba[..., 2] = 200
    rgba[..., 3] = 255
    cv2.imwrite(str(tmp_path / "a.png"), rgba)
    deep = np.full((4, 4), 65535, np.uint16)
    cv2.imwrite(str(tmp_path / "d.png"), deep)
    ds = Dataset()
    ds.add_class("f", 1, "x")
    for name in ("c", "g", "a", "d"):
        ds.add_image("f", image_id=name, path=tmp_path / f"{name}.png")
    ds.prepare()
    color, g, a, d = (ds.load_image(i) for i in range(4))
    assert color.shape == (5, 6, 3) and color.dtype == np.uint8 and tuple(color[0, 0]) == (0, 0, 255)
    assert g.shape == (4, 4, 3) and (g == 9).all()
    assert a.shape == (3, 3, 3) and tuple(a[0, 0]) == (200, 0, 0)
    assert d.dtype == np.uint8 and (d == 255).all()


def test_missing_and_corrupt_images_name_the_file(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    ds = Dataset()
    ds.add_class("f", 1, "x")
    ds.add_image("f", image_id="gone", path=tmp_path / "gone.png")
    ds.add_image("f", image_id="broken", path=tmp_path / "broken.png")
    ds.prepare()
    with pytest.raises(DatasetError, match="gone.png"):
        ds.load_image(0)
    with pytest.raises(DatasetError, match="broken.png"):
        ds.load_image(1)


def _one(mask, class_ids, image=None):
    image = np.zeros((8, 8, 3), np.uint8) if image is None else image
    return ArrayDataset([image], [mask], [class_ids])


def test_load_checked_accepts_valid_data():
    mask = np.zeros((8, 8, 2), bool)
    mask[1:3, 1:3, 0] = mask[4:6, 4:6, 1] = True
    image, m, ids = _one(mask.astype(np.uint8), np.array([1, 2])).load_checked(0)
    assert m.dtype == bool and ids.dtype == np.int32 and image.shape == (8, 8, 3)


def test_load_checked_allows_no_instances():
    image, m, ids = _one(np.zeros((0, 0, 0), bool), np.zeros(0, np.int32)).load_checked(0)
    assert m.shape == (8, 8, 0) and ids.shape == (0,)


@pytest.mark.parametrize("mask, class_ids, message", [
    (np.zeros((8, 8, 2), bool), np.array([1]), "2 masks but 1 class ids"),
    (np.zeros((7, 8, 1), bool), np.array([1]), "differs from image size"),
    (np.zeros((8, 8, 1), np.float32), np.array([1]), "must be bool"),
    (np.zeros((8, 8, 1), bool), np.array([5]), "class id 5 is outside"),
    (np.zeros((8, 8, 1), bool), np.array([0]), "class id 0 is outside"),
    (np.zeros((8, 8), bool), np.array([1]), "HxWxN"),
    (np.zeros((8, 8, 1), bool), np.array([1.0]), "must be integers"),
])
def test_load_checked_errors_name_dataset_and_image(mask, class_ids, message):
    with pytest.raises(DatasetError) as info:
        _one(mask, class_ids).load_checked(0)
    assert message in str(info.value)
    assert "ArrayDataset image 0" in str(info.value)


def test_load_checked_rejects_bad_images():
    with pytest.raises(DatasetError, match="uint8 HxWx3"):
        _one(np.zeros((8, 8, 1), bool), np.array([1]), image=np.zeros((8, 8), np.uint8)).load_checked(0)


def test_negative_class_ids_mark_crowds():
    _, _, ids = _one(np.ones((8, 8, 1), bool), np.array([-2])).load_checked(0)
    assert ids.tolist() == [-2]


def test_unprepared_dataset_is_an_error():
    ds = Dataset()
    ds.add_class("x", 1, "a")
    with pytest.raises(DatasetError, match="prepare"):
        ds.map_source_class_id("x.1")


def test_annotation_boxes_come_from_the_masks_without_the_image():
    mask = np.zeros((8, 10, 3), bool)
    mask[1:3, 2:7, 0] = True
    mask[4:8, 0:1, 2] = True  # instance 1 stays empty and is left out, as training drops it
    dataset = _one(mask, np.array([1, 2, -2]), image="not decoded")
    boxes, class_ids = dataset.annotation_boxes(0)
    assert boxes.dtype == np.float32 and class_ids.dtype == np.int32
    assert boxes.tolist() == [[1, 2, 3, 7], [4, 0, 8, 1]] and class_ids.tolist() == [1, -2]


def test_annotation_boxes_of_an_image_without_instances_and_a_broken_mask():
    boxes, class_ids = _one(np.zeros((0, 0, 0), bool), np.zeros(0, np.int32)).annotation_boxes(0)
    assert boxes.shape == (0, 4) and class_ids.shape == (0,)
    with pytest.raises(DatasetError, match="ArrayDataset image 0.*2 masks but 1 class ids"):
        _one(np.zeros((8, 8, 2), bool), np.array([1])).annotation_boxes(0)


def test_the_default_load_image_turns_an_exif_rotated_photo_upright(tmp_path):
    from tests.helpers_exif import asymmetric_image, write_exif_jpeg

    dataset = Dataset()
    dataset.add_class("files", 1, "thing")
    dataset.add_image("files", image_id="phone", path=str(write_exif_jpeg(tmp_path / "p.jpg", asymmetric_image(), 8)))
    dataset.prepare()
    assert dataset.load_image(0).shape == (80, 48, 3)
