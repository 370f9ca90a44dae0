"""Errors raised while building an example inside tf.data, turned back into one readable maskkit error.

TensorFlow wraps an exception raised in a ``tf.numpy_function`` in an OpError whose message embeds
the Python traceback; the user should see the original message (a DatasetError naming the image),
not TensorFlow's.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from maskkit.errors import DatasetError, MaskkitError

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
    """The maskkit error a tf.data OpError carries (same message), or a DatasetError naming the failure.

    Args:
        exc: the OpError (or any exception) whose message may embed a raised error's traceback.
    """
    raised = list(_RAISED.finditer(exc.message if hasattr(exc, "message") else str(exc)))
    if not raised:
        return DatasetError(f"building a training example failed: {type(exc).__name__}: "
                            f"{str(exc).strip().splitlines()[0]}")
    kind, message = raised[-1]["type"], raised[-1]["message"].strip()
    if kind.startswith("maskkit.errors."):
        return DatasetError(message) if kind.endswith(".DatasetError") else MaskkitError(message)
    return DatasetError(f"building a training example failed: {kind.rpartition('.')[2]}: {message}")
