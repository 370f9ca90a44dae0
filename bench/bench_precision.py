"""Which PRECISION and XLA setting is fastest on this machine: detect and train-step times as ratios
to float32, the evidence behind what ``PRECISION="auto"`` picks (maskkit.model.precision).

The model trains on the built-in shapes data (3 classes + background) and detects on a random
image. Each setting (float32 and, where the CPU has AVX512_BF16/AMX, mixed_bfloat16; each with XLA off
and on) builds one model in its own subprocess, so the global dtype policy and XLA caches stay
apart, and waits blocked on its pipe while another one is timed. Rounds alternate: in every round
each setting times one detect and one training step, starting one setting later each round, and a
ratio is the median over rounds of a setting's time divided by float32's in the same round, so a
change of machine load hits both sides. Wall and CPU (all threads) seconds are both printed. XLA
compiles only the convolutional part of inference; training steps are never XLA-compiled, so a
training ratio with XLA on shows run-to-run noise.

    python bench/bench_precision.py [--backbone resnet50] [--size 512] [--rounds 3]
    python bench/bench_precision.py --preset shapes    # a preset's own model, batch and size
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

CHECKOUT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(CHECKOUT / "bench"))  # bench/ is not a package; tests load this file by path

from timed_worker import TimedWorker  # noqa: E402

PARTS = ("detect", "train")

WORKER = """
import json, sys, time
import numpy as np
import maskkit
from maskkit.config import Config
from maskkit.data.feed import epoch_input
from maskkit.model.maskrcnn import MaskRCNN
from maskkit.model.training import StepFunctions
from maskkit.presets import preset_config

settings = json.loads(sys.argv[1])
base = preset_config(settings["preset"]) if settings["preset"] else Config(**settings["model"])
config = base.replace(**settings["precision"])
model = MaskRCNN("training", config, "/tmp/maskkit_bench_logs")
steps = StepFunctions(model.graph.training_model, config, ".*", config.LEARNING_RATE)
size = config.IMAGE_MAX_DIM
shapes = maskkit.datasets.create("shapes", count=2 * config.BATCH_SIZE, height=size, width=size, seed=0)
batch = next(epoch_input(shapes, config, 1)(1))
images = [np.random.default_rng(0).integers(0, 256, size=(size, size, 3), dtype=np.uint8)] * config.BATCH_SIZE
calls = {"detect": lambda: model.detect(images), "train": lambda: float(steps.train_step(batch)["loss"])}
for call in calls.values():
    call()
print("ready", flush=True)
for line in sys.stdin:
    started, cpu = time.perf_counter(), time.process_time()
    calls[line.strip()]()
    print(time.perf_counter() - started, time.process_time() - cpu, flush=True)
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The model's size and the number of rounds from the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backbone", default="resnet50", help="backbone name (default resnet50)")
    parser.add_argument("--size", type=int, default=512, help="square image side in pixels, a multiple of 64")
    parser.add_argument("--rounds", type=int, default=3, help="timed detect + train-step rounds")
    parser.add_argument("--preset", help="time a preset's model instead (its own backbone, size and batch), "
                                         "e.g. shapes")
    args = parser.parse_args(argv)
    if args.size <= 0 or args.size % 64:
        parser.error(f"--size must be a positive multiple of 64, got {args.size}")
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")
    return args


def settings_for(bfloat16: bool) -> list[tuple[str, bool]]:
    """(PRECISION, XLA) pairs to time: float32 first (the reference), bfloat16 only where the CPU has it."""
    precisions = ["float32"] + (["mixed_bfloat16"] if bfloat16 else [])
    return [(precision, xla) for precision in precisions for xla in (False, True)]


def round_order(names: list[str], round_index: int) -> list[str]:
    """The settings in the order round ``round_index`` times them: each round starts one later."""
    return [names[(round_index + offset) % len(names)] for offset in range(len(names))]


def median_ratio(times: list[float], reference: list[float]) -> float:
    """The median over rounds of a setting's time divided by the reference's time in the same round."""
    return statistics.median(t / r for t, r in zip(times, reference))


def start_worker(settings: dict[str, Any]) -> TimedWorker:
    """One setting's model (a preset or a backbone/size, and a PRECISION/XLA pair) in its own subprocess."""
    return TimedWorker(WORKER, json.dumps(settings), str(CHECKOUT), f"the worker for {settings}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sys.path.insert(0, str(CHECKOUT))
    from maskkit.model.precision import auto_precision, bfloat16_supported

    choice = auto_precision()
    settings = settings_for(bfloat16_supported())
    names = [f"{precision:15s} XLA={'on ' if xla else 'off'}" for precision, xla in settings]
    model = {"BACKBONE": args.backbone, "NUM_CLASSES": 4, "IMAGES_PER_GPU": 1,
             "IMAGE_MIN_DIM": args.size, "IMAGE_MAX_DIM": args.size, "TRAIN_BN": False}
    workers = {name: start_worker({"preset": args.preset, "model": model, "precision": {"PRECISION": precision, "XLA": xla}})
               for name, (precision, xla) in zip(names, settings)}
    try:
        for worker in workers.values():
            worker.wait_ready()
        times: dict[tuple[str, str], list[tuple[float, float]]] = {(n, p): [] for n in names for p in PARTS}
        load_before = os.getloadavg()[0]
        for round_index in range(args.rounds):
            for name in round_order(names, round_index):
                for part in PARTS:
                    times[name, part].append(workers[name].call(part))
    finally:
        for worker in workers.values():
            worker.close()
    what = (f"the {args.preset} preset's model" if args.preset
            else f"{args.backbone} at {args.size}x{args.size}, batch 1")
    print(f"{what}, random weights; "
          f"{args.rounds} rounds, interleaved; {os.cpu_count()} CPUs, load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after. PRECISION=auto here: {choice.precision} ({choice.reason}).")
    print("Medians over rounds; ratios are time / float32's (XLA off) time in the same round.")
    print(f"  {'part':7s} {'setting':26s} {'wall s':>7s} {'ratio':>6s} {'CPU s':>7s} {'ratio':>6s}")
    for part in PARTS:
        reference = times[names[0], part]
        for name in names:
            measured = times[name, part]
            wall = statistics.median(t[0] for t in measured)
            cpu = statistics.median(t[1] for t in measured)
            wall_ratio = median_ratio([t[0] for t in measured], [t[0] for t in reference])
            cpu_ratio = median_ratio([t[1] for t in measured], [t[1] for t in reference])
            print(f"  {part:7s} {name:26s} {wall:7.2f} {wall_ratio:5.2f}x {cpu:7.2f} {cpu_ratio:5.2f}x")


if __name__ == "__main__":
    main()
