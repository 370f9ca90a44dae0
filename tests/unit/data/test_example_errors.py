"""example_errors: an error raised inside tf.data comes back as the maskkit error it carries."""

from __future__ import annotations

import pytest

from maskkit.data.example_errors import example_error, next_batch
from maskkit.errors import DatasetError, MaskkitError


class OpError(Exception):
    """Stands in for tf.errors.OpError: the message embeds the raised Python error's last line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def test_a_maskkit_dataset_error_keeps_its_message():
    error = example_error(OpError("Traceback ...\nmaskkit.errors.DatasetError: image 3 (a.jpg): unreadable\n"))
    assert type(error) is DatasetError and str(error) == "image 3 (a.jpg): unreadable"


def test_another_error_names_its_type_and_the_failure():
    error = example_error(OpError("Traceback ...\nValueError: bad shape\n\t [[{{node PyFunc}}]]"))
    assert type(error) is DatasetError
    assert str(error) == "building a training example failed: ValueError: bad shape"
    assert type(example_error(OpError("maskkit.errors.MaskkitError: stop"))) is MaskkitError


def test_a_message_without_a_raised_error_gives_its_first_line():
    error = example_error(OpError("something odd\nmore"))
    assert str(error) == "building a training example failed: OpError: something odd"


def test_next_batch_passes_batches_through():
    assert next_batch(iter([1, 2])) == 1
    with pytest.raises(StopIteration):
        next_batch(iter([]))
