"""Roboflow's export layout: which split folder ``root=`` loads for each subset, and the fallback split."""

from __future__ import annotations

import warnings

import pytest

import maskkit
from maskkit import DatasetError
from maskkit_coco.dataset import make_coco
from maskkit_coco.layout import DEFAULT_VAL_FRACTION, choose_split
from tests.helpers_coco import ROBOFLOW_FILE, build_roboflow


def load(root, subset=None, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_coco(root=str(root), subset=subset, **kwargs)


def files_of(dataset):
    return {info["path"] for info in dataset.image_info}


@pytest.fixture
def export(tmp_path):
    """train/ (10 images), valid/ (4) and test/ (3)."""
    return build_roboflow(tmp_path / "export", {"train": 10, "valid": 4, "test": 3})


@pytest.fixture
def no_valid(tmp_path):
    """train/ (10 images) and test/ (3), as the nanoparticles export."""
    return build_roboflow(tmp_path / "export", {"train": 10, "test": 3})


@pytest.mark.parametrize("root", ["export", "export/train"])
def test_train_and_val_come_from_train_and_valid_folders(export, root):
    given = export.parent / root
    train, val = load(given, "train"), load(given, "val")
    assert len(train) == 10 and len(val) == 4
    assert all("/train/" in path for path in files_of(train))
    assert all("/valid/" in path for path in files_of(val))
    assert train.coco_annotation_file == export / "train" / ROBOFLOW_FILE


def test_val_folder_is_found_under_its_short_name_too(tmp_path):
    export = build_roboflow(tmp_path / "export", {"train": 5, "val": 2})
    assert choose_split(export / "train", "val").folder == export / "val"


def test_without_a_valid_folder_train_is_split_and_test_is_left_alone(no_valid):
    with pytest.warns(UserWarning, match=r"no validation folder \(valid/ or val/\) beside .*train: subset 'val' "
                                         r"uses a fixed split .* 20% held out"):
        val = make_coco(root=str(no_valid / "train"), subset="val")
    train = load(no_valid / "train", "train")
    assert len(train) + len(val) == 10 and len(val) >= 1 and len(train) >= 1
    assert not files_of(train) & files_of(val)
    assert all("/train/" in path for path in files_of(train) | files_of(val))
    choice = choose_split(no_valid, "val")
    assert choice.folder == no_valid / "train" and choice.val_fraction == DEFAULT_VAL_FRACTION
    assert choose_split(no_valid, "train").val_fraction == DEFAULT_VAL_FRACTION


def test_explicit_val_fraction_splits_the_train_folder_even_with_valid(export):
    train = load(export / "train", "train", val_fraction=0.5, split_seed=3)
    val = load(export / "train", "val", val_fraction=0.5, split_seed=3)
    assert len(train) + len(val) == 10 and not files_of(train) & files_of(val)
    assert all("/train/" in path for path in files_of(val))
    assert files_of(val) != files_of(load(export / "train", "val", val_fraction=0.5, split_seed=4))
    assert files_of(load(export, "val", val_fraction=0.5, split_seed=3)) == files_of(val)


def test_no_subset_loads_the_whole_split_folder(no_valid):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dataset = make_coco(root=str(no_valid / "train"))
    assert len(dataset) == 10


def test_held_out_folders_load_as_they_are_for_evaluation(export):
    for subset in ("val", "train", None):
        assert len(load(export / "test", subset)) == 3
    assert len(load(export / "valid", "val")) == 4


def test_other_subsets_name_a_split_folder(export):
    assert len(load(export, "test")) == 3
    assert len(load(export / "train", "test")) == 3
    with pytest.raises(DatasetError, match=r"no split folder .*export/holdout .*split folders in .*: test, train, valid"):
        load(export, "holdout")


def test_export_folder_without_subset_asks_for_a_split(export):
    with pytest.raises(DatasetError, match=r"is an export with split folders test, train, valid: name one, e\.g\. root="):
        load(export)


def test_unusable_roots_name_what_was_looked_for(tmp_path):
    with pytest.raises(DatasetError, match="root folder not found: .*nowhere"):
        load(tmp_path / "nowhere", "train")
    (tmp_path / "empty" / "train").mkdir(parents=True)
    with pytest.raises(DatasetError, match=r"holds no _annotations\.coco\.json, and no folder in it does"):
        load(tmp_path / "empty", "train")
    only_valid = build_roboflow(tmp_path / "only_valid", {"valid": 2})
    assert len(load(only_valid, "val")) == 2
    with pytest.raises(DatasetError, match=r"no split folder .*only_valid/train .*split folders in .*: valid"):
        load(only_valid, "train")


def test_root_with_annotations_or_images_is_an_error(no_valid):
    with pytest.raises(DatasetError, match="either root= .* or annotations= and images=, not both"):
        make_coco(images=str(no_valid / "train"), root=str(no_valid / "train"))
    with pytest.raises(DatasetError, match="needs annotations= .* and images="):
        make_coco(annotations=str(no_valid / "train" / ROBOFLOW_FILE))


def test_registered_factory_takes_root_and_drops_the_supercategory(export):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = maskkit.datasets.create("coco", root=str(export / "train"), subset="val")
    assert len(dataset) == 4 and dataset.class_names == ["BG", "Cube", "Octahedron", "Sphere"]
