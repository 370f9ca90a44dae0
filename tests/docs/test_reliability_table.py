"""docs/reliability.md names the tests that cover each bad-input case: every one it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: `unit/test_x.py::test_name` (a later `::test_other` in the same cell means the same file).
REFERENCE = re.compile(r"`((?:unit|integration|docs|bench)/[\w/]+\.py)?::(\w+)`")


def named_tests(text: str) -> list[tuple[str, str]]:
    """(test file under tests/, test function) for each reference, a bare ``::name`` taking the file before it."""
    found, current = [], None
    for path, name in REFERENCE.findall(text):
        current = path or current
        found.append((current, name))
    return found


def test_a_bare_reference_takes_the_file_named_before_it():
    cell = "`unit/test_a.py::test_one`, `::test_two`, `integration/test_b.py::test_three`"
    assert named_tests(cell) == [("unit/test_a.py", "test_one"), ("unit/test_a.py", "test_two"),
                                 ("integration/test_b.py", "test_three")]


def test_every_test_the_reliability_table_names_exists():
    references = named_tests((ROOT / "docs" / "reliability.md").read_text())
    assert len(references) > 50
    missing = [f"{path}::{name}" for path, name in references
               if not (ROOT / "tests" / path).is_file()
               or not re.search(rf"^def {name}\(", (ROOT / "tests" / path).read_text(), re.MULTILINE)]
    assert not missing, f"docs/reliability.md names tests that do not exist: {missing}"
