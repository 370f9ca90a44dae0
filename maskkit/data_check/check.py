"""``check_data``: scan a dataset's images in parallel and collect every finding into a DataReport."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Iterator

import numpy as np

from maskkit.data_check.dataset_level import annotation_findings, class_findings, structure_findings
from maskkit.data_check.findings import Finding
from maskkit.data_check.findings_report import DataReport
from maskkit.data_check.scan import (DUPLICATE_IOU, LARGE_IMAGE_PIXELS, TINY_MASK_PIXELS, ImageScan, Limits,
                                    scan_image)
from maskkit.dataset import Dataset

CHUNK = 64


def default_workers() -> int:
    """Reader threads when none are asked for: one per CPU core, at most 8."""
    return max(1, min(8, os.cpu_count() or 1))


def check_data(dataset: Dataset, *, limit: int | None = None, workers: int | None = None, progress: bool = True,
               large_image_pixels: int = LARGE_IMAGE_PIXELS, tiny_mask_pixels: int = TINY_MASK_PIXELS,
               duplicate_iou: float = DUPLICATE_IOU, max_instances: int | None = None) -> DataReport:
    """Scan the first ``limit`` images (all by default) with ``workers`` threads and report what is wrong.

    Pairs of instances with mask IoU above ``duplicate_iou`` are reported as likely duplicates, and
    images with more than ``max_instances`` instances (pass the config's MAX_GT_INSTANCES) as too full.

    Files are decoded by OpenCV, which releases the GIL, so threads read in parallel. ``progress``
    shows a bar on stderr. Duplicate image checks always cover every image; the unused-class check
    counts the scanned ones.

    Args:
        dataset: the Dataset to check; prepared first if it is not.
        limit: scan only the first ``limit`` images; None scans all.
        workers: reader threads; None means default_workers().
        progress: show a progress bar on stderr.
        large_image_pixels: images with more pixels get ``large-image``.
        tiny_mask_pixels: masks with fewer pixels get ``tiny-mask``.
        duplicate_iou: instance pairs with a higher mask IoU get ``duplicate-instances``.
        max_instances: images with more instances get ``too-many-instances``; None for no limit.
    """
    if not dataset.is_prepared:
        dataset.prepare()
    limits = Limits(large_image_pixels=large_image_pixels, tiny_mask_pixels=tiny_mask_pixels,
                    duplicate_iou=duplicate_iou, max_instances=max_instances)
    count = len(dataset.image_info) if limit is None else min(int(limit), len(dataset.image_info))
    workers = default_workers() if workers is None else max(1, int(workers))
    start = time.perf_counter()
    scans = scan_all(dataset, count, workers, limits, progress)
    seconds = time.perf_counter() - start
    instances = np.zeros(dataset.num_classes, dtype=np.int64)
    crowds = np.zeros(dataset.num_classes, dtype=np.int64)
    findings: list[Finding] = structure_findings(dataset) + annotation_findings(dataset)
    for scan in scans:
        findings.extend(scan.findings)
        ids = scan.class_ids
        np.add.at(instances, ids[ids > 0], 1)
        np.add.at(crowds, -ids[ids < 0], 1)
    findings.extend(class_findings(dataset, instances + crowds, count))
    areas = [scan.areas for scan in scans]
    return DataReport(
        dataset=dataset.name, num_images=len(dataset.image_info), scanned=count,
        class_names=list(dataset.class_names), instances=instances.tolist(), crowds=crowds.tolist(),
        findings=findings, mask_areas=np.concatenate(areas) if areas else np.zeros(0, dtype=np.int64),
        image_sizes=[(s.height, s.width) for s in scans if s.height is not None],
        seconds=seconds, workers=workers)


def scan_all(dataset: Dataset, count: int, workers: int, limits: Limits, progress: bool) -> list[ImageScan]:
    """Scan images 0..count-1, in chunks spread over a thread pool; results in image order.

    Args:
        dataset: the prepared Dataset.
        count: how many images to scan, from image 0.
        workers: threads; 1 scans in this thread.
        limits: the warnings' thresholds.
        progress: show a progress bar on stderr.
    """
    chunks = [range(i, min(i + CHUNK, count)) for i in range(0, count, CHUNK)]

    def scan_chunk(ids: range) -> list[ImageScan]:
        return [scan_image(dataset, image_id, limits) for image_id in ids]

    scans: list[ImageScan] = []
    with progress_bar(count, progress) as advance:
        if workers == 1:
            for ids in chunks:
                scans.extend(scan_chunk(ids))
                advance(len(ids))
            return scans
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="maskkit-data-check") as pool:
            futures = {pool.submit(scan_chunk, ids): ids for ids in chunks}
            for future in as_completed(futures):
                scans.extend(future.result())
                advance(len(futures[future]))
    return sorted(scans, key=lambda scan: scan.image_id)


@contextlib.contextmanager
def progress_bar(total: int, enabled: bool) -> Iterator:
    """Yield ``advance(n)``; draws a click progress bar on stderr when enabled.

    Args:
        total: the bar's length (items to process); 0 draws no bar.
        enabled: draw the bar; False yields an ``advance`` that does nothing.
    """
    if not enabled or total == 0:
        yield lambda n: None
        return
    import click

    with click.progressbar(length=total, label="checking images", file=sys.stderr) as bar:
        yield bar.update
