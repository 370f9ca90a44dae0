"""write_report: evaluate detections on a dataset and write the browsable report folder.

DIR/index.html holds the run, losses, COCO numbers, per-class AP, PR curves, the confusion matrix
and the gallery's data; DIR/thumbs/ holds one JPEG per image, loaded lazily by the page.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from maskkit.dataset import Dataset
from maskkit.evaluation.coco_eval import IOU_TYPES, check_mask_sizes, load_results, per_category_ap
from maskkit.evaluation.coco_format import coco_image_ids, detections_to_coco_results, evaluation_ground_truth
from maskkit.evaluation.cocoeval_run import run_cocoeval
from maskkit.atomic_files import atomic_write_text
from maskkit.report.cocoeval_runs import pr_curves, stats
from maskkit.report.confusion import confusion_matrix
from maskkit.report.gallery import relative_names, write_gallery
from maskkit.report.page import render_page
from maskkit.report.per_image import matched_detection_ids, per_image_ap
from maskkit.report.run_history import loss_series, read_history

PAGE_SIZE = 24


def write_report(out_dir: str | os.PathLike, dataset: Dataset, image_ids: Sequence[int],
                 results: Sequence[dict[str, np.ndarray]], *, run: dict[str, Any] | None = None,
                 run_dir: str | os.PathLike | None = None, score_threshold: float = 0.5,
                 title: str | None = None, detections: list[dict[str, Any]] | None = None) -> Path:
    """Write ``out_dir/index.html`` (and ``thumbs/``) for ``results`` (detect outputs aligned with
    ``image_ids``) on ``dataset``; returns the page's path.

    Args:
        out_dir: the report folder, created if missing.
        dataset: the prepared dataset holding the images and ground truth.
        image_ids: internal ids of the evaluated images.
        results: one detect result per image id (not read when ``detections`` is given).
        run: describes the run (checkpoint, dataset, config, class names...); None for the basics only.
        run_dir: a run folder whose TensorBoard history becomes loss curves; None for none.
        score_threshold: the gallery slider's start and the confusion matrix's cut.
        title: the page's title; default "maskkit evaluation — <dataset name>".
        detections: ``detections_to_coco_results`` of ``results``, when already computed.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    image_ids = [int(i) for i in image_ids]
    coco_gt = evaluation_ground_truth(dataset, image_ids)  # a COCO file's own annotations, as evaluate_coco
    if detections is None:
        detections = detections_to_coco_results(dataset, image_ids, results)
    check_mask_sizes(coco_gt, detections)
    coco_dt = load_results(coco_gt, detections)
    evals = {iou_type: run_cocoeval(coco_gt, coco_dt, iou_type) for iou_type in IOU_TYPES}
    per_image = per_image_ap(evals["segm"])
    id_map = coco_image_ids(dataset)
    coco_ids = [id_map[i] for i in image_ids]
    records = write_gallery(out, dataset, image_ids, coco_ids, coco_gt, coco_dt,
                            matched_detection_ids(evals["segm"], 0.5))
    for record in records:
        record["ap"], record["ap50"] = per_image[record["id"]]["AP"], per_image[record["id"]]["AP50"]
    records.sort(key=lambda r: (r["ap"] is None, r["ap"] if r["ap"] is not None else 0.0, r["ap50"] or 0.0))
    root, captions = relative_names([record["name"] for record in records])
    for record, caption in zip(records, captions):
        record["name"] = caption
    cat_ids = sorted(coco_gt.getCatIds())
    names = {cat_id: coco_gt.cats[cat_id]["name"] for cat_id in cat_ids}
    run = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
           "class_names": [names[c] for c in cat_ids], "dataset": dataset.name, **(run or {}),
           "num_images": len(image_ids)}
    page = render_page(
        title=title or f"maskkit evaluation — {run.get('dataset') or dataset.name}",
        run=run, history_series=loss_series(read_history(run_dir)) if run_dir else [],
        stats={t: stats(e) for t, e in evals.items()},
        tables={t: per_category_ap(e, coco_gt) for t, e in evals.items()},
        curves={t: pr_curves(e) for t, e in evals.items()}, category_names=names,
        rec_thrs=[round(float(r), 2) for r in evals["segm"].params.recThrs],
        confusion=confusion_matrix(coco_gt, coco_dt, "segm", 0.5, score_threshold),
        gallery={"classes": [names[c] for c in cat_ids], "score": score_threshold, "pageSize": PAGE_SIZE,
                 "root": root, "images": records})
    path = out / "index.html"
    atomic_write_text(path, page)
    return path
