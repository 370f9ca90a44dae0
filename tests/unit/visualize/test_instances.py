"""Instance pictures (headless OpenCV rendering): RGB results and matching PNGs, masks, grids, boxes, detections."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest

from maskkit import visualize as vis
from tests.helpers import assert_rgb


NAMES = ["BG", "cat", "dog"]


def _scene():
    img = np.full((60, 80, 3), 40, np.uint8)
    masks = np.zeros((60, 80, 2), bool)
    masks[5:20, 5:30, 0] = True
    masks[30:55, 40:75, 1] = True
    boxes = np.array([[5, 5, 20, 30], [30, 40, 55, 75]])
    return img, masks, boxes, np.array([1, 2]), np.array([0.9, 0.75])


def _all_outputs(tmp_path):
    img, masks, boxes, cids, scores = _scene()
    ov = np.array([[0.9, 0.0], [0.1, 0.6], [0.3, 0.0]])
    return {
        "display_instances": lambda p: vis.display_instances(img, boxes, masks, cids, NAMES, scores, title="t", path=p),
        "display_top_masks": lambda p: vis.display_top_masks(img, masks, cids, NAMES, limit=3, path=p),
        "display_images": lambda p: vis.display_images([img, masks[..., 0], np.linspace(0, 1, 200).reshape(10, 20)], ["a", "b", "c"], cols=2, path=p),
        "draw_boxes": lambda p: vis.draw_boxes(img, boxes, boxes + 2, masks, ["x", "y"], [1, 2], path=p),
        "plot_precision_recall": lambda p: vis.plot_precision_recall(0.5, np.array([1, 1, 0.5, 0]), np.array([0, 0.5, 1, 1]), path=p),
        "plot_overlaps": lambda p: vis.plot_overlaps(cids, np.array([1, 2, 1]), np.array([0.9, 0.8, 0.2]), ov, NAMES, path=p),
        "plot_loss_curves": lambda p: vis.plot_loss_curves({"loss": [2.0, 1.0, 0.5], "val_loss": [2.5, float("nan"), 1.0]}, path=p),
    }


@pytest.mark.parametrize("name", list(_all_outputs(None)))
def test_returns_rgb_and_writes_matching_png(name, tmp_path):
    fn = _all_outputs(tmp_path)[name]
    path = tmp_path / "sub" / f"{name}.png"
    out = fn(str(path))
    assert_rgb(out)
    assert out.shape[0] > 0 and out.shape[1] > 0
    assert not np.all(out == out.flat[0]), "rendered nothing"
    disk = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert disk is not None and disk.shape == out.shape
    np.testing.assert_array_equal(cv2.cvtColor(disk, cv2.COLOR_BGR2RGB), out)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left
    np.testing.assert_array_equal(fn(None), out)  # no path: same image, deterministic


def test_display_instances_mask_only_touches_mask_region():
    img, masks, boxes, cids, scores = _scene()
    out = vis.display_instances(img, boxes, masks, cids, NAMES, show_bbox=False,
                                colors=[(1.0, 0, 0), (0, 1.0, 0)], scores=None)
    # Only the mask pixels and the caption above/at each box's top-left may change.
    changed = np.any(out != img, axis=-1)
    assert changed[masks.any(-1)].all()
    outside = ~masks.any(-1)
    outside[:20, :40] = False  # caption area of instance 0 (drawn at the box corner)
    outside[10:32, 38:80] = False  # caption area of instance 1
    assert not changed[outside].any()
    np.testing.assert_array_equal(out[25, 5], img[25, 5])


def test_display_instances_empty_and_mismatch():
    img = np.zeros((16, 16, 3), np.uint8)
    out = vis.display_instances(img, np.zeros((0, 4)), np.zeros((16, 16, 0)), np.zeros(0), NAMES)
    assert_rgb(out)
    with pytest.raises(ValueError, match="class_ids"):
        vis.display_instances(img, np.zeros((2, 4)), np.zeros((16, 16, 2)), np.zeros(1), NAMES)


def test_display_images_grid_normalises_inputs():
    gray = np.zeros((10, 40), np.float32)
    gray[:, 20:] = 5.0
    out = vis.display_images([gray, gray > 1, np.zeros((10, 40, 1), np.int32)], cols=2)
    assert_rgb(out)
    # Two rows of two cells (titles strip + 10 px each).
    assert out.shape[0] > 2 * 10 and out.shape[1] >= 2 * 40
    assert out.max() == 255 and out.min() == 0


def test_draw_boxes_requires_boxes_and_skips_invisible():
    img = np.zeros((30, 30, 3), np.uint8)
    with pytest.raises(ValueError):
        vis.draw_boxes(img)
    out = vis.draw_boxes(img, np.array([[5, 5, 20, 20]]), visibilities=[0])
    np.testing.assert_array_equal(out, img)
    out = vis.draw_boxes(img, np.array([[5, 5, 20, 20]]), visibilities=[2])
    assert out[5, 5:20].any() and not out[10, 10].any()


def test_visualize_does_not_import_tensorflow():
    code = "import sys, maskkit.visualize, maskkit.utils; print('tensorflow' in sys.modules)"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"


def test_display_detections_puts_ground_truth_beside_the_detections(tmp_path):
    img, masks, boxes, cids, scores = _scene()
    result = {"rois": boxes, "masks": masks, "class_ids": cids, "scores": scores}
    alone = vis.display_detections(img, result, NAMES, min_side=0)
    assert_rgb(alone, (60 + 24, 80))  # a title strip above each panel
    pair = vis.display_detections(img, result, NAMES, gt=(masks, cids), min_side=0, path=tmp_path / "d.png")
    assert pair.shape == (60 + 24, 2 * 80 + 8, 3)
    np.testing.assert_array_equal(pair[:, :80], alone)
    assert (tmp_path / "d.png").is_file()
    enlarged = vis.display_detections(img, result, NAMES, gt={"masks": masks, "class_ids": cids, "boxes": boxes})
    assert enlarged.shape[1] == 2 * 80 * 7 + 8  # 80 px wide -> x7 reaches 512


def test_600_instances_are_each_filled_and_outlined_as_drawn_on_the_whole_image():
    """Each instance is drawn inside its mask's box: the same pixels as blending and outlining it on the
    whole image, which took a second per picture at this count. (Zero boxes leave captions out.)"""
    from maskkit.visualize.draw import apply_mask, draw_contours, random_colors, to_255
    from tests.helpers_crowded import CLASS_NAMES, crowded_class_ids, crowded_image, crowded_masks

    image, masks = crowded_image(), crowded_masks()
    masks[100:140, 0:30, 0] = True  # an instance of two parts, one on the image's border
    out = vis.display_instances(image, np.zeros((600, 4)), masks, crowded_class_ids(), ("BG", *CLASS_NAMES))
    expected = image.copy()
    for i, color in enumerate(random_colors(600)):
        expected = apply_mask(expected, masks[:, :, i], color)
        draw_contours(expected, masks[:, :, i], to_255(color))
    np.testing.assert_array_equal(out, expected)
    assert len({tuple(p) for p in out[masks.any(axis=2)]}) > 100  # instances get distinct colours


def test_masks_of_another_size_than_the_image_are_refused():
    img, masks, boxes, cids, _ = _scene()
    with pytest.raises(ValueError, match="image's size"):
        vis.display_instances(img, boxes, masks[:50], cids, NAMES)
