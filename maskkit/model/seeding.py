"""Repeatable runs: one seed for Python, NumPy, TensorFlow ops and Keras initialisers, plus
TensorFlow's deterministic kernels.

Keras 3 initialisers without an explicit seed draw one from Python's ``random`` when a layer is
built, so the starting weights follow the seed set before ``build_graph``; the detection-target
layer's sampling ops take theirs from TensorFlow's global seed when the train step is traced.
Multi-threaded CPU kernels may still sum in varying order unless op determinism is on, so it is
switched on whenever no GPU is visible; on a GPU (where some kernels have no deterministic form
and raise when it is on) only when ``MASKKIT_DETERMINISTIC=1``.
"""

from __future__ import annotations

import os

import keras
import tensorflow as tf

DETERMINISTIC_ENV = "MASKKIT_DETERMINISTIC"


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator, TensorFlow and Keras with ``seed``."""
    keras.utils.set_random_seed(int(seed))


def wants_deterministic_ops() -> bool:
    """Op determinism on a CPU-only machine, or anywhere when MASKKIT_DETERMINISTIC says so (1/0)."""
    choice = os.environ.get(DETERMINISTIC_ENV, "").strip().lower()
    if choice in ("1", "true", "yes"):
        return True
    if choice in ("0", "false", "no"):
        return False
    return not tf.config.list_physical_devices("GPU")


def make_repeatable(seed: int) -> None:
    """Seed everything and, where wanted, make TensorFlow pick deterministic kernels."""
    if wants_deterministic_ops():
        tf.config.experimental.enable_op_determinism()
    seed_everything(seed)
