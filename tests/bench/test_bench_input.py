"""bench/bench_input.py's COCO files read back as the shapes images and masks they were written from."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import maskkit
from tests.helpers import load_bench


def test_coco_files_hold_the_shapes_images_as_jpeg_and_their_masks_as_polygons(tmp_path: Path) -> None:
    annotations, images = load_bench("bench_input").write_coco_files(tmp_path, 3, 96)
    coco = maskkit.datasets.create("coco", annotations=str(annotations), images=str(images))
    shapes = maskkit.datasets.create("shapes", count=3, height=96, width=96, seed=0)
    assert len(coco) == 3 and coco.class_names == shapes.class_names
    for image_id in shapes.image_ids:
        path = coco.image_info[image_id]["path"]
        assert Path(path).suffix == ".jpg"
        image = coco.load_image(image_id)
        assert image.shape == (96, 96, 3)
        assert np.abs(image.astype(int) - shapes.load_image(image_id)).mean() < 8  # JPEG quality 90
        got, got_ids = coco.load_mask(image_id)
        drawn, drawn_ids = shapes.load_mask(image_id)
        kept = drawn.any(axis=(0, 1))
        np.testing.assert_array_equal(got_ids, drawn_ids[kept])
        for index, drawn_mask in enumerate(drawn[..., kept].transpose(2, 0, 1)):
            overlap = (got[..., index] & drawn_mask).sum() / (got[..., index] | drawn_mask).sum()
            assert overlap > 0.8, (image_id, index, overlap)
