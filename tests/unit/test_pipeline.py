"""Pipeline assembly without training: datasets through the registry, config fitted to data and backbone;
train delegates to MaskRCNN.train."""

from __future__ import annotations

import pytest

from maskkit import Config, ConfigError, MaskkitError, Pipeline


def test_names_become_train_and_val_datasets_and_the_config_follows_the_classes(tmp_path):
    pipe = Pipeline(dataset="shapes", dataset_args={"count": 3, "height": 64, "width": 64},
                    val_args={"count": 2, "height": 64, "width": 64}, preset="shapes", log_dir=tmp_path,
                    overrides={"image_max_dim": 64, "image_min_dim": 64})
    assert len(pipe.dataset.image_ids) == 3 and len(pipe.val_dataset.image_ids) == 2
    assert pipe.config.NUM_CLASSES == 4 and pipe.class_names == ["BG", "square", "circle", "triangle"]
    assert pipe.config.IMAGE_MAX_DIM == 64 and pipe.config.BACKBONE == "tiny"
    assert pipe._metadata()["dataset"] == {"name": "shapes", "args": pipe.dataset_args, "val_args": pipe.val_args}


def test_explicit_num_classes_must_agree_with_the_dataset(tmp_path):
    with pytest.raises(ConfigError, match="NUM_CLASSES"):
        Pipeline(dataset="shapes", dataset_args={"count": 1}, overrides={"NUM_CLASSES": 7}, log_dir=tmp_path)


def test_config_and_preset_together_and_missing_data_are_errors(tmp_path):
    with pytest.raises(ConfigError, match="argument preset"):
        Pipeline(config=Config(), preset="shapes")
    with pytest.raises(MaskkitError, match="no training dataset"):
        Pipeline(config=Config(), log_dir=tmp_path).train(1)
    with pytest.raises(MaskkitError, match="no dataset to run on"):
        Pipeline(config=Config(), log_dir=tmp_path).detect_dataset()


class RecordingModel:
    """Stands in for MaskRCNN: records the train call instead of training."""

    def __init__(self, log_dir):
        self.epoch, self.history, self.log_dir, self.calls = 0, {"loss": [1.0]}, log_dir, []

    def train(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return self.history


def test_train_delegates_to_the_models_train_with_every_layer_by_default(tmp_path):
    pipe = Pipeline(dataset="shapes", dataset_args={"count": 3, "height": 64, "width": 64}, preset="shapes",
                    log_dir=tmp_path, overrides={"image_max_dim": 64, "image_min_dim": 64})
    pipe._model = model = RecordingModel(tmp_path / "run")
    assert pipe.train(2, learning_rate=0.5, verbose=0) is model.history
    (args, kwargs), = model.calls
    assert args == (pipe.dataset, pipe.val_dataset, 0.5, 2) and kwargs["layers"] == "all"
    pipe.train(3, layers="heads", verbose=0)
    assert model.calls[-1][1]["layers"] == "heads"


def test_an_unusable_report_folder_is_refused_before_detection(tmp_path):
    pipe = Pipeline(dataset="shapes", dataset_args={"count": 2, "height": 64, "width": 64}, preset="shapes",
                    log_dir=tmp_path, overrides={"image_max_dim": 64, "image_min_dim": 64})
    pipe.detect_dataset = lambda *args: pytest.fail("detection ran before the report folder was checked")
    occupied = tmp_path / "report"
    occupied.write_text("a file, not a folder")
    with pytest.raises(MaskkitError, match="report folder .*report is a file"):
        pipe.evaluate(report=occupied)
