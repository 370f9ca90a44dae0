"""Benchmark the input pipeline: per-stage milliseconds per shapes image at 1024x1024, images/s from
make_dataset with 1 and 2 threads and 2 worker processes at 128 and 1024, with and without the heap
pad (maskkit.utils.heap, each in a fresh process), how 2 workers scale over 1 at 1024 (the pipeline's
threads, example building's threads, and separate processes as the machine's ceiling, taking turns
in short slices so that the shared VM's drift falls on all alike), and build_rpn_targets at 1024
(261,888 anchors) with 1, 20 and 100 boxes against matterport's full-matrix float64 algorithm
(maskkit.testing.matterport_rpn_targets).

Run: python bench/bench_input.py [--batches 24] [--big-batches 10] [--rounds 3] [--cycles 6]
                                 [--augment SPEC] [--skip-pipeline]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import maskkit  # noqa: E402
from maskkit import Config  # noqa: E402
from maskkit.data import anchor_grid, build_rpn_targets  # noqa: E402
from maskkit.data.example_arrays import example_shapes, stack_examples  # noqa: E402
from maskkit.data.input import ExampleBuilder  # noqa: E402
from maskkit.data.rpn_targets import subsample_rows  # noqa: E402
from maskkit.testing import matterport_rpn_targets  # noqa: E402
from maskkit.utils.box_math import extract_bboxes  # noqa: E402
from maskkit.utils.heap import HEAP_PAD_ENV, keep_heap_padding  # noqa: E402
from maskkit.utils.resize import minimize_mask, resize_image, resize_mask  # noqa: E402


SLICE_SECONDS = 2.4


def shapes_config(size: int) -> Config:
    """The shapes config at ``size`` px, anchors scaled with the image (8..128 at 128, 32..512 at 1024)."""
    base = 8 * size // 128
    return Config(NAME="shapes", IMAGES_PER_GPU=8, NUM_CLASSES=4, IMAGE_MIN_DIM=size, IMAGE_MAX_DIM=size,
                  RPN_ANCHOR_SCALES=tuple(base * 2 ** i for i in range(5)), TRAIN_ROIS_PER_IMAGE=32)


def shapes_builder(size: int) -> ExampleBuilder:
    """An ExampleBuilder over 64 shapes images at ``size`` px with shapes_config."""
    return ExampleBuilder(maskkit.datasets.create("shapes", count=64, height=size, width=size, seed=0),
                          shapes_config(size))


def build_group(builder: ExampleBuilder, group: int, build: Any = ExampleBuilder.group) -> list[np.ndarray]:
    """The ``group``-th group of 8 consecutive stream positions (image ids cycling through the 64), by
    ExampleBuilder.group as defined, even while scaling() patches it to gate the pipeline's threads."""
    positions = np.arange(8 * group, 8 * group + 8)
    return build(builder, 0, positions, positions % 64)


def pipeline_rate(size: int, threads: int, batches: int, augment: str | None,
                  cached_groups: bool = False, processes: int = 0, dataset: Any = None) -> tuple[float, float, float]:
    """(images per second drawn from make_dataset (batch 8) after two warm-up batches, cores kept busy
    meanwhile (the process's CPU seconds per wall second, tf.data's own threads included), the share
    of that CPU time spent in the kernel). ``cached_groups`` replaces example building by a lookup of
    8 groups built beforehand, leaving only tf.data's side: hand-over, re-batching. ``processes`` > 0
    builds examples in that many worker processes instead of threads (their CPU time is not counted).
    ``dataset`` replaces the 64 shapes images drawn in memory."""
    from maskkit.data.input import make_dataset

    config = shapes_config(size)
    if dataset is None:
        dataset = maskkit.datasets.create("shapes", count=64, height=size, width=size, seed=0)
    build = ExampleBuilder.group
    if cached_groups:
        built: dict[int, list[np.ndarray]] = {}

        def lookup(self: ExampleBuilder, pass_index: int, positions: np.ndarray, image_ids: np.ndarray) -> list:
            key = int(image_ids[0]) % 8
            if key not in built:
                built[key] = build(self, pass_index, positions, image_ids)
            return built[key]

        ExampleBuilder.group = lookup
    try:
        iterator = iter(make_dataset(dataset, config, augmenters=augment, seed=0, num_parallel_calls=threads,
                                     processes=processes))
        for _ in range(10 if cached_groups else 2):
            next(iterator)
        start, times = time.perf_counter(), os.times()
        for _ in range(batches):
            next(iterator)
        wall, spent = time.perf_counter() - start, os.times()
    finally:
        ExampleBuilder.group = build
    user, kernel = spent.user - times.user, spent.system - times.system
    return batches * config.BATCH_SIZE / wall, (user + kernel) / wall, kernel / max(user + kernel, 1e-9)


