"""Headline benchmark: train the shapes preset from random weights on CPU for a number of epochs, then
report mAP@0.5 (matterport's compute_ap) and the 12 COCO bbox/segm numbers on 500 held-out images.

    python bench/train_shapes.py --epochs 20 --out runs/shapes_bench
    python bench/train_shapes.py --epochs 20 --repeat 2 --curve-every 4 --curve-limit 100
    python bench/train_shapes.py --minutes 10 --repeat 2 --curve-every 5

Runs are compared at equal epochs (equal steps) because wall time on a shared machine is noise;
training minutes and images/s are printed beside. ``--minutes M`` instead fits the run to a budget of
M training minutes: a throwaway probe run times two epochs (the first includes graph tracing), and
the number of epochs that fit is fixed from them before training starts, so the learning-rate
schedule (warm-up, cosine decay to the last step) is that of an ordinary run of that many epochs
(``--epochs E`` repeats it). ``--repeat N`` trains seeds seed..seed+N-1 and
prints mean and spread; ``--curve-every K`` evaluates every K epochs during training (mAP vs minutes,
evaluation time excluded from the training minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

HEADLINE = ("map50", "segm_AP", "segm_AP50", "segm_AP75", "bbox_AP", "train_minutes", "images_per_second")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=20, help="epochs of config.STEPS_PER_EPOCH steps")
    parser.add_argument("--minutes", type=float, default=None,
                        help="train as many epochs as fit this many training minutes (overrides --epochs)")
    parser.add_argument("--out", type=Path, default=Path("runs/shapes_bench"), help="folder for runs and results")
    parser.add_argument("--train-count", type=int, default=2000, help="training images (drawn on the fly)")
    parser.add_argument("--val-count", type=int, default=500, help="held-out validation images for the metrics")
    parser.add_argument("--seed", type=int, default=0, help="first seed (data, weights, shuffling)")
    parser.add_argument("--val-seed", type=int, default=0,
                        help="seed of the validation images, the same for every training seed")
    parser.add_argument("--repeat", type=int, default=1, help="train this many seeds and print mean and spread")
    parser.add_argument("--curve-every", type=int, default=0, metavar="K",
                        help="also evaluate every K epochs during training (the metric-vs-minutes curve)")
    parser.add_argument("--curve-limit", type=int, default=None, metavar="N",
                        help="validation images for the curve points (default: all)")
    parser.add_argument("--evaluate", type=Path, default=None, metavar="CHECKPOINT",
                        help="skip training: load this checkpoint (file or run folder) and only evaluate")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="config override, repeatable (values parsed as YAML)")
    return parser.parse_args()


def headline(metrics: dict[str, Any]) -> dict[str, float]:
    """The figures compared across runs, from Pipeline.evaluate's result."""
    return {"map50": metrics["map50"], **{f"{t}_{k}": metrics[t]["stats"][k]
                                          for t in ("segm", "bbox") for k in ("AP", "AP50", "AP75")}}


def shapes_run_config(args: argparse.Namespace, seed: int) -> Any:
    """The shapes preset with ``--set`` overrides, seeded with ``seed`` (Keras's seed too)."""
    import keras

    from maskkit.presets import shapes_config

    keras.utils.set_random_seed(seed)
    return shapes_config(SEED=seed).with_overrides(args.overrides)


