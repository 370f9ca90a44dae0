"""The per-batch memory estimate: it grows with the image size, and an impossible size is refused with figures."""

from __future__ import annotations

import pytest

from maskkit import Config, ConfigError
from maskkit.memory_estimate import (ACTIVATION_BYTES_PER_PIXEL, check_training_memory, estimate_training_memory,
                                     readable_size)

GIB = 1024 ** 3


def test_the_estimate_counts_activations_per_pixel_and_leaves_them_out_on_a_gpu():
    config = Config(IMAGE_MAX_DIM=1024, IMAGES_PER_GPU=2)
    on_cpu, on_gpu = estimate_training_memory(config), estimate_training_memory(config, activations=False)
    assert on_cpu.parts["activations"] == ACTIVATION_BYTES_PER_PIXEL * 2 * 1024 * 1024
    assert "activations" not in on_gpu.parts and on_cpu.total - on_gpu.total == on_cpu.parts["activations"]
    assert 4 * GIB < on_cpu.total < 5 * GIB


def test_full_size_masks_cost_more_than_mini_masks():
    mini = estimate_training_memory(Config(USE_MINI_MASK=True)).parts["masks"]
    full = estimate_training_memory(Config(USE_MINI_MASK=False)).parts["masks"]
    assert full > 5 * mini


def test_a_huge_image_size_is_refused_naming_the_field_and_both_figures(tmp_path):
    with pytest.raises(ConfigError, match=r"IMAGE_MAX_DIM: training at 16384x16384 px with BATCH_SIZE 2 needs "
                                          r"about \d+\.\d GiB .*but only 8\.0 GiB is available"):
        check_training_memory(Config(IMAGE_MAX_DIM=16384), available=8 * GIB, gpu=False)


def test_the_default_config_fits_and_unknown_memory_skips_the_check(tmp_path):
    assert check_training_memory(Config(), available=16 * GIB, gpu=False).total < 16 * GIB
    (tmp_path / "meminfo").write_text("MemTotal: 100 kB\n")  # no MemAvailable line: unknown
    assert check_training_memory(Config(IMAGE_MAX_DIM=16384), gpu=True, proc=tmp_path).total > 0


def test_crop_mode_names_image_min_dim_and_memory_is_read_from_meminfo(tmp_path):
    (tmp_path / "meminfo").write_text("MemTotal: 8000000 kB\nMemAvailable: 1048576 kB\n")
    with pytest.raises(ConfigError, match=r"IMAGE_MIN_DIM: .* only 1\.0 GiB is available"):
        check_training_memory(Config(IMAGE_RESIZE_MODE="crop", IMAGE_MIN_DIM=4096, IMAGE_MAX_DIM=4096),
                              gpu=False, proc=tmp_path)


def test_sizes_read_in_mib_or_gib():
    assert readable_size(44 * 2 ** 20) == "44 MiB" and readable_size(3 * GIB) == "3.0 GiB"


def test_pipeline_train_refuses_before_making_a_run_folder(tmp_path):
    from maskkit import Pipeline

    pipe = Pipeline("shapes", dataset_args={"count": 2}, preset="shapes", log_dir=tmp_path / "runs",
                    overrides={"IMAGE_MIN_DIM": 16384, "IMAGE_MAX_DIM": 16384})
    with pytest.raises(ConfigError, match="IMAGE_MAX_DIM: training at 16384x16384 px"):
        pipe.train(epochs=1, verbose=0)
    assert not (tmp_path / "runs").exists()
    assert pipe._model is None