def write_coco_files(folder: Path, count: int, size: int) -> tuple[Path, Path]:
    """``count`` shapes images at ``size`` px as JPEG files (quality 90) and a COCO annotation file with
    one polygon per shape, as a user's labelled photos would come: (annotation file, image folder)."""
    import cv2

    shapes = maskkit.datasets.create("shapes", count=count, height=size, width=size, seed=0)
    images, annotations = [], []
    for image_id in shapes.image_ids:
        name = f"{image_id:04d}.jpg"
        bgr = cv2.cvtColor(shapes.load_image(image_id), cv2.COLOR_RGB2BGR)
        cv2.imwrite(str(folder / name), bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
        images.append({"id": int(image_id), "file_name": name, "height": size, "width": size})
        masks, class_ids = shapes.load_mask(image_id)
        for index, class_id in enumerate(class_ids):
            contours, _ = cv2.findContours(masks[..., index].astype(np.uint8), cv2.RETR_EXTERNAL,
                                           cv2.CHAIN_APPROX_SIMPLE)
            polygons = [contour.reshape(-1).astype(float).tolist() for contour in contours if len(contour) >= 3]
            if polygons:
                y, x = np.nonzero(masks[..., index])
                annotations.append({"id": len(annotations) + 1, "image_id": int(image_id),
                                    "category_id": int(class_id), "segmentation": polygons, "iscrowd": 0,
                                    "area": float(y.size), "bbox": [float(x.min()), float(y.min()),
                                                                    float(np.ptp(x) + 1), float(np.ptp(y) + 1)]})
    categories = [{"id": i, "name": name} for i, name in enumerate(shapes.class_names) if i]
    path = folder / "annotations.json"
    path.write_text(json.dumps({"images": images, "annotations": annotations, "categories": categories}))
    return path, folder


def builder_rate(size: int, threads: int, groups: int) -> float:
    """Images per second of ExampleBuilder.group alone (groups of 8, no TensorFlow) in ``threads``
    Python threads: how far the per-image work itself runs outside the GIL."""
    builder = shapes_builder(size)
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda group: build_group(builder, group), range(threads)))
        start = time.perf_counter()
        list(pool.map(lambda group: build_group(builder, group), range(threads, threads + groups)))
        return groups * 8 / (time.perf_counter() - start)


def stage_times(size: int, images: int) -> dict[str, float]:
    """Milliseconds per image of each step ExampleBuilder takes, of the whole example, of make_dataset's
    hand-over of a group of ``images`` examples (stacking, copy into TensorFlow) and of molding them,
    which the train step does in a graph function; no augmentation, best of 3 passes."""
    import tensorflow as tf

    from maskkit.model.molding import mold_batch

    config = shapes_config(size)
    dataset = maskkit.datasets.create("shapes", count=images, height=size, width=size, seed=0)
    grid = anchor_grid(config, config.IMAGE_SHAPE)
    builder = ExampleBuilder(dataset, config)
    mold = tf.function(functools.partial(mold_batch, mean=tf.constant(config.MEAN_PIXEL, dtype=tf.float32)))
    totals: dict[str, float] = {}
    for _ in range(3):
        spent = dict.fromkeys(("decode", "resize image", "resize masks", "boxes from masks", "mini masks",
                               "rpn targets", "whole example", "group hand-over", "mold (train step)"), 0.0)
        examples = []
        for image_id in range(images):
            rng = np.random.default_rng(image_id)
            clock = time.perf_counter()

            def lap(name: str) -> None:
                nonlocal clock
                now = time.perf_counter()
                spent[name] += now - clock
                clock = now

            image, mask, class_ids = dataset.load_checked(image_id)
            lap("decode")
            image, _, scale, padding, crop = resize_image(image, config.IMAGE_MIN_DIM, config.IMAGE_MAX_DIM,
                                                          mode=config.IMAGE_RESIZE_MODE, rng=rng)
            lap("resize image")
            mask = resize_mask(mask, scale, padding, crop)
            lap("resize masks")
            boxes = extract_bboxes(mask)
            lap("boxes from masks")
            minimize_mask(boxes, mask, config.MINI_MASK_SHAPE)
            lap("mini masks")
            build_rpn_targets(grid, class_ids, boxes, config, rng=rng)
            lap("rpn targets")
            examples.append(builder.unpadded(image_id, image_id)[0])
            lap("whole example")
        start = time.perf_counter()
        tensors = [tf.convert_to_tensor(array) for array in stack_examples(examples, example_shapes(config))]
        spent["group hand-over"] = time.perf_counter() - start
        mold(tensors[0]).numpy()
        spent["mold (train step)"] = time.perf_counter() - start - spent["group hand-over"]
        totals = {key: min(totals.get(key, np.inf), value * 1e3 / images) for key, value in spent.items()}
    return totals


