"""DroppedInstances: images over MAX_GT_INSTANCES recorded from many threads and worker copies, reported once."""

from __future__ import annotations

import pickle
import threading
import warnings

import pytest

from maskkit.data.dropped import DroppedInstances


def caught(action) -> list[str]:
    """The RuntimeWarning messages ``action()`` issues."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        action()
    return [str(w.message) for w in seen if issubclass(w.category, RuntimeWarning)]


def test_the_message_counts_each_image_once_at_its_largest_count():
    dropped = DroppedInstances(100)
    assert dropped.message() is None
    dropped.record("img A", 600)
    dropped.record("img B", 150)
    dropped.record("img A", 580)  # met again, after augmentation cropped some away
    text = dropped.message()
    assert text.startswith("Training examples left out 550 ground-truth instances of 2 images")
    assert "MAX_GT_INSTANCES=100" in text and "the most: 600 in img A" in text
    assert "Raise MAX_GT_INSTANCES" in text


def test_warn_once_warns_once_from_many_threads_and_never_without_records():
    dropped = DroppedInstances(10)
    assert caught(dropped.warn_once) == []
    start = threading.Barrier(8)

    def work(k: int) -> None:
        start.wait()
        for j in range(50):
            dropped.record(f"img {k}-{j}", 11)
            dropped.warn_once()

    def run() -> None:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        dropped.warn_once()

    messages = caught(run)
    assert len(messages) == 1
    assert dropped.message().startswith("Training examples left out 400 ground-truth instances of 400 images")


def test_warn_at_first_warns_when_the_first_image_is_recorded_only():
    dropped = DroppedInstances(2, warn_at_first=True)
    messages = caught(lambda: dropped.record("img A", 5))
    assert len(messages) == 1
    assert messages[0].startswith("Training examples left out 3 ground-truth instances of 1 image ")
    assert caught(lambda: (dropped.record("img B", 9), dropped.warn_once())) == []


def test_a_workers_copy_never_warns_and_its_records_reach_the_parent():
    parent = DroppedInstances(3, warn_at_first=True)
    worker = pickle.loads(pickle.dumps(parent))
    assert caught(lambda: worker.record("img A", 7)) == []
    assert worker.take() == {"img A": 7} and worker.take() == {}
    with pytest.warns(RuntimeWarning, match="left out 4 ground-truth instances of 1 image"):
        parent.merge({"img A": 7})
