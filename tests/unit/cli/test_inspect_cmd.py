"""``maskkit inspect``: the shapes walk-through shows matterport's 4092 anchors without flags."""

from __future__ import annotations

from tests.helpers import run_cli


def test_inspect_shapes_shows_the_seeds_4092_anchors_without_flags(tmp_path):
    result = run_cli("inspect", "shapes", "--count", "1", "--json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "4092" in result.output