def best_time(fn, repeats: int) -> float:
    """Best-of-``repeats`` wall time of ``fn()`` in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def rpn_timings(instances: int, repeats: int) -> tuple[float, float, float, bool]:
    """(ours, its negative sampling alone, matterport's) seconds per image at the default 1024x1024
    config with ``instances`` random 20-300 px boxes, and whether both give the same outputs."""
    config = Config()
    grid = anchor_grid(config, config.IMAGE_SHAPE)
    anchors = grid.anchors
    rng = np.random.default_rng(instances)
    corners = rng.uniform(0, 900, size=(instances, 2))
    sizes = rng.uniform(20, 300, size=(instances, 2))
    boxes = np.concatenate([corners, np.minimum(corners + sizes, 1024)], axis=1).round().astype(np.float32)
    class_ids = np.ones(instances, dtype=np.int32)
    ours = build_rpn_targets(grid, class_ids, boxes, config, rng=np.random.default_rng(0))
    theirs = matterport_rpn_targets(anchors, boxes, config, np.random.default_rng(0))
    same = all(np.array_equal(a, b) for a, b in zip(ours, theirs))
    labels = build_rpn_targets(grid, class_ids, boxes, config.replace(RPN_TRAIN_ANCHORS_PER_IMAGE=10 ** 6))[0]
    limit = config.RPN_TRAIN_ANCHORS_PER_IMAGE - min(int(np.sum(labels == 1)), config.RPN_TRAIN_ANCHORS_PER_IMAGE // 2)
    ours_s = best_time(lambda: build_rpn_targets(grid, class_ids, boxes, config, rng=rng), repeats)
    sampling_s = best_time(lambda: subsample_rows(labels[None].copy(), np.flatnonzero(labels == -1), [limit], [rng]),
                           repeats)
    theirs_s = best_time(lambda: matterport_rpn_targets(anchors, boxes, config, rng), max(2, repeats // 3))
    return ours_s, sampling_s, theirs_s, same


# The scaling measurement's slice kinds, in the order they take turns: (family, workers).
SLICE_KINDS = (("pipeline", 1), ("pipeline", 2), ("threads", 1), ("threads", 2), ("processes", 1), ("processes", 2))


def slice_schedule(start: float, cycles: int, seconds: float) -> list[tuple[float, float, int]]:
    """(begin, end, kind) of back-to-back slices from ``start``: ``cycles`` turns of every SLICE_KINDS index."""
    count = cycles * len(SLICE_KINDS)
    return [(start + k * seconds, start + (k + 1) * seconds, k % len(SLICE_KINDS)) for k in range(count)]


def rates_by_kind(completions: list[tuple[float, int]], schedule: list[tuple[float, float, int]],
                  kinds: tuple[int, ...], guard: float) -> dict[int, float]:
    """Images per second in the slices of each of ``kinds``, from (completion time, images) pairs:
    work is counted where it completes, leaving out each slice's first ``guard`` seconds (in which the
    previous slice's work drains)."""
    images, spent = dict.fromkeys(kinds, 0), dict.fromkeys(kinds, 0.0)
    for begin, end, kind in schedule:
        if kind in images:
            spent[kind] += end - begin - guard
            images[kind] += sum(count for when, count in completions if begin + guard <= when < end)
    return {kind: images[kind] / spent[kind] for kind in kinds}


class Gate:
    """Lets at most ``allowed`` threads inside at once; ``allow`` changes the limit (threads inside
    finish what they do; the controller never competes for a permit, so nobody starves)."""

    def __init__(self, allowed: int) -> None:
        self.allowed, self.inside = allowed, 0
        self.changed = threading.Condition()

    def __enter__(self) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.inside < self.allowed)
            self.inside += 1

    def __exit__(self, *_: Any) -> None:
        with self.changed:
            self.inside -= 1
            self.changed.notify_all()

    def allow(self, allowed: int) -> None:
        with self.changed:
            self.allowed = allowed
            self.changed.notify_all()


