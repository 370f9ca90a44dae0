"""The report's index.html: the gallery first, drawn by a small vanilla script (assets/report.js) from
the JSON embedded in the page, then static tables and SVG charts written here. Nothing loads from the
network."""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any, Sequence

from maskkit.evaluation.coco_eval import STAT_NAMES
from maskkit.evaluation.metrics_output import format_value
from maskkit.report.svg_chart import PALETTE, line_chart

KEY_CONFIG_FIELDS = ("NAME", "BACKBONE", "NUM_CLASSES", "IMAGE_MIN_DIM", "IMAGE_MAX_DIM", "IMAGE_RESIZE_MODE",
                     "DETECTION_MIN_CONFIDENCE", "DETECTION_MAX_INSTANCES", "LEARNING_RATE", "STEPS_PER_EPOCH")


def esc(value: Any) -> str:
    """``value`` as text safe inside HTML."""
    return html.escape(str(value))


def asset(name: str) -> str:
    """Text of a file shipped in maskkit/report/assets.

    Args:
        name: the file's name, e.g. ``report.css``.
    """
    return resources.files("maskkit.report").joinpath("assets", name).read_text(encoding="utf-8")


def run_section(run: dict[str, Any]) -> str:
    """Checkpoint, dataset, date, classes and the config (key fields first, all of it folded).

    Args:
        run: the run description ``write_report`` assembles (date, class names, image count included).
    """
    config = run.get("config") or {}
    rows = [("checkpoint", run.get("checkpoint") or "—"), ("epoch", run.get("epoch", "—")),
            ("dataset", run.get("dataset") or "—"), ("images evaluated", run.get("num_images", "—")),
            ("date", run.get("date", "—")), ("classes", ", ".join(run.get("class_names") or []) or "—")]
    rows.append(("config", ", ".join(f"{name}={config[name]}" for name in KEY_CONFIG_FIELDS if name in config)))
    full = "".join(f"<tr><th>{esc(k)}</th><td>{esc(json.dumps(v))}</td></tr>" for k, v in sorted(config.items()))
    table = "".join(f'<tr><th>{esc(k)}</th><td id="run-{esc(k.replace(" ", "-"))}">{esc(v)}</td></tr>'
                    for k, v in rows)
    folded = f"<details><summary>full config</summary><table class='config'>{full}</table></details>" if config else ""
    return f'<section id="run"><h2>Run</h2><table class="kv">{table}</table>{folded}</section>'


def loss_section(series: Sequence[tuple[str, dict[int, float], dict[int, float]]]) -> str:
    """One chart per scalar of the run's history (losses, validation metrics): train and val against
    absolute epoch; a history of one epoch is a table of its numbers, not dots on empty charts.

    Args:
        series: ``loss_series`` of the run's history: (name, train {epoch: value}, val {epoch: value}).
    """
    if not series:
        return ""
    epochs = sorted({epoch for _, train, val in series for epoch in (*train, *val)})
    if len(epochs) == 1:
        return history_numbers(series, epochs[0])
    charts = []
    for name, train, val in series:
        lines = [{"name": label, "x": sorted(values), "y": [values[e] for e in sorted(values)], "dash": dash,
                  "color": color} for label, values, dash, color in (("train", train, False, PALETTE[0]),
                                                                    ("val", val, True, PALETTE[1])) if values]
        charts.append(line_chart(lines, title=name, x_label="epoch", y_label="loss" if "loss" in name else "value",
                                 integer_x=True))
    return f'<section id="losses"><h2>Training history</h2><div class="charts">{"".join(charts)}</div></section>'


def history_numbers(series: Sequence[tuple[str, dict[int, float], dict[int, float]]], epoch: int) -> str:
    """The scalars of a one-epoch run as a table: name, train, val.

    Args:
        series: as for ``loss_section``.
        epoch: the one epoch.
    """
    def cell(values: dict[int, float], key: str) -> str:
        return f'<td id="history-{key}">{values[epoch]:.4g}</td>' if epoch in values else "<td>—</td>"

    rows = "".join(f"<tr><th>{esc(name)}</th>{cell(train, esc(name))}{cell(val, 'val_' + esc(name))}</tr>"
                   for name, train, val in series)
    return (f'<section id="losses"><h2>Training history (epoch {epoch}, the only one)</h2>'
            f'<table class="numbers history"><tr><th>scalar</th><th>train</th><th>val</th></tr>{rows}</table>'
            f"</section>")


