"""``maskkit data check`` scans a registered dataset for problems before training; ``maskkit data plan``
proposes a config from its annotations."""

from __future__ import annotations

import click

from maskkit.cli.options import config_options


@click.group("data")
def data() -> None:
    """Check a dataset for problems, or plan a config from it, before training."""


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

    Every split the dataset's factory builds (train, val, test; or the one --set subset=... names)
    is checked, and images shared between splits (identical or nearly) are reported.

    Reports unreadable images, images without instances, empty or tiny masks, masks whose size
    differs from the image, class ids out of range, unused classes, annotations with unknown
    classes, duplicate images, duplicate (overlapping) instances, images with more instances than
    MAX_GT_INSTANCES, very large images, grayscale/alpha files and per-class counts.
    """
    import sys

    from maskkit.cli.options import build_config, dataset_args
    from maskkit.data_check.splits import check_splits, dataset_splits
    from maskkit.output_paths import check_writable_dir

    if out_dir:
        check_writable_dir(out_dir, "--out folder")
    if max_instances is None:
        max_instances = build_config(config_path, (), preset, dataset_name).MAX_GT_INSTANCES
    splits = dataset_splits(dataset_name, dataset_args(dataset_settings))
    report = check_splits(splits, dataset_name, limit=limit, workers=workers,
                          progress=not no_progress and sys.stderr.isatty(), large_image_pixels=large_image_pixels,
                          tiny_mask_pixels=tiny_mask_pixels, duplicate_iou=duplicate_iou, max_instances=max_instances)
    written = report.write(out_dir) if out_dir else {}
    if as_json:
        click.echo(report.to_json())
    else:
        click.echo(report.format_table())
        for what, path in written.items():
            click.echo(f"wrote {what}: {path}")
    if report.has_errors:
        click.get_current_context().exit(1)


@data.command("plan")
@click.argument("dataset_name", metavar="DATASET")
@click.option("--data", "dataset_settings", multiple=True, metavar="KEY=VALUE",
              help="Argument of the dataset's factory (value parsed as YAML), e.g. --data annotations=train.json; "
                   "repeatable. subset=train is passed to factories that take it, as `maskkit train` does.")
@click.option("--out", "out_path", default="plan.yaml", show_default=True, type=click.Path(dir_okay=False),
              help="The config file to write: .yaml/.yml, .toml or .json.")
@config_options
def plan(dataset_name: str, dataset_settings: tuple[str, ...], out_path: str, preset: str | None,
         config_path: str | None, overrides: tuple[str, ...]) -> None:
    """Propose a config for DATASET from its annotations alone (no image is decoded) and write it to --out.

    Prints the dataset's statistics, the anchor coverage of the current config (--preset, --config,
    --set) beside the proposed one, and each proposed field with its reason: NUM_CLASSES, the image
    size, anchor scales and ratios, instance limits, sampling sizes, mini masks, backbone, batch and
    precision. Without --preset or --config it starts from the dataset's recommended preset, else
    from cpu on a machine without an NVIDIA GPU and default with one. Train with it:
    maskkit train --dataset DATASET --data ... --config FILE.
    """
    import shlex

    import maskkit
    from maskkit.cli.options import config_request, dataset_args
    from maskkit.config_assembly import dataset_plan, unnamed_preset
    from maskkit.output_paths import check_writable_file
    from maskkit.planning import format_plan, this_machine, write_plan

    check_writable_file(out_path, "--out file")
    machine = this_machine()
    if preset is None and config_path is None:
        preset = unnamed_preset(dataset_name, machine)
    request = config_request(config_path, overrides, preset)
    dataset = maskkit.datasets.create(dataset_name, **{"subset": "train", **dataset_args(dataset_settings)})
    result = dataset_plan(request, dataset_name, dataset, machine)
    train = " ".join(["maskkit train --dataset", shlex.quote(dataset_name),
                      *(f"--data {shlex.quote(item)}" for item in dataset_settings), "--config", shlex.quote(out_path)])
    written = write_plan(result, out_path, f"maskkit data plan {dataset_name}: edit, then {train}")
    click.echo(format_plan(result, dataset_name))
    click.echo(f"wrote {written}; train with:\n  {train}")
