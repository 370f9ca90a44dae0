"""Seeding: one seed repeats Python, NumPy and TensorFlow draws; MASKKIT_DETERMINISTIC decides op determinism."""

from __future__ import annotations

import random

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from maskkit.model.seeding import DETERMINISTIC_ENV, seed_everything, wants_deterministic_ops  # noqa: E402


def draws() -> tuple:
    return random.random(), float(np.random.rand()), float(tf.random.uniform(()))


def test_the_same_seed_repeats_every_generator():
    seed_everything(3)
    first = draws()
    seed_everything(3)
    assert draws() == first
    seed_everything(4)
    assert draws() != first


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("yes", True), ("0", False), ("false", False)])
def test_the_environment_variable_decides_when_set(monkeypatch, value, expected):
    monkeypatch.setenv(DETERMINISTIC_ENV, value)
    assert wants_deterministic_ops() is expected


def test_without_it_a_cpu_only_machine_wants_determinism(monkeypatch):
    monkeypatch.delenv(DETERMINISTIC_ENV, raising=False)
    assert wants_deterministic_ops() is (not tf.config.list_physical_devices("GPU"))
