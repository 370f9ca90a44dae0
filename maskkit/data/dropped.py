"""The images whose training examples left instances out because they hold more than MAX_GT_INSTANCES.

Example builders record such images from tf.data's threads (and, through their parent, from worker
processes); the input side warns once with the totals (maskkit.data.feed), so a run never loses
instances silently and never floods the terminal with one warning per image.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any


class DroppedInstances:
    """Thread-safe record of image -> most instances it had, for images over ``limit`` (MAX_GT_INSTANCES).

    ``warn_at_first``: warn as soon as the first such image is recorded (for a pipeline nobody
    reports on) instead of leaving it to warn_once. A copy made by pickling (a worker process's)
    never warns: its records go to the parent's instance (take, then merge).
    """

    def __init__(self, limit: int, warn_at_first: bool = False) -> None:
        self.limit = int(limit)
        self.warn_at_first = warn_at_first
        self._images: dict[str, int] = {}
        self._warned = False
        self._lock = threading.Lock()

    def record(self, image: str, count: int) -> None:
        """Note an image over the limit.

        Args:
            image: how errors name it (Dataset.describe_image).
            count: its instances in this example (augmentation may have cropped some away).
        """
        self.merge({image: int(count)})

    def merge(self, images: dict[str, int]) -> None:
        """Add images met elsewhere; an image met again keeps its largest count.

        Args:
            images: image -> instances, as another instance's take() gives (a worker process's).
        """
        if not images:
            return
        with self._lock:
            first = not self._images
            for image, count in images.items():
                self._images[image] = max(count, self._images.get(image, 0))
        if first and self.warn_at_first:
            self.warn_once()

    def take(self) -> dict[str, int]:
        """The images recorded since the last take (all of them the first time), forgetting them."""
        with self._lock:
            images, self._images = self._images, {}
        return images

    def message(self) -> str | None:
        """What was left out, with the fix.

        Returns:
            How many instances of how many images, the fullest image and what to raise; None when
            nothing was left out.
        """
        with self._lock:
            images = dict(self._images)
        if not images:
            return None
        dropped = sum(count - self.limit for count in images.values())
        busiest = max(images, key=images.__getitem__)
        return (f"Training examples left out {_counted(dropped, 'ground-truth instance')} of "
                f"{_counted(len(images), 'image')} with more than MAX_GT_INSTANCES={self.limit} instances (the "
                f"most: {images[busiest]} in {busiest}); each example of such an image keeps a random {self.limit} "
                f"of its instances. Raise MAX_GT_INSTANCES to train on all of them (`maskkit data check` lists "
                f"every such image).")

    def warn_once(self) -> None:
        """Warn (RuntimeWarning) with message() the first time there is something to report."""
        text = self.message()
        with self._lock:
            if text is None or self._warned:
                return
            self._warned = True
        warnings.warn(text, RuntimeWarning, stacklevel=2)

    def __getstate__(self) -> dict[str, Any]:
        """Picklable for worker processes: the lock is recreated, and the copy leaves warning to its parent."""
        return {**{key: value for key, value in vars(self).items() if key != "_lock"}, "warn_at_first": False}

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        self._lock = threading.Lock()


def _counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, in the plural unless there is one."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
