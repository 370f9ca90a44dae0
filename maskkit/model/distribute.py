"""Training on several devices or machines with tf.distribute, giving the same update as one device.

``strategy_for`` mirrors over GPU_COUNT local devices (the visible GPUs or MASKKIT_DEVICES) or,
when TF_CONFIG names a cluster of several workers, across machines. ``DistributedSteps`` splits
each worker's batch over its replicas; every replica weights its mean losses by its share of the
terms they average over, so the summed gradients equal those of one device on the global batch
(IMAGES_PER_GPU x replicas), even when images have different numbers of positive anchors or ROIs.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Sequence

import keras
import tensorflow as tf

from maskkit.config import LOSS_NAMES, Config
from maskkit.errors import ConfigError, MaskkitError
from maskkit.model.batchnorm import frozen_batchnorm
from maskkit.model.losses import compute_losses
from maskkit.model.molding import molded_inputs
from maskkit.model.training import Batch, StepFunctions, training_setup

DEVICES_ENV = "MASKKIT_DEVICES"


def cluster_workers() -> int:
    """How many workers (a chief included) the TF_CONFIG environment variable names; 0 without one."""
    raw = os.environ.get("TF_CONFIG", "").strip()
    if not raw:
        return 0
    try:
        cluster = json.loads(raw)["cluster"]
        return sum(len(cluster.get(role, [])) for role in ("chief", "worker"))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise MaskkitError(f"TF_CONFIG is not a JSON object with a 'cluster' of worker addresses: {exc}") from exc


def requested_devices(devices: Sequence[str] | None = None) -> list[str]:
    """The explicit devices to mirror over: ``devices``, else MASKKIT_DEVICES (comma-separated); [] if none."""
    if devices is None:
        devices = [name for name in os.environ.get(DEVICES_ENV, "").split(",") if name.strip()]
    return [name.strip() for name in devices]


def strategy_for(config: Config, devices: Sequence[str] | None = None) -> tf.distribute.Strategy:
    """The strategy for ``config``: multi-worker if TF_CONFIG names several workers; if GPU_COUNT > 1,
    mirrored over the first GPU_COUNT of ``devices``, MASKKIT_DEVICES or the visible GPUs; else
    TensorFlow's default single-device strategy."""
    listed = requested_devices(devices)
    if cluster_workers() > 1:
        if listed:
            raise MaskkitError(f"{DEVICES_ENV} cannot be combined with a multi-worker TF_CONFIG; every worker "
                               f"mirrors over all its visible GPUs (restrict them with CUDA_VISIBLE_DEVICES)")
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
        local = len(strategy.extended.worker_devices)
        if local != config.GPU_COUNT:
            raise ConfigError("GPU_COUNT", f"is {config.GPU_COUNT} but this worker has {local} devices to "
                              f"train on; set GPU_COUNT to the number of GPUs per machine (1 without GPUs)")
        return strategy
    if config.GPU_COUNT > 1:
        pool = listed or [device.name for device in tf.config.list_logical_devices("GPU")]
        if len(pool) < config.GPU_COUNT:
            found = (f"{DEVICES_ENV} lists only {len(pool)} devices" if listed
                     else f"TensorFlow sees only {len(pool)} GPUs")
            raise ConfigError("GPU_COUNT", f"is {config.GPU_COUNT} but {found} ({','.join(pool) or 'none'}); "
                              f"lower it or list the devices in {DEVICES_ENV} (e.g. /gpu:0,/gpu:1)")
        return tf.distribute.MirroredStrategy(pool[:config.GPU_COUNT])
    return tf.distribute.get_strategy()


def worker_index(strategy: tf.distribute.Strategy) -> int:
    """This machine's place in the cluster: 0 for the chief (or a single machine), 1.. for the others.

    Args:
        strategy: the run's tf.distribute strategy (its cluster resolver names the task).
    """
    resolver = strategy.cluster_resolver
    if resolver is None or not resolver.task_type or resolver.task_type == "chief":
        return 0
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return int(resolver.task_id) + int(has_chief)


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """True on the one machine that writes checkpoints.

    Args:
        strategy: the run's tf.distribute strategy.
    """
    return worker_index(strategy) == 0


def worker_shard(strategy: tf.distribute.Strategy) -> tuple[int, int]:
    """(this worker's index, number of workers): every worker shuffles with the same seed and keeps
    every n-th example of the stream, so the workers read disjoint shards whose union is the
    single-machine stream (see maskkit.data.input.make_dataset's ``shard``).

    Args:
        strategy: the run's tf.distribute strategy; (0, 1) without a cluster.
    """
    resolver = strategy.cluster_resolver
    if resolver is None or not resolver.task_type:
        return 0, 1
    cluster = resolver.cluster_spec().as_dict()
    return worker_index(strategy), sum(len(cluster.get(role, [])) for role in ("chief", "worker"))


