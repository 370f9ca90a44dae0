"""``check_data``: broken datasets built on the fly, one finding each."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import cv2
import numpy as np

from maskkit import Dataset
from maskkit.data_check import ERROR, INFO, WARNING
from tests.helpers import ArrayDataset
from tests.helpers_crowded import CLASS_NAMES, crowded_class_ids, crowded_image, crowded_masks
from tests.helpers_data_check import SIZE, arrays, check, image, only, square_mask, write_png


def clean() -> ArrayDataset:
    return arrays([square_mask(), square_mask(8, 8)], [[1], [2]])


class FileDataset(Dataset):
    """Images from files (base load_image), one square instance of class 1 each."""

    def __init__(self, paths, ids=None, source="files") -> None:
        super().__init__()
        self.add_class("files", 1, "thing")
        for i, path in enumerate(paths):
            self.add_image(source, image_id=i if ids is None else ids[i], path=str(path))
        self.prepare()

    def load_mask(self, image_id):
        return square_mask(), np.array([1], dtype=np.int32)


def codes(report, severity=None):
    return sorted(f.code for f in report.findings if severity is None or f.severity == severity)


def test_clean_dataset_has_no_findings():
    report = check(clean())
    assert report.findings == [] and not report.has_errors
    assert report.instances == [0, 1, 1] and report.scanned == 2


def test_unreadable_files_are_errors_naming_the_file(tmp_path):
    good = write_png(tmp_path / "good.png", 3)
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"not an image at all")
    missing = tmp_path / "missing.png"
    report = check(FileDataset([good, corrupt, missing]))
    unreadable = [f for f in report.findings if f.code == "unreadable-image"]
    assert [(f.image_id, f.file, f.severity) for f in unreadable] == [
        (1, str(corrupt), ERROR), (2, str(missing), ERROR)]
    assert str(corrupt) in unreadable[0].message and "cannot decode" in unreadable[0].message
    assert str(missing) in unreadable[1].message and "not found" in unreadable[1].message
    assert report.has_errors


def test_grayscale_and_alpha_files_are_counted(tmp_path):
    paths = [write_png(tmp_path / f"{c}.png", c) for c in (1, 3, 4, 4)]
    report = check(FileDataset(paths))
    assert codes(report, INFO) == ["alpha-image", "alpha-image", "grayscale-image"]
    assert report.summary()["grayscale_images"] == 1 and report.summary()["alpha_images"] == 2
    assert not report.has_errors


def test_image_without_instances_is_a_warning():
    dataset = arrays([square_mask(), np.zeros((SIZE, SIZE, 0), bool)], [[1], []])
    found = only(check(dataset), "no-instances")
    assert (found.severity, found.image_id) == (WARNING, 1)


def test_empty_and_tiny_masks_are_warnings():
    masks = np.concatenate([square_mask(), square_mask(side=0), square_mask(20, 20, side=2)], axis=2)
    report = check(arrays([masks, square_mask()], [[1, 2, 2], [1]]))
    assert "instance(s) 1 have empty masks" in only(report, "empty-mask").message
    assert "instance(s) 2 have only 4 pixels (limit 16)" in only(report, "tiny-mask").message
    assert not check(arrays([masks, square_mask()], [[1, 2, 2], [1]]), tiny_mask_pixels=4).count("tiny-mask")


def test_mask_size_differing_from_image_is_an_error():
    found = only(check(arrays([square_mask(), square_mask(size=16)], [[1], [2]])), "mask-size-mismatch")
    assert found.severity == ERROR and found.image_id == 1 and "16x16 differs from image size 32x32" in found.message


def test_mask_count_and_dtype_errors():
    report = check(arrays([square_mask(), square_mask().astype(np.float32)], [[1, 2], [2]]))
    assert only(report, "mask-count-mismatch").image_id == 0
    assert "dtype float32" in only(report, "bad-mask-dtype").message
    no_masks = check(arrays([np.zeros((SIZE, SIZE, 0), np.uint8)], [[1]]))
    assert "0 masks but 1 class ids" in only(no_masks, "mask-count-mismatch").message


def test_class_ids_out_of_range_are_errors_and_crowds_are_counted():
    two = np.concatenate([square_mask(), square_mask(15, 15)], axis=2)
    report = check(arrays([two, two], [[3, 1], [-2, 1]]))
    found = only(report, "class-id-out-of-range")
    assert found.image_id == 0 and "class ids 3 are outside 1..2" in found.message
    assert report.instances == [0, 2, 0] and report.crowds == [0, 0, 1]


def test_declared_but_unused_class_is_a_warning():
    report = check(arrays([square_mask()], [[1]], class_names=("a", "b", "c")))
    assert [f.message for f in report.findings if f.code == "unused-class"] == [
        "class 2 'b' has no instance in the dataset", "class 3 'c' has no instance in the dataset"]


def test_duplicate_ids_are_errors_and_duplicate_paths_warnings(tmp_path):
    a, b = write_png(tmp_path / "a.png", 3), write_png(tmp_path / "b.png", 3)
    report = check(FileDataset([a, b, a], ids=[5, 6, 5]))
    duplicate_id = only(report, "duplicate-image-id")
    assert duplicate_id.severity == ERROR and "images 0, 2 all have source 'files' id 5" in duplicate_id.message
    assert only(report, "duplicate-image-path").severity == WARNING


def test_very_large_images_are_warnings():
    dataset = arrays([square_mask(), square_mask(size=40)], [[1], [2]], images=[image(), image(40)])
    found = only(check(dataset, large_image_pixels=1500), "large-image")
    assert found.image_id == 1 and "40x40 = 1600 pixels (limit 1500)" in found.message


def test_bad_image_from_a_custom_loader_is_an_error():
    report = check(arrays([square_mask()], [[1]], images=[np.zeros((SIZE, SIZE, 3), np.float32)]))
    assert "expected uint8 HxWx3" in only(report, "bad-image").message


def test_annotation_problems_of_the_dataset_are_reported():
    from maskkit.dataset import AnnotationProblem

    dataset = clean()
    dataset.annotation_problems = lambda: [AnnotationProblem("unknown-class", "left out 2 annotation(s) (ids 17, 18)"),
                                           AnnotationProblem("skipped-annotation", "dropped (ids 4)")]
    report = check(dataset)
    assert "(ids 17, 18)" in only(report, "unknown-class").message
    assert "(ids 4)" in only(report, "skipped-annotation").message


def test_coco_dataset_skipped_annotations_and_crowds(tmp_path):
    import maskkit
    from tests.helpers_coco import EMPTY_ANN, build_coco

    files = build_coco(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = maskkit.datasets.create("coco", annotations=str(files.annotations), images=str(files.images))
    report = check(dataset)
    assert f"(ids {EMPTY_ANN})" in only(report, "skipped-annotation").message
    assert report.crowds == [0, 0, 1]
    assert only(report, "no-instances").file.endswith("d.png")
    assert not report.has_errors


def test_limit_workers_and_histogram(tmp_path):
    masks = [square_mask(side=s) for s in (3, 5, 9, 12)]
    dataset = arrays(masks, [[1], [2], [1], [2]])
    limited = check(dataset, limit=2)
    assert limited.scanned == 2 and limited.num_images == 4
    serial, parallel = check(dataset, workers=1), check(dataset, workers=3)
    assert serial.findings == parallel.findings and serial.instances == parallel.instances
    assert serial.mask_areas.tolist() == [9, 25, 81, 144]
    histogram = serial.area_histogram()
    assert sum(histogram["counts"]) == 4 and histogram["edges"][:4] == [0, 1, 2, 4]
    paths = serial.write(tmp_path / "out")
    picture = cv2.imread(paths["histogram"])
    assert picture is not None and picture.ndim == 3 and picture.std() > 0
    assert json.loads((tmp_path / "out" / "data_check.json").read_text())["summary"]["instances"] == 4


def test_importing_data_check_does_not_import_tensorflow():
    code = ("import sys, maskkit.data_check, maskkit.cli.data_cmd; "
            "sys.exit('tensorflow' in sys.modules or 'keras' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_coco_annotations_with_unknown_categories_are_found_in_the_kept_index(tmp_path):
    import maskkit
    from tests.helpers_coco import build_coco

    def add_unknown(data):
        data["annotations"].append({"id": 999, "image_id": 30, "category_id": 42, "iscrowd": 0, "area": 0.0,
                                    "segmentation": [[1.0, 1.0, 9.0, 1.0, 9.0, 9.0]], "bbox": [0, 0, 0, 0]})

    files = build_coco(tmp_path, add_unknown)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = maskkit.datasets.create("coco", annotations=str(files.annotations), images=str(files.images),
                                          return_coco=True)
    found = only(check(dataset), "unknown-class")
    assert "left out 1 annotation(s) whose category_id is not among the categories (ids 999)" in found.message
    assert found.message.startswith(str(files.annotations))


def test_an_annotation_of_an_image_not_in_the_file_is_reported_with_both_ids(tmp_path):
    import maskkit
    from tests.helpers_coco import build_coco

    def orphan(data):
        data["annotations"].append({"id": 777, "image_id": 4242, "category_id": 1, "iscrowd": 0, "area": 4.0,
                                    "segmentation": [[1.0, 1.0, 9.0, 1.0, 9.0, 9.0]], "bbox": [1, 1, 8, 8]})

    files = build_coco(tmp_path, orphan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = maskkit.datasets.create("coco", annotations=str(files.annotations), images=str(files.images))
    report = check(dataset)
    found = only(report, "unknown-image")
    assert "annotation 777 -> image 4242" in found.message and found.severity == "warning"
    assert report.summary()["warnings"] >= 1


def test_an_image_with_600_instances_is_counted_whole_and_reported_over_max_gt_instances():
    masks = crowded_masks()
    masks[:, :, 599] = masks[:, :, 598]  # one duplicate among the 600
    report = check(ArrayDataset([crowded_image()], [masks], [crowded_class_ids()], CLASS_NAMES), max_instances=100)
    assert report.instances == [0] + [120] * 5 and report.crowds == [0] * 6
    assert report.mask_areas.shape == (600,) and (report.mask_areas == 36).all()
    assert "image has 600 instances, more than MAX_GT_INSTANCES=100" in only(report, "too-many-instances").message
    assert "598&599 (IoU 1.00)" in only(report, "duplicate-instances").message
    assert codes(report) == ["duplicate-instances", "too-many-instances"]


class SizedFileDataset(FileDataset):
    """FileDataset whose image infos carry the width and height an annotation file would give."""

    def __init__(self, paths, sizes) -> None:
        super().__init__(paths)
        for info, (height, width) in zip(self.image_info, sizes):
            info.update(height=height, width=width)

    def load_mask(self, image_id):
        info = self.image_info[image_id]
        return np.ones((info["height"], info["width"], 1), dtype=bool), np.array([1], dtype=np.int32)


def test_an_exif_rotated_photo_is_checked_upright_and_a_swapped_annotated_size_is_explained(tmp_path):
    from tests.helpers_exif import asymmetric_image, write_exif_jpeg

    rotated = write_exif_jpeg(tmp_path / "phone.jpg", asymmetric_image(48, 80), 6)
    plain = write_exif_jpeg(tmp_path / "plain.jpg", asymmetric_image(48, 80), 1)
    report = check(SizedFileDataset([rotated, plain], [(48, 80), (48, 80)]))
    assert report.image_sizes == [(80, 48), (48, 80)]
    info = only(report, "exif-orientation")
    assert (info.image_id, info.file, info.severity) == (0, str(rotated), INFO)
    found = only(report, "annotated-size-mismatch")
    assert (found.image_id, found.file, found.severity) == (0, str(rotated), WARNING)
    assert "width x height 80x48 but the image decodes to 48x80" in found.message
    assert "EXIF orientation 6 (turned 90 degrees clockwise)" in found.message


def test_an_annotated_size_that_differs_otherwise_is_reported_without_the_exif_hint(tmp_path):
    path = write_png(tmp_path / "a.png", 3)
    found = only(check(SizedFileDataset([path], [(SIZE * 2, SIZE)])), "annotated-size-mismatch")
    assert "resized" in found.message and "EXIF" not in found.message
