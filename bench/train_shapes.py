"""Headline benchmark: train the shapes example from random weights on CPU within a time budget,
then report mAP@0.5 (matterport's compute_ap) on 50 validation images.

    python bench/train_shapes.py --minutes 20 --out runs/shapes_bench

The learning rate drops tenfold for the last ``--final-fraction`` of the budget. Seeds are fixed.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=20.0, help="training budget in minutes (wall time)")
    parser.add_argument("--out", type=Path, default=Path("runs/shapes_bench"), help="folder for logs and results")
    parser.add_argument("--train-count", type=int, default=2000, help="training images (drawn on the fly)")
    parser.add_argument("--val-count", type=int, default=50, help="validation images for the mAP")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--final-fraction", type=float, default=0.2,
                        help="share of the budget trained at a tenth of the learning rate")
    parser.add_argument("--evaluate", type=Path, default=None, metavar="CHECKPOINT",
                        help="skip training: load this checkpoint and only compute the mAP")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="config override, repeatable (values parsed as YAML)")
    return parser.parse_args()


def evaluate(model, dataset, config) -> float:
    """Mean of compute_ap at IoU 0.5 over ``dataset``, detecting the images in batches."""
    from maskkit.utils.boxes import extract_bboxes
    from maskkit.utils.metrics import compute_ap

    images, truths = [], []
    for image_id in dataset.image_ids:
        image, masks, class_ids = dataset.load_checked(int(image_id))
        images.append(image)
        truths.append((extract_bboxes(masks), class_ids, masks))
    results = model.detect(images)
    aps = [compute_ap(boxes, class_ids, masks, r["rois"], r["class_ids"], r["scores"], r["masks"],
                      iou_threshold=0.5)[0]
           for (boxes, class_ids, masks), r in zip(truths, results)]
    return float(np.mean(aps))


def main() -> None:
    args = parse_args()
    import keras
    import tensorflow as tf

    import maskkit
    from maskkit.model.maskrcnn import MaskRCNN
    from maskkit.model.presets import shapes_config

    config = shapes_config(SEED=args.seed).with_overrides(args.overrides)
    keras.utils.set_random_seed(args.seed)
    size = config.IMAGE_MAX_DIM
    train = maskkit.datasets.create("shapes", count=args.train_count, height=size, width=size,
                                    seed=args.seed, subset="train")
    val = maskkit.datasets.create("shapes", count=args.val_count, height=size, width=size,
                                  seed=args.seed, subset="val")
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"TF {tf.__version__}, threads: intra={tf.config.threading.get_intra_op_parallelism_threads()} "
          f"cpus={os.cpu_count()}")
    config.display()
    model = MaskRCNN("training", config, args.out / "logs")
    if args.evaluate is not None:
        model.load_weights(args.evaluate)
        print(f"mAP@0.5 on {len(val)} validation images with {args.evaluate}: {evaluate(model, val, config):.4f}")
        return
    budget = args.minutes * 60.0
    started = time.perf_counter()
    epoch_seconds: list[float] = []
    while True:
        elapsed = time.perf_counter() - started
        estimate = max(epoch_seconds[-3:]) if epoch_seconds else 0.0
        if epoch_seconds and elapsed + estimate > budget:
            break
        final = elapsed >= budget * (1.0 - args.final_fraction)
        rate = config.LEARNING_RATE / (10.0 if final else 1.0)
        epoch_start = time.perf_counter()
        model.train(train, val, rate, model.epoch + 1, layers="all", verbose=0)
        epoch_seconds.append(time.perf_counter() - epoch_start)
        losses = "  ".join(f"{name}={values[-1]:.4f}" for name, values in model.history.items()
                           if name != "epoch_seconds")
        print(f"epoch {model.epoch:3d}  lr={rate:.4g}  {epoch_seconds[-1]:6.1f}s  "
              f"elapsed={time.perf_counter() - started:7.1f}s  {losses}", flush=True)
    train_seconds = time.perf_counter() - started
    eval_start = time.perf_counter()
    m_ap = evaluate(model, val, config)
    eval_seconds = time.perf_counter() - eval_start
    summary = {"minutes_budget": args.minutes, "train_seconds": train_seconds, "eval_seconds": eval_seconds,
               "epochs": model.epoch, "steps_per_epoch": config.STEPS_PER_EPOCH, "mAP@0.5": m_ap,
               "val_images": len(val), "history": model.history, "config": config.to_dict(),
               "last_checkpoint": str(model.find_last())}
    (args.out / "results.json").write_text(json.dumps(summary, indent=2))
    print(f"\nwall time training: {train_seconds / 60:.2f} min ({model.epoch} epochs x "
          f"{config.STEPS_PER_EPOCH} steps), evaluation: {eval_seconds:.1f} s")
    print(f"mAP@0.5 on {len(val)} validation images: {m_ap:.4f}")


if __name__ == "__main__":
    main()