def loss_term_counts(outputs: dict[str, tf.Tensor], batch: Batch) -> dict[str, tf.Tensor]:
    """How many terms each loss of maskkit.model.losses averages over on ``batch`` (float32 scalars).

    rpn_class: non-neutral anchors; rpn_bbox: positive anchors; mrcnn_class: ROIs whose predicted
    class is active in the first image's source; mrcnn_bbox and mrcnn_mask: positive ROIs.

    Args:
        outputs: the training graph's outputs on ``batch`` (mrcnn_class_logits, target_class_ids).
        batch: this replica's molded input batch (rpn_match, image_meta).

    Returns:
        Loss name (``rpn_class_loss``, ...) -> count, without gradient.
    """
    rpn_match = tf.cast(batch["rpn_match"], tf.int32)
    predicted = tf.argmax(outputs["mrcnn_class_logits"], axis=2)
    positive_rois = tf.cast(outputs["target_class_ids"], tf.int32) > 0

    def count(flags: tf.Tensor) -> tf.Tensor:
        return tf.reduce_sum(tf.cast(flags, tf.float32))

    counts = {
        "rpn_class_loss": count(rpn_match != 0),
        "rpn_bbox_loss": count(rpn_match == 1),
        "mrcnn_class_loss": count(tf.gather(batch["image_meta"][0, 12:], predicted) > 0),
        "mrcnn_bbox_loss": count(positive_rois),
        "mrcnn_mask_loss": count(positive_rois),
    }
    return {name: tf.stop_gradient(value) for name, value in counts.items()}


def split_batch(strategy: tf.distribute.Strategy, batch: Batch) -> Any:
    """This worker's batch cut into equal consecutive slices, one per local replica.

    Args:
        strategy: the run's tf.distribute strategy.
        batch: this worker's whole batch; its size must divide evenly over the local replicas.

    Returns:
        Per-replica values to pass to ``strategy.run``.
    """
    local = len(strategy.extended.worker_devices)
    size = int(batch["images"].shape[0])
    if size % local:
        raise ConfigError("IMAGES_PER_GPU", f"a batch of {size} images cannot be split evenly over {local} replicas")
    per_replica = size // local

    def slice_for(context: tf.distribute.experimental.ValueContext) -> Batch:
        start = (context.replica_id_in_sync_group % local) * per_replica
        return {key: value[start:start + per_replica] for key, value in batch.items()}

    return strategy.experimental_distribute_values_from_function(slice_for)


class DistributedSteps:
    """Train and validation steps run on every replica through ``strategy.run``; same interface as
    StepFunctions (``train_step(batch)``/``eval_step(batch)`` take this worker's whole batch and return
    the losses of the global batch).

    Args:
        strategy: the tf.distribute strategy with more than one replica.
        model: the training model, built under ``strategy``.
        config: the run's Config.
        regex: the trainable layers (see maskkit.model.training.trainable_layers).
        learning_rate: the optimizer's starting rate.
    """

    def __init__(self, strategy: tf.distribute.Strategy, model: keras.Model, config: Config, regex: str,
                 learning_rate: float) -> None:
        self.strategy = strategy
        replicas = strategy.num_replicas_in_sync
        with strategy.scope():
            setup = training_setup(model, config, regex, learning_rate)
        self.variables, self.optimizer = setup.variables, setup.optimizer

        def shares_of(batch: Batch, training: bool) -> dict[str, tf.Tensor]:
            """This replica's part of each global-batch loss: local mean x local terms / global terms."""
            batch = molded_inputs(batch, config.MEAN_PIXEL)
            outputs = model(batch, training=training)
            losses, counts = compute_losses(outputs, batch), loss_term_counts(outputs, batch)
            totals = tf.distribute.get_replica_context().all_reduce(
                tf.distribute.ReduceOp.SUM, [counts[name] for name in LOSS_NAMES])
            shares = {name: tf.math.divide_no_nan(losses[name] * counts[name], total)
                      for name, total in zip(LOSS_NAMES, totals)}
            shares["loss"] = setup.weighted_loss(shares)
            return shares

        def replica_train(batch: Batch) -> dict[str, tf.Tensor]:
            with tf.GradientTape() as tape, frozen_batchnorm(setup.frozen):
                shares = shares_of(batch, True)
                scaled = self.optimizer.scale_loss(shares["loss"] + setup.weight_decay() / replicas)
            grads = setup.gradients(tape, scaled)
            if setup.clip:
                # Clip the summed gradient as one device would; the optimizer then sums the equal
                # per-replica copies again, hence the division.
                grads = tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, grads)
                grads, _ = tf.clip_by_global_norm(grads, setup.clip_norm())
                grads = [g / replicas for g in grads]
            self.optimizer.apply_gradients(zip(grads, self.variables))
            return shares

        def run(step: Callable[[Batch], dict[str, tf.Tensor]]) -> Callable[[Any], dict[str, tf.Tensor]]:
            def distributed(per_replica: Any) -> dict[str, tf.Tensor]:
                shares = strategy.run(step, args=(per_replica,))
                return {name: strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None)
                        for name, value in shares.items()}
            return tf.function(distributed, reduce_retracing=True)

        train, evaluate = run(replica_train), run(lambda batch: shares_of(batch, False))
        self.train_step: Callable[[Batch], dict[str, tf.Tensor]] = lambda batch: train(split_batch(strategy, batch))
        self.eval_step: Callable[[Batch], dict[str, tf.Tensor]] = lambda batch: evaluate(split_batch(strategy, batch))


def make_steps(strategy: tf.distribute.Strategy, model: keras.Model, config: Config, regex: str,
               learning_rate: float) -> StepFunctions | DistributedSteps:
    """StepFunctions on a single replica (unchanged single-device training), DistributedSteps otherwise.

    Args:
        strategy: the run's tf.distribute strategy.
        model: the training model, built under ``strategy``.
        config: the run's Config.
        regex: the trainable layers (see maskkit.model.training.trainable_layers).
        learning_rate: the optimizer's starting rate.
    """
    if strategy.num_replicas_in_sync > 1:
        return DistributedSteps(strategy, model, config, regex, learning_rate)
    return StepFunctions(model, config, regex, learning_rate)
