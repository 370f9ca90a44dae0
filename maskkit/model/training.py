"""The training loop: tf.function steps with GradientTape, SGD with momentum, clipping, weight decay.

One call of ``run_epochs`` trains epochs ``start_epoch + 1 .. epochs`` (matterport's absolute
numbering), writes a checkpoint, TensorBoard scalars and a history entry per epoch. It reads each
epoch's batches from an EpochInput and feeds them to the steps as they come: the input side
(maskkit.data.feed) hands over batches that already hold everything the model takes, anchors
included, and raises its own errors as maskkit errors.
"""

from __future__ import annotations

import dataclasses
import gc
import math
import re
import time
import traceback
from pathlib import Path
from typing import Callable, Iterator, Protocol

import keras
import tensorflow as tf

from maskkit.config import LOSS_NAMES, Config
from maskkit.errors import ConfigError, TrainingDivergedError
from maskkit.loss_curves import refresh_loss_curves
from maskkit.model.batchnorm import BatchNorm, frozen_batchnorm, frozen_batchnorm_layers
from maskkit.model.detection_target import follow_optimizer_steps
from maskkit.model.losses import compute_losses
from maskkit.model.molding import molded_inputs
from maskkit.model.precision import resolve_precision
from maskkit.model.progress import EpochTimeCheck, epoch_progress, epoch_summary

Batch = dict[str, tf.Tensor]
#: What the loop reads: ``input(epoch)`` is an iterator over that epoch's model-ready batches
#: (maskkit.data.feed.epoch_input makes them from a Dataset).
EpochInput = Callable[[int], Iterator[Batch]]


def trainable_layers(model: keras.Model, regex: str) -> list[keras.layers.Layer]:
    """Layers with trainable weights whose whole name matches ``regex`` (matterport's set_trainable).

    Args:
        model: the training model.
        regex: matched against each layer's whole name; ConfigError if invalid or if it matches none.
    """
    try:
        pattern = re.compile(regex)
    except re.error as exc:
        raise ConfigError("layers", f"invalid layer regex {regex!r}: {exc}", kind="argument") from exc
    chosen = [layer for layer in model.layers if layer.trainable_weights and pattern.fullmatch(layer.name)]
    if not chosen:
        raise ConfigError("layers", f"the regex {regex!r} matches no layer with weights", kind="argument")
    return chosen


def write_scalar(tag: str, value: float, step: int) -> None:
    """A TensorBoard scalar through the default summary writer, without needing the tensorboard package.

    Args:
        tag: the scalar's name (``loss``, ``val_map50``, ...).
        value: its value.
        step: the x coordinate (the epoch).
    """
    from tensorflow.core.framework import summary_pb2

    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"),
        data_class=summary_pb2.DATA_CLASS_SCALAR)
    tf.summary.write(tag, tf.constant(value, tf.float32), step=step, metadata=metadata)


def weight_decay_penalty(variables: list[tf.Variable], decay: float) -> tf.Tensor:
    """matterport's L2 penalty: decay x the mean square of each variable, summed over ``variables``."""
    if not variables or not decay:
        return tf.constant(0.0)
    return tf.add_n([decay * tf.reduce_sum(tf.square(v)) / tf.cast(tf.size(v), tf.float32) for v in variables])


def make_optimizer(config: Config, learning_rate: float) -> keras.optimizers.Optimizer:
    """SGD with momentum; under mixed_float16 (set, or what ``auto`` resolves to) wrapped in a
    LossScaleOptimizer so small float16 gradients do not underflow (it unscales them and skips steps
    whose gradients overflowed).

    Args:
        config: the run's Config (LEARNING_MOMENTUM, PRECISION).
        learning_rate: the starting rate.
    """
    optimizer = keras.optimizers.SGD(learning_rate=learning_rate, momentum=config.LEARNING_MOMENTUM)
    if resolve_precision(config.PRECISION).precision == "mixed_float16":
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def loss_scale(optimizer: keras.optimizers.Optimizer) -> tf.Tensor | float:
    """The factor ``optimizer.scale_loss`` multiplies by (1 without loss scaling); clipping scaled
    gradients at ``clip * loss_scale`` equals clipping the unscaled ones at ``clip``."""
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer.dynamic_scale
    return 1.0


