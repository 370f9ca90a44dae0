"""Real-data benchmark: train on a COCO or VIA folder for a budget of minutes, then score the best
checkpoint on its held-out test split (COCO bbox/segm AP, AP50, AP75, per-class AP, mAP@0.5).

    python bench/train_real.py                                   # ../shared/data/nanoparticles, 15 min
    python bench/train_real.py PATH --minutes 15 --repeat 2
    python bench/train_real.py PATH --config plan.yaml --set LEARNING_RATE=0.01

PATH is a COCO export in Roboflow's layout (``train/``, optional ``valid/``, ``test/`` folders, each
with ``_annotations.coco.json`` beside its images), passed as ``root=`` of the train split to the
coco dataset, or a VIA folder in matterport's balloon layout (``train/``, optional ``val/``,
``test/``, each with ``via_region_data.json``; needs ``pip install plugins/maskkit_via``), passed as
``root=`` to the via dataset. Validation during training uses ``valid/``/``val/`` when present,
else a held-out share of ``train/`` (``--val-fraction``).
The run is ``maskkit train --minutes M`` through the Python API: the budget holds the training
and the periodic validation evaluations, and the checkpoint with the best validation segm AP is
evaluated on ``test/`` (or ``valid/`` when there is no test split). ``--repeat N`` trains seeds
seed..seed+N-1 and prints mean and half the range. The config comes from ``maskkit data plan``
(run on the train split) unless ``--config`` names a file, then ``--set`` overrides apply.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nanoparticles"
HEADLINE = ("segm_AP", "segm_AP50", "segm_AP75", "bbox_AP", "bbox_AP50", "bbox_AP75", "map50",
            "train_minutes", "epochs", "images_per_second")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, nargs="?", default=DEFAULT_DATA,
                        help="COCO or VIA folder with train/ and test/ (default: the nanoparticles set)")
    parser.add_argument("--minutes", type=float, default=15.0, help="training budget per seed")
    parser.add_argument("--eval-every", type=int, default=None, metavar="K",
                        help="validation evaluations every K epochs (default: halfway and at the end of the budget)")
    parser.add_argument("--val-fraction", type=float, default=0.1,
                        help="share of train/ held out for validation when there is no valid/ folder")
    parser.add_argument("--out", type=Path, default=Path("runs/real_bench"), help="folder for runs and results")
    parser.add_argument("--seed", type=int, default=0, help="first seed (weights, shuffling, augmentation)")
    parser.add_argument("--repeat", type=int, default=1, help="train this many seeds; print mean and spread")
    parser.add_argument("--config", type=Path, default=None,
                        help="config file (default: `maskkit data plan` on the train split)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="config override, repeatable (values parsed as YAML)")
    return parser.parse_args()


ANNOTATION_FILES = {"coco": "_annotations.coco.json", "via": "via_region_data.json"}


class Layout(NamedTuple):
    """How the benchmark reads a data folder: the dataset plugin and its arguments per split."""

    dataset: str
    train: dict[str, Any]
    test: dict[str, Any]
    where: str


def split_folder(root: Path, kind: str, *names: str) -> Path | None:
    """The first of ``root/name`` that holds ``kind``'s annotation file."""
    for name in names:
        if (root / name / ANNOTATION_FILES[kind]).is_file():
            return root / name
    return None


def data_layout(root: Path, val_fraction: float) -> Layout:
    """The Layout of a COCO (Roboflow) or VIA (balloon) folder; SystemExit naming what is missing."""
    for kind in ("coco", "via"):
        train = split_folder(root, kind, "train")
        if train is None:
            continue
        test = split_folder(root, kind, "test", "valid", "val")
        if test is None:
            raise SystemExit(f"{root}: needs a test/ (or valid/, val/) folder with {ANNOTATION_FILES[kind]}")
        has_val = split_folder(root, kind, "valid", "val") is not None
        if kind == "coco":
            train_args: dict[str, Any] = {"root": str(train)}
            test_args = {"root": str(test), "subset": "test"}
        else:
            train_args = {"root": str(root)} if has_val else {"root": str(root), "folder": "train"}
            test_args = {"root": str(root), "subset": test.name}
        if not has_val:
            train_args["val_fraction"] = val_fraction
        return Layout(kind, train_args, test_args, f"{kind}: train {train}, test {test}")
    raise SystemExit(f"{root}: no train/ folder with _annotations.coco.json (COCO) or via_region_data.json (VIA)")