def building_in_slices(size: int, start: float, cycles: int, seconds: float, second: bool) -> list[tuple[float, int]]:
    """(completion time, images) of ExampleBuilder.group calls in this process in the slices of
    slice_schedule that are ("processes", 1) (unless ``second``) or ("processes", 2), starting a
    group only when it should end inside its slice."""
    builder = shapes_builder(size)
    started = time.time()
    build_group(builder, 0)
    duration = time.time() - started
    mine = [("processes", 2)] if second else [("processes", 1), ("processes", 2)]
    completions, group = [], 0
    for begin, end, kind in slice_schedule(start, cycles, seconds):
        if SLICE_KINDS[kind] not in mine:
            continue
        time.sleep(max(0.0, begin - time.time()))
        while time.time() + duration < end:
            started = time.time()
            build_group(builder, group)
            duration, group = time.time() - started, group + 1
            completions.append((time.time(), 8))
    return completions


def scaling(size: int, cycles: int, seconds: float, augment: str | None) -> dict[str, tuple[float, float]]:
    """Images/s with 1 and with 2 workers for: make_dataset's 2 threads (one pipeline whose threads
    share a Gate letting 1 or 2 build; tf.data's own work runs as in the real pipeline), 2 Python
    threads running ExampleBuilder.group alone (no TensorFlow), and 2 separate processes doing the
    same (each with its own interpreter and heap: what this machine's 2 cores give this very work,
    the ceiling for threads). All six take turns in slices of ``seconds`` for ``cycles`` turns, so
    that the shared VM's drift (its second core runs at 70-100% from one second to the next) falls
    on all of them alike."""
    from maskkit.data.input import make_dataset

    guard = 0.4
    builder = shapes_builder(size)
    gates = {"pipeline": Gate(2), "threads": Gate(0)}
    completions: dict[str, list[tuple[float, int]]] = {"pipeline": [], "threads": []}
    stop = threading.Event()
    build = ExampleBuilder.group

    def gated(self: ExampleBuilder, *args: Any) -> list[np.ndarray]:
        with gates["pipeline"]:
            stacked = build(self, *args)
        completions["pipeline"].append((time.time(), len(stacked[0])))
        return stacked

    def consume(iterator: Any) -> None:
        while not stop.is_set():
            next(iterator)

    def work(first: int) -> None:
        group = first
        while not stop.is_set():
            with gates["threads"]:
                if stop.is_set():
                    return
                build_group(builder, group)
            completions["threads"].append((time.time(), 8))
            group += 2

    ExampleBuilder.group = gated
    start = time.time() + 10.0
    children = [subprocess.Popen([sys.executable, __file__, "--child-slices", str(size), str(start), str(cycles),
                                  str(seconds), str(second)], stdout=subprocess.PIPE, text=True)
                for second in (0, 1)]
    helpers = [threading.Thread(target=work, args=(first,)) for first in (0, 1)]
    try:
        iterator = iter(make_dataset(builder.dataset, builder.config, augmenters=augment, seed=0,
                                     num_parallel_calls=2))
        next(iterator)
        helpers.append(threading.Thread(target=consume, args=(iterator,)))
        for helper in helpers:
            helper.start()
        schedule = slice_schedule(start, cycles, seconds)
        for begin, _, kind in schedule:
            family, workers = SLICE_KINDS[kind]
            time.sleep(max(0.0, begin - time.time()))
            for name, gate in gates.items():
                gate.allow(workers if name == family else 0)
        time.sleep(max(0.0, schedule[-1][1] - time.time()))
    finally:
        stop.set()
        for gate in gates.values():
            gate.allow(2)
        for helper in helpers:
            helper.join()
        ExampleBuilder.group = build
    outputs = [child.communicate()[0] for child in children]
    if any(child.returncode for child in children):
        raise RuntimeError("a benchmark child process failed")
    completions["processes"] = [tuple(pair) for output in outputs for pair in json.loads(output.splitlines()[-1])]
    rates = {}
    for family, found in completions.items():
        kinds = tuple(SLICE_KINDS.index((family, workers)) for workers in (1, 2))
        by_kind = rates_by_kind(found, schedule, kinds, guard)
        rates[family] = (by_kind[kinds[0]], by_kind[kinds[1]])
    return rates


