"""``maskkit train`` turns its options into one Pipeline and one train call (the Pipeline is a stand-in here)."""

from __future__ import annotations

import types

import pytest

import maskkit.pipeline
from tests.helpers import run_cli


class FakePipeline:
    """Records how the command builds and trains a pipeline."""

    made: list[FakePipeline] = []

    def __init__(self, dataset, **kwargs) -> None:
        self.dataset_name, self.kwargs = dataset, kwargs
        self.config = kwargs["config"]
        self.dataset = self.val_dataset = None
        self.model = types.SimpleNamespace(log_dir="runs/x")
        FakePipeline.made.append(self)

    def train(self, epochs, **kwargs):
        self.epochs, self.train_kwargs = epochs, kwargs
        return {"loss": [2.0, 0.5]}

    def run_folder_line(self) -> str:
        return f"run folder: {self.model.log_dir}"


@pytest.fixture
def fake(monkeypatch):
    FakePipeline.made = []
    monkeypatch.setattr(maskkit.pipeline, "Pipeline", FakePipeline)
    monkeypatch.setattr("maskkit.split.warn_if_validation_is_training", lambda train, val: None)
    monkeypatch.setattr("maskkit.split_summary.describe_data", lambda train, val: "train: (stand-in)")
    return FakePipeline.made


def test_shapes_trains_eight_epochs_on_2000_images_by_default(fake):
    result = run_cli("train", "--layers", "heads")
    assert result.exit_code == 0, result.output
    (pipe,) = fake
    assert pipe.dataset_name == "shapes" and pipe.kwargs["dataset_args"] == {"count": 2000}
    assert pipe.kwargs["val_args"] == {"count": 50} and pipe.config.IMAGE_MAX_DIM == 128
    assert pipe.epochs == 8 and pipe.train_kwargs["layers"] == "heads"
    assert "run folder: runs/x" in result.output and "final loss: 0.5000" in result.output


def test_other_datasets_train_one_epoch_with_their_arguments_and_explicit_classes(fake):
    result = run_cli("train", "--dataset", "coco", "--data", "images=dir", "--set", "num_classes=5",
                     "--augment", "fliplr", "--epochs", "3")
    assert result.exit_code == 0, result.output
    (pipe,) = fake
    assert pipe.kwargs["dataset_args"] == pipe.kwargs["val_args"] == {"images": "dir"}
    assert pipe.kwargs["overrides"] == {"NUM_CLASSES": 5} and pipe.kwargs["augmenters"] == "fliplr"
    assert pipe.epochs == 3


def test_a_non_positive_epoch_count_is_refused_before_anything_runs(fake):
    result = run_cli("train", "--epochs", "0")
    assert result.exit_code == 2 and "--epochs" in result.output and not fake
