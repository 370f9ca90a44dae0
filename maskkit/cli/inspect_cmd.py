"""``maskkit inspect``: the seed's inspect_data walk-through for any registered dataset."""

from __future__ import annotations

import json

import click

from maskkit.cli.options import build_config, config_options, dataset_args


@click.command("inspect")
@click.argument("dataset_name", metavar="DATASET")
@click.option("--data", "data_items", multiple=True, metavar="KEY=VALUE",
              help="Argument of the dataset factory (value parsed as YAML); repeatable.")
@config_options
@click.option("--augment", default=None, metavar="NAMES",
              help="Augmenters shown in the mini-mask picture, e.g. fliplr,rot90 (default fliplr).")
@click.option("--seed", default=0, show_default=True, help="Seed for sampling images and augmentation.")
@click.option("--count", default=4, show_default=True, help="How many images to sample.")
@click.option("--out", "out_dir", default="inspect", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the PNG pictures.")
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def inspect_cmd(dataset_name: str, data_items: tuple[str, ...], preset: str | None, config_path: str | None,
                overrides: tuple[str, ...], augment: str | None, seed: int, count: int, out_dir: str,
                as_json: bool) -> None:
    """Print dataset, anchor and target statistics and write pictures of each step.

    Counts of images and classes, anchors per pyramid level, and for COUNT sampled images their
    positive/negative/neutral anchors and ROI classes; PNGs of masks, boxes, the resized image,
    mini masks before/after augmentation, centre-cell anchors, positive and negative anchors.
    """
    import maskkit
    from maskkit.data.walkthrough import format_inspection, run_inspection

    dataset = maskkit.datasets.create(dataset_name, **dataset_args(data_items))
    config = build_config(config_path, overrides, preset, dataset_name, dataset)
    stats = run_inspection(dataset, config, out_dir, seed=seed, count=count, augmenters=augment)
    click.echo(json.dumps(stats, indent=2, default=str) if as_json else format_inspection(stats))