def scaling_in_fresh_process(size: int, cycles: int, augment: str | None) -> dict[str, tuple[float, float]]:
    """scaling() run in a new interpreter. Inside this benchmark's own process, after its other
    pipelines, the gated pipeline built 84-90 images/s with 1 worker where a plain 1-thread pipeline
    had just built 133-148 and standalone runs 128-156 (not explained), so the measurement gets a
    process of its own, as heap_pad_ratio's runs do."""
    command = [sys.executable, __file__, "--child-scaling", str(size), str(cycles)]
    out = subprocess.run(command + (["--augment", augment] if augment else []), capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"the scaling child process failed:\n{out.stderr[-2000:]}")
    return {family: (one, two) for family, (one, two) in json.loads(out.stdout.splitlines()[-1]).items()}


def heap_pad_ratio(size: int, batches: int, rounds: int) -> tuple[float, float]:
    """(images/s with maskkit's heap pad, without it) of the pipeline at ``size`` with 2 threads, each
    run in a fresh process (glibc's setting cannot be undone in-process), alternating; best of rounds."""
    rates: dict[str, list[float]] = {"64": [], "0": []}
    for _ in range(rounds):
        for pad in rates:
            out = subprocess.run([sys.executable, __file__, "--child", str(size), str(batches)], check=True,
                                 capture_output=True, text=True, env={**os.environ, HEAP_PAD_ENV: pad})
            rates[pad].append(float(out.stdout.split()[-1]))
    return max(rates["64"]), max(rates["0"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=24, help="batches of 8 timed per 128 px pipeline setting")
    parser.add_argument("--big-batches", type=int, default=10, help="batches of 8 timed per 1024 px setting")
    parser.add_argument("--rounds", type=int, default=3, help="alternating 1/2-thread rounds per size (best kept)")
    parser.add_argument("--augment", default=None, help="augmenters in the pipeline runs (default none)")
    parser.add_argument("--skip-pipeline", action="store_true", help="only the stages and build_rpn_targets")
    parser.add_argument("--cycles", type=int, default=6,
                        help="turns of the six 2.4 s slices of the 1024 px scaling ratios")
    parser.add_argument("--child-slices", nargs=5, type=float, metavar=("SIZE", "START", "CYCLES", "SECONDS", "SECOND"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, type=int, metavar=("SIZE", "BATCHES"), help=argparse.SUPPRESS)
    parser.add_argument("--child-scaling", nargs=2, type=int, metavar=("SIZE", "CYCLES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_scaling:
        keep_heap_padding()
        print(json.dumps(scaling(args.child_scaling[0], args.child_scaling[1], SLICE_SECONDS, args.augment)))
        return
    if args.child:
        print(pipeline_rate(args.child[0], 2, args.child[1], None)[0])
        return
    if args.child_slices:
        size, start, cycles, seconds, second = args.child_slices
        keep_heap_padding()
        print(json.dumps(building_in_slices(int(size), start, int(cycles), seconds, bool(second))))
        return
    pad = keep_heap_padding()
    load = os.getloadavg()[0]
    print(f"cpu cores: {os.cpu_count()}, load average {load:.1f}; shapes data, augment {args.augment!r}; "
          f"heap pad {pad >> 20} MiB (maskkit.utils.heap)")

    if not args.skip_pipeline:
        # Before anything starts TensorFlow, whose idle threads would otherwise take CPU from these.
        # At 1024 px a few groups cannot say how threads scale on this VM: see the interleaved slices below.
        alone = {threads: max(builder_rate(128, threads, max(2, args.batches // 2)) for _ in range(args.rounds))
                 for threads in (1, 2)}
        print(f"examples alone  128x128  (ExampleBuilder.group, no TensorFlow): 1 thread "
              f"{alone[1]:7.1f} images/s, 2 threads {alone[2]:7.1f} images/s, x{alone[2] / alone[1]:.2f}")

    print("per-image stages at 1024x1024 (ms/image, best of 3 passes over 8 images):")
    for name, ms in stage_times(1024, 8).items():
        print(f"  {name:18s} {ms:7.2f}")

    if not args.skip_pipeline:
        for size, batches in ((128, args.batches), (1024, args.big_batches)):
            for cached, label in ((False, "pipeline"), (True, "tf.data side alone")):
                runs: dict[int, list[tuple[float, float, float]]] = {1: [], 2: []}
                for _ in range(args.rounds):
                    for threads in runs:
                        runs[threads].append(pipeline_rate(size, threads, batches, args.augment, cached))
                (one, one_busy, one_sys), (two, two_busy, two_sys) = max(runs[1]), max(runs[2])
                if not cached:
                    one_thread = one
                print(f"{label} {size:4d}x{size:<4d}: 1 thread {one:7.1f} images/s ({one_busy:.2f} cores busy, "
                      f"{one_sys:.0%} in the kernel), 2 threads {two:7.1f} images/s ({two_busy:.2f} cores, "
                      f"{two_sys:.0%} kernel), x{two / one:.2f} (best of {args.rounds} alternating rounds)")
            spawned = max(pipeline_rate(size, 1, batches, args.augment, processes=2)[0] for _ in range(args.rounds))
            print(f"pipeline {size:4d}x{size:<4d}: 2 worker processes {spawned:7.1f} images/s "
                  f"(x{spawned / one_thread:.2f} of 1 thread; best of {args.rounds})")
            with_pad, without = heap_pad_ratio(size, batches, args.rounds)
            print(f"pipeline {size:4d}x{size:<4d}, 2 threads, fresh processes: heap pad {with_pad:7.1f} images/s, "
                  f"{HEAP_PAD_ENV}=0 {without:7.1f} images/s, x{with_pad / without:.2f} (best of {args.rounds})")

    if not args.skip_pipeline:
        rates = scaling_in_fresh_process(1024, args.cycles, args.augment)
        print(f"scaling 1024x1024 in {args.cycles} turns of 6 interleaved {SLICE_SECONDS} s slices (fresh process), "
              f"images/s with 1 worker -> 2 workers:")
        for family, label in (("pipeline", "pipeline (tf.data threads)"),
                              ("threads", "example building alone, Python threads"),
                              ("processes", "example building alone, separate processes (the cores' ceiling)")):
            one, two = rates[family]
            print(f"  {label:66s} {one:6.1f} -> {two:6.1f}, x{two / one:.2f}")

    if not args.skip_pipeline:
        with tempfile.TemporaryDirectory() as folder:
            annotations, images = write_coco_files(Path(folder), 64, 1024)
            coco = maskkit.datasets.create("coco", annotations=str(annotations), images=str(images))
            runs = {1: [], 2: []}
            for _ in range(args.rounds):
                for threads in runs:
                    runs[threads].append(pipeline_rate(1024, threads, args.big_batches, args.augment, dataset=coco))
            (one, one_busy, _), (two, two_busy, _) = max(runs[1]), max(runs[2])
            print(f"COCO files 1024x1024 (JPEG + polygons): 1 thread {one:7.1f} images/s ({one_busy:.2f} cores busy), "
                  f"2 threads {two:7.1f} images/s ({two_busy:.2f} cores), x{two / one:.2f} "
                  f"(best of {args.rounds} alternating rounds)")

    for instances in (1, 20, 100):
        ours, sampling, theirs, same = rpn_timings(instances, repeats=9)
        print(f"build_rpn_targets 1024x1024, 261888 anchors, {instances:3d} boxes: {ours * 1e3:6.2f} ms "
              f"(of which seeded negative sampling {sampling * 1e3:5.2f} ms); matterport full matrix "
              f"{theirs * 1e3:7.1f} ms (x{theirs / ours:.1f}); same outputs: {same}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
