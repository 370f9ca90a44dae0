"""The Registry class: entries from plugin hooks, metadata kept, conflicts and unknown names reported."""

from __future__ import annotations

import types

import pytest

from maskkit import PluginError, UnknownNameError, hookimpl, plugins
from maskkit.plugins import PluginWarning
from maskkit.registry import Entry, Registry, accepted_kwargs
from tests.helpers import registered


def test_an_entry_carries_a_registrations_five_fields_with_its_own_metadata():
    metadata = {"preset": "shapes"}
    registration = plugins.Registration("some-plugin", "ds", "pkg.mod:make", "a dataset", metadata)
    entry = Entry.from_registration(registration)
    assert entry == Entry("ds", "pkg.mod:make", "some-plugin", "a dataset", {"preset": "shapes"})
    assert entry.preset == "shapes"
    entry.metadata["extra"] = 1
    assert registration.metadata == {"preset": "shapes"}


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

