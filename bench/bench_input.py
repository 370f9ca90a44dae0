"""Benchmark the input pipeline: shapes images/s with one vs several workers (threads and processes), and build_rpn_targets
per image at 1024x1024 (261,888 anchors) against a straightforward full-IoU-matrix baseline.

Run: python bench/bench_input.py [--batches N] [--workers K] [--size 128] [--augment SPEC]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import maskkit  # noqa: E402
from maskkit import Config  # noqa: E402
from maskkit.data import anchors_for, build_rpn_targets  # noqa: E402
from maskkit.utils.boxes import box_refinement, compute_overlaps  # noqa: E402

SHAPES = dict(NAME="shapes", IMAGES_PER_GPU=8, NUM_CLASSES=4, IMAGE_MIN_DIM=128, IMAGE_MAX_DIM=128,
              RPN_ANCHOR_SCALES=(8, 16, 32, 64, 128), TRAIN_ROIS_PER_IMAGE=32, STEPS_PER_EPOCH=100,
              VALIDATION_STEPS=5)


def pipeline_rate(workers: int, batches: int, augment: str, processes: int = 0, size: int = 128) -> float:
    """Images per second drawn from make_dataset after one warm-up batch."""
    from maskkit.data.input import make_dataset

    config = Config(**{**SHAPES, "IMAGE_MIN_DIM": size, "IMAGE_MAX_DIM": size})
    dataset = maskkit.datasets.create("shapes", count=256, height=size, width=size, seed=0)
    iterator = iter(make_dataset(dataset, config, augmenters=augment, seed=0, num_parallel_calls=workers,
                                 processes=processes))
    next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches * config.BATCH_SIZE / (time.perf_counter() - start)


def baseline_rpn_targets(anchors: np.ndarray, gt_boxes: np.ndarray, config: Config,
                         rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The textbook version: full float64 IoU matrix, argwhere for ties, no crowd handling."""
    overlaps = compute_overlaps(anchors, gt_boxes)
    rpn_match = np.zeros(anchors.shape[0], dtype=np.int32)
    best, argmax = overlaps.max(axis=1), overlaps.argmax(axis=1)
    rpn_match[best < 0.3] = -1
    rpn_match[np.argwhere(overlaps == overlaps.max(axis=0))[:, 0]] = 1
    rpn_match[best >= 0.7] = 1
    total = config.RPN_TRAIN_ANCHORS_PER_IMAGE
    for label, limit in ((1, total // 2), (-1, None)):
        ids = np.flatnonzero(rpn_match == label)
        limit = limit if limit is not None else total - int(np.sum(rpn_match == 1))
        if ids.size > limit:
            rpn_match[rng.choice(ids, ids.size - limit, replace=False)] = 0
    positive = np.flatnonzero(rpn_match == 1)
    rpn_bbox = np.zeros((total, 4), dtype=np.float32)
    rpn_bbox[:positive.size] = box_refinement(anchors[positive], gt_boxes[argmax[positive]]) / config.RPN_BBOX_STD_DEV
    return rpn_match, rpn_bbox


def time_call(fn, repeats: int) -> float:
    """Best-of-``repeats`` wall time of ``fn()`` in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def rpn_timings(instances: int, repeats: int) -> tuple[int, float, float]:
    """(anchor count, ours s/image, baseline s/image) at the default 1024x1024 config."""
    config = Config()
    anchors = anchors_for(config, config.IMAGE_SHAPE)
    rng = np.random.default_rng(0)
    corners = rng.uniform(0, 900, size=(instances, 2))
    sizes = rng.uniform(20, 300, size=(instances, 2))
    boxes = np.concatenate([corners, np.minimum(corners + sizes, 1024)], axis=1).astype(np.float32)
    class_ids = np.ones(instances, dtype=np.int32)
    ours = time_call(lambda: build_rpn_targets(anchors, class_ids, boxes, config, rng=rng), repeats)
    base = time_call(lambda: baseline_rpn_targets(anchors, boxes, config, rng), repeats)
    return anchors.shape[0], ours, base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=12, help="batches timed per pipeline setting")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="parallel calls to compare")
    parser.add_argument("--augment", default="fliplr,rot90", help="augmenters used in the pipeline runs")
    parser.add_argument("--size", type=int, default=128, help="image side of the shapes config (multiple of 64)")
    parser.add_argument("--skip-rpn", action="store_true", help="only time the pipeline")
    args = parser.parse_args()

    print(f"cpu cores: {os.cpu_count()}; shapes config {args.size}x{args.size}, batch 8, augment {args.augment!r}")
    single = pipeline_rate(1, args.batches, args.augment, size=args.size)
    parallel = pipeline_rate(args.workers, args.batches, args.augment, size=args.size)
    spawned = pipeline_rate(1, args.batches, args.augment, processes=args.workers, size=args.size)
    print(f"pipeline, 1 thread:          {single:8.1f} images/s")
    print(f"pipeline, {args.workers} threads:         {parallel:8.1f} images/s  (x{parallel / single:.2f})")
    print(f"pipeline, {args.workers} processes:       {spawned:8.1f} images/s  (x{spawned / single:.2f})")
    for instances in () if args.skip_rpn else (10, 100):
        count, ours, base = rpn_timings(instances, repeats=5)
        print(f"build_rpn_targets 1024x1024, {count} anchors, {instances:3d} GT boxes: {ours * 1e3:7.1f} ms/image; "
              f"full-matrix baseline {base * 1e3:7.1f} ms (x{base / ours:.2f})")


if __name__ == "__main__":
    main()
