"""Model speed on this CPU, as ratios within one run (the machine is shared, absolute times are noisy).

1. Per-stage inference times at 1024x1024 (R50-FPN, 81 classes, random weights, float32 and bfloat16):
   cumulative sub-models of the inference graph up to each stage boundary, each stage's time the
   difference to the previous.
2. Detect seconds per 1024 image for float32 / mixed_bfloat16 with XLA off and on, as ratios to float32
   (or to the float32 of ``--baseline``, another checkout such as main before this work).
3. One training step at 512x512 (R50-FPN, batch 1) in float32 and mixed_bfloat16.

    python bench/bench_model.py [--iterations 3] [--steps 3] [--baseline CHECKOUT] [--parts stages,detect,train]
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any, Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

STAGES = ("backbone", "FPN", "RPN head", "proposals + NMS", "ROIAlign (classifier)", "classifier head",
          "detection layer", "ROIAlign (mask)", "mask head")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=3, help="timed calls per measurement")
    parser.add_argument("--steps", type=int, default=3, help="timed training steps per precision")
    parser.add_argument("--parts", default="stages,detect,train",
                        help="comma-separated parts to run: stages, detect, train (default: all)")
    parser.add_argument("--baseline", metavar="CHECKOUT",
                        help="also time float32 detect of another checkout (e.g. main before this work) "
                             "and give ratios against it")
    return parser.parse_args()


def coco_like(**overrides: Any):
    """matterport's default config at 1024 with R50-FPN and 81 classes, batch 1."""
    from maskkit.config import Config

    return Config(**{"NUM_CLASSES": 81, "IMAGES_PER_GPU": 1, "BACKBONE": "resnet50", **overrides})


def mean_seconds(call: Callable[[], Any], iterations: int) -> float:
    """Mean wall time of ``iterations`` calls after one untimed warm-up (tracing) call."""
    call()
    started = time.perf_counter()
    for _ in range(iterations):
        call()
    return (time.perf_counter() - started) / iterations


def stage_boundaries(model: Any) -> list[Any]:
    """Sub-models of the inference ``model`` that end after each of STAGES (a shared layer's node is
    the one connected to the inference inputs)."""
    import keras

    def ending_at(name: str, side: str, pick: slice = slice(None)) -> Any:
        for node in model.get_layer(name)._inbound_nodes:
            tensors = list(node.input_tensors if side == "in" else node.output_tensors)[pick]
            try:
                return keras.Model(model.inputs, tensors)
            except ValueError:
                continue
        raise RuntimeError(f"no node of layer {name!r} is connected to the inference inputs")

    def pyramid(names: list[str], side: str) -> Any:
        return keras.Model(model.inputs, [ending_at(name, side).outputs[0] for name in names])

    return [
        pyramid([f"fpn_c{level}p{level}" for level in (2, 3, 4, 5)], "in"),
        pyramid([f"fpn_p{level}" for level in (2, 3, 4, 5, 6)], "out"),
        ending_at("ROI_inference", "in", slice(0, 2)),
        ending_at("ROI_inference", "out"),
        ending_at("roi_align_classifier", "out"),
        ending_at("mrcnn_detection", "in", slice(1, 3)),
        ending_at("mrcnn_detection", "out"),
        ending_at("roi_align_mask", "out"),
        model,
    ]


def stage_times(iterations: int, precision: str) -> None:
    """Print the time of each inference stage and of unmolding in ``precision``."""
    import tensorflow as tf

    from maskkit.data.anchors import normalised_anchors
    from maskkit.model.maskrcnn import MaskRCNN

    config = coco_like(PRECISION=precision)
    model = MaskRCNN("inference", config, "/tmp/maskkit_bench_logs")
    image = np.random.default_rng(0).integers(0, 256, size=(1024, 1024, 3), dtype=np.uint8)
    molded, metas, _ = model.mold_inputs([image])
    anchors = normalised_anchors(config, molded.shape[1:3])[None]
    inputs = {"images": tf.constant(molded), "image_meta": tf.constant(metas), "anchors": tf.constant(anchors)}
    inference = model.graph.inference_model
    previous, totals = 0.0, {}
    for name, submodel in zip(STAGES, stage_boundaries(inference)):
        partial = tf.function(submodel)
        cumulative = mean_seconds(lambda: [t.numpy() for t in tf.nest.flatten(partial(inputs))], iterations)
        totals[name] = max(cumulative - previous, 0.0)
        previous = cumulative
    whole = mean_seconds(lambda: model.detect([image]), iterations)
    totals["mold + unmold + rest"] = max(whole - previous, 0.0)
    print(f"\nStages of {precision} inference at 1024 (cumulative differences, {iterations} calls each):")
    for name, seconds in totals.items():
        print(f"  {name:24s} {seconds:6.2f} s  ({seconds / whole:4.0%})")
    print(f"  {'detect total':24s} {whole:6.2f} s", flush=True)


