"""Plugin manager and registries: discovery, isolation of broken plugins, clear errors."""

from __future__ import annotations

import sys
import types
import warnings

import pytest

import maskkit
from maskkit import PluginError, UnknownNameError, hookimpl, plugins
from maskkit.plugins import PluginWarning
from tests.helpers import registered, shapes_dataset


def test_builtin_plugins_come_from_entry_points():
    infos = {info.name: info for info in plugins.plugin_infos()}
    assert {"shapes", "coco", "resnet_fpn", "augmenters"} <= set(infos)
    assert infos["shapes"].distribution == "maskkit"
    assert "shapes" in infos["shapes"].registered["dataset"]
    assert "shapes" in maskkit.datasets.names()


def test_unknown_name_lists_known_names():
    with pytest.raises(UnknownNameError) as info:
        maskkit.datasets.get("shapez")
    assert "shapez" in str(info.value) and "shapes" in str(info.value)


def test_create_returns_prepared_dataset():
    ds = shapes_dataset(count=3)
    assert ds.is_prepared and ds.num_classes == 4 and ds.class_names[0] == "BG"


def test_in_process_plugin_registers_and_unregisters():
    with registered("dataset", "mine", lambda **kw: shapes_dataset(count=2)):
        assert "mine" in maskkit.datasets.names()
        assert len(maskkit.datasets.create("mine").image_ids) == 2
    assert "mine" not in maskkit.datasets.names()


def test_duplicate_names_are_an_error_naming_both_plugins():
    with registered("dataset", "shapes", lambda **kw: None, plugin="impostor"):
        with pytest.warns(PluginWarning, match="impostor"):
            names = maskkit.datasets.names()
        assert "shapes" in names
        with pytest.raises(PluginError) as info:
            maskkit.datasets.get("shapes")
        assert "impostor" in str(info.value) and "'shapes'" in str(info.value)


def test_hook_that_raises_is_reported_and_others_keep_working():
    def impl(register):
        raise RuntimeError("kaput")

    plugins.register_plugin(types.SimpleNamespace(maskkit_register_datasets=hookimpl(impl)), name="broken")
    try:
        with pytest.warns(PluginWarning, match="broken.*kaput"):
            names = maskkit.datasets.names()
        assert "shapes" in names
        info = {i.name: i for i in plugins.plugin_infos()}["broken"]
        assert "kaput" in info.error
    finally:
        plugins.unregister_plugin("broken")


def test_factory_that_cannot_be_imported_names_the_plugin():
    with registered("dataset", "ghost", "no_such_module_xyz:make", plugin="ghostly"):
        with pytest.raises(PluginError, match="ghostly"):
            maskkit.datasets.get("ghost")


def test_factory_returning_wrong_type_is_rejected():
    with registered("dataset", "notadataset", lambda **kw: 42):
        with pytest.raises(PluginError, match="not a maskkit.Dataset"):
            maskkit.datasets.create("notadataset")


def test_bad_registration_values_are_rejected():
    def impl(register):
        register("x", 42)

    plugins.register_plugin(types.SimpleNamespace(maskkit_register_datasets=hookimpl(impl)), name="badreg")
    try:
        with pytest.warns(PluginWarning, match="factory must be callable"):
            assert "x" not in maskkit.datasets.names()
    finally:
        plugins.unregister_plugin("badreg")


def test_maskkit_plugins_env_restricts(monkeypatch):
    monkeypatch.setenv("MASKKIT_PLUGINS", "shapes")
    plugins.reset()
    assert [i.name for i in plugins.plugin_infos()] == ["shapes"]


def test_disable(monkeypatch):
    plugins.disable(["shapes"])
    assert "shapes" not in maskkit.datasets.names()
    plugins.enable_all()
    assert "shapes" in maskkit.datasets.names()


def test_import_maskkit_does_not_import_tensorflow():
    import subprocess

    code = ("import sys, maskkit; maskkit.datasets.names(); maskkit.augmenters.names(); "
            "maskkit.backbones.names(); print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    with warnings.catch_warnings():
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
