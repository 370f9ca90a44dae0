"""``maskkit plugins``: the table, JSON, descriptions and a name's details."""

from __future__ import annotations

import json

from tests.helpers import run_cli


def test_plugins_table_and_json():
    table = run_cli("plugins")
    assert table.exit_code == 0 and "shapes" in table.output and "datasets: shapes" in table.output
    data = json.loads(run_cli("plugins", "--json").output)
    shapes = next(p for p in data if p["name"] == "shapes")
    assert shapes["distribution"] == "maskkit" and shapes["registered"]["dataset"] == ["shapes"]


def test_plugins_lists_descriptions_and_details_show_factory_defaults():
    listing = run_cli("plugins")
    assert listing.exit_code == 0
    assert "synthetic squares, circles and triangles" in listing.output and "[preset: shapes]" in listing.output
    details = run_cli("plugins", "--details", "shapes")
    assert details.exit_code == 0, details.output
    assert "count   default 500" in details.output and "recommended preset: shapes" in details.output
    unknown = run_cli("plugins", "--details", "nope")
    assert unknown.exit_code == 1 and "no plugin registers 'nope'" in unknown.output
    assert "Traceback" not in unknown.output


def test_every_kind_is_described_and_a_builtin_command_has_details():
    from maskkit.cli.plugins_cmd import all_registries

    assert [registry.kind for registry in all_registries()] == ["dataset", "augmenter", "backbone", "command"]
    train = run_cli("plugins", "--details", "train")
    assert train.exit_code == 0 and "command 'train' from plugin 'maskkit.commands'" in train.output