BASELINE_WORKER = """
import sys, time, numpy as np
from maskkit.config import Config
from maskkit.model.maskrcnn import MaskRCNN
model = MaskRCNN("inference", Config(NUM_CLASSES=81, IMAGES_PER_GPU=1, BACKBONE="resnet50"), "/tmp/maskkit_bench_logs")
image = np.random.default_rng(0).integers(0, 256, size=(1024, 1024, 3), dtype=np.uint8)
model.detect([image])
print("ready", flush=True)
for _ in sys.stdin:
    started = time.perf_counter()
    model.detect([image])
    print(time.perf_counter() - started, flush=True)
"""


class BaselineDetector:
    """Another checkout's float32 detect (e.g. main before this work) in a subprocess, timed on request
    so its calls interleave with this run's and see the same machine load."""

    def __init__(self, checkout: str) -> None:
        import subprocess
        import sys

        env = {**os.environ, "PYTHONPATH": f"{checkout}{os.pathsep}{os.path.join(checkout, 'plugins')}"}
        self.process = subprocess.Popen([sys.executable, "-c", BASELINE_WORKER], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=env, cwd="/tmp")
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the baseline detector in {checkout} did not start")

    def __call__(self) -> float:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def detect_settings(iterations: int, baseline: str | None) -> None:
    """Detect time per precision and XLA setting, calls interleaved round-robin, as ratios to float32
    (to ``baseline``'s float32 when given: the checkout before this work)."""
    from maskkit.model.maskrcnn import MaskRCNN
    from maskkit.model.precision import bfloat16_supported

    settings = [("float32", False), ("float32", True)]
    if bfloat16_supported():
        settings += [("mixed_bfloat16", False), ("mixed_bfloat16", True)]
    else:
        print("\n(this CPU lacks AVX512_BF16/AMX: mixed_bfloat16 skipped)")
    image = np.random.default_rng(0).integers(0, 256, size=(1024, 1024, 3), dtype=np.uint8)
    runners: dict[str, Callable[[], float]] = {}
    if baseline:
        runners[f"baseline float32 ({baseline})"] = BaselineDetector(baseline)
    for precision, xla in settings:
        model = MaskRCNN("inference", coco_like(PRECISION=precision, XLA=xla), "/tmp/maskkit_bench_logs")
        model.detect([image])

        def timed(model: Any = model) -> float:
            started = time.perf_counter()
            model.detect([image])
            return time.perf_counter() - started
        runners[f"{precision:15s} XLA={'on ' if xla else 'off'}"] = timed
    totals = dict.fromkeys(runners, 0.0)
    for _ in range(iterations):
        for name, run in runners.items():
            totals[name] += run()
    print(f"\nDetect per 1024x1024 image (R50-FPN, 81 classes, batch 1, random weights, {iterations} calls "
          f"each, interleaved):")
    base = next(iter(totals.values()))
    for name, total in totals.items():
        print(f"  {name:32s} {total / iterations:6.2f} s/image  ({total / base:4.2f}x)", flush=True)
    for run in runners.values():
        if isinstance(run, BaselineDetector):
            run.close()


def train_step_seconds(config: Any, steps: int) -> float:
    """Mean seconds of a training step (all layers) on 512x512 shapes images, after a tracing step."""
    import maskkit
    from maskkit.data.feed import epoch_input
    from maskkit.model.maskrcnn import MaskRCNN
    from maskkit.model.training import StepFunctions

    dataset = maskkit.datasets.create("shapes", count=8, height=512, width=512, seed=0)
    batches = epoch_input(dataset, config, 1)(1)
    prepared = [next(batches) for _ in range(steps + 1)]
    model = MaskRCNN("training", config, "/tmp/maskkit_bench_logs")
    functions = StepFunctions(model.graph.training_model, config, ".*", config.LEARNING_RATE)
    float(functions.train_step(prepared[0])["loss"])
    started = time.perf_counter()
    for batch in prepared[1:]:
        float(functions.train_step(batch)["loss"])
    return (time.perf_counter() - started) / steps


def train_settings(steps: int) -> None:
    """Print the 512x512 training step in float32 and mixed_bfloat16."""
    from maskkit.model.precision import bfloat16_supported

    precisions = ["float32"] + (["mixed_bfloat16"] if bfloat16_supported() else [])
    print(f"\nTraining step at 512x512 (R50-FPN, batch 1, shapes, all layers, {steps} steps):")
    base = None
    for precision in precisions:
        config = coco_like(PRECISION=precision, NUM_CLASSES=4, IMAGE_MIN_DIM=512, IMAGE_MAX_DIM=512,
                           TRAIN_BN=False)
        seconds = train_step_seconds(config, steps)
        base = base or seconds
        print(f"  {precision:15s} {seconds:6.2f} s/step  ({seconds / base:4.2f}x float32)", flush=True)


def main() -> None:
    args = parse_args()
    import tensorflow as tf

    print(f"TensorFlow {tf.__version__} on {os.cpu_count()} CPUs")
    from maskkit.model.precision import bfloat16_supported

    parts = set(args.parts.split(","))
    if "stages" in parts:
        for precision in ["float32"] + (["mixed_bfloat16"] if bfloat16_supported() else []):
            stage_times(args.iterations, precision)
    if "detect" in parts:
        detect_settings(args.iterations, args.baseline)
    if "train" in parts:
        train_settings(args.steps)


if __name__ == "__main__":
    main()
