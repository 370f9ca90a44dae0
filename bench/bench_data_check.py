"""Benchmark ``check_data`` on a generated 10,000-image COCO file: images/s with 1 and 2 reader threads.

Run: python bench/bench_data_check.py [--images 10000] [--size 64]
Writes small PNGs and a COCO instances file to a temporary folder, loads it with the ``coco``
dataset, scans it once per worker count and prints the speeds and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np


def write_coco(root: Path, count: int, size: int) -> tuple[Path, Path]:
    """``count`` size x size PNGs with 1-3 rectangle/triangle instances each, plus instances.json."""
    rng = np.random.default_rng(0)
    image_dir = root / "images"
    image_dir.mkdir(parents=True)
    tile = rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8)
    images, annotations = [], []
    for image_id in range(1, count + 1):
        name = f"{image_id:06d}.png"
        cv2.imwrite(str(image_dir / name), np.roll(tile, image_id, axis=1), [cv2.IMWRITE_PNG_COMPRESSION, 1])
        images.append({"id": image_id, "file_name": name, "height": size, "width": size})
        for _ in range(int(rng.integers(1, 4))):
            x, y = (float(v) for v in rng.uniform(2, size / 2, size=2))
            w, h = (float(v) for v in rng.uniform(4, size / 2 - 2, size=2))
            polygon = [x, y, x + w, y, x + w, y + h] + ([x, y + h] if rng.random() < 0.5 else [])
            annotations.append({"id": len(annotations) + 1, "image_id": image_id,
                                "category_id": int(rng.integers(1, 4)), "segmentation": [polygon],
                                "area": w * h, "bbox": [x, y, w, h], "iscrowd": 0})
    categories = [{"id": i, "name": name} for i, name in enumerate(("box", "wedge", "tile"), start=1)]
    path = root / "instances.json"
    path.write_text(json.dumps({"images": images, "annotations": annotations, "categories": categories}))
    return path, image_dir


def main() -> None:
    """Generate the data, then time the scan with workers=1 and workers=2."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=64)
    args = parser.parse_args()

    import maskkit
    from maskkit.data_check import check_data

    with tempfile.TemporaryDirectory(prefix="maskkit-bench-") as tmp:
        start = time.perf_counter()
        annotations, images = write_coco(Path(tmp), args.images, args.size)
        print(f"wrote {args.images} {args.size}x{args.size} PNGs + COCO file in {time.perf_counter() - start:.1f}s")
        start = time.perf_counter()
        dataset = maskkit.datasets.create("coco", annotations=str(annotations), images=str(images))
        print(f"loaded the coco dataset in {time.perf_counter() - start:.1f}s")
        speeds = {}
        for workers in (1, 2):
            report = check_data(dataset, workers=workers, progress=False)
            speeds[workers] = report.images_per_second
            print(f"workers={workers}: {report.scanned} images in {report.seconds:.2f}s = "
                  f"{report.images_per_second:.0f} images/s, findings {dict(Counter(f.code for f in report.findings))}")
        print(f"ratio workers=2 / workers=1: {speeds[2] / speeds[1]:.2f} (cores {os.cpu_count()}, load average "
              f"{os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
