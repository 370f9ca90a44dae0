"""The Registry class: entries from plugin hooks, metadata kept, conflicts and unknown names reported."""

from __future__ import annotations

import types

import pytest

from maskkit import PluginError, UnknownNameError, hookimpl, plugins
from maskkit.plugins import PluginWarning
from maskkit.registry import Registry, accepted_kwargs
from tests.helpers import registered


def test_entries_are_the_plugins_registration_records_and_carry_the_preset():
    with registered("dataset", "preset_ds", "pkg.mod:make"):
        entry = Registry("dataset").entries()["preset_ds"]
    assert entry == plugins.Registration("test-plugin", "preset_ds", "pkg.mod:make")
    assert entry.preset == ""
    assert plugins.Registration("p", "ds", "m:f", metadata={"preset": "shapes"}).preset == "shapes"


def test_a_builtin_plugin_is_registered_when_the_entries_are_first_read_not_before():
    class Builtin:
        @hookimpl
        def maskkit_register_backbones(self, register):
            register("own_backbone", "pkg.mod:make", description="maskkit's own")

    before = dict(plugins._builtins)
    registry = Registry("backbone", builtin=Builtin())
    try:
        assert not plugins.is_builtin("maskkit.backbones")
        entry = registry.entries()["own_backbone"]
        assert entry.plugin == "maskkit.backbones" and plugins.is_builtin(entry.plugin)
        assert "maskkit.backbones" not in {info.name for info in plugins.plugin_infos()}
    finally:
        plugins._builtins.clear()
        plugins._builtins.update(before)
        plugins.reset()


def test_description_and_extra_metadata_are_kept():
    def impl(register):
        register("meta_ds", lambda **kw: None, description="with metadata", preset="shapes")

    plugins.register_plugin(types.SimpleNamespace(maskkit_register_datasets=hookimpl(impl)), name="metaplugin")
    try:
        entry = Registry("dataset").entries()["meta_ds"]
        assert (entry.plugin, entry.description, entry.metadata) == ("metaplugin", "with metadata",
                                                                     {"preset": "shapes"})
        assert {i.name: i for i in plugins.plugin_infos()}["metaplugin"].registered == {"dataset": ["meta_ds"]}
    finally:
        plugins.unregister_plugin("metaplugin")


def test_entries_follow_plugin_changes_and_conflicts_are_listed():
    registry = Registry("augmenter")
    assert "twice" not in registry
    with registered("augmenter", "twice", "a:b", plugin="first"), registered("augmenter", "twice", "c:d",
                                                                             plugin="second"):
        with pytest.warns(PluginWarning, match="registered by more than one plugin"):
            assert "twice" in registry
        assert {name: sorted(owners) for name, owners in registry.conflicts().items()} == {
            "twice": ["first", "second"]}
        with pytest.raises(PluginError, match="more than one plugin"):
            registry.get("twice")
    assert "twice" not in registry and registry.conflicts() == {}


def test_get_resolves_import_strings_and_create_validates():
    seen = []

    def validate(name, obj):
        seen.append((name, obj))

    registry = Registry("backbone", validate)
    with registered("backbone", "joiner", "os.path:join"):
        assert registry.get("joiner")("a", "b").endswith("b")
    with registered("backbone", "pair", lambda first, second=2, **kw: (first, second)):
        assert registry.create("pair", first=1) == (1, 2)
        assert seen == [("pair", (1, 2))]
        with pytest.raises(PluginError, match="rejected its arguments"):
            registry.create("pair")
    with pytest.raises(UnknownNameError, match="known backbones: "):
        registry.get("nope")


def test_accepted_kwargs_drops_only_unaccepted_optional_keywords():
    def strict(count):
        return count

    assert accepted_kwargs(strict, {"count": 1, "subset": "val"}, optional=("subset",)) == {"count": 1}
    assert accepted_kwargs(strict, {"count": 1, "other": 2}, optional=("subset",)) == {"count": 1, "other": 2}
    assert accepted_kwargs(lambda **kw: kw, {"subset": "val"}, optional=("subset",)) == {"subset": "val"}

