"""``maskkit data check``: duplicate (overlapping) instances and images over MAX_GT_INSTANCES."""

from __future__ import annotations

import time

import numpy as np
from click.testing import CliRunner

from maskkit.cli.main import cli
from maskkit.data_check import check_data
from maskkit.data_check.scan import duplicate_pairs
from tests.helpers import ArrayDataset, registered

SIZE = 40


def squares(*boxes: tuple[int, int, int, int]) -> np.ndarray:
    """Masks [SIZE, SIZE, N], one filled box (y1, x1, y2, x2) each."""
    masks = np.zeros((SIZE, SIZE, len(boxes)), dtype=bool)
    for k, (y1, x1, y2, x2) in enumerate(boxes):
        masks[y1:y2, x1:x2, k] = True
    return masks


def dataset(masks_per_image: list[np.ndarray]) -> ArrayDataset:
    images = [np.full((SIZE, SIZE, 3), 80, np.uint8) for _ in masks_per_image]
    class_ids = [np.ones(m.shape[2], np.int32) for m in masks_per_image]
    return ArrayDataset(images, masks_per_image, class_ids, ("thing",))


def findings(report, code):
    return [f for f in report.findings if f.code == code]


def test_near_identical_instances_are_reported_per_image_with_their_iou():
    # image 0: 0&1 identical, 0&2 / 1&2 IoU 64/136 < 0.5; 3 apart; image 1: IoU 100/121 and touching-only pair
    first = squares((2, 2, 12, 12), (2, 2, 12, 12), (6, 6, 14, 14), (20, 20, 30, 30))
    second = squares((0, 0, 10, 10), (0, 0, 11, 11), (20, 20, 30, 30), (30, 20, 38, 30))
    report = check_data(dataset([first, second, squares((0, 0, 5, 5))]), progress=False)
    found = findings(report, "duplicate-instances")
    assert [f.image_id for f in found] == [0, 1] and {f.severity for f in found} == {"warning"}
    assert "1 pair(s)" in found[0].message and "0&1 (IoU 1.00)" in found[0].message
    assert "0&1 (IoU 0.83)" in found[1].message
    assert not findings(check_data(dataset([first]), progress=False, duplicate_iou=1.0), "duplicate-instances")


def test_duplicate_pairs_match_a_brute_force_iou():
    rng = np.random.default_rng(0)
    masks = np.zeros((50, 60, 12), dtype=bool)
    for k in range(12):
        y, x = rng.integers(0, 40), rng.integers(0, 50)
        masks[y:y + rng.integers(4, 10), x:x + rng.integers(4, 10), k] = True
    masks[:, :, 11] = masks[:, :, 3]
    pairs, ious = duplicate_pairs(masks, masks.sum(axis=(0, 1)), 0.2)
    expected = {(i, j): (masks[..., i] & masks[..., j]).sum() / (masks[..., i] | masks[..., j]).sum()
                for i in range(12) for j in range(i + 1, 12)}
    assert {tuple(p) for p in pairs.tolist()} == {p for p, v in expected.items() if v > 0.2}
    assert (3, 11) in {tuple(p) for p in pairs.tolist()}
    np.testing.assert_allclose(ious, [expected[tuple(p)] for p in pairs.tolist()], rtol=1e-6)


def test_many_instances_on_a_large_image_are_checked_fast():
    masks = np.zeros((1024, 1024, 100), dtype=bool)
    for k in range(100):
        y, x = divmod(k, 10)
        masks[y * 100:y * 100 + 90, x * 100:x * 100 + 95, k] = True
    areas = masks.sum(axis=(0, 1))
    start = time.perf_counter()
    pairs, _ = duplicate_pairs(masks, areas, 0.5)
    assert len(pairs) == 0 and time.perf_counter() - start < 5.0


def test_images_over_max_instances_are_reported():
    boxes = [(y, x, y + 3, x + 3) for y in range(0, 40, 5) for x in range(0, 15, 5)]
    full = dataset([squares(*boxes), squares(*boxes[:4])])
    found = findings(check_data(full, progress=False, max_instances=8), "too-many-instances")
    assert [f.image_id for f in found] == [0]
    assert "24 instances, more than MAX_GT_INSTANCES=8" in found[0].message
    assert not findings(check_data(full, progress=False), "too-many-instances")


def test_cli_takes_the_limit_from_the_preset_or_the_option():
    boxes = [(y, x, y + 3, x + 3) for y in range(0, 40, 5) for x in range(0, 10, 5)]
    with registered("dataset", "crowded", lambda: dataset([squares(*boxes)])):
        runner = CliRunner()
        by_preset = runner.invoke(cli, ["data", "check", "crowded", "--preset", "shapes"])
        by_default = runner.invoke(cli, ["data", "check", "crowded"])
        by_option = runner.invoke(cli, ["data", "check", "crowded", "--max-instances", "20"])
    assert by_preset.exit_code == 0 and "too-many-instances" in by_preset.stdout, by_preset.output
    assert "MAX_GT_INSTANCES=8" in by_preset.stdout
    assert "too-many-instances" not in by_default.stdout and "too-many-instances" not in by_option.stdout