def metrics_section(stats: dict[str, dict[str, float]]) -> str:
    """The 12 COCO numbers as rows, one column per iou type.

    Args:
        stats: iou type -> {stat name: value} (``cocoeval_runs.stats``).
    """
    types = list(stats)
    head = "".join(f"<th>{esc(t)}</th>" for t in types)
    body = "".join(f"<tr><th>{name}</th>" + "".join(f'<td id="stat-{t}-{name}">{format_value(stats[t][name])}</td>'
                                                   for t in types) + "</tr>" for name in STAT_NAMES)
    return (f'<section id="metrics"><h2>COCO metrics</h2><table class="numbers"><tr><th>metric</th>{head}</tr>'
            f"{body}</table><p class='note'>- : no ground truth in that bucket (COCOeval's -1).</p></section>")


def per_class_section(tables: dict[str, list[dict[str, Any]]]) -> str:
    """AP, AP50, AP75 per class and iou type.

    Args:
        tables: iou type -> ``per_category_ap`` rows, all in the same category order.
    """
    types = list(tables)
    head = "".join(f"<th>{t} {m}</th>" for t in types for m in ("AP", "AP50", "AP75"))
    rows = []
    for k, row in enumerate(tables[types[0]]):
        cells = "".join(f'<td id="class-{t}-{m}-{k}">{format_value(tables[t][k][m])}</td>'
                        for t in types for m in ("AP", "AP50", "AP75"))
        rows.append(f"<tr><th>{esc(row['name'])}</th>{cells}</tr>")
    return (f'<section id="per-class"><h2>Per class</h2><table class="numbers"><tr><th>class</th>{head}</tr>'
            f'{"".join(rows)}</table></section>')


def pr_section(curves: dict[str, dict[int, dict[float, list[float]]]], names: dict[int, str],
               rec_thrs: Sequence[float]) -> str:
    """Precision-recall curves per class at IoU 0.5 and 0.75, one chart per class and iou type.

    Args:
        curves: iou type -> ``pr_curves``.
        names: category id -> class name.
        rec_thrs: the recall points of the curves.
    """
    charts = []
    for iou_type, per_class in curves.items():
        for cat_id, by_iou in per_class.items():
            lines = [pr_line(f"IoU {iou:g}", rec_thrs, precision, dash=k > 0)
                     for k, (iou, precision) in enumerate(by_iou.items()) if precision]
            title = f"{names[cat_id]} · {iou_type}" + ("" if lines else " (no ground truth)")
            charts.append(line_chart(lines, title=title, x_label="recall", y_label="precision",
                                     x_range=(0, 1), y_range=(0, 1), width=260, height=200, legend="bottom-left"))
    return f'<section id="pr"><h2>Precision–recall</h2><div class="charts">{"".join(charts)}</div></section>'


def pr_line(name: str, recall: Sequence[float], precision: Sequence[float], dash: bool) -> dict[str, Any]:
    """A PR series ending at the highest recall reached (COCO pads precision with 0 beyond it).

    Args:
        name: the series' legend text.
        recall: the recall points.
        precision: the precision at each recall point.
        dash: draw the line dashed.
    """
    reached = max((k for k, p in enumerate(precision) if p > 0), default=0) + 1
    return {"name": name, "x": list(recall[:reached]), "y": list(precision[:reached]), "dash": dash}


def confusion_section(confusion: dict[str, Any]) -> str:
    """Truth rows against predicted columns, shaded by the share of each row.

    Args:
        confusion: a ``confusion_matrix`` dict.
    """
    labels, matrix = confusion["labels"], confusion["matrix"]
    head = "".join(f"<th class='rot'><span>{esc(label)}</span></th>" for label in labels)
    rows = []
    for i, (label, row) in enumerate(zip(labels, matrix)):
        total = sum(row) or 1
        cells = "".join(f'<td id="cm-{i}-{j}" style="background:rgba(31,119,180,{0.85 * n / total:.2f})">{n}</td>'
                        for j, n in enumerate(row))
        rows.append(f"<tr><th>{esc(label)}</th>{cells}</tr>")
    note = (f"{confusion['iou_type']} IoU ≥ {confusion['iou_threshold']:g}, detections with score ≥ "
            f"{confusion['score_threshold']:g}, matched regardless of class. Rows: ground truth; columns: "
            f"prediction. Background row: detections that matched nothing; background column: missed instances.")
    return (f'<section id="confusion"><h2>Confusion matrix</h2><table class="numbers confusion">'
            f'<tr><th>truth \\ predicted</th>{head}</tr>{"".join(rows)}</table><p class="note">{esc(note)}</p></section>')


