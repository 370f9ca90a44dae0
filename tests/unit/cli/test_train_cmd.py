"""``maskkit train`` turns its options into one Pipeline and one train call (the Pipeline is a stand-in here)."""

from __future__ import annotations

import types

import pytest

import maskkit.pipeline
from maskkit import hookimpl, plugins
from maskkit.config_assembly import assemble_config
from tests.helpers import run_cli


class FakePipeline:
    """Records how the command builds and trains a pipeline."""

    made: list[FakePipeline] = []

    def __init__(self, dataset, **kwargs) -> None:
        self.dataset_name, self.kwargs = dataset, kwargs
        assembled = assemble_config(kwargs["config"], dataset_name=dataset)
        self.config, self.config_sources = assembled.config, dict(assembled.sources)
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
    assert pipe.kwargs["config"].overrides == (("--set", {"NUM_CLASSES": 5}), ("--augment", {"AUGMENTERS": "fliplr"}))
    assert pipe.epochs == 3 and pipe.config.NUM_CLASSES == 5


class Recommending:
    """A dataset plugin that recommends its arguments, epochs and preset, and asks to be the default."""

    def __init__(self, default: bool) -> None:
        self.default = default

    @hookimpl
    def maskkit_register_datasets(self, register):
        register("petri", lambda **kwargs: None, preset="cpu", train_args={"dishes": 9}, val_args={"dishes": 2},
                 epochs=3, default_dataset=self.default)


@pytest.fixture
def petri():
    """Register the Recommending plugin (as default or not) for one test."""

    def register(default: bool) -> None:
        plugins.register_plugin(Recommending(default), name="petri_plugin")

    yield register
    plugins.unregister_plugin("petri_plugin")


def test_any_dataset_plugin_can_recommend_what_train_does_without_arguments(fake, petri):
    petri(default=False)
    result = run_cli("train", "--dataset", "petri", "--data", "lid=1")
    assert result.exit_code == 0, result.output
    (pipe,) = fake
    assert pipe.kwargs["dataset_args"] == {"dishes": 9, "lid": 1} and pipe.kwargs["val_args"] == {"dishes": 2, "lid": 1}
    assert pipe.epochs == 3 and pipe.config.NAME == "petri" and pipe.config.BACKBONE == "resnet18"


def test_two_default_datasets_are_refused_by_name(fake, petri):
    petri(default=True)
    result = run_cli("train")
    assert result.exit_code == 1 and "'petri' (plugin 'petri_plugin')" in result.output and "'shapes'" in result.output
    assert not fake


def test_a_non_positive_epoch_count_is_refused_before_anything_runs(fake):
    result = run_cli("train", "--epochs", "0")
    assert result.exit_code == 2 and "--epochs" in result.output and not fake


def test_a_run_that_names_no_config_says_what_its_data_plan_chose(fake, monkeypatch, tmp_path):
    import maskkit
    from maskkit.config_assembly import plan_request
    from tests.helpers_coco import build_coco

    class PlanningPipeline(FakePipeline):
        """Plans as Pipeline does, from the real training dataset."""

        def __init__(self, dataset, **kwargs) -> None:
            data = maskkit.datasets.create(dataset, **{"subset": "train", **kwargs["dataset_args"]})
            super().__init__(dataset, **{**kwargs, "config": plan_request(kwargs["config"], dataset, data)})

    monkeypatch.setattr(maskkit.pipeline, "Pipeline", PlanningPipeline)
    files = build_coco(tmp_path)
    result = run_cli("train", "--dataset", "coco", "--data", f"annotations={files.annotations}",
                     "--data", f"images={files.images}", "--epochs", "1")
    assert result.exit_code == 0, result.output
    (pipe,) = fake
    config = pipe.config
    assert (f"config: planned from the training annotations for this machine (no --preset or --config): "
            f"{config.IMAGE_MAX_DIM} px, backbone {config.BACKBONE}, {config.IMAGES_PER_GPU} images per step") \
        in result.output
    assert pipe.config_sources["IMAGE_MAX_DIM"] == "data plan" and config.IMAGE_MAX_DIM < 1024
