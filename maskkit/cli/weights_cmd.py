"""``maskkit weights``: look inside and convert weights files without building a model."""

from __future__ import annotations

import json

import click


@click.group("weights")
def weights() -> None:
    """Inspect and convert weights files (native maskkit, matterport/Keras 2 HDF5)."""


@weights.command("inspect")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print layers, shapes and metadata as JSON.")
def inspect_file(path: str, as_json: bool) -> None:
    """List the layers, weight shapes and stored metadata (class names, config) of PATH.

    A checkpoint whose arrays no longer match its stored checksum is an error, as when loading it.
    """
    from maskkit.weights import format_inspection, inspect_weights, read_metadata
    from maskkit.weights.h5file import open_weights_file
    from maskkit.weights.native import verify_checksum

    with open_weights_file(path) as handle:
        verify_checksum(handle, path)
    layers = inspect_weights(path)
    metadata = read_metadata(path)
    if as_json:
        click.echo(json.dumps({
            "layers": [{"name": name, "weights": [{"name": w, "shape": list(shape), "dtype": str(dtype)}
                                                  for w, shape, dtype in entries]} for name, entries in layers],
            "metadata": metadata}, indent=2, default=str))
        return
    click.echo(format_inspection(layers))
    if metadata.get("class_names"):
        click.echo(f"class names: {', '.join(metadata['class_names'])}")
    if "epoch" in metadata:
        click.echo(f"epoch: {metadata['epoch']}")


@weights.command("convert")
@click.argument("src", type=click.Path(dir_okay=False))
@click.argument("dst", type=click.Path(dir_okay=False))
@click.option("--class-names", default=None, metavar="A,B,...",
              help="Class names (BG first) to store with the converted weights.")
def convert(src: str, dst: str, class_names: str | None) -> None:
    """Write a native maskkit checkpoint DST from a matterport/Keras 2 weights file SRC."""
    from maskkit.output_paths import check_writable_file
    from maskkit.weights import convert_weights

    check_writable_file(dst, "converted weights file")
    metadata = {"class_names": [n.strip() for n in class_names.split(",")]} if class_names else None
    convert_weights(src, dst, metadata=metadata)
    click.echo(f"wrote {dst}")
