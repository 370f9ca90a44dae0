"""Shared test helpers every component's tests call: tiny configs, datasets and plugin fixtures."""

from __future__ import annotations

import contextlib
import importlib.util
import types
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from maskkit import Config, Dataset, hookimpl, plugins
from maskkit.hookspecs import hook_names


def matterport_shapes_config(**overrides: Any) -> Config:
    """matterport's ShapesConfig from its shapes sample (128x128, 4 classes, anchors 8..128, the default
    backbone), with overrides; not maskkit.presets.shapes_config, the slim preset users train with."""
    values = dict(NAME="shapes", IMAGES_PER_GPU=2, NUM_CLASSES=4, IMAGE_MIN_DIM=128, IMAGE_MAX_DIM=128,
                  RPN_ANCHOR_SCALES=(8, 16, 32, 64, 128), TRAIN_ROIS_PER_IMAGE=32, STEPS_PER_EPOCH=100,
                  VALIDATION_STEPS=5, PRECISION="float32")
    values.update(overrides)
    return Config(**values)


#: The slim 64x64 configuration every tiny-model integration test starts from. float32, not the
#: machine-dependent "auto": tests compare losses and detections against fixed references.
TINY = dict(NAME="tiny", BACKBONE="tiny", NUM_CLASSES=4, IMAGE_MIN_DIM=64, IMAGE_MAX_DIM=64, IMAGES_PER_GPU=2,
            PRECISION="float32", TOP_DOWN_PYRAMID_SIZE=32, FPN_CLASSIF_FC_LAYERS_SIZE=64,
            RPN_ANCHOR_SCALES=(8, 16, 32, 64, 128),
            TRAIN_ROIS_PER_IMAGE=32, POST_NMS_ROIS_TRAINING=1000, POST_NMS_ROIS_INFERENCE=100,
            MAX_GT_INSTANCES=4, MASK_POOL_SIZE=7, MASK_SHAPE=(14, 14), MINI_MASK_SHAPE=(28, 28),
            RPN_TRAIN_ANCHORS_PER_IMAGE=64, STEPS_PER_EPOCH=20, VALIDATION_STEPS=1, TRAIN_BN=True,
            LEARNING_RATE=0.01, NUM_WORKERS=1, SEED=0)


def tiny_config(**overrides: Any) -> Config:
    """The slim 64x64 config (tiny backbone, small heads) with ``overrides``."""
    return Config(**{**TINY, **overrides})


def meta_for(height: int, width: int, num_classes: int = 3) -> np.ndarray:
    """One image_meta row [1, 12 + classes] for an unresized ``height`` x ``width`` image, every class active."""
    return np.array([[0, height, width, 3, height, width, 3, 0, 0, height, width, 1] + [1] * num_classes],
                    dtype=np.float32)


def run_cli(*args: str) -> Any:
    """``maskkit ARGS`` through click's runner; an exception the CLI does not handle fails the test."""
    from click.testing import CliRunner

    from maskkit.cli.main import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def shown_config(*args: str) -> dict[str, Any]:
    """The config ``maskkit config show --json ARGS`` prints, as a dict."""
    import json

    result = run_cli("config", "show", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def shapes_dataset(count: int = 8, size: int = 128, seed: int = 0, subset: str = "train") -> Dataset:
    """A prepared shapes dataset through the registry, as a user would get it."""
    import maskkit

    return maskkit.datasets.create("shapes", count=count, height=size, width=size, seed=seed, subset=subset)


class ArrayDataset(Dataset):
    """A dataset over in-memory images and masks; tests use it to build broken data on purpose."""

    def __init__(self, images: list[np.ndarray], masks: list[np.ndarray], class_ids: list[np.ndarray],
                 class_names: tuple[str, ...] = ("a", "b")) -> None:
        super().__init__()
        for i, name in enumerate(class_names, start=1):
            self.add_class("arrays", i, name)
        for i in range(len(images)):
            self.add_image("arrays", image_id=i, path=None)
        self._images, self._masks, self._class_ids = images, masks, class_ids
        self.prepare()

    def load_image(self, image_id: int) -> np.ndarray:
        return self._images[image_id]

    def load_mask(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        return self._masks[image_id], self._class_ids[image_id]


def marker(height: int = 64, width: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """A black image with two white, asymmetric blocks; each block is one instance mask."""
    image = np.zeros((height, width, 3), dtype=np.uint8)
    masks = np.zeros((height, width, 2), dtype=bool)
    masks[10:22, 30:52, 0] = True
    masks[34:50, 12:20, 1] = True
    image[masks.any(axis=2)] = 255
    return image, masks


def two_images(class_names: tuple[str, ...] = ("a", "b")) -> ArrayDataset:
    """Two 60x80 images with three instances of classes 1 and 2, for report and evaluation tests."""
    images = [np.full((60, 80, 3), 40 * k, dtype=np.uint8) for k in (1, 2)]
    masks = [np.zeros((60, 80, 2), dtype=bool), np.zeros((60, 80, 1), dtype=bool)]
    masks[0][5:25, 5:30, 0] = True
    masks[0][30:55, 40:75, 1] = True
    masks[1][10:50, 10:50, 0] = True
    return ArrayDataset(images, masks, [np.array([1, 2]), np.array([2])], class_names=class_names)


def assert_rgb(a: np.ndarray, shape: tuple[int, int] | None = None) -> None:
    """``a`` is a uint8 HxWx3 picture (of ``shape`` when given)."""
    assert isinstance(a, np.ndarray) and a.dtype == np.uint8 and a.ndim == 3 and a.shape[2] == 3
    if shape is not None:
        assert a.shape[:2] == shape


def conformance_failure(check: Callable, *args: Any, **kwargs: Any) -> str:
    """The message of the ConformanceError ``check(*args, **kwargs)`` must raise."""
    import pytest

    from maskkit.testing import ConformanceError

    with pytest.raises(ConformanceError) as info:
        check(*args, **kwargs)
    return str(info.value)


@contextlib.contextmanager
def registered(kind: str, name: str, factory: Callable | str, plugin: str = "test-plugin") -> Iterator[None]:
    """Register ``factory`` as ``name`` of ``kind`` through an in-process plugin for a block."""
    hook = hook_names()[kind]

    def impl(register):
        register(name, factory)

    module = types.SimpleNamespace(**{hook: hookimpl(impl)})
    plugins.register_plugin(module, name=plugin)
    try:
        yield
    finally:
        plugins.unregister_plugin(plugin)


def load_bench(name: str) -> types.ModuleType:
    """bench/<name>.py as a module, for tests of a benchmark's own logic (bench/ is not a package)."""
    path = Path(__file__).resolve().parents[1] / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
