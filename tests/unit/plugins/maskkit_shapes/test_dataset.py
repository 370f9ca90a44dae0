"""The built-in shapes dataset: seeded, matterport's spec, occlusion handled in load_mask."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit_shapes.dataset import ShapesDataset, draw_shape
from tests.helpers import shapes_dataset


def test_classes_and_counts_like_the_seed():
    ds = shapes_dataset(count=10)
    assert ds.class_names == ["BG", "square", "circle", "triangle"]
    assert ds.num_classes == 4 and len(ds.image_ids) == 10


def test_same_seed_same_images_other_seed_or_subset_differs():
    a, b = shapes_dataset(count=5, seed=3), shapes_dataset(count=5, seed=3)
    for i in a.image_ids:
        assert np.array_equal(a.load_image(i), b.load_image(i))
        assert np.array_equal(a.load_mask(i)[0], b.load_mask(i)[0])
    c, val = shapes_dataset(count=5, seed=4), shapes_dataset(count=5, seed=3, subset="val")
    assert any(not np.array_equal(a.load_image(i), c.load_image(i)) for i in a.image_ids)
    assert any(not np.array_equal(a.load_image(i), val.load_image(i)) for i in a.image_ids)


def test_images_and_masks_follow_the_contract():
    ds = shapes_dataset(count=20, size=96)
    for i in ds.image_ids:
        image, mask, class_ids = ds.load_checked(i)
        assert image.shape == (96, 96, 3) and mask.shape[:2] == (96, 96)
        assert 1 <= len(class_ids) <= 4 and set(class_ids.tolist()) <= {1, 2, 3}
        assert mask.sum(axis=2).max() <= 1, "occlusion must leave every pixel to one instance"


def test_topmost_mask_matches_its_drawn_pixels():
    ds = shapes_dataset(count=20)
    for i in ds.image_ids:
        info = ds.image_info[i]
        shape, color, dims = info["shapes"][-1]
        if tuple(color) == tuple(info["bg_color"]):
            continue
        image = ds.load_image(i)
        mask, _ = ds.load_mask(i)
        painted = np.all(image == np.array(color, np.uint8), axis=2)
        assert np.array_equal(mask[:, :, -1], painted & mask[:, :, -1]), "a masked pixel is not painted"
        x, y, s = dims
        around = (slice(max(y - 2 * s, 0), y + 2 * s + 1), slice(max(x - 2 * s, 0), x + 2 * s + 1))
        assert np.array_equal(mask[around][:, :, -1], painted[around]), "a painted pixel is not masked"


def test_heavy_overlaps_are_removed():
    ds = shapes_dataset(count=50)
    for i in ds.image_ids:
        boxes = np.array([[y - s, x - s, y + s, x + s] for _, _, (x, y, s) in ds.image_info[i]["shapes"]], float)
        from maskkit.utils import compute_overlaps

        overlaps = compute_overlaps(boxes, boxes)
        np.fill_diagonal(overlaps, 0)
        assert overlaps.max(initial=0) <= 0.3 + 1e-6


def test_unknown_shape_and_subset_are_errors():
    with pytest.raises(ValueError, match="unknown shape"):
        draw_shape(np.zeros((8, 8), np.uint8), "hexagon", (4, 4, 2), 1)
    with pytest.raises(ValueError, match="unknown subset"):
        shapes_dataset(count=1, subset="holdout")
    with pytest.raises(ValueError, match="at least 48"):
        ShapesDataset().load_shapes(1, 32, 32)


def test_image_reference_names_shapes():
    ds = shapes_dataset(count=1)
    assert ds.image_reference(0).startswith("shapes: ")