@dataclasses.dataclass(frozen=True)
class TrainingSetup:
    """What one choice of trainable layers trains with, shared by the single-device and the
    distributed steps: the variables, the optimizer over them, the loss weights, clipping and decay."""

    variables: list[tf.Variable]
    decayed: list[tf.Variable]
    frozen: list[keras.layers.Layer]
    optimizer: keras.optimizers.Optimizer
    loss_weights: dict[str, float]
    clip: float
    decay: float

    def weighted_loss(self, losses: dict[str, tf.Tensor]) -> tf.Tensor:
        """config.LOSS_WEIGHTS' weighted sum of the five losses (the reported ``loss``)."""
        return tf.add_n([self.loss_weights[name] * losses[name] for name in LOSS_NAMES])

    def weight_decay(self) -> tf.Tensor:
        """matterport's L2 penalty over the trained variables outside BatchNorm layers."""
        return weight_decay_penalty(self.decayed, self.decay)

    def gradients(self, tape: tf.GradientTape, scaled_loss: tf.Tensor) -> list[tf.Tensor]:
        """The gradients of ``scaled_loss`` for every trained variable (zeros where it has none).

        Args:
            tape: the GradientTape that recorded the loss.
            scaled_loss: the loss as the optimizer scaled it (``optimizer.scale_loss``).
        """
        grads = tape.gradient(scaled_loss, self.variables)
        return [tf.zeros_like(v) if g is None else g for g, v in zip(grads, self.variables)]

    def clip_norm(self) -> tf.Tensor | float:
        """The global norm to clip the scaled gradients at: GRADIENT_CLIP_NORM x the loss scale."""
        return self.clip * loss_scale(self.optimizer)


def training_setup(model: keras.Model, config: Config, regex: str, learning_rate: float) -> TrainingSetup:
    """The variables of the layers ``regex`` names, a built optimizer over them at ``learning_rate``
    (make_optimizer; the detection-target samplers follow its step count) and config's loss
    weights, GRADIENT_CLIP_NORM and WEIGHT_DECAY. Call it inside a strategy's scope to create the
    optimizer's variables there.

    Args:
        model: the training model.
        config: the run's Config.
        regex: the trainable layers (see trainable_layers).
        learning_rate: the optimizer's starting rate.
    """
    layers = trainable_layers(model, regex)
    frozen = frozen_batchnorm_layers(model, layers)
    variables = [v for layer in layers for v in layer.trainable_weights]
    decayed = [v for layer in layers if not isinstance(layer, BatchNorm) for v in layer.trainable_weights]
    optimizer = make_optimizer(config, learning_rate)
    optimizer.build(variables)
    follow_optimizer_steps(model, optimizer)
    return TrainingSetup(variables, decayed, frozen, optimizer,
                         {name: float(config.LOSS_WEIGHTS.get(name, 1.0)) for name in LOSS_NAMES},
                         float(config.GRADIENT_CLIP_NORM), float(config.WEIGHT_DECAY))


