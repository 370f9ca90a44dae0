"""What ``maskkit plugins`` says: descriptions per kind without maskkit's own commands, a name's details."""

from __future__ import annotations

import pytest

from maskkit import UnknownNameError, augmenters, backbones, datasets
from maskkit.cli.commands import commands
from maskkit.plugin_details import description_lines, details, factory_arguments, find_entries
from tests.helpers import registered

REGISTRIES = (datasets, augmenters, backbones, commands)


def make_thing(root: str, count: int = 5, *args, **options):
    """Make a thing from files under root.

    More text that details leaves out."""


def test_factory_arguments_show_defaults_required_and_further_keywords():
    assert factory_arguments(make_thing) == [("root", "required"), ("count", "default 5"),
                                             ("**options", "any further keyword arguments")]
    assert factory_arguments(42) == []


def test_descriptions_list_plugin_names_but_not_maskkits_own_commands():
    lines = description_lines(REGISTRIES)
    assert "datasets:" in lines and "commands:" not in lines
    assert any(line.split()[0] == "shapes" and line.endswith("[preset: shapes]") for line in lines)
    assert "datasets:" not in description_lines((augmenters, backbones, commands))


def test_details_of_a_name_give_plugin_doc_and_arguments():
    with registered("dataset", "thing", make_thing):
        assert [registry.kind for registry, _ in find_entries("thing", REGISTRIES)] == ["dataset"]
        text = details("thing", REGISTRIES)
    assert text.splitlines() == ["dataset 'thing' from plugin 'test-plugin'", "  Make a thing from files under root.",
                                 "  arguments (--data KEY=VALUE):", "    root       required",
                                 "    count      default 5", "    **options  any further keyword arguments"]
    with pytest.raises(UnknownNameError, match="no plugin registers 'nope'; registered names: .*shapes"):
        details("nope", REGISTRIES)
