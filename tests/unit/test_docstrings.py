"""Every public function and method under maskkit/ names each of its arguments in its docstring.

Public: a module-level function or a method of a module-level class whose name has no leading
underscore (``__init__`` counts, and may be documented by its class). Click commands are left out:
their options carry their help.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "maskkit"
MODULES = sorted(PACKAGE.rglob("*.py"))


def _is_click_command(function: ast.FunctionDef) -> bool:
    decorators = [ast.unparse(d) for d in function.decorator_list]
    return any(d.startswith("click.") or ".command" in d or d.endswith("_options") for d in decorators)


def _arguments(function: ast.FunctionDef) -> list[str]:
    args = function.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return [name for name in names if name not in ("self", "cls")]


def undocumented_arguments(source: str) -> list[str]:
    """``name: missing args`` for each public function of ``source`` whose docstring leaves an argument out.

    Args:
        source: a module's Python source.
    """
    problems = []

    def visit(body: list[ast.stmt], owner: ast.ClassDef | None) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_") and owner is None:
                visit(node.body, node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if (node.name.startswith("_") and node.name != "__init__") or _is_click_command(node):
                    continue
                doc = ast.get_docstring(node) or ""
                if node.name == "__init__" and owner is not None:
                    doc += ast.get_docstring(owner) or ""
                missing = [name for name in _arguments(node) if name not in doc]
                if missing:
                    where = f"{owner.name}.{node.name}" if owner is not None else node.name
                    problems.append(f"{where} (line {node.lineno}): {', '.join(missing)}")

    visit(ast.parse(source).body, None)
    return problems


def test_the_checker_sees_a_missing_argument_and_accepts_a_documented_one():
    source = '''
def shown(a, b):
    """Uses ``a``.

    Args:
        b: the other.
    """

def hidden(a, b):
    """Uses a only."""

class Thing:
    """A thing of ``size``."""
    def __init__(self, size):
        pass
    def _private(self, x):
        pass
'''
    assert undocumented_arguments(source) == ["hidden (line 9): b"]


@pytest.mark.parametrize("module", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_public_functions_document_their_arguments(module: Path):
    problems = undocumented_arguments(module.read_text())
    assert not problems, f"{module.relative_to(PACKAGE.parent)}: arguments not in the docstring:\n  " + "\n  ".join(problems)