class StepFunctions:
    """The compiled train and validation steps for one choice of trainable layers.

    Args:
        model: the training model.
        config: the run's Config.
        regex: the trainable layers (see trainable_layers).
        learning_rate: the optimizer's starting rate.
    """

    def __init__(self, model: keras.Model, config: Config, regex: str, learning_rate: float) -> None:
        setup = training_setup(model, config, regex, learning_rate)
        self.variables, self.optimizer = setup.variables, setup.optimizer

        def losses_of(batch: Batch, training: bool) -> dict[str, tf.Tensor]:
            batch = molded_inputs(batch, config.MEAN_PIXEL)
            losses = compute_losses(model(batch, training=training), batch)
            losses["loss"] = setup.weighted_loss(losses)
            return losses

        def train_step(batch: Batch) -> dict[str, tf.Tensor]:
            with tf.GradientTape() as tape, frozen_batchnorm(setup.frozen):
                losses = losses_of(batch, True)
                scaled = self.optimizer.scale_loss(losses["loss"] + setup.weight_decay())
            grads = setup.gradients(tape, scaled)
            if setup.clip:
                grads, _ = tf.clip_by_global_norm(grads, setup.clip_norm())
            self.optimizer.apply_gradients(zip(grads, self.variables))
            return losses

        self.train_step: Callable[[Batch], dict[str, tf.Tensor]] = tf.function(train_step, reduce_retracing=True)
        self.eval_step: Callable[[Batch], dict[str, tf.Tensor]] = tf.function(
            lambda batch: losses_of(batch, False), reduce_retracing=True)


class EpochMonitor(Protocol):
    """What run_epochs asks of a validation monitor (see maskkit.model.validation_metrics)."""

    stop_reason: str

    def measure(self, epoch: int) -> dict[str, float]:
        """Metrics of the weights after ``epoch`` (NaN where not measured this epoch)."""

    def checkpointed(self, epoch: int, path: Path, history: dict[str, list[float]]) -> bool:
        """React to the epoch's checkpoint (e.g. keep it as the best); True stops training.

        Args:
            epoch: the absolute epoch whose checkpoint was just written.
            path: that checkpoint's file.
            history: the run's per-epoch records, this epoch's included.
        """


