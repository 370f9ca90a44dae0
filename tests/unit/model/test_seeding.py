"""Seeding: one seed repeats Python, NumPy and TensorFlow draws; seeded initialisers leave the process's
generators as they were; MASKKIT_DETERMINISTIC decides op determinism."""

from __future__ import annotations

import random

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from maskkit.model.seeding import (  # noqa: E402
    DETERMINISTIC_ENV,
    seed_everything,
    seeded_initialisers,
    wants_deterministic_ops,
)


def draws() -> tuple:
    return random.random(), float(np.random.rand()), float(tf.random.uniform(()))


def test_the_same_seed_repeats_every_generator():
    seed_everything(3)
    first = draws()
    seed_everything(3)
    assert draws() == first
    seed_everything(4)
    assert draws() != first


def test_seeded_initialisers_repeat_their_draws_and_give_the_generators_back():
    random.seed(11)
    np.random.seed(11)
    expected = random.random(), float(np.random.rand())
    random.seed(11)
    np.random.seed(11)
    with seeded_initialisers(3):
        first = random.random(), float(np.random.rand())
    with seeded_initialisers(3):
        assert (random.random(), float(np.random.rand())) == first
    with seeded_initialisers(4):
        assert (random.random(), float(np.random.rand())) != first
    assert (random.random(), float(np.random.rand())) == expected


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("yes", True), ("0", False), ("false", False)])
def test_the_environment_variable_decides_when_set(monkeypatch, value, expected):
    monkeypatch.setenv(DETERMINISTIC_ENV, value)
    assert wants_deterministic_ops() is expected


def test_without_it_a_cpu_only_machine_wants_determinism(monkeypatch):
    monkeypatch.delenv(DETERMINISTIC_ENV, raising=False)
    assert wants_deterministic_ops() is (not tf.config.list_physical_devices("GPU"))
