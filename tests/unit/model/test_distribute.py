"""Choosing the distribution strategy: TF_CONFIG's workers, MASKKIT_DEVICES, and the single-machine default."""

from __future__ import annotations

import json

import pytest

tf = pytest.importorskip("tensorflow")

from maskkit import ConfigError, MaskkitError  # noqa: E402
from maskkit.model.distribute import (DEVICES_ENV, cluster_workers, is_chief, requested_devices,  # noqa: E402
                                      strategy_for, worker_shard)
from tests.helpers import tiny_config  # noqa: E402


def test_workers_are_counted_from_tf_config(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert cluster_workers() == 0
    cluster = {"chief": ["a:1"], "worker": ["b:1", "c:1"], "ps": ["d:1"]}
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": "chief", "index": 0}}))
    assert cluster_workers() == 3
    monkeypatch.setenv("TF_CONFIG", "[1, 2]")
    with pytest.raises(MaskkitError, match="TF_CONFIG is not a JSON object with a 'cluster'"):
        cluster_workers()


def test_devices_come_from_the_argument_or_the_environment(monkeypatch):
    monkeypatch.setenv(DEVICES_ENV, "/gpu:0, /gpu:1,")
    assert requested_devices() == ["/gpu:0", "/gpu:1"]
    assert requested_devices([" /cpu:0 "]) == ["/cpu:0"]


def test_one_machine_gets_the_default_strategy_and_too_few_devices_are_an_error(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    monkeypatch.delenv(DEVICES_ENV, raising=False)
    strategy = strategy_for(tiny_config())
    assert strategy is tf.distribute.get_strategy() and is_chief(strategy) and worker_shard(strategy) == (0, 1)
    with pytest.raises(ConfigError, match="GPU_COUNT: is 2 but MASKKIT_DEVICES lists only 1 devices"):
        strategy_for(tiny_config(GPU_COUNT=2), devices=["/cpu:0"])