def release_frames(exc: BaseException) -> None:
    """Drop the locals of the finished frames in ``exc``'s traceback chain and collect garbage, so
    the tf.data iterators they hold are destroyed now, while TensorFlow's worker threads can still
    finish, rather than at interpreter shutdown, where the destructor waits for them forever."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        traceback.clear_frames(exc.__traceback__)
        exc = exc.__cause__ or exc.__context__
    gc.collect()


def check_finite(values: dict[str, float], epoch: int, step: int, phase: str = "training",
                 verbose: int = 0) -> None:
    """Raise TrainingDivergedError naming the losses that are NaN or infinite (before any checkpoint);
    when ``verbose``, first end the progress bar's line so the error starts on a line of its own.

    Args:
        values: the step's losses, name -> value.
        epoch: the absolute epoch, named in the error.
        step: the step within the epoch (from 1), named in the error.
        phase: ``training`` or ``validation``, named in the error.
        verbose: nonzero when a progress bar is shown.
    """
    bad = {name: value for name, value in values.items() if not math.isfinite(value)}
    if bad:
        if verbose:
            print(flush=True)
        raise TrainingDivergedError(epoch, step, bad, phase)


def run_epochs(steps: StepFunctions, config: Config, train_input: EpochInput,
               val_input: EpochInput | None, start_epoch: int, epochs: int,
               save_checkpoint: Callable[[int], Path], log_dir: Path | None, history: dict[str, list[float]],
               verbose: int = 1, learning_rate: Callable[[int], float] | None = None,
               monitor: EpochMonitor | None = None, planned: Callable[[], int] | None = None) -> None:
    """Train epochs start_epoch+1..epochs on STEPS_PER_EPOCH batches of ``train_input(epoch)`` each
    (validated on VALIDATION_STEPS of ``val_input(epoch)``); append per-epoch mean losses to ``history``.

    Args:
        steps: the StepFunctions (or DistributedSteps) to train and validate with.
        config: the run's Config (STEPS_PER_EPOCH, VALIDATION_STEPS).
        train_input: ``train_input(epoch)`` iterates over that epoch's training batches.
        val_input: the same for validation batches; None skips validation losses.
        start_epoch: the epoch already done; training starts at the one after it.
        epochs: the absolute epoch to train to.
        save_checkpoint: writes the weights after an epoch and returns the checkpoint's path.
        log_dir: where TensorBoard scalars and loss curves go; None on the workers of a multi-worker
            run that are not the chief.
        history: name -> per-epoch values, appended to in place.
        verbose: 0 for silence, 1 for progress and a summary per epoch.
        learning_rate: maps the absolute 0-based step to the rate; None keeps the optimizer's rate.
        monitor: adds validation metrics to each epoch's record and may stop the run early once the
            epoch's checkpoint is written.
        planned: gives the epoch count to show when a time budget, not ``epochs``, ends the run.
    """
    writer = tf.summary.create_file_writer(str(log_dir)) if log_dir is not None else None
    try:
        _epochs(steps, config, train_input, val_input, start_epoch, epochs, save_checkpoint, writer, history,
                verbose, learning_rate, monitor, planned, log_dir)
    except Exception as exc:
        if verbose and not isinstance(exc, TrainingDivergedError):
            print(flush=True)  # end the progress bar's line: the error that follows starts on its own
        raise
    finally:
        if writer is not None:
            writer.close()


def _epochs(steps: StepFunctions, config: Config, train_input: EpochInput, val_input: EpochInput | None,
            start_epoch: int, epochs: int, save_checkpoint: Callable[[int], Path], writer: object | None,
            history: dict[str, list[float]], verbose: int, learning_rate: Callable[[int], float] | None,
            monitor: EpochMonitor | None, planned: Callable[[], int] | None, log_dir: Path | None) -> None:
    """run_epochs' loop: train, validate, record, checkpoint each epoch (and redraw the run's loss curves)."""
    names = ("loss", *LOSS_NAMES)
    for epoch in range(start_epoch + 1, epochs + 1):
        # The bar shows each loss's mean over the epoch so far, so it ends on the summary's numbers.
        bar = epoch_progress(epoch, planned() if planned is not None else epochs, config.STEPS_PER_EPOCH, names,
                             verbose)
        started = time.perf_counter()
        timer = EpochTimeCheck(config.STEPS_PER_EPOCH, verbose) if epoch == start_epoch + 1 else None
        sums = dict.fromkeys(names, 0.0)
        batches = train_input(epoch)
        for step in range(1, config.STEPS_PER_EPOCH + 1):
            if learning_rate is not None:
                steps.optimizer.learning_rate = learning_rate((epoch - 1) * config.STEPS_PER_EPOCH + step - 1)
            values = {k: float(v) for k, v in steps.train_step(next(batches)).items()}
            check_finite(values, epoch, step, verbose=verbose)
            for name in names:
                sums[name] += values[name]
            bar.update(step, [(name, sums[name] / step) for name in names])
            if timer:
                timer.step_done(step)
        record = {name: sums[name] / config.STEPS_PER_EPOCH for name in names}
        if val_input is not None and config.VALIDATION_STEPS:
            val_sums = dict.fromkeys(names, 0.0)
            batches = val_input(epoch)
            for val_step in range(1, config.VALIDATION_STEPS + 1):
                values = {k: float(v) for k, v in steps.eval_step(next(batches)).items()}
                check_finite(values, epoch, val_step, "validation", verbose)
                for name in names:
                    val_sums[name] += values[name]
            record.update({f"val_{name}": val_sums[name] / config.VALIDATION_STEPS for name in names})
        record["epoch_seconds"] = time.perf_counter() - started
        record["learning_rate"] = float(steps.optimizer.learning_rate.numpy())
        if monitor is not None:
            record.update(monitor.measure(epoch))
        for name, value in record.items():
            history.setdefault(name, []).append(value)
        if writer is not None:
            with writer.as_default():
                for name, value in record.items():
                    if math.isfinite(value):
                        write_scalar(name, value, epoch)
            writer.flush()
        path = save_checkpoint(epoch)
        if log_dir is not None:
            refresh_loss_curves(log_dir)
        if verbose:
            print(epoch_summary(epoch, record, path.name))
        if monitor is not None and monitor.checkpointed(epoch, path, history):
            if verbose:
                print(f"early stop after epoch {epoch}: {monitor.stop_reason}")
            break