def epochs_for_budget(args: argparse.Namespace) -> int:
    """How many epochs fit ``args.minutes`` training minutes, from a throwaway two-epoch probe run.

    Training minutes are the epochs' summed wall time, and the first epoch of every run also traces
    the graph, so the budget holds the probe's first epoch plus as many of its second as fit."""
    from maskkit.pipeline import Pipeline

    config = shapes_run_config(args, args.seed)
    data = {"height": config.IMAGE_MAX_DIM, "width": config.IMAGE_MAX_DIM, "seed": args.seed}
    pipe = Pipeline("shapes", dataset_args={**data, "count": args.train_count},
                    val_args={**data, "seed": args.val_seed, "count": args.val_count}, config=config,
                    log_dir=args.out / "probe")
    first, second = pipe.train(2, verbose=0)["epoch_seconds"]
    budget = args.minutes * 60
    epochs = max(1 + int((budget - first) // second), 1)
    print(f"probe: epoch 1 {first:.1f} s (with graph tracing), epoch 2 {second:.1f} s -> {epochs} epochs "
          f"({epochs * config.STEPS_PER_EPOCH} steps, learning-rate schedule sized to them) for "
          f"{args.minutes:g} training minutes", flush=True)
    return epochs


def run_seed(args: argparse.Namespace, seed: int) -> dict[str, Any]:
    """Train one seed (or load ``--evaluate``), evaluate on the validation images, print and return figures."""
    from maskkit.config_files import parse_overrides
    from maskkit.evaluation import format_metrics_table
    from maskkit.pipeline import Pipeline

    config = shapes_run_config(args, seed)
    size = config.IMAGE_MAX_DIM
    data = {"height": size, "width": size, "seed": seed}
    val_data = {**data, "seed": args.val_seed, "count": args.val_count}
    out = args.out / f"seed{seed}"
    if args.evaluate is not None:
        pipe = Pipeline.from_checkpoint(args.evaluate, dataset="shapes", dataset_args={**val_data, "subset": "val"},
                                        overrides=parse_overrides(args.overrides))
        train_seconds, history = 0.0, {}
    else:
        pipe = Pipeline("shapes", dataset_args={**data, "count": args.train_count},
                        val_args=val_data, config=config, log_dir=out)
        if seed == args.seed:
            pipe.config.display()
        started = time.perf_counter()
        history = pipe.train(args.epochs, verbose=0, eval_every=args.curve_every, eval_limit=args.curve_limit)
        wall = time.perf_counter() - started
        train_seconds = float(sum(history["epoch_seconds"]))
        print(f"seed {seed}: trained {args.epochs} epochs in {train_seconds / 60:.2f} min "
              f"({wall / 60:.2f} min with curve evaluations)", flush=True)
        print_curve(history)
    started = time.perf_counter()
    metrics = pipe.evaluate()
    eval_seconds = time.perf_counter() - started
    metrics.pop("coco_results")
    print(format_metrics_table(metrics))
    epochs = pipe.model.epoch
    images = epochs * pipe.config.STEPS_PER_EPOCH * pipe.config.BATCH_SIZE
    figures = {**headline(metrics), "train_minutes": train_seconds / 60, "epochs": epochs,
               "images_per_second": images / train_seconds if train_seconds else 0.0,
               "eval_seconds": eval_seconds, "val_images": metrics["num_images"]}
    print(f"seed {seed}: mAP@0.5 {figures['map50']:.4f}  segm AP {figures['segm_AP']:.4f}  bbox AP "
          f"{figures['bbox_AP']:.4f} on {figures['val_images']} validation images; {figures['train_minutes']:.2f} "
          f"training minutes, {epochs} epochs, {figures['images_per_second']:.1f} images/s", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"figures": figures, "history": history,
                                                  "config": pipe.config.to_dict()}, indent=2))
    return figures


def print_curve(history: dict[str, list[float]]) -> None:
    """Per epoch: cumulative training minutes, learning rate, loss and the curve's metrics where measured."""
    minutes = np.cumsum(history["epoch_seconds"]) / 60
    for index, elapsed in enumerate(minutes):
        line = f"  epoch {index + 1:3d}  {elapsed:6.2f} min  lr={history['learning_rate'][index]:.4g}  " \
               f"loss={history['loss'][index]:.4f}  mask_loss={history['mrcnn_mask_loss'][index]:.4f}"
        for name in ("val_map50", "val_segm_ap", "val_bbox_ap"):
            values = history.get(name)
            if values and np.isfinite(values[index]):
                line += f"  {name}={values[index]:.4f}"
        print(line)


def main() -> None:
    args = parse_args()
    import tensorflow as tf

    print(f"TF {tf.__version__}, cpus={os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    if args.minutes is not None and args.evaluate is None:
        args.epochs = epochs_for_budget(args)
    runs = [run_seed(args, seed) for seed in range(args.seed, args.seed + args.repeat)]
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    if len(runs) > 1:
        print(f"{len(runs)} seeds, mean ± half the range (min..max):")
    for name in HEADLINE:
        values = np.array([run[name] for run in runs])
        print(f"  {name:18} {values.mean():8.4f} ± {(values.max() - values.min()) / 2:.4f}  "
              f"({values.min():.4f}..{values.max():.4f})")


if __name__ == "__main__":
    main()
