"""The tf.data input pipeline: seeded shuffling, parallel per-image preprocessing, batching, prefetch.

Per-image work (loading, augmenting, resizing, RPN targets) is plain numpy/OpenCV, run either
through ``tf.numpy_function`` with ``num_parallel_calls`` threads (OpenCV and numpy release the
GIL for their heavy parts) or, for Python-heavy datasets, in a pool of ``processes`` spawned
workers. Images are handed over as uint8 and molded (minus MEAN_PIXEL, float32) by TensorFlow per
batch: a float32 image is 4x the bytes to copy through numpy_function and batching. Each image's
randomness comes from ``numpy.random.default_rng([seed, pass, n])`` where
``n`` counts examples in the stream and ``pass`` how often this pipeline was iterated from the
start (Keras re-iterates a finite dataset every epoch), so equal seeds give identical batches
and every pass of a finite pipeline gets a fresh shuffle and fresh augmentation.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import re
import threading
import warnings
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Iterator

import numpy as np

from maskkit.augment.build import build_augmenters
from maskkit.config import Config
from maskkit.data.anchors import anchors_for
from maskkit.data.ground_truth import check_class_count, load_image_gt
from maskkit.data.targets import build_rpn_targets
from maskkit.dataset import Dataset
from maskkit.errors import ConfigError, DatasetError, MaskkitError

KEYS = ("images", "image_meta", "rpn_match", "rpn_bbox", "gt_class_ids", "gt_boxes", "gt_masks")


class ExampleBuilder:
    """Turns (pass, stream position, image id) into one example's model inputs as numpy arrays
    (``images`` still uint8; make_dataset molds them).

    Callable from several threads; it counts consecutive images without instances and raises
    DatasetError when a whole dataset's worth in a row had none, instead of looping forever.
    """

    def __init__(self, dataset: Dataset, config: Config, augmenters: Any = None, seed: int = 0) -> None:
        self.dataset = dataset
        self.config = config
        self.augmenters = augmenters
        self.seed = int(seed)
        self._empty_run = 0
        self._empty_limit = 2 * len(dataset) + 64
        self._warned_too_many = False
        self._lock = threading.Lock()

    def __call__(self, position: int, image_id: int, pass_index: int = 0) -> tuple[dict[str, np.ndarray], bool]:
        """The example dict (keys KEYS) and whether it has any non-crowd instance."""
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
            self._warn_too_many(int(image_id), class_ids.shape[0])
            chosen = np.sort(rng.choice(class_ids.shape[0], config.MAX_GT_INSTANCES, replace=False))
            class_ids, boxes, masks = class_ids[chosen], boxes[chosen], masks[..., chosen]
        rpn_match, rpn_bbox = build_rpn_targets(anchors_for(config, image.shape), class_ids, boxes, config, rng=rng)
        n, limit = class_ids.shape[0], config.MAX_GT_INSTANCES
        gt_class_ids = np.zeros(limit, dtype=np.int32)
        gt_class_ids[:n] = class_ids
        gt_boxes = np.zeros((limit, 4), dtype=np.float32)
        gt_boxes[:n] = boxes
        gt_masks = np.zeros(masks.shape[:2] + (limit,), dtype=bool)
        gt_masks[..., :n] = masks
        example = {"images": image, "image_meta": image_meta.astype(np.float32),
                   "rpn_match": rpn_match, "rpn_bbox": rpn_bbox, "gt_class_ids": gt_class_ids,
                   "gt_boxes": gt_boxes, "gt_masks": gt_masks}
        return example, keep

    def __getstate__(self) -> dict[str, Any]:
        """Picklable for worker processes: the lock is recreated on the other side."""
        return {key: value for key, value in vars(self).items() if key != "_lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        self._lock = threading.Lock()

    def _warn_too_many(self, image_id: int, count: int) -> None:
        """Warn once per pipeline that images hold more instances than MAX_GT_INSTANCES keeps."""
        with self._lock:
            if self._warned_too_many:
                return
            self._warned_too_many = True
        warnings.warn(f"{self.dataset.describe_image(image_id)} has {count} instances but MAX_GT_INSTANCES is "
                      f"{self.config.MAX_GT_INSTANCES}: each time it is used a random "
                      f"{self.config.MAX_GT_INSTANCES} are kept (raise MAX_GT_INSTANCES; `maskkit data check` "
                      f"lists every such image)", RuntimeWarning, stacklevel=2)

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
    ``shard=(index, count)`` keeps the positions ``index`` modulo ``count`` (one worker's share)."""
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


