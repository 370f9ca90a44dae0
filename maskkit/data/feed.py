"""The input side of a training run: for each epoch, a stream of batches ready for the model.

``training_inputs`` turns a training and a validation Dataset into the two per-epoch inputs the
training loop (maskkit.model.training.run_epochs) reads. A batch they yield holds everything the
training model takes, the normalised ``anchors`` included (``images`` uint8, molded by the steps),
so the loop only calls ``next``;
errors raised while building an example inside tf.data arrive as maskkit errors (next_batch).

Epoch ``e`` of the training input reads make_dataset seeded ``SEED + e``: a run resumed after
epoch ``e - 1`` reads exactly what an uninterrupted run reads in epoch ``e``. The validation input
reads the same unaugmented stream (seed ``SEED + 1``) every epoch, so epochs compare.

Instances left out of examples because an image holds more than MAX_GT_INSTANCES are reported in
one warning per run, when the first epoch that left any out is done with (DroppedInstances).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np

from maskkit.config import Config
from maskkit.data.anchor_grid import normalised_anchors
from maskkit.data.dropped import DroppedInstances
from maskkit.data.example_errors import next_batch
from maskkit.data.input import make_dataset
from maskkit.dataset import Dataset

Batch = dict[str, Any]
EpochInput = Callable[[int], Iterator[Batch]]


def with_anchors(batches: Any, config: Config) -> Any:
    """The tf.data ``batches`` with ``anchors`` [B, A, 4] added to each: the normalised anchors of the
    batch's image size (maskkit.data.anchor_grid.normalised_anchors). With a fixed batch and image size
    (square and crop resizing) they are one constant of the input graph, already [B, A, 4], handed
    out again with every batch (33 MB at 1024 px and batch 8, built once instead of per batch);
    otherwise they are looked up and broadcast per batch, on tf.data's threads.

    Args:
        batches: a tf.data.Dataset of batch dicts with ``images`` [B, H, W, C].
        config: supplies the anchor settings (normalised_anchors).

    Returns:
        The mapped tf.data.Dataset, prefetching one batch.
    """
    import tensorflow as tf

    count, height, width = batches.element_spec["images"].shape[:3]
    if None not in (count, height, width):
        anchors = normalised_anchors(config, (height, width))
        constant = tf.constant(np.broadcast_to(anchors, (count, *anchors.shape)))

        def add(batch: Batch) -> Batch:
            return {**batch, "anchors": constant}
    else:
        def lookup(h: np.ndarray, w: np.ndarray) -> np.ndarray:
            return normalised_anchors(config, (int(h), int(w)))

        def add(batch: Batch) -> Batch:
            shape = tf.shape(batch["images"])
            anchors = tf.ensure_shape(tf.numpy_function(lookup, [shape[1], shape[2]], tf.float32), (None, 4))
            return {**batch, "anchors": tf.broadcast_to(anchors, tf.concat([shape[:1], tf.shape(anchors)], 0))}

    return batches.map(add).prefetch(1)


def ready_batches(batches: Any) -> Iterator[Batch]:
    """The batches of the tf.data pipeline ``batches``, an OpError from building an example raised
    as the maskkit error it carries (maskkit.data.example_errors.next_batch)."""
    iterator = iter(batches)
    while True:
        try:
            yield next_batch(iterator)
        except StopIteration:
            return


def reported_batches(batches: Any, dropped: DroppedInstances) -> Iterator[Batch]:
    """ready_batches of ``batches``, then a warning about left-out instances once the iterator is done
    with: run out, or let go by the training loop when it moves on to validation or the next epoch.

    Args:
        batches: one epoch's tf.data pipeline.
        dropped: what its example builder records; warns once per run at most (warn_once).
    """
    try:
        yield from ready_batches(batches)
    finally:
        dropped.warn_once()


def epoch_input(dataset: Dataset, config: Config, first_epoch: int, *, augmenters: Any = None,
                shard: tuple[int, int] = (0, 1), validation: bool = False,
                dropped: DroppedInstances | None = None) -> EpochInput:
    """``batches(epoch)``: an iterator over ``dataset``'s ready batches for that epoch (see the module
    docstring for the seeds). ``augmenters`` (an Augmenter or spec) defaults to config.AUGMENTERS;
    validation input is never augmented. ``shard`` is this worker's share of a multi-worker run
    (maskkit.model.distribute.worker_shard). The pipeline of ``first_epoch`` is built now, so its
    errors (no usable image, a wrong class count) come before the model writes anything.
    ``dropped`` (default: one of this input's own) records the images over MAX_GT_INSTANCES of every
    epoch and warns once, after the first epoch that met any (reported_batches)."""
    dropped = dropped if dropped is not None else DroppedInstances(config.MAX_GT_INSTANCES)
    if validation:
        augment = None
    else:
        augment = augmenters if augmenters is not None else (list(config.AUGMENTERS) or None)

    def build(epoch: int) -> Any:
        seed = config.SEED + (1 if validation else epoch)
        return with_anchors(make_dataset(dataset, config, augmenters=augment, seed=seed, shard=shard,
                                         processes=config.WORKER_PROCESSES, dropped=dropped), config)

    built = {first_epoch: build(first_epoch)}

    def batches(epoch: int) -> Iterator[Batch]:
        return reported_batches(built.pop(epoch) if epoch in built else build(epoch), dropped)

    return batches


def training_inputs(train_dataset: Dataset, val_dataset: Dataset | None, config: Config, first_epoch: int, *,
                    augmenters: Any = None, shard: tuple[int, int] = (0, 1)) -> tuple[EpochInput, EpochInput | None]:
    """The training input and (with a validation dataset and config.VALIDATION_STEPS) the validation
    input of a run whose next epoch is ``first_epoch``; see epoch_input. Both record dropped
    instances in one DroppedInstances, so a run warns about them once.

    Args:
        train_dataset: the prepared training Dataset.
        val_dataset: the prepared validation Dataset, or None for no validation input.
        config: the run's Config.
        first_epoch: index of the next epoch to run; its pipelines are built now.
        augmenters: an Augmenter or spec for the training input; None means config.AUGMENTERS.
        shard: (index, count) of this worker in a multi-worker run; (0, 1) reads everything.

    Returns:
        (training input, validation input or None), each ``batches(epoch)`` as from epoch_input.
    """
    dropped = DroppedInstances(config.MAX_GT_INSTANCES)
    train = epoch_input(train_dataset, config, first_epoch, augmenters=augmenters, shard=shard, dropped=dropped)
    if val_dataset is None or not config.VALIDATION_STEPS:
        return train, None
    return train, epoch_input(val_dataset, config, first_epoch, shard=shard, validation=True, dropped=dropped)
