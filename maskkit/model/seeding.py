"""Repeatable runs: a model's starting weights follow config.SEED, and a training run seeds Python,
NumPy, TensorFlow ops and Keras initialisers and switches on TensorFlow's deterministic kernels.

Keras 3 initialisers without an explicit seed draw one from Python's ``random`` when a layer is
built, so ``seeded_initialisers`` makes the starting weights a function of the seed without
changing the generators' state for the rest of the process. The detection-target layer's
sampling ops take their seeds from TensorFlow's global seed when the train step is traced, so
``make_repeatable`` runs where training starts (MaskRCNN.fit). Multi-threaded CPU kernels may still
sum in varying order unless op determinism is on, so it is switched on whenever no GPU is visible;
on a GPU (where some kernels have no deterministic form and raise when it is on) only when
``MASKKIT_DETERMINISTIC=1``.
"""

from __future__ import annotations

import contextlib
import os
import random
from typing import Iterator

import keras
import numpy as np
import tensorflow as tf

DETERMINISTIC_ENV = "MASKKIT_DETERMINISTIC"


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator, TensorFlow and Keras with ``seed``."""
    keras.utils.set_random_seed(int(seed))


@contextlib.contextmanager
def seeded_initialisers(seed: int) -> Iterator[None]:
    """Within, unseeded Keras initialisers (and NumPy's global generator) draw from ``seed``, so a
    model built here starts from the same weights for the same seed; afterwards Python's and NumPy's
    generators are back in the state they were in, so the caller's process is unaffected.

    Args:
        seed: the seed the starting weights follow (config.SEED).
    """
    python_state, numpy_state = random.getstate(), np.random.get_state()
    random.seed(int(seed))
    np.random.seed(int(seed))
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def wants_deterministic_ops() -> bool:
    """Op determinism on a CPU-only machine, or anywhere when MASKKIT_DETERMINISTIC says so (1/0)."""
    choice = os.environ.get(DETERMINISTIC_ENV, "").strip().lower()
    if choice in ("1", "true", "yes"):
        return True
    if choice in ("0", "false", "no"):
        return False
    return not tf.config.list_physical_devices("GPU")


def make_repeatable(seed: int) -> None:
    """Seed everything and, where wanted, make TensorFlow pick deterministic kernels: called once
    where a training run starts, since both reach the whole process.

    Args:
        seed: the run's seed (config.SEED).
    """
    if wants_deterministic_ops():
        tf.config.experimental.enable_op_determinism()
    seed_everything(seed)
