"""The ResNet backbone normalises with maskkit's BatchNorm, the public layer TRAIN_BN and frozen layer sets reach."""

from __future__ import annotations

import pytest

pytest.importorskip("tensorflow")

from maskkit.model.batchnorm import BatchNorm  # noqa: E402
from maskkit_resnet_fpn import resnet  # noqa: E402


def test_resnet_builds_its_normalisation_from_maskkits_batchnorm():
    assert resnet.BatchNorm is BatchNorm
