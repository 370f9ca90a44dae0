"""``maskkit evaluate``: COCO bbox/segm metrics and mAP@0.5 of a checkpoint on a dataset."""

from __future__ import annotations

from pathlib import Path

import click

from maskkit.cli.options import checkpoint_options, dataset_args


@click.command("evaluate")
@checkpoint_options("Dataset to evaluate on (default: the validation split stored with the checkpoint).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Evaluate the first N images only.")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Write metrics.json and results.json (COCO results format) here.")
@click.option("--report", "report_dir", default=None, type=click.Path(file_okay=False),
              help="Write a browsable HTML report (index.html, thumbs/) here.")
def evaluate(weights: str, dataset_name: str | None, data_items: tuple[str, ...], overrides: tuple[str, ...],
             limit: int | None, out_dir: str | None, report_dir: str | None) -> None:
    """Print the 12 COCO numbers for bbox and segm and mAP@0.5; optionally write them as JSON."""
    from maskkit.config_files import parse_overrides
    from maskkit.evaluation import format_metrics_table, write_metrics_json, write_results_json
    from maskkit.output_paths import check_writable_dir
    from maskkit.pipeline import Pipeline

    if out_dir:
        check_writable_dir(out_dir, "--out folder")
    if report_dir:
        check_writable_dir(report_dir, "--report folder")
    pipe = Pipeline.from_checkpoint(weights, dataset=dataset_name,
                                    dataset_args=dataset_args(data_items) if dataset_name else None,
                                    overrides=parse_overrides(overrides))
    metrics = pipe.evaluate(limit=limit, report=report_dir)
    coco_results = metrics.pop("coco_results")
    report_page = metrics.pop("report", None)
    click.echo(format_metrics_table(metrics))
    click.echo(f"mAP@0.5 (matterport compute_ap): {metrics['map50']:.4f}")
    if out_dir:
        out = Path(out_dir)
        write_metrics_json(out / "metrics.json", metrics)
        write_results_json(out / "results.json", coco_results)
        click.echo(f"wrote {out / 'metrics.json'} and {out / 'results.json'}")
    if report_page:
        click.echo(f"report: {report_page}")