def run_config(args: argparse.Namespace, layout: Layout, seed: int) -> Any:
    """The benchmark's config: ``--config``, else the file ``maskkit data plan`` writes for the train
    split (as a user would make it), then ``--set`` and SEED."""
    from maskkit.config_assembly import ConfigRequest, assemble_config

    path = args.config
    if path is None:
        path = args.out / "plan.yaml"
        args.out.mkdir(parents=True, exist_ok=True)
        data = [option for key, value in layout.train.items() if key != "val_fraction"
                for option in ("--data", f"{key}={value}")]
        subprocess.run([sys.executable, "-m", "maskkit", "data", "plan", layout.dataset, *data,
                        "--preset", "cpu", "--out", str(path)], check=True)
    config = assemble_config(ConfigRequest(config_file=path), dataset_name=layout.dataset).config
    return config.with_overrides([*args.overrides, f"SEED={seed}"])


def headline(metrics: dict[str, Any]) -> dict[str, float]:
    """The compared figures out of Pipeline.evaluate's result."""
    return {"map50": metrics["map50"], **{f"{t}_{k}": metrics[t]["stats"][k]
                                          for t in ("segm", "bbox") for k in ("AP", "AP50", "AP75")}}


def run_seed(args: argparse.Namespace, seed: int, layout: Layout) -> dict[str, Any]:
    """Train one seed to the budget, evaluate its best checkpoint on the test split, print and return figures."""
    from maskkit.evaluation import format_metrics_table
    from maskkit.checkpoints import best_checkpoint_path
    from maskkit.pipeline import Pipeline

    config = run_config(args, layout, seed)
    out = args.out / f"seed{seed}"
    pipe = Pipeline(layout.dataset, dataset_args=layout.train, config=config, log_dir=out)
    if seed == args.seed:
        pipe.config.display()
    started = time.perf_counter()
    history = pipe.train(minutes=args.minutes, eval_every=args.eval_every, keep_best="segm_ap", verbose=1)
    wall = time.perf_counter() - started
    train_seconds = float(sum(history["epoch_seconds"]))
    best = best_checkpoint_path(pipe.model.log_dir, pipe.config.NAME)
    weights = best if best.is_file() else pipe.model.log_dir
    test = Pipeline.from_checkpoint(weights, dataset=layout.dataset, dataset_args=layout.test)
    started = time.perf_counter()
    metrics = test.evaluate()
    eval_seconds = time.perf_counter() - started
    metrics.pop("coco_results")
    print(format_metrics_table(metrics))
    epochs = len(history["loss"])
    images = epochs * pipe.config.STEPS_PER_EPOCH * pipe.config.BATCH_SIZE
    per_class = {row["name"]: {"segm_AP": row["AP"], "segm_AP50": row["AP50"]}
                 for row in metrics["segm"]["per_category"]}
    figures = {**headline(metrics), "train_minutes": wall / 60, "epochs": epochs,
               "images_per_second": images / train_seconds if train_seconds else 0.0,
               "eval_seconds": eval_seconds, "test_images": metrics["num_images"], "weights": str(weights),
               "per_class": per_class, "precision": pipe.config.PRECISION}
    print(f"seed {seed}: test segm AP {figures['segm_AP']:.3f} AP50 {figures['segm_AP50']:.3f}, bbox AP "
          f"{figures['bbox_AP']:.3f}, mAP@0.5 {figures['map50']:.3f} on {figures['test_images']} images; "
          f"{wall / 60:.2f} min ({epochs} epochs, {figures['images_per_second']:.2f} images/s in the steps)",
          flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"figures": figures, "history": history,
                                                  "config": pipe.config.to_dict()}, indent=2, default=str))
    return figures


def main() -> None:
    args = parse_args()
    import tensorflow as tf

    layout = data_layout(args.data, args.val_fraction)
    print(f"TF {tf.__version__}, cpus={os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; "
          f"{layout.where}, {args.minutes:g} min per seed", flush=True)
    runs = [run_seed(args, seed, layout) for seed in range(args.seed, args.seed + args.repeat)]
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    if len(runs) > 1:
        print(f"{len(runs)} seeds, mean ± half the range (min..max):")
    for name in HEADLINE:
        values = np.array([run[name] for run in runs], dtype=float)
        print(f"  {name:18} {values.mean():8.4f} ± {(values.max() - values.min()) / 2:.4f}  "
              f"({values.min():.4f}..{values.max():.4f})")
    for name in runs[0]["per_class"]:
        values = np.array([run["per_class"][name]["segm_AP"] for run in runs], dtype=float)
        print(f"  segm AP {name:12} {values.mean():8.4f}")


if __name__ == "__main__":
    main()
