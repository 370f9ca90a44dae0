"""Benchmark the data check's duplicate-instance search against the mask-area count it sits beside.

Run: python bench/bench_duplicates.py [--size 1024] [--instances 100] [--repeat 3]
Draws ``instances`` random 120x120 boxes (one an exact copy of another) on a size x size image and
times, in one process, ``duplicate_pairs`` against counting each mask's pixels (which the check does
anyway) and against the brute-force pairwise IoU by one float matrix product.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def best_of(repeat: int, func) -> tuple[float, object]:
    """The fastest of ``repeat`` runs of ``func`` (seconds) and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from maskkit.data_check.scan import duplicate_pairs

    rng = np.random.default_rng(0)
    masks = np.zeros((args.size, args.size, args.instances), dtype=bool)
    for k in range(args.instances):
        y, x = rng.integers(0, args.size - 120, size=2)
        masks[y:y + 120, x:x + 120, k] = True
    masks[:, :, args.instances // 2] = masks[:, :, 1]
    flat = masks.reshape(-1, args.instances)
    areas = np.count_nonzero(flat, axis=0)

    def brute_force() -> np.ndarray:
        dense = flat.astype(np.float32)
        inter = dense.T @ dense
        return inter / (areas[:, None] + areas[None, :] - inter)

    area_s, _ = best_of(args.repeat, lambda: np.count_nonzero(flat, axis=0))
    dup_s, (pairs, _) = best_of(args.repeat, lambda: duplicate_pairs(masks, areas, 0.5))
    brute_s, iou = best_of(args.repeat, brute_force)
    expected = int(np.count_nonzero(np.triu(iou > 0.5, k=1)))
    print(f"{args.size}x{args.size}, {args.instances} instances: {len(pairs)} pairs with IoU > 0.5 "
          f"(brute force: {expected})")
    print(f"mask-area count {area_s * 1000:.0f} ms, duplicate_pairs {dup_s * 1000:.0f} ms, "
          f"brute-force matmul {brute_s * 1000:.0f} ms")
    print(f"ratio duplicate_pairs / area count: {dup_s / area_s:.2f}; brute force / duplicate_pairs: "
          f"{brute_s / dup_s:.1f} (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
