"""The tf.data input pipeline: seeded shuffling, parallel per-image preprocessing, batching, prefetch.

Per-image work (loading, augmenting, resizing, RPN targets) is plain numpy/OpenCV, run either
through ``tf.numpy_function`` with ``num_parallel_calls`` threads (OpenCV and numpy release the
GIL for their heavy parts) or, for Python-heavy datasets, in a pool of ``processes`` spawned
workers (maskkit.data.example_workers). Images stay uint8 all the way: the train and validation steps mold them
(maskkit.model.molding), as float32 is 4x the bytes to batch here and to copy to a GPU. Freed
buffers are kept for reuse (maskkit.utils.heap), since fresh pages for every image's arrays cost
as much CPU as building the example at 1024 px. Each image's
randomness comes from ``numpy.random.default_rng([seed, pass, n])`` where
``n`` counts examples in the stream and ``pass`` how often this pipeline was iterated from the
start (Keras re-iterates a finite dataset every epoch), so equal seeds give identical batches
and every pass of a finite pipeline gets a fresh shuffle and fresh augmentation.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any, Iterator

import numpy as np

from maskkit.augment.from_spec import build_augmenters
from maskkit.config import Config
from maskkit.data.anchor_grid import anchor_grid
from maskkit.data.dropped import DroppedInstances
from maskkit.data.example_arrays import ARRAY_DTYPES, KEYS, example_shapes, pad_instances, stack_examples
from maskkit.data.example_workers import index_groups, process_groups
from maskkit.data.ground_truth import check_class_count, load_image_gt
from maskkit.data.rpn_targets import build_group_rpn_targets, build_rpn_targets
from maskkit.dataset import Dataset
from maskkit.errors import ConfigError, DatasetError, MaskkitError
from maskkit.utils.heap import keep_heap_padding


class ExampleBuilder:
    """Turns (pass, stream position, image id) into one example's model inputs as numpy arrays
    (``images`` uint8; the training steps mold them).

    Callable from several threads; it counts consecutive images without instances and raises
    DatasetError when a whole dataset's worth in a row had none, instead of looping forever. Images
    with more than MAX_GT_INSTANCES instances are recorded in ``dropped`` (a DroppedInstances; by
    default one that warns when it meets the first).

    Args:
        dataset, config: the prepared Dataset and the run's Config.
        augmenters: an Augmenter applied to each image before resizing, or None.
        seed: base seed of every example's generator ([seed, pass, position]).
        dropped: records images over MAX_GT_INSTANCES; None means one that warns at the first.
    """

    def __init__(self, dataset: Dataset, config: Config, augmenters: Any = None, seed: int = 0,
                 dropped: DroppedInstances | None = None) -> None:
        self.dataset = dataset
        self.config = config
        self.augmenters = augmenters
        self.seed = int(seed)
        self.dropped = dropped if dropped is not None else DroppedInstances(config.MAX_GT_INSTANCES,
                                                                            warn_at_first=True)
        self._shapes = example_shapes(config)
        self._empty_run = 0
        self._empty_limit = 2 * len(dataset) + 64
        self._lock = threading.Lock()

    def __call__(self, position: int, image_id: int, pass_index: int = 0) -> tuple[dict[str, np.ndarray], bool]:
        """The example dict (keys KEYS, ground truth zero-padded to MAX_GT_INSTANCES) and whether it
        has any non-crowd instance."""
        example, keep = self.unpadded(position, image_id, pass_index)
        return pad_instances(example, self.config.MAX_GT_INSTANCES), keep

    def unpadded(self, position: int, image_id: int, pass_index: int = 0) -> tuple[dict[str, np.ndarray], bool]:
        """As __call__, but gt_class_ids/gt_boxes/gt_masks hold only the image's own instances
        (at most MAX_GT_INSTANCES).

        Args:
            position: the example's position in the stream; seeds its generator.
            image_id: the image's index in the dataset.
            pass_index: how often the pipeline was iterated from the start; seeds the generator.
        """
        example, keep, rng = self._ground_truth(position, image_id, pass_index)
        rpn_match, rpn_bbox = build_rpn_targets(anchor_grid(self.config, example["images"].shape),
                                                example["gt_class_ids"], example["gt_boxes"], self.config, rng=rng)
        return {**example, "rpn_match": rpn_match, "rpn_bbox": rpn_bbox}, keep

    def _ground_truth(self, position: int, image_id: int,
                      pass_index: int) -> tuple[dict[str, np.ndarray], bool, np.random.Generator]:
        """An example's keys but the RPN targets, whether it has instances, and its generator (which
        the RPN targets' sampling draws from next)."""
        config = self.config
        rng = np.random.default_rng([self.seed, int(pass_index), int(position)])
        try:
            image, image_meta, class_ids, boxes, masks = load_image_gt(
                self.dataset, config, int(image_id), augmenters=self.augmenters, rng=rng)
        except MaskkitError:
            raise
        except Exception as exc:
            raise DatasetError(f"{self.dataset.describe_image(int(image_id))}: loading failed: "
                               f"{type(exc).__name__}: {exc}") from exc
        keep = bool(np.any(class_ids > 0))
        self._count(keep, int(image_id))
        if class_ids.shape[0] > config.MAX_GT_INSTANCES:
            self.dropped.record(self.dataset.describe_image(int(image_id)), class_ids.shape[0])
            chosen = np.sort(rng.choice(class_ids.shape[0], config.MAX_GT_INSTANCES, replace=False))
            class_ids, boxes, masks = class_ids[chosen], boxes[chosen], masks[..., chosen]
        example = {"images": image, "image_meta": image_meta.astype(np.float32),
                   "gt_class_ids": class_ids.astype(np.int32), "gt_boxes": boxes.astype(np.float32), "gt_masks": masks}
        return example, keep, rng

    def group(self, pass_index: int, positions: np.ndarray, image_ids: np.ndarray) -> list[np.ndarray]:
        """The kept examples of consecutive stream positions, stacked per key in KEYS order (ground
        truth padded to MAX_GT_INSTANCES, rpn_match as int8): one hand-over to TensorFlow per group
        instead of per image, and the group's RPN targets in one pass (build_group_rpn_targets).

        Args:
            pass_index: how often the pipeline was iterated from the start.
            positions, image_ids: int [G] stream positions and their image ids.
        """
        built = (self._ground_truth(int(position), int(image_id), int(pass_index))
                 for position, image_id in zip(positions, image_ids))
        kept = [(example, rng) for example, keep, rng in built if keep]
        if not kept:
            return stack_examples([], self._shapes)
        examples, rngs = zip(*kept)
        rpn_match, rpn_bbox = build_group_rpn_targets(
            anchor_grid(self.config, examples[0]["images"].shape), [example["gt_class_ids"] for example in examples],
            [example["gt_boxes"] for example in examples], self.config, rngs)
        return stack_examples(list(examples), self._shapes, {"rpn_match": rpn_match, "rpn_bbox": rpn_bbox})

    def __getstate__(self) -> dict[str, Any]:
        """Picklable for worker processes: the lock is recreated on the other side."""
        return {key: value for key, value in vars(self).items() if key != "_lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        self._lock = threading.Lock()

    def _count(self, keep: bool, image_id: int) -> None:
        with self._lock:
            self._empty_run = 0 if keep else self._empty_run + 1
            if self._empty_run > self._empty_limit:
                raise DatasetError(f"{self.dataset.name}: {self._empty_run} images in a row had no instances "
                                   f"left after resizing/augmentation (last: "
                                   f"{self.dataset.describe_image(image_id)}); nothing to train on")


def index_stream(image_ids: np.ndarray, shuffle: bool, seed: int, repeat: bool,
                 pass_index: int = 0, shard: tuple[int, int] = (0, 1)) -> Iterator[tuple[int, int, int]]:
    """(pass, stream position, image id) triples; each epoch is a permutation drawn from
    [seed, pass, epoch], where ``pass`` counts how often the pipeline was iterated from the start.
    ``shard=(index, count)`` keeps the positions ``index`` modulo ``count`` (one worker's share).

    Args:
        image_ids: the image ids of one epoch.
        shuffle: permute each epoch; False keeps ``image_ids``' order.
        seed: base seed of the permutations.
        repeat: run epoch after epoch forever; False stops after one.
        pass_index: the ``pass`` of the triples and the permutations' seed.
        shard: (index, count) of this worker; (0, 1) keeps every position.
    """
    position, epoch = 0, 0
    index, count = shard
    while True:
        order = (np.random.default_rng([int(seed), pass_index, epoch]).permutation(image_ids) if shuffle
                 else image_ids)
        for image_id in order:
            if position % count == index:
                yield pass_index, position, int(image_id)
            position += 1
        epoch += 1
        if not repeat:
            return


def first_image_with_instances(dataset: Dataset) -> int:
    """The first image id having a non-crowd instance with pixels; DatasetError naming the dataset if none has."""
    for image_id in dataset.image_ids:
        _, mask, class_ids = dataset.load_checked(int(image_id))
        if np.any((class_ids > 0) & mask.any(axis=(0, 1))):
            return int(image_id)
    raise DatasetError(f"{dataset.name}: none of its {len(dataset)} images has an instance with pixels "
                       f"(images without instances are skipped, so there is nothing to train on)")


def make_dataset(dataset: Dataset, config: Config, *, augmenters: Any = None, shuffle: bool = True,
                 seed: int = 0, repeat: bool = True, num_parallel_calls: int | None = None,
                 processes: int = 0, shard: tuple[int, int] = (0, 1),
                 dropped: DroppedInstances | None = None) -> Any:
    """A ``tf.data.Dataset`` of batched model inputs (dicts with keys KEYS), batch size config.BATCH_SIZE;
    ``images`` are uint8, as loaded and resized (the steps mold them: maskkit.model.molding).

    ``augmenters`` is an Augmenter or a spec for build_augmenters (``"fliplr,rot90"``); None means
    no augmentation. ``num_parallel_calls`` threads (default config.NUM_WORKERS, at least 1) build
    examples, or ``processes`` > 0 spawned worker processes do (the dataset, config and augmenters
    must then be picklable, and in-process-only plugins are not seen by the workers; a worker ends
    when its parent does); training takes config.WORKER_PROCESSES. Images without non-crowd
    instances are skipped, as matterport's data_generator does. An image with more than
    MAX_GT_INSTANCES instances keeps a random MAX_GT_INSTANCES of them in each example; such images
    are recorded in ``dropped`` for the caller to report (DroppedInstances.warn_once, as
    maskkit.data.feed does once per run), or without one the pipeline warns when it meets the first.
    ``shard=(index, count)``: this worker's disjoint share of the example stream (every ``count``-th
    example from ``index``); with equal seeds the workers' i-th batches together hold the examples
    of the single-machine i-th batch of ``count`` times the size.

    Work is handed over a batch's worth of stream positions at a time (ExampleBuilder.group): one
    Python call and one copy into TensorFlow per group rather than per image, which is what let a
    second thread help; tf.data then re-batches the groups (``rebatch``: one copy, where splitting
    and batching again took two and were most of tf.data's time at 1024 px), so skipped images
    never leave a batch short.

    Args:
        dataset, config: the prepared Dataset and the run's Config.
        augmenters: an Augmenter or build_augmenters spec, or None.
        shuffle: a fresh permutation of the image ids each epoch; False reads them in order.
        seed: base seed of shuffling, augmentation and RPN target sampling.
        repeat: an endless stream of epochs; False ends after one epoch.
        num_parallel_calls: threads building examples; None means config.NUM_WORKERS (at least 1).
        processes: worker processes building examples instead of threads; 0 for threads.
        shard: (index, count) of this worker's share of the stream.
        dropped: records images over MAX_GT_INSTANCES; None means the pipeline warns at the first.
    """
    import tensorflow as tf

    if not 0 <= shard[0] < shard[1]:
        raise ConfigError("shard", f"must be (index, count) with 0 <= index < count, got {shard}")
    check_class_count(dataset, config)
    if len(dataset) == 0:
        raise DatasetError(f"{dataset.name}: the dataset has no images")
    shapes = example_shapes(config)
    if shapes["images"][0] is None and config.BATCH_SIZE > 1:
        raise ConfigError("IMAGE_RESIZE_MODE", f"{config.IMAGE_RESIZE_MODE!r} gives images of varying size, "
                          f"which cannot be batched; use 'square' or 'crop', or a batch size of 1")
    first_image_with_instances(dataset)
    keep_heap_padding()
    augment = build_augmenters(augmenters) if augmenters is not None else None
    builder = ExampleBuilder(dataset, config, augment if augment else None, seed, dropped)
    workers = num_parallel_calls if num_parallel_calls is not None else max(1, config.NUM_WORKERS)
    group_shapes = {key: (None, *shape) for key, shape in shapes.items()}
    dtypes = {key: tf.as_dtype(dtype) for key, dtype in ARRAY_DTYPES.items()}
    ids = np.asarray(dataset.image_ids, dtype=np.int64)
    passes = itertools.count()

    def groups() -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        return index_groups(index_stream(ids, shuffle, seed, repeat, next(passes), shard), config.BATCH_SIZE)

    def build(pass_index: Any, positions: Any, image_ids: Any) -> tuple[Any, ...]:
        outputs = tf.numpy_function(builder.group, [pass_index, positions, image_ids], [dtypes[k] for k in KEYS])
        return tuple(tf.ensure_shape(value, group_shapes[key]) for key, value in zip(KEYS, outputs))

    if processes > 0:
        signature = tuple(tf.TensorSpec(group_shapes[key], dtypes[key]) for key in KEYS)
        stacked = tf.data.Dataset.from_generator(lambda: process_groups(builder, groups(), processes),
                                                 output_signature=signature)
    else:
        index_signature = (tf.TensorSpec((), tf.int64), tf.TensorSpec((None,), tf.int64),
                           tf.TensorSpec((None,), tf.int64))
        stacked = (tf.data.Dataset.from_generator(groups, output_signature=index_signature)
                   .map(build, num_parallel_calls=workers, deterministic=True))

    def finish(*batch: Any) -> dict[str, Any]:
        values = dict(zip(KEYS, batch))
        return {**values, "rpn_match": tf.cast(values["rpn_match"], tf.int32)}

    pipeline = (stacked.rebatch(config.BATCH_SIZE, drop_remainder=True)
                .map(finish)
                .prefetch(tf.data.AUTOTUNE))
    options = tf.data.Options()
    options.deterministic = True
    return pipeline.with_options(options)
