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


def test_scaling_slices_take_turns_and_count_work_where_it_completes_after_the_guard() -> None:
    bench = load_bench("bench_input")
    schedule = bench.slice_schedule(10.0, 2, 2.0)
    assert [kind for *_, kind in schedule] == [0, 1, 2, 3, 4, 5] * 2
    assert schedule[:2] == [(10.0, 12.0, 0), (12.0, 14.0, 1)] and schedule[-1] == (32.0, 34.0, 5)
    completions = [(10.1, 8), (10.5, 8), (11.9, 8), (12.0, 8), (12.6, 8), (13.0, 8), (24.2, 8), (24.9, 8), (26.0, 8)]
    rates = bench.rates_by_kind(completions, schedule, (0, 1), guard=0.5)
    assert rates == {0: 16 / 3.0, 1: 24 / 3.0}  # 10.1, 12.0 and 24.2 fall in a guard, 26.0 in kind 2


def test_the_gate_keeps_at_most_the_allowed_threads_inside() -> None:
    import threading
    import time

    gate = load_bench("bench_input").Gate(2)
    inside, most, stop = [0], {0: 0, 1: 0, 2: 0, 3: 0}, threading.Event()
    allowed = [2]
    lock = threading.Lock()

    def work() -> None:
        while not stop.is_set():
            with gate:
                with lock:
                    inside[0] += 1
                    most[allowed[0]] = max(most[allowed[0]], inside[0])
                time.sleep(0.002)
                with lock:
                    inside[0] -= 1

    workers = [threading.Thread(target=work) for _ in range(3)]
    for worker in workers:
        worker.start()
    for limit in (2, 1, 0, 2, 1, 0):
        if limit > allowed[0]:
            allowed[0] = limit  # counted as the higher limit from before it takes effect
        gate.allow(limit)
        time.sleep(0.05)  # those inside finish what they do
        allowed[0] = limit
        time.sleep(0.1)
    stop.set()
    allowed[0] = 3
    gate.allow(3)
    for worker in workers:
        worker.join()
    assert most[0] == 0 and most[1] == 1 and most[2] == 2
