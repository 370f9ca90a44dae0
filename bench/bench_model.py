"""Model speed on this CPU, as ratios within one run (the machine is shared, absolute times are noisy).

1. Per-stage inference times at 1024x1024 (R50-FPN, 81 classes, random weights, float32 and bfloat16):
   cumulative sub-models of the inference graph up to each stage boundary, each stage's time the
   difference to the previous.
2. Detect seconds per 1024 image for float32 / mixed_bfloat16 with XLA off and on, as ratios to float32
   (or to the float32 of ``--baseline``: another checkout, or a git revision of this repository such as
   b835099, main before the precision work, which is exported to a temporary folder). Each setting
   runs in its own subprocess; the settings take turns round-robin, starting one later each round, and
   each ratio is the median over rounds of a setting's time divided by the reference's time in the
   same round, so a load change hits both sides. Wall and CPU seconds are both printed.
3. One training step at 512x512 (R50-FPN, batch 1) in float32 and mixed_bfloat16.

    python bench/bench_model.py [--iterations 3] [--steps 3] [--baseline CHECKOUT_OR_REVISION]
                                [--parts stages,detect,train]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is not a package; tests load this file by path

import numpy as np  # noqa: E402
from timed_worker import TimedWorker  # noqa: E402

STAGES = ("backbone", "FPN", "RPN head", "proposals + NMS", "ROIAlign (classifier)", "classifier head",
          "detection layer", "ROIAlign (mask)", "mask head")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=3, help="timed calls per measurement")
    parser.add_argument("--steps", type=int, default=3, help="timed training steps per precision")
    parser.add_argument("--parts", default="stages,detect,train",
                        help="comma-separated parts to run: stages, detect, train (default: all)")
    parser.add_argument("--baseline", metavar="CHECKOUT_OR_REVISION",
                        help="also time float32 detect of another checkout, or of a git revision of this "
                             "repository (e.g. b835099, main before the precision work), and give ratios "
                             "against it")
    return parser.parse_args()


def coco_like(**overrides: Any):
    """matterport's default config at 1024 with R50-FPN and 81 classes, batch 1."""
    from maskkit.config import Config

    return Config(**{"NUM_CLASSES": 81, "IMAGES_PER_GPU": 1, "BACKBONE": "resnet50", **overrides})


def mean_seconds(call: Callable[[], Any], iterations: int) -> tuple[float, float]:
    """Mean wall and CPU (all threads of this process) seconds of ``iterations`` calls after one untimed
    warm-up (tracing) call."""
    call()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(iterations):
        call()
    return (time.perf_counter() - started) / iterations, (time.process_time() - cpu) / iterations


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

    from maskkit.data.anchor_grid import normalised_anchors
    from maskkit.model.maskrcnn import MaskRCNN

    config = coco_like(PRECISION=precision)
    model = MaskRCNN("inference", config, "/tmp/maskkit_bench_logs")
    image = np.random.default_rng(0).integers(0, 256, size=(1024, 1024, 3), dtype=np.uint8)
    molded, metas, _ = model.mold_inputs([image])
    anchors = normalised_anchors(config, molded.shape[1:3])[None]
    inputs = {"images": tf.constant(molded), "image_meta": tf.constant(metas), "anchors": tf.constant(anchors)}
    inference = model.graph.inference_model
    previous, totals = (0.0, 0.0), {}
    for name, submodel in zip(STAGES, stage_boundaries(inference)):
        partial = tf.function(submodel)
        cumulative = mean_seconds(lambda: [t.numpy() for t in tf.nest.flatten(partial(inputs))], iterations)
        totals[name] = tuple(max(now - before, 0.0) for now, before in zip(cumulative, previous))
        previous = cumulative
    whole = mean_seconds(lambda: model.detect([image]), iterations)
    totals["mold + unmold + rest"] = tuple(max(now - before, 0.0) for now, before in zip(whole, previous))
    print(f"\nStages of {precision} inference at 1024 (cumulative differences, {iterations} calls each; "
          f"CPU time of all threads is steadier than wall time on a loaded machine):")
    print(f"  {'stage':24s} {'wall s':>7s} {'share':>6s} {'CPU s':>7s} {'share':>6s}")
    for name, (wall, cpu) in totals.items():
        print(f"  {name:24s} {wall:7.2f} {wall / whole[0]:6.0%} {cpu:7.2f} {cpu / whole[1]:6.0%}")
    print(f"  {'detect total':24s} {whole[0]:7.2f} {'':6s} {whole[1]:7.2f}", flush=True)


