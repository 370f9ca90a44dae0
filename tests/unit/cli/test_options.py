"""Shared options: config from preset, file and --set; dataset arguments; explicit fields; the added options."""

from __future__ import annotations

import click

from maskkit.cli.options import build_config, checkpoint_options, config_options, config_request, dataset_args
from tests.helpers import shapes_dataset


def test_config_starts_from_the_preset_then_the_file_then_set(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("IMAGE_MAX_DIM: 256\nIMAGE_MIN_DIM: 256\n")
    request = config_request(str(path), ["images_per_gpu=3"], preset="cpu")
    assert request.overrides == (("--set", {"IMAGES_PER_GPU": 3}),)
    config = build_config(str(path), ["images_per_gpu=3"], preset="cpu")
    assert (config.BACKBONE, config.IMAGE_MAX_DIM, config.IMAGES_PER_GPU) == ("resnet18", 256, 3)
    assert build_config(None, [], dataset_name="shapes").IMAGE_MAX_DIM == 128
    assert build_config(None, [], preset="default", dataset=shapes_dataset(count=1)).NUM_CLASSES == 4


def test_dataset_arguments():
    assert dataset_args(["Count=50", "images=dir", "subset=[a, b]"]) == {"count": 50, "images": "dir",
                                                                         "subset": ["a", "b"]}


def test_the_decorators_add_their_options():
    def params(decorate) -> dict[str, click.Parameter]:
        return {option.name: option for option in decorate(click.command()(lambda **kwargs: None)).params}

    assert sorted(params(config_options)) == ["config_path", "overrides", "preset"]
    with_checkpoint = params(checkpoint_options("the dataset"))
    assert sorted(with_checkpoint) == ["data_items", "dataset_name", "overrides", "weights"]
    assert with_checkpoint["weights"].required and not with_checkpoint["dataset_name"].required
