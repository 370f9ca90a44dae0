"""Writes a tiny VIA-annotated dataset (PNG images + via_region_data.json) for tests of the ``via`` plugin."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from maskkit.imageio import write_image_rgb

#: Base colour of each class (jittered per instance), so a model can tell classes apart.
PALETTE = np.array([[200, 60, 60], [60, 90, 210], [60, 190, 80], [220, 200, 50]])


def random_polygon(rng: np.random.Generator, cx: float, cy: float, radius: float) -> tuple[list[int], list[int]]:
    """A star-shaped (never self-intersecting) polygon of 3-6 vertices around (cx, cy)."""
    count = int(rng.integers(3, 7))
    angles = np.sort(rng.uniform(0.0, 2.0 * np.pi, size=count))
    radii = rng.uniform(0.6 * radius, radius, size=count)
    xs = np.rint(cx + radii * np.cos(angles)).astype(int)
    ys = np.rint(cy + radii * np.sin(angles)).astype(int)
    return xs.tolist(), ys.tolist()


def make_via_dataset(root: str | os.PathLike, n_images: int = 4, size: int = 64,
                     classes: tuple[str, ...] = ("balloon", "kite"), seed: int = 0) -> Path:
    """Write ``root/train`` and ``root/val`` with ``n_images`` each: one or two filled polygons per
    image, one per half so they never overlap, classes cycling over the images. ``train`` stores
    regions as a list and ``val`` as a dict keyed "0", "1", ... (VIA wrote both). Returns ``root``."""
    import cv2

    root = Path(root)
    rng = np.random.default_rng(seed)
    for subset, as_dict in (("train", False), ("val", True)):
        folder = root / subset
        folder.mkdir(parents=True, exist_ok=True)
        annotations = {}
        for i in range(n_images):
            image = rng.integers(0, 40, size=(size, size, 3)).astype(np.uint8)
            regions = []
            for half in range(2 if i == 0 else 1 + int(rng.integers(2))):
                class_index = (i + half) % len(classes)
                xs, ys = random_polygon(rng, size * (0.25 + 0.5 * half), size * rng.uniform(0.3, 0.7), size * 0.22)
                colour = PALETTE[class_index % len(PALETTE)] + rng.integers(-20, 21, size=3)
                cv2.fillPoly(image, [np.stack([xs, ys], axis=1).astype(np.int32)], colour.tolist())
                regions.append({"shape_attributes": {"name": "polygon", "all_points_x": xs, "all_points_y": ys},
                                "region_attributes": {"name": classes[class_index]}})
            filename = f"{subset}_{i:03d}.png"
            write_image_rgb(folder / filename, image)
            entry_regions = {str(k): r for k, r in enumerate(regions)} if as_dict else regions
            file_size = (folder / filename).stat().st_size
            annotations[f"{filename}{file_size}"] = {"filename": filename, "size": file_size,
                                                     "regions": entry_regions, "file_attributes": {}}
        (folder / "via_region_data.json").write_text(json.dumps(annotations, indent=1), encoding="utf-8")
    return root