DETECT_WORKER = """
import json, sys, time, numpy as np
from maskkit.config import Config
from maskkit.model.maskrcnn import MaskRCNN
config = Config(NUM_CLASSES=81, IMAGES_PER_GPU=1, BACKBONE="resnet50", **json.loads(sys.argv[1]))
model = MaskRCNN("inference", config, "/tmp/maskkit_bench_logs")
image = np.random.default_rng(0).integers(0, 256, size=(1024, 1024, 3), dtype=np.uint8)
model.detect([image])
print("ready", flush=True)
for _ in sys.stdin:
    started, cpu = time.perf_counter(), time.process_time()
    model.detect([image])
    print(time.perf_counter() - started, time.process_time() - cpu, flush=True)
"""


def start_detector(checkout: str, overrides: dict[str, Any]) -> TimedWorker:
    """One setting's detect on a 1024 image, in its own subprocess importing ``checkout``'s maskkit (all are
    started at once, then ``wait_ready``; each timed call is ``call("detect")``)."""
    return TimedWorker(DETECT_WORKER, json.dumps(overrides), checkout, f"the detector {overrides} of {checkout}")


def baseline_checkout(baseline: str, workdir: str) -> str:
    """``baseline`` itself when it is a folder, else the git revision it names exported into ``workdir``."""
    if Path(baseline).is_dir():
        return baseline
    repository = Path(__file__).resolve().parent.parent
    archive = subprocess.run(["git", "-C", str(repository), "archive", baseline], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", workdir], input=archive.stdout, check=True)
    return workdir


def detect_settings(iterations: int, baseline: str | None) -> None:
    """Detect time per precision and XLA setting, calls interleaved round-robin, as ratios to float32
    (to ``baseline``'s float32 when given: the checkout or revision before this work)."""
    if baseline:
        with tempfile.TemporaryDirectory(prefix="maskkit_baseline_") as workdir:
            run_detect_settings(iterations, baseline, baseline_checkout(baseline, workdir))
    else:
        run_detect_settings(iterations, None, None)


def run_detect_settings(iterations: int, label: str | None, checkout: str | None) -> None:
    """Time every setting (and ``checkout``'s float32 detect, named ``label``) and print the ratios."""
    from maskkit.model.precision import bfloat16_supported

    settings = [("float32", False), ("float32", True)]
    if bfloat16_supported():
        settings += [("mixed_bfloat16", False), ("mixed_bfloat16", True)]
    else:
        print("\n(this CPU lacks AVX512_BF16/AMX: mixed_bfloat16 skipped)")
    this_checkout = str(Path(__file__).resolve().parent.parent)
    runners: dict[str, TimedWorker] = {}
    if checkout:
        runners[f"baseline float32 ({label})"] = start_detector(checkout, {})
    for precision, xla in settings:
        runners[f"{precision:15s} XLA={'on ' if xla else 'off'}"] = start_detector(
            this_checkout, {"PRECISION": precision, "XLA": xla})
    for run in runners.values():
        run.wait_ready()
    names = list(runners)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    load_before = os.getloadavg()[0]
    for round_index in range(iterations):
        for offset in range(len(names)):
            name = names[(round_index + offset) % len(names)]
            times[name].append(runners[name].call("detect"))
    reference = times[names[0]]
    print(f"\nDetect per 1024x1024 image (R50-FPN, 81 classes, batch 1, random weights, {iterations} rounds, "
          f"interleaved; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after). Ratios to "
          f"{names[0].strip()}: medians over rounds of time / its time in the same round; CPU time (all "
          f"threads) is steadier than wall time on a loaded machine:")
    print(f"  {'setting':32s} {'wall s':>7s} {'ratio':>6s} {'CPU s':>7s} {'ratio':>6s}")
    for name in names:
        wall_ratio = statistics.median(t[0] / r[0] for t, r in zip(times[name], reference))
        cpu_ratio = statistics.median(t[1] / r[1] for t, r in zip(times[name], reference))
        wall = statistics.median(t[0] for t in times[name])
        cpu = statistics.median(t[1] for t in times[name])
        print(f"  {name:32s} {wall:7.2f} {wall_ratio:5.2f}x {cpu:7.2f} {cpu_ratio:5.2f}x", flush=True)
    for run in runners.values():
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
