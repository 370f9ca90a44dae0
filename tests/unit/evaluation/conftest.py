"""Fixtures of the evaluation tests: the COCO helper files, made realistic, and the dataset read from them."""

from __future__ import annotations

import warnings

import pytest

from maskkit_coco.dataset import make_coco
from tests.helpers_coco import build_coco
from tests.helpers_evaluation import realistic


@pytest.fixture
def coco_files(tmp_path):
    return build_coco(tmp_path, realistic)


@pytest.fixture
def dataset(coco_files):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_coco(str(coco_files.annotations), str(coco_files.images))
