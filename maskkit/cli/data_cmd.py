"""``maskkit data check``: scan a registered dataset for problems before training."""

from __future__ import annotations

import click


@click.group("data")
def data() -> None:
    """Check a dataset for problems before training."""


@data.command("check")
@click.argument("dataset_name", metavar="DATASET")
@click.option("--set", "--data", "dataset_settings", multiple=True, metavar="KEY=VALUE",
              help="Argument of the dataset's factory (value parsed as YAML), e.g. --set annotations=train.json; "
                   "repeatable. --data is the same option, as in the other commands.")
@click.option("--limit", type=click.IntRange(min=1), help="Check only the first N images.")
@click.option("--workers", type=click.IntRange(min=1), help="Reader threads (default: one per core, at most 8).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of a table.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Also write data_check.json and the mask-area histogram mask_areas.png here.")
@click.option("--tiny-mask", "tiny_mask_pixels", type=click.IntRange(min=1), default=16, show_default=True,
              help="Masks with fewer pixels are reported as tiny.")
@click.option("--large-image", "large_image_pixels", type=click.IntRange(min=1), default=4096 * 4096,
              show_default=True, help="Images with more pixels are reported as very large.")
@click.option("--duplicate-iou", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True,
              help="Instance pairs of one image whose masks overlap with a higher IoU are reported as duplicates.")
@click.option("--max-instances", type=click.IntRange(min=1), default=None,
              help="Report images with more instances (default: MAX_GT_INSTANCES of --preset/--config).")
@click.option("--preset", default=None, metavar="NAME", help="The config whose MAX_GT_INSTANCES applies.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Config file whose MAX_GT_INSTANCES applies.")
@click.option("--no-progress", is_flag=True, help="Do not draw the progress bar.")
def check(dataset_name: str, dataset_settings: tuple[str, ...], limit: int | None, workers: int | None,
          as_json: bool, out_dir: str | None, tiny_mask_pixels: int, large_image_pixels: int,
          duplicate_iou: float, max_instances: int | None, preset: str | None, config_path: str | None,
          no_progress: bool) -> None:
    """Scan DATASET (any registered dataset) and report problems; exit code 1 only if there are errors.

    Reports unreadable images, images without instances, empty or tiny masks, masks whose size
    differs from the image, class ids out of range, unused classes, annotations with unknown
    classes, duplicate images, duplicate (overlapping) instances, images with more instances than
    MAX_GT_INSTANCES, very large images, grayscale/alpha files and per-class counts.
    """
    import sys

    import maskkit
    from maskkit.cli.options import build_config, dataset_args
    from maskkit.data_check import check_data

    if max_instances is None:
        max_instances = build_config(config_path, (), preset, dataset_name).MAX_GT_INSTANCES
    dataset = maskkit.datasets.create(dataset_name, **dataset_args(dataset_settings))
    report = check_data(dataset, limit=limit, workers=workers, progress=not no_progress and sys.stderr.isatty(),
                        large_image_pixels=large_image_pixels, tiny_mask_pixels=tiny_mask_pixels,
                        duplicate_iou=duplicate_iou, max_instances=max_instances)
    report.dataset = dataset_name
    written = report.write(out_dir) if out_dir else {}
    if as_json:
        click.echo(report.to_json())
    else:
        click.echo(report.format_table())
        for what, path in written.items():
            click.echo(f"wrote {what}: {path}")
    if report.has_errors:
        click.get_current_context().exit(1)
