"""Config: matterport defaults, subclass overrides, derived values, validation, save/load, overrides.

The file formats and override parsing themselves are tested in test_config_files.py.
"""

from __future__ import annotations

import json

import pytest

from maskkit import Config, ConfigError


class ShapesConfig(Config):
    NAME = "shapes"
    IMAGES_PER_GPU = 8
    NUM_CLASSES = 1 + 3
    IMAGE_MIN_DIM = 128
    IMAGE_MAX_DIM = 128
    RPN_ANCHOR_SCALES = (8, 16, 32, 64, 128)
    TRAIN_ROIS_PER_IMAGE = 32
    STEPS_PER_EPOCH = 100
    VALIDATION_STEPS = 5


class InferenceConfig(ShapesConfig):
    IMAGES_PER_GPU = 1


def test_matterport_defaults():
    c = Config()
    assert c.IMAGES_PER_GPU == 2 and c.BACKBONE == "resnet101"
    assert c.RPN_ANCHOR_RATIOS == (0.5, 1, 2)
    assert c.MEAN_PIXEL == (123.7, 116.8, 103.9)
    assert c.IMAGE_SHAPE == (1024, 1024, 3)
    assert c.IMAGE_META_SIZE == 13
    assert set(c.LOSS_WEIGHTS) == {"rpn_class_loss", "rpn_bbox_loss", "mrcnn_class_loss",
                                   "mrcnn_bbox_loss", "mrcnn_mask_loss"}


def test_subclass_defaults_like_the_seed():
    c = ShapesConfig()
    assert c.NAME == "shapes" and c.BATCH_SIZE == 8 and c.IMAGE_SHAPE == (128, 128, 3)
    assert c.IMAGE_META_SIZE == 16
    inference = InferenceConfig()
    assert inference.BATCH_SIZE == 1 and inference.NAME == "shapes"
    assert ShapesConfig(IMAGES_PER_GPU=2).BATCH_SIZE == 2


def test_derived_values_follow_fields():
    c = Config(GPU_COUNT=2, IMAGES_PER_GPU=3, IMAGE_RESIZE_MODE="crop", IMAGE_MIN_DIM=256)
    assert c.BATCH_SIZE == 6 and c.IMAGE_SHAPE == (256, 256, 3)


def test_frozen_and_replace():
    c = ShapesConfig()
    with pytest.raises(ConfigError, match="frozen"):
        c.NAME = "other"
    d = c.replace(IMAGES_PER_GPU=4)
    assert isinstance(d, ShapesConfig) and d.BATCH_SIZE == 4 and c.BATCH_SIZE == 8


@pytest.mark.parametrize("changes, field", [
    ({"IMAGE_MAX_DIM": 100}, "IMAGE_MAX_DIM"),
    ({"IMAGES_PER_GPU": 0}, "IMAGES_PER_GPU"),
    ({"RPN_ANCHOR_RATIOS": (0.5, -1, 2)}, "RPN_ANCHOR_RATIOS"),
    ({"ROI_POSITIVE_RATIO": 1.5}, "ROI_POSITIVE_RATIO"),
    ({"IMAGE_RESIZE_MODE": "stretch"}, "IMAGE_RESIZE_MODE"),
    ({"RPN_ANCHOR_SCALES": (8, 16)}, "RPN_ANCHOR_SCALES"),
    ({"MEAN_PIXEL": (1.0, 2.0)}, "MEAN_PIXEL"),
    ({"LOSS_WEIGHTS": {"rpn_klass_loss": 1.0}}, "LOSS_WEIGHTS"),
    ({"NAME": 3}, "NAME"),
    ({"DETECTION_MIN_CONFIDENCE": 2}, "DETECTION_MIN_CONFIDENCE"),
    ({"MASK_SHAPE": (14, 14)}, "MASK_SHAPE"),
    ({"NO_SUCH_FIELD": 1}, "NO_SUCH_FIELD"),
])
def test_invalid_values_name_the_field(changes, field):
    with pytest.raises(ConfigError) as info:
        Config(**changes)
    assert info.value.field == field
    assert field in str(info.value)


def test_comma_separated_augmenters():
    assert Config(AUGMENTERS="fliplr, rot90").AUGMENTERS == ("fliplr", "rot90")


def test_numbers_are_coerced_where_harmless():
    c = Config(LEARNING_RATE=1, IMAGES_PER_GPU=4.0)
    assert isinstance(c.LEARNING_RATE, float) and isinstance(c.IMAGES_PER_GPU, int)


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".YAML", ".Toml"])
def test_save_load_round_trip(tmp_path, suffix):
    c = ShapesConfig(AUGMENTERS=("fliplr",))
    path = tmp_path / f"config{suffix}"
    c.save(path)
    assert ShapesConfig.load(path) == c
    assert Config.load(path).to_dict() == c.to_dict()


def test_errors_say_what_they_are_about():
    assert str(ConfigError("IMAGE_MAX_DIM", "too small")) == "config field IMAGE_MAX_DIM: too small"
    assert str(ConfigError("epochs", "already at epoch 3", kind="argument")) == "argument epochs: already at epoch 3"
    with pytest.raises(ConfigError) as info:
        Config(RPN_ANCHOR_RATIOS=5)  # a converter fails before any one field's check can name it
    assert str(info.value).startswith("invalid config value: ")


def test_overrides():
    c = ShapesConfig().with_overrides(["train_bn=true", "learning_rate=0.01"])
    assert c.TRAIN_BN is True and c.LEARNING_RATE == 0.01
    with pytest.raises(ConfigError, match="KEY=value"):
        c.with_overrides(["oops"])


def test_display_lists_fields_and_derived(capsys):
    ShapesConfig().display()
    out = capsys.readouterr().out
    assert "BATCH_SIZE" in out and "IMAGE_META_SIZE" in out and "RPN_ANCHOR_SCALES" in out
    json.dumps(ShapesConfig().to_dict())


def test_precision_must_be_a_known_policy_or_auto() -> None:
    assert Config(PRECISION="mixed_bfloat16").PRECISION == "mixed_bfloat16"
    assert Config().PRECISION == "auto", "new runs pick the precision for their machine"
    assert Config.from_dict({"precision": "auto"}).PRECISION == "auto"
    with pytest.raises(ConfigError, match="PRECISION.*'bfloat16'.*auto.*mixed_bfloat16"):
        Config(PRECISION="bfloat16")
    with pytest.raises(ConfigError, match="PRECISION.*'Auto'"):
        Config(PRECISION="Auto")
