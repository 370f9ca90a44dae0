"""Shared options: config from preset, file and --set; dataset arguments; explicit fields; the added options."""

from __future__ import annotations

import click

from maskkit.cli.options import (assembled_config, build_config, checkpoint_options, config_options, dataset_args,
                                 sets_field)


def test_config_starts_from_the_preset_then_the_file_then_set(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("IMAGE_MAX_DIM: 256\nIMAGE_MIN_DIM: 256\n")
    config, base = assembled_config(str(path), ["images_per_gpu=3"], preset="cpu")
    assert base == "cpu" and (config.BACKBONE, config.IMAGE_MAX_DIM, config.IMAGES_PER_GPU) == ("resnet18", 256, 3)
    assert build_config(None, [], dataset="shapes").IMAGE_MAX_DIM == 128


def test_dataset_arguments_and_explicit_fields():
    assert dataset_args(["Count=50", "images=dir", "subset=[a, b]"]) == {"count": 50, "images": "dir",
                                                                         "subset": ["a", "b"]}
    assert sets_field(["num_classes = 3"], "NUM_CLASSES") and not sets_field(["num_classes_x=3"], "NUM_CLASSES")


def test_the_decorators_add_their_options():
    def params(decorate) -> dict[str, click.Parameter]:
        return {option.name: option for option in decorate(click.command()(lambda **kwargs: None)).params}

    assert sorted(params(config_options)) == ["config_path", "overrides", "preset"]
    with_checkpoint = params(checkpoint_options("the dataset"))
    assert sorted(with_checkpoint) == ["data_items", "dataset_name", "overrides", "weights"]
    assert with_checkpoint["weights"].required and not with_checkpoint["dataset_name"].required