def gallery_section(class_names: Sequence[str], score_threshold: float, root: str = "") -> str:
    """Controls (class, score, labels, boxes, pages) and the empty gallery the script fills.

    Args:
        class_names: the class filter's options, by class index.
        score_threshold: the score slider's start.
        root: the folder the captions' paths are relative to; "" when they are not paths.
    """
    options = "".join(f'<option value="{k}">{esc(name)}</option>' for k, name in enumerate(class_names))
    where = f' Paths are relative to <code id="gallery-root">{esc(root)}</code>.' if root else ""
    return (f'<section id="gallery-section"><h2>Images, worst first</h2><div class="controls">'
            f'<label>class <select id="class-filter"><option value="-1">all classes</option>{options}</select></label>'
            f'<label>score ≥ <input id="score-slider" type="range" min="0" max="1" step="0.01" '
            f'value="{score_threshold:.2f}"> <output id="score-value">{score_threshold:.2f}</output></label>'
            f'<label><input id="show-labels" type="checkbox" checked> labels</label>'
            f'<label><input id="show-boxes" type="checkbox" checked> boxes</label>'
            f'<button id="prev-page" type="button">◀ prev</button><span id="page-info"></span>'
            f'<button id="next-page" type="button">next ▶</button></div>'
            f'<p class="note">Sorted by per-image mask AP (0.5:0.95, mean over the classes present), worst first. '
            f'Dashed predictions matched no ground truth of their class at mask IoU 0.5. Click an image to see it '
            f'large (Esc closes); untick labels and boxes to see the masks only.{where}</p>'
            f'<p id="gallery-status" class="note"></p><div id="gallery"></div></section>'
            f'<div id="lightbox" hidden><button id="lightbox-close" type="button" aria-label="close">×</button>'
            f'<div id="lightbox-body"></div></div>')


def render_page(*, title: str, run: dict[str, Any], history_series: Sequence, stats: dict, tables: dict,
                curves: dict, category_names: dict[int, str], rec_thrs: Sequence[float], confusion: dict,
                gallery: dict[str, Any]) -> str:
    """The whole page as one string: the gallery first (the images are what a reader came for), then
    the run, the numbers and the charts.

    Args:
        title: the page's title and heading.
        run: the run description (``run_section``).
        history_series: ``loss_series`` of the run's history; empty for none.
        stats: iou type -> the 12 COCO numbers by name.
        tables: iou type -> ``per_category_ap`` rows.
        curves: iou type -> ``pr_curves``.
        category_names: category id -> class name.
        rec_thrs: the recall points of the curves.
        confusion: a ``confusion_matrix`` dict.
        gallery: the data assets/report.js draws the gallery from: ``classes``, ``score``, ``pageSize``,
            ``root`` and ``images`` (the records of ``write_gallery``).
    """
    data = json.dumps(gallery, separators=(",", ":")).replace("</", "<\\/")
    losses_link = '<a href="#losses">losses</a>' if history_series else ""
    summary = run_section(run) + metrics_section(stats) + per_class_section(tables)
    body = "".join([gallery_section(gallery["classes"], gallery["score"], gallery.get("root", "")),
                    f'<div class="row">{summary}</div>', loss_section(history_series),
                    pr_section(curves, category_names, rec_thrs), confusion_section(confusion)])
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<style>{asset("report.css")}</style></head><body><header><h1>{esc(title)}</h1>'
            f'<nav><a href="#gallery-section">images</a><a href="#run">run</a><a href="#metrics">metrics</a>'
            f'<a href="#per-class">per class</a>{losses_link}<a href="#pr">PR curves</a>'
            f'<a href="#confusion">confusion</a></nav></header><main>{body}</main>'
            f'<script id="report-data" type="application/json">{data}</script>'
            f'<script>{asset("report.js")}</script></body></html>\n')
