"""Model speed on this CPU: training step time for the shapes config (batch 8, 128x128) and
inference time per 1024x1024 image with resnet50 / resnet101, as ratios against the slim backbone.

    python bench/bench_model.py [--steps 5] [--iterations 3] [--no-resnet50-train]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=5, help="timed training steps per backbone")
    parser.add_argument("--iterations", type=int, default=3, help="timed detect calls per backbone")
    parser.add_argument("--no-resnet50-train", action="store_true", help="skip the resnet50 training step")
    return parser.parse_args()


def train_step_seconds(config, steps: int) -> tuple[float, float]:
    """(first step incl. tracing, mean of the next ``steps``) on shapes batches from the input pipeline."""
    import maskkit
    from maskkit.data.input import make_dataset
    from maskkit.model.maskrcnn import MaskRCNN
    from maskkit.model.training import StepFunctions, with_anchors

    dataset = maskkit.datasets.create("shapes", count=64, height=128, width=128, seed=0)
    batches = iter(make_dataset(dataset, config))
    prepared = [with_anchors(next(batches), config) for _ in range(steps + 1)]
    model = MaskRCNN("training", config, "/tmp/maskkit_bench_logs")
    functions = StepFunctions(model.graph.training_model, config, ".*", config.LEARNING_RATE)
    started = time.perf_counter()
    functions.train_step(prepared[0])
    first = time.perf_counter() - started
    started = time.perf_counter()
    for batch in prepared[1:]:
        float(functions.train_step(batch)["loss"])
    return first, (time.perf_counter() - started) / steps


def detect_seconds(config, iterations: int) -> tuple[float, float]:
    """(first detect call incl. tracing, mean of the next ``iterations``) on a random 1024x1024 image."""
    from maskkit.model.maskrcnn import MaskRCNN

    image = np.random.default_rng(0).integers(0, 256, size=(1024, 1024, 3), dtype=np.uint8)
    model = MaskRCNN("inference", config, "/tmp/maskkit_bench_logs")
    started = time.perf_counter()
    model.detect([image])
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(iterations):
        model.detect([image])
    return first, (time.perf_counter() - started) / iterations


def main() -> None:
    args = parse_args()
    import tensorflow as tf

    from maskkit.config import Config
    from maskkit.model.presets import shapes_config

    print(f"TensorFlow {tf.__version__} on {os.cpu_count()} CPUs")
    print("\nTraining step, shapes config (batch 8, 128x128, all layers):")
    train_configs = {"tiny": shapes_config()}
    if not args.no_resnet50_train:
        train_configs["resnet50"] = shapes_config(BACKBONE="resnet50", TOP_DOWN_PYRAMID_SIZE=256,
                                                  FPN_CLASSIF_FC_LAYERS_SIZE=1024, MASK_POOL_SIZE=14,
                                                  MASK_SHAPE=(28, 28))
    base = None
    for name, config in train_configs.items():
        first, mean = train_step_seconds(config, args.steps)
        base = base or mean
        print(f"  {name:10s} {mean * 1000:8.0f} ms/step  ({mean / base:5.1f}x tiny; first step with tracing "
              f"{first:.1f} s)", flush=True)

    print("\nInference per 1024x1024 image (batch 1, 81 classes, 1000 proposals):")
    coco_like = Config(NUM_CLASSES=81, IMAGES_PER_GPU=1, DETECTION_MIN_CONFIDENCE=0.7)
    base = None
    for name in ("tiny", "resnet50", "resnet101"):
        overrides = {"BACKBONE": name}
        if name == "tiny":
            overrides.update(TOP_DOWN_PYRAMID_SIZE=64, FPN_CLASSIF_FC_LAYERS_SIZE=256)
        first, mean = detect_seconds(coco_like.replace(**overrides), args.iterations)
        base = base or mean
        print(f"  {name:10s} {mean:8.2f} s/image  ({mean / base:5.1f}x tiny; first call with tracing "
              f"{first:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
