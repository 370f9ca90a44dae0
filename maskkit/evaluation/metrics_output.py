"""Writing evaluation output: metrics and COCO results as JSON (atomically) and metrics as a terminal table.

A metrics dict is what ``evaluate_coco`` returns, optionally with ``evaluate_map``'s dict under
``"reference"``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from maskkit.evaluation.coco_eval import IOU_TYPES, STAT_NAMES
from maskkit.atomic_files import atomic_write_text


def to_builtin(value: Any) -> Any:
    """JSON fallback for numpy scalars and arrays.

    Args:
        value: what ``json.dumps`` cannot serialise itself.

    Returns:
        The Python scalar or nested list; anything else raises TypeError.
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def write_metrics_json(path: str | os.PathLike, metrics: dict[str, Any]) -> None:
    """Write ``metrics`` as indented JSON; a reader never sees half a file.

    Args:
        path: the JSON file to write.
        metrics: a metrics dict (module docstring).
    """
    atomic_write_text(path, json.dumps(metrics, indent=2, default=to_builtin) + "\n")


def write_results_json(path: str | os.PathLike, coco_results: list[dict[str, Any]]) -> None:
    """Write COCO results (``detections_to_coco_results``) as the JSON list COCO.loadRes reads.

    Args:
        path: the JSON file to write (atomically).
        coco_results: the result dicts.
    """
    atomic_write_text(path, json.dumps(coco_results, default=to_builtin) + "\n")


def format_value(value: float) -> str:
    """Three decimals; COCOeval's -1 (no ground truth in that bucket) shows as '-'.

    Args:
        value: a COCO number in [0, 1], or -1.
    """
    return "-" if value < 0 else f"{value:.3f}"


def format_metrics_table(metrics: dict[str, Any]) -> str:
    """The 12 COCO numbers per iou type, per-category AP and the reference mAP as aligned text.

    Args:
        metrics: a metrics dict (module docstring); iou types or a reference it lacks are left out.
    """
    iou_types = [t for t in IOU_TYPES if t in metrics]
    lines: list[str] = []
    if iou_types:
        lines.append(f"COCO evaluation: {metrics.get('num_images', '?')} images, "
                     f"{metrics.get('num_detections', '?')} detections")
        lines.append(f"{'metric':<8}" + "".join(f"{t:>10}" for t in iou_types))
        for name in STAT_NAMES:
            lines.append(f"{name:<8}" + "".join(f"{format_value(metrics[t]['stats'][name]):>10}"
                                                  for t in iou_types))
        rows = {t: metrics[t]["per_category"] for t in iou_types}
        first = rows[iou_types[0]]
        if first:
            width = max(len(f"{r['name']} ({r['category_id']})") for r in first) + 2
            lines.append("")
            lines.append(f"{'category':<{width}}" + "".join(f"{t + ' AP':>10}{t + ' AP50':>12}" for t in iou_types))
            for k, row in enumerate(first):
                label = f"{row['name']} ({row['category_id']})"
                lines.append(f"{label:<{width}}" + "".join(
                    f"{format_value(rows[t][k]['AP']):>10}{format_value(rows[t][k]['AP50']):>12}"
                    for t in iou_types))
    reference = metrics.get("reference")
    if reference:
        if lines:
            lines.append("")
        lines.append(f"Reference mAP (matterport compute_ap, {len(reference['per_image'])} images)")
        lines.append(f"{'mAP@' + format(reference['iou_threshold'], 'g'):<14}{reference['mAP']:>8.3f}")
        lines.append(f"{'mAP@0.5:0.95':<14}{reference['mAP_50_95']:>8.3f}")
    return "\n".join(lines)
