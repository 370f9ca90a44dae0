"""Worker processes that build training examples for Python-heavy datasets, in stream order.

The spawned workers each hold a copy of the ExampleBuilder (pickled once, at start-up), end when
their parent dies, and send back with every group what they dropped over MAX_GT_INSTANCES, so the
pipeline's record stays complete.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Iterator

import numpy as np

from maskkit.utils.heap import keep_heap_padding


def index_groups(stream: Iterator[tuple[int, int, int]], size: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(pass, positions, image ids) of ``size`` consecutive stream entries (fewer at the end)."""
    while True:
        chunk = list(itertools.islice(stream, size))
        if not chunk:
            return
        passes, positions, image_ids = zip(*chunk)
        yield passes[0], np.asarray(positions, dtype=np.int64), np.asarray(image_ids, dtype=np.int64)


_worker_builder: Any = None


def _init_worker(builder: Any) -> None:
    global _worker_builder
    _exit_with_parent()
    keep_heap_padding()
    _worker_builder = builder


def _exit_with_parent() -> None:
    """End this worker process when its parent dies (killed, or out of memory): a pool worker waits on
    a queue it also holds the writing end of, so it would otherwise never notice and linger forever."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="maskkit-parent-watch", daemon=True).start()


def _group_in_worker(pass_index: int, positions: np.ndarray,
                     image_ids: np.ndarray) -> tuple[list[np.ndarray], dict[str, int]]:
    """The group's arrays and the images over MAX_GT_INSTANCES this worker met since its last group."""
    arrays = _worker_builder.group(pass_index, positions, image_ids)
    return arrays, _worker_builder.dropped.take()


def process_groups(builder: Any, groups: Iterator[tuple[int, np.ndarray, np.ndarray]],
                   processes: int) -> Iterator[tuple[np.ndarray, ...]]:
    """ExampleBuilder.group of each group, built by ``processes`` spawned workers, in stream order;
    at most two groups per worker are in flight. What the workers record as dropped is merged into
    ``builder.dropped``.

    Args:
        builder: the pipeline's maskkit.data.input.ExampleBuilder (each worker gets a pickled copy;
            typed loosely so this module does not import the pipeline back).
        groups: (pass, positions, image ids) of each group, as index_groups gives them.
        processes: how many worker processes to spawn.
    """
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(builder,))
    pending: collections.deque = collections.deque()
    try:
        for group in groups:
            pending.append(pool.submit(_group_in_worker, *group))
            if len(pending) >= 2 * processes:
                yield _merged(builder, pending.popleft().result())
        while pending:
            yield _merged(builder, pending.popleft().result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _merged(builder: Any, built: tuple[list[np.ndarray], dict[str, int]]) -> tuple[np.ndarray, ...]:
    """A worker's group arrays, its dropped-instance records merged into ``builder.dropped``."""
    arrays, dropped = built
    builder.dropped.merge(dropped)
    return tuple(arrays)
