"""``maskkit export``: a TensorFlow SavedModel of a checkpoint, servable without maskkit."""

from __future__ import annotations

import click


@click.command("export")
@click.option("--weights", required=True, metavar="PATH",
              help="A checkpoint file, or a run/log folder: its newest run's best checkpoint when one was kept, "
                   "else its newest.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder to write the SavedModel to (an earlier export there is replaced).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a stored config field, e.g. PRECISION=mixed_bfloat16 to serve in bfloat16.")
def export(weights: str, out_dir: str, overrides: tuple[str, ...]) -> None:
    """Export the checkpoint's inference graph, class names and config as a SavedModel.

    The serving signature takes a uint8 image batch [B, H, W, 3] of any size and returns
    boxes, class_ids, scores, full-size masks and num_detections in original image pixels.
    """
    from maskkit.output_paths import check_empty_or_absent

    # Refuse an occupied or read-only folder before TensorFlow loads and the model is built.
    check_empty_or_absent(out_dir, "export folder", replaceable="saved_model.pb")
    from maskkit.config_files import parse_overrides
    from maskkit.export import export_saved_model, format_signature, read_export_metadata
    from maskkit.pipeline import Pipeline

    pipe = Pipeline.from_checkpoint(weights, use_stored_dataset=False, overrides=parse_overrides(overrides))
    path = export_saved_model(pipe, out_dir)
    click.echo(f"wrote SavedModel {path} from {pipe.weights_path}")
    click.echo(format_signature(read_export_metadata(path)))
    click.echo(f'load with: tf.saved_model.load("{path}").signatures["serving_default"](images=<uint8 batch>)')