def example_shapes(config: Config) -> dict[str, tuple]:
    """Static per-example shapes of KEYS (None where the image size varies)."""
    if config.IMAGE_RESIZE_MODE in ("square", "crop"):
        height, width = config.IMAGE_SHAPE[:2]
        anchors = int(anchors_for(config, config.IMAGE_SHAPE).shape[0])
    else:
        height = width = anchors = None
    mask_hw = tuple(config.MINI_MASK_SHAPE) if config.USE_MINI_MASK else (height, width)
    limit = config.MAX_GT_INSTANCES
    return {"images": (height, width, config.IMAGE_CHANNEL_COUNT), "image_meta": (config.IMAGE_META_SIZE,),
            "rpn_match": (anchors,), "rpn_bbox": (config.RPN_TRAIN_ANCHORS_PER_IMAGE, 4),
            "gt_class_ids": (limit,), "gt_boxes": (limit, 4), "gt_masks": (*mask_hw, limit)}


def first_image_with_instances(dataset: Dataset) -> int:
    """The first image id having a non-crowd instance with pixels; DatasetError naming the dataset if none has."""
    for image_id in dataset.image_ids:
        _, mask, class_ids = dataset.load_checked(int(image_id))
        if np.any((class_ids > 0) & mask.any(axis=(0, 1))):
            return int(image_id)
    raise DatasetError(f"{dataset.name}: none of its {len(dataset)} images has an instance with pixels "
                       f"(images without instances are skipped, so there is nothing to train on)")


_worker_builder: ExampleBuilder | None = None


def _init_worker(builder: ExampleBuilder) -> None:
    global _worker_builder
    _worker_builder = builder


def _build_in_worker(pass_index: int, position: int, image_id: int) -> tuple[dict[str, np.ndarray], bool]:
    return _worker_builder(position, image_id, pass_index)


