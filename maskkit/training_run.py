"""The steps of a Pipeline training run around its one MaskRCNN.train call: the learning-rate check,
the starting weights (resuming from the newest intact checkpoint, a checkpoint, or an ImageNet
backbone), the validation and time-budget monitors built from train()'s options, and settling the
run folder of a run that failed. They live apart from maskkit.pipeline so that Pipeline keeps the
assembly (dataset -> input -> model -> loop) and its public actions; each function takes what it
needs (a log folder, a model, an evaluate callable, or the pipeline as a plain object) and this
module never imports maskkit.pipeline. TensorFlow and the model layer are imported inside the
functions, as before, so ``import maskkit`` stays light.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import attrs

from maskkit.checkpoints import FAILED_MARK, last_checkpoints, settle_failed_run
from maskkit.errors import ConfigError, MaskkitError, WeightsError

if TYPE_CHECKING:
    from maskkit.config_assembly import ConfigRequest

#: The epoch cap of a time-budgeted run that names none: the budget ends it long before.
UNCAPPED_EPOCHS = 100_000


def checked_learning_rate(rate: float) -> float:
    """``rate`` if it is a finite positive number; ConfigError otherwise (0 or less would not train,
    or would climb the loss).

    Args:
        rate: the learning rate asked for.
    """
    if not math.isfinite(rate) or rate <= 0:
        raise ConfigError("learning_rate", f"must be a positive number, got {rate}")
    return float(rate)


def stored_run_request(request: ConfigRequest, log_dir: str | os.PathLike, dataset_name: str) -> ConfigRequest:
    """For ``--resume`` of a run that named no preset or config: the config stored in the newest run.

    Such a run's config came from the dataset's recommendation or a data plan, and a plan made
    again could differ (its batch follows the memory free at the time), so the run carries on with
    the config it started with, under the same explicit overrides.

    Args:
        request: what the user asked for; returned as it is when it names a preset, config or file.
        log_dir: the log folder holding the run folders.
        dataset_name: the registered dataset trained on (its recommendation, and the run's NAME).

    Returns:
        ``request`` with the stored config as its ready config, or ``request`` when no run of that
        NAME has a readable checkpoint holding a config.
    """
    if not request.names_nothing:
        return request
    from maskkit.config import Config
    from maskkit.config_assembly import assemble_config, unnamed_preset
    from maskkit.planning import this_machine
    from maskkit.weights import read_metadata

    started = attrs.evolve(request, preset=unnamed_preset(dataset_name, this_machine()))
    name = assemble_config(started, dataset_name=dataset_name).config.NAME
    try:
        candidates = last_checkpoints(log_dir, name)
    except MaskkitError:
        return request
    for path in candidates:
        try:
            stored = read_metadata(path).get("config")
        except WeightsError:
            continue
        if stored:
            return attrs.evolve(request, config=Config.from_dict(stored), config_source=f"run {path.parent.name}")
    return request


def resume_newest(log_dir: str | os.PathLike, name: str, load_weights: Callable[[Path], Any]) -> Path | None:
    """Load the newest checkpoint of the newest run of ``name`` under ``log_dir``; a damaged one is
    skipped with a warning for the one before it.

    Args:
        log_dir: the log folder holding the run folders.
        name: the config NAME of the runs.
        load_weights: loads one checkpoint file (Pipeline.load_weights); raises WeightsError if damaged.

    Returns:
        The checkpoint loaded, or None if the log folder has no run yet.
    """
    try:
        candidates = last_checkpoints(log_dir, name)
    except MaskkitError:
        return None
    for path in candidates:
        try:
            load_weights(path)
            return path
        except WeightsError as exc:
            print(f"Warning: skipping damaged checkpoint: {exc}", file=sys.stderr)
    raise WeightsError(f"cannot resume: every checkpoint of run {candidates[0].parent} is damaged")


def load_start_weights(pipe: Any, resume: bool, weights: str | os.PathLike | None, exclude: Sequence[str],
                       imagenet: str | os.PathLike | None, verbose: int) -> None:
    """Load the weights a Pipeline.train run starts from: the newest checkpoint of this config's
    run (``resume``), else a checkpoint (``weights``, less ``exclude``), else a local Keras ImageNet
    backbone file (``imagenet``); none of them leaves the model's fresh weights.

    Args:
        pipe: the Pipeline about to train (its load_weights, model, log_dir and config).
        resume: continue the newest run of the config's NAME under the pipeline's log_dir.
        weights: a checkpoint file, run folder or log folder to initialise from, or None.
        exclude: layer names or regexes not to load from ``weights``.
        imagenet: a local Keras ImageNet weights file for a ResNet backbone, or None.
        verbose: 0 silent, 1 prints what was loaded.
    """
    if resume:
        last = resume_newest(pipe.log_dir, pipe.config.NAME, pipe.load_weights)
        if last is not None and verbose:
            print(f"Resuming from {last} (epoch {pipe.model.epoch})")
    elif weights is not None:
        report = pipe.load_weights(weights, exclude=exclude)
        if verbose:
            print(report)
    elif imagenet is not None:
        from maskkit.weights import load_imagenet_backbone

        report = load_imagenet_backbone(pipe.model.keras_model, imagenet)
        if verbose:
            print(f"ImageNet backbone: {len(report.loaded)} layers loaded from {imagenet}")


def validation_monitor(evaluate: Callable[..., Any], name: str, has_val: bool, eval_every: int,
                       keep_best: str | None, patience: int | None, eval_limit: int | None) -> Any:
    """The ValidationMonitor for train()'s options, or None when none is asked for.

    Args:
        evaluate: Pipeline.evaluate, called as ``evaluate(limit=eval_limit)``.
        name: the config NAME (names the best checkpoint).
        has_val: whether the pipeline has a validation dataset.
        eval_every: evaluate every that many epochs (0: never, unless ``keep_best`` needs it).
        keep_best: the metric the best checkpoint is kept by, or None.
        patience: stop after that many evaluations without a better ``keep_best`` (None: never).
        eval_limit: evaluate only the first that many validation images (None: all).

    Returns:
        maskkit.model.validation_metrics' ValidationMonitor, or None.
    """
    from maskkit.model.validation_metrics import EVALUATED, ValidationMonitor

    if not eval_every and keep_best is None:
        return None
    if keep_best in EVALUATED and not eval_every:
        eval_every = 1
    if eval_every and not has_val:
        raise MaskkitError("eval_every needs a validation dataset: give val_dataset or a registered dataset")
    return ValidationMonitor(lambda: evaluate(limit=eval_limit), name, every=eval_every,
                             keep_best=keep_best, patience=patience)


def budget_monitor(minutes: float, epochs: int | None, evaluate: Callable[..., Any], name: str, has_val: bool,
                   eval_every: int | None, keep_best: str | None, patience: int | None, eval_limit: int | None,
                   verbose: int) -> tuple[Any, Any]:
    """The TrainingBudget and its BudgetMonitor for train(minutes=...): with a validation set it
    evaluates halfway and at the end, keeping the best checkpoint by ``keep_best``.

    Args:
        minutes: the time budget of training, in minutes.
        epochs: the epoch cap (None: none).
        evaluate: Pipeline.evaluate, called as ``evaluate(limit=eval_limit)``.
        name: the config NAME (names the best checkpoint).
        has_val: whether the pipeline has a validation dataset.
        eval_every: evaluate every that many epochs (None: halfway and at the end).
        keep_best: the metric the best checkpoint is kept by (default segm_ap with a validation set).
        patience: stop after that many evaluations without a better ``keep_best`` (None: never).
        eval_limit: evaluate only the first that many validation images (None: all).
        verbose: 0 silent, 1 prints the budget's deadline.

    Returns:
        (the TrainingBudget, the BudgetMonitor wrapping the validation monitor if any).
    """
    from maskkit.model.budget import BudgetMonitor, TrainingBudget

    budget = TrainingBudget(minutes, max_epochs=epochs)
    validation = None
    if has_val:
        validation = validation_monitor(evaluate, name, has_val, eval_every or 1, keep_best or "segm_ap",
                                        patience, eval_limit)
    elif keep_best not in (None, "val_loss") or eval_every:
        raise MaskkitError("evaluating during training needs a validation dataset")
    if verbose:
        print(f"budget: {minutes:g} min of training, ends by {budget.deadline:%H:%M} "
              f"(then the final evaluation); the epoch count is planned from the measured epochs")
    return budget, BudgetMonitor(budget, validation, every=eval_every or None, verbose=verbose)


def settle_failed_training(model: Any, error: BaseException, created: bool) -> None:
    """On the chief, remove the folder of a run that failed before its first checkpoint (only
    logs in it), or mark a run with checkpoints FAILED (see maskkit.checkpoints.settle_failed_run).

    Args:
        model: the MaskRCNN that was training (its ``strategy`` and run folder ``log_dir``).
        error: the exception the run failed with.
        created: whether this run created its run folder (a resumed run's folder is never removed).
    """
    from maskkit.model.distribute import is_chief

    if not is_chief(model.strategy):
        return
    outcome = settle_failed_run(model.log_dir, error, created)
    if outcome == "removed":
        print(f"removed run folder {model.log_dir}: the run failed before its first checkpoint", file=sys.stderr)
    elif outcome == "marked":
        print(f"run folder {model.log_dir} marked {FAILED_MARK}", file=sys.stderr)
