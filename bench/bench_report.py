"""Benchmark ``write_report`` at scale: seconds per image and the page's size for thousands of images.

Run: python bench/bench_report.py [--images 2000] [--size 128]
Detections are the shapes ground truth jittered (a few dropped, a few extra, random scores), so no
model is needed. Prints the time of the report against the time of ``evaluate_coco`` on the same
data (the ratio is what to compare across machines) and the sizes of index.html and thumbs/.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import maskkit
from maskkit.evaluation import evaluate_coco
from maskkit.report import write_report


def fake_results(dataset, image_ids, seed: int = 0) -> list[dict[str, np.ndarray]]:
    """Detections from ground truth: masks shifted by a pixel or two, one extra box per image, random scores."""
    rng = np.random.default_rng(seed)
    results = []
    for image_id in image_ids:
        masks, class_ids = dataset.load_mask(image_id)
        masks = np.roll(masks, tuple(rng.integers(-2, 3, 2)), axis=(0, 1))
        extra = np.zeros(masks.shape[:2] + (1,), dtype=bool)
        extra[5:25, 5:25] = True
        masks = np.concatenate([masks, extra], axis=2)
        class_ids = np.append(class_ids, rng.integers(1, dataset.num_classes))
        rois = np.array([[*np.argwhere(m).min(0), *(np.argwhere(m).max(0) + 1)] for m in masks.transpose(2, 0, 1)])
        results.append({"rois": rois.astype(np.int32), "class_ids": class_ids.astype(np.int32),
                        "scores": rng.uniform(0.3, 1.0, len(class_ids)).astype(np.float32), "masks": masks})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--size", type=int, default=128)
    args = parser.parse_args()
    dataset = maskkit.datasets.create("shapes", count=args.images, height=args.size, width=args.size, subset="val")
    image_ids = list(dataset.image_ids)
    results = fake_results(dataset, image_ids)
    started = time.perf_counter()
    evaluate_coco(dataset, image_ids, results)
    coco_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        page = write_report(Path(folder) / "report", dataset, image_ids, results)
        report_seconds = time.perf_counter() - started
        thumbs = sum(p.stat().st_size for p in (page.parent / "thumbs").iterdir())
        print(f"{args.images} images of {args.size}x{args.size}, {sum(len(r['scores']) for r in results)} detections")
        print(f"evaluate_coco  {coco_seconds:7.1f} s")
        print(f"write_report   {report_seconds:7.1f} s  ({1000 * report_seconds / args.images:.1f} ms/image, "
              f"{report_seconds / coco_seconds:.1f}x evaluate_coco)")
        print(f"index.html     {page.stat().st_size / 1e6:7.2f} MB   thumbs/ {thumbs / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