def process_examples(builder: ExampleBuilder, stream: Iterator[tuple[int, int, int]],
                     processes: int) -> Iterator[tuple[np.ndarray, ...]]:
    """Examples (tuples in KEYS order) built by ``processes`` spawned workers, in stream order,
    images without instances left out; at most two jobs per worker are in flight."""
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(builder,))
    pending: collections.deque = collections.deque()
    try:
        for pass_index, position, image_id in stream:
            pending.append(pool.submit(_build_in_worker, pass_index, position, image_id))
            if len(pending) >= 2 * processes:
                example, keep = pending.popleft().result()
                if keep:
                    yield tuple(example[key] for key in KEYS)
        while pending:
            example, keep = pending.popleft().result()
            if keep:
                yield tuple(example[key] for key in KEYS)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def make_dataset(dataset: Dataset, config: Config, *, augmenters: Any = None, shuffle: bool = True,
                 seed: int = 0, repeat: bool = True, num_parallel_calls: int | None = None,
                 processes: int = 0, shard: tuple[int, int] = (0, 1)) -> Any:
    """A ``tf.data.Dataset`` of batched model inputs (dicts with keys KEYS), batch size config.BATCH_SIZE.

    ``augmenters`` is an Augmenter or a spec for build_augmenters (``"fliplr,rot90"``); None means
    no augmentation. ``num_parallel_calls`` threads (default config.NUM_WORKERS, at least 1) build
    examples, or ``processes`` > 0 spawned worker processes do (the dataset, config and augmenters
    must then be picklable, and in-process-only plugins are not seen by the workers). Images
    without non-crowd instances are skipped, as matterport's data_generator does.
    ``shard=(index, count)``: this worker's disjoint share of the example stream (every ``count``-th
    example from ``index``); with equal seeds the workers' i-th batches together hold the examples
    of the single-machine i-th batch of ``count`` times the size.
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
    augment = build_augmenters(augmenters) if augmenters is not None else None
    builder = ExampleBuilder(dataset, config, augment if augment else None, seed)
    workers = num_parallel_calls if num_parallel_calls is not None else max(1, config.NUM_WORKERS)
    dtypes = {"images": tf.uint8, "image_meta": tf.float32, "rpn_match": tf.int32, "rpn_bbox": tf.float32,
              "gt_class_ids": tf.int32, "gt_boxes": tf.float32, "gt_masks": tf.bool}

    def run(pass_index: np.ndarray, position: np.ndarray, image_id: np.ndarray) -> list[np.ndarray]:
        example, keep = builder(int(position), int(image_id), int(pass_index))
        return [example[key] for key in KEYS] + [np.array(keep)]

    def prepare(pass_index: Any, position: Any, image_id: Any) -> tuple[dict[str, Any], Any]:
        outputs = tf.numpy_function(run, [pass_index, position, image_id], [dtypes[k] for k in KEYS] + [tf.bool])
        example = {key: tf.ensure_shape(value, shapes[key]) for key, value in zip(KEYS, outputs)}
        return example, tf.ensure_shape(outputs[-1], ())

    ids = np.asarray(dataset.image_ids, dtype=np.int64)
    passes = itertools.count()
    if processes > 0:
        signature = tuple(tf.TensorSpec(shapes[key], dtypes[key]) for key in KEYS)
        examples = (tf.data.Dataset.from_generator(
            lambda: process_examples(builder, index_stream(ids, shuffle, seed, repeat, next(passes), shard),
                                     processes),
            output_signature=signature)
            .map(lambda *values: dict(zip(KEYS, values))))
    else:
        stream = tf.data.Dataset.from_generator(
            lambda: index_stream(ids, shuffle, seed, repeat, next(passes), shard),
            output_signature=(tf.TensorSpec((), tf.int64),) * 3)
        examples = (stream
                    .map(prepare, num_parallel_calls=workers, deterministic=True)
                    .filter(lambda example, keep: keep)
                    .map(lambda example, keep: example))
    mean = tf.constant(config.MEAN_PIXEL, dtype=tf.float32)
    pipeline = (examples.batch(config.BATCH_SIZE, drop_remainder=True)
                .map(lambda batch: {**batch, "images": mold_batch(batch["images"], mean)})
                .prefetch(tf.data.AUTOTUNE))
    options = tf.data.Options()
    options.deterministic = True
    return pipeline.with_options(options)


def mold_batch(images: Any, mean: Any) -> Any:
    """uint8 [B, H, W, C] -> float32 minus ``mean`` [C], as mold_image: subtracted row by row from the
    mean tiled W times, which TensorFlow does several times faster than broadcasting over C."""
    import tensorflow as tf

    shape = tf.shape(images)
    rows = tf.reshape(tf.cast(images, tf.float32), [shape[0], shape[1], shape[2] * shape[3]])
    return tf.reshape(rows - tf.tile(mean, [shape[2]]), shape)


_RAISED = re.compile(r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception)): (?P<message>.*)$", re.MULTILINE)


def next_batch(batches: Iterator[Any]) -> Any:
    """``next(batches)``, turning an error raised while building an example inside tf.data (which
    TensorFlow wraps in an OpError with an embedded traceback) back into one readable maskkit error."""
    import tensorflow as tf

    try:
        return next(batches)
    except tf.errors.OpError as exc:
        raise example_error(exc) from exc


def example_error(exc: Exception) -> MaskkitError:
    """The maskkit error a tf.data OpError carries (same message), or a DatasetError naming the failure."""
    raised = list(_RAISED.finditer(exc.message if hasattr(exc, "message") else str(exc)))
    if not raised:
        return DatasetError(f"building a training example failed: {type(exc).__name__}: "
                            f"{str(exc).strip().splitlines()[0]}")
    kind, message = raised[-1]["type"], raised[-1]["message"].strip()
    if kind.startswith("maskkit.errors."):
        return DatasetError(message) if kind.endswith(".DatasetError") else MaskkitError(message)
    return DatasetError(f"building a training example failed: {kind.rpartition('.')[2]}: {message}")
