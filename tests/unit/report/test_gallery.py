"""The gallery's thumbnails (shrunk, never enlarged), SVG outlines of masks, image records and captions
relative to the images' shared folder."""

from __future__ import annotations

import numpy as np

from maskkit.evaluation.coco_eval import load_results
from maskkit.evaluation.coco_format import dataset_to_coco, detections_to_coco_results, encode_masks
from maskkit.report.gallery import image_record, outline, thumbnail
from tests.helpers_crowded import crowded_dataset
from tests.helpers_evaluation import perfect_results


def test_thumbnails_shrink_the_longer_side_only():
    big = np.zeros((300, 600, 3), dtype=np.uint8)
    assert thumbnail(big, side=256).shape == (128, 256, 3)
    assert thumbnail(np.zeros((20, 30, 3), dtype=np.uint8), side=256).shape == (20, 30, 3)
    assert thumbnail(np.zeros((10, 4), dtype=np.uint8)).shape == (10, 4, 3)


def test_a_square_mask_outlines_as_its_four_corners():
    mask = np.zeros((40, 40, 1), dtype=bool)
    mask[10:20, 5:25] = True
    path = outline(encode_masks(mask)[0], [5, 10, 20, 10], tolerance=1.0)
    assert path.startswith("M") and path.endswith("Z") and path.count("Z") == 1
    numbers = [int(v) for v in path[1:-1].split()]
    assert set(zip(numbers[::2], numbers[1::2])) == {(5, 10), (5, 19), (24, 19), (24, 10)}


def test_an_image_with_600_instances_gets_600_outlines_of_each_kind():
    dataset = crowded_dataset()
    coco_gt = dataset_to_coco(dataset)
    coco_dt = load_results(coco_gt, detections_to_coco_results(dataset, [0], perfect_results(dataset)))
    record = image_record(coco_gt, coco_dt, 0, {c: c - 1 for c in range(1, 6)}, "thumbs/00000.jpg", 1.0,
                          matched={ann["id"] for ann in coco_dt.anns.values()})
    assert len(record["gt"]) == len(record["dt"]) == 600
    assert all(path.count("Z") == 1 for _, _, path, _ in record["gt"])
    assert sorted(box for _, box, _, _ in record["gt"]) == sorted(box for _, _, box, _, _ in record["dt"])


def test_captions_are_paths_relative_to_the_folder_the_images_share():
    from maskkit.report.gallery import relative_names

    root, names = relative_names(["/data/set/test/a.jpg", "/data/set/train/b.jpg", "/data/set/test/sub/c.jpg"])
    assert root == "/data/set" and names == ["test/a.jpg", "train/b.jpg", "test/sub/c.jpg"]
    assert relative_names(["/data/one/a.jpg"]) == ("/data/one", ["a.jpg"])
    assert relative_names(["shapes: square", "/data/a.jpg"]) == ("", ["shapes: square", "/data/a.jpg"])
    assert relative_names([]) == ("", [])
