"""``maskkit train``: train Mask R-CNN on a registered dataset (a thin layer over Pipeline)."""

from __future__ import annotations

import click

from maskkit.cli.options import config_options, config_request, dataset_args
from maskkit.config import Config


@click.command("train")
@click.option("--dataset", "dataset_name", default=None, metavar="NAME",
              help="A registered dataset (see `maskkit plugins`). Default: the one a plugin registers with "
                   "default_dataset=True (the built-in shapes example).")
@click.option("--data", "data_items", multiple=True, metavar="KEY=VALUE",
              help="Argument of the training dataset's factory (default: the ones the dataset recommends); "
                   "repeatable.")
@click.option("--val-data", "val_items", multiple=True, metavar="KEY=VALUE",
              help="Argument of the validation dataset's factory (default: same as --data; "
                   "subset=val is passed to factories that take it).")
@config_options
@click.option("--backbone", default=None, metavar="NAME", help="Backbone name (sets BACKBONE).")
@click.option("--augment", default=None, metavar="NAMES", help="Augmenters, e.g. fliplr,rot90 (sets AUGMENTERS).")
@click.option("--epochs", default=None, type=click.IntRange(min=1),
              help="Train up to this absolute epoch number (default: the dataset's recommendation, else 1; "
                   "with --minutes, a cap).")
@click.option("--minutes", default=None, type=click.FloatRange(min=0, min_open=True), metavar="M",
              help="Train for M minutes of wall time: the epoch count is planned from the measured epochs; "
                   "evaluates halfway and at the end and keeps the best checkpoint (segm_ap unless "
                   "--keep-best says otherwise).")
@click.option("--layers", default="all", show_default=True,
              help="heads, 3+, 4+, 5+, all, or a regex over layer names.")
@click.option("--learning-rate", type=click.FloatRange(min=0, min_open=True), default=None,
              help="A positive number (default: the config's LEARNING_RATE).")
@click.option("--weights", default=None, metavar="PATH", help="Initial weights: a checkpoint file or run folder.")
@click.option("--exclude", multiple=True, metavar="LAYER",
              help="Layer names/regexes not to load from --weights (e.g. the class heads); repeatable.")
@click.option("--imagenet-weights", "imagenet", default=None, type=click.Path(dir_okay=False),
              help="Initialise a resnet50/resnet101 backbone from a local Keras ImageNet weights file "
                   "(never downloaded).")
@click.option("--resume", is_flag=True, help="Continue the newest run under --log-dir from its last epoch.")
@click.option("--eval-every", default=None, type=click.IntRange(min=0), metavar="K",
              help="Evaluate mAP@0.5 and COCO AP on the validation set every K epochs (0: never; "
                   "1 when --keep-best needs it; with --minutes halfway and at the end).")
@click.option("--keep-best", default=None, type=click.Choice(["map50", "segm_ap", "bbox_ap", "val_loss"]),
              help="Keep the checkpoint with the best value of this metric as mask_rcnn_<name>_best.weights.h5.")
@click.option("--patience", default=None, type=click.IntRange(min=1), metavar="N",
              help="Stop early after N evaluations without a better --keep-best metric.")
@click.option("--log-dir", default="runs", show_default=True, type=click.Path(file_okay=False),
              help="Run folders (checkpoints, TensorBoard logs, loss curves) go here.")
def train(dataset_name: str | None, data_items: tuple[str, ...], val_items: tuple[str, ...], preset: str | None,
          config_path: str | None, overrides: tuple[str, ...], backbone: str | None, augment: str | None,
          epochs: int | None, minutes: float | None, layers: str, learning_rate: float | None, weights: str | None,
          exclude: tuple[str, ...], imagenet: str | None, resume: bool, eval_every: int | None, keep_best: str | None,
          patience: int | None, log_dir: str) -> None:
    """Train on DATASET; each epoch writes a checkpoint into a run folder under --log-dir."""
    from maskkit.config_assembly import PLAN_SOURCE
    from maskkit.dataset_recommendation import DEFAULT_EPOCHS, default_dataset, recommendation
    from maskkit.pipeline import Pipeline
    from maskkit.split import warn_if_validation_is_training
    from maskkit.split_summary import describe_data
    from maskkit.training_run import stored_run_request

    if dataset_name is None:
        dataset_name = default_dataset()
    recommended = recommendation(dataset_name)
    args = {**recommended.train_args, **dataset_args(data_items)}
    val_args = {**recommended.val_args, **(dataset_args(val_items) if val_items else dataset_args(data_items))}
    request = config_request(config_path, overrides, preset)
    for source, field, value in (("--backbone", "BACKBONE", backbone), ("--augment", "AUGMENTERS", augment)):
        if value is not None:
            request = request.with_overrides(source, {field: value})
    if resume:
        request = stored_run_request(request, log_dir, dataset_name)
    pipe = Pipeline(dataset_name, dataset_args=args, val_args=val_args, config=request, log_dir=log_dir)
    warn_if_validation_is_training(pipe.dataset, pipe.val_dataset)
    click.echo(describe_data(pipe.dataset, pipe.val_dataset))
    if PLAN_SOURCE in pipe.config_sources.values():
        click.echo(planned_line(pipe.config, dataset_name))
    total = epochs if epochs or minutes else (recommended.epochs or DEFAULT_EPOCHS)
    history = pipe.train(total, layers=layers, learning_rate=learning_rate, weights=weights,
                         exclude=exclude, resume=resume, imagenet=imagenet, eval_every=eval_every,
                         keep_best=keep_best, patience=patience, minutes=minutes)
    click.echo(pipe.run_folder_line())
    if history.get("loss"):
        click.echo(f"final loss: {history['loss'][-1]:.4f}")


def planned_line(config: Config, dataset_name: str) -> str:
    """What a data plan chose for a run that named no preset or config, in one line.

    Args:
        config: the run's effective config.
        dataset_name: the dataset trained on, for the command that explains the plan.
    """
    scales = config.RPN_ANCHOR_SCALES
    return (f"config: planned from the training annotations for this machine (no --preset or --config): "
            f"{config.IMAGE_MAX_DIM} px, backbone {config.BACKBONE}, {config.IMAGES_PER_GPU} images per step, "
            f"anchors {scales[0]:g}-{scales[-1]:g}; `maskkit data plan {dataset_name} ...` shows why")
