"""The package's import graph, read with ast: no import cycle, and maskkit/ never imports a built-in plugin.

Every ``import`` counts, at module level and inside functions alike: a function-level import only
postpones a cycle, it does not remove it. Imports under ``if TYPE_CHECKING:`` never run and are left out. Plugins reach maskkit through entry points and registered
names; maskkit must work with any of them uninstalled. The tests' layout is checked here too:
tests/unit mirrors the package module for module (docs/architecture.md, "Where the tests live").
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "maskkit"
BUILTIN_PLUGINS = {"maskkit_shapes", "maskkit_coco", "maskkit_resnet_fpn", "maskkit_augmenters", "maskkit_via"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE_ROOT.rglob("*.py"))}


def imported_names(path: Path, name: str) -> set[str]:
    """Every dotted name ``path`` imports (``from a import b`` gives ``a.b``, which names module ``a`` or ``a.b``)."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(), filename=str(path))
    type_only = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node.test)
                 for statement in node.body for inner in ast.walk(statement)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join(anchor + ([base] if base else []))
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.add(node.args[0].value)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_graph() -> dict[str, set[str]]:
    """maskkit module -> the maskkit modules it imports (a name resolves to the longest module it names)."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets = set()
        for imported in imported_names(path, name):
            parts = imported.split(".")
            while parts and ".".join(parts) not in known:
                parts.pop()
            if parts and ".".join(parts) != name:
                targets.add(".".join(parts))
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read():
    graph = import_graph()
    assert "maskkit.plugins" in graph["maskkit.registry"]
    assert "maskkit.registry" in graph["maskkit.dataset"]


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_function_level_imports_count_and_type_checking_imports_do_not(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from maskkit.pipeline import Pipeline\n"
                    "def f():\n    from maskkit import registry\n")
    assert imported_names(path, "maskkit.mod") == {"typing.TYPE_CHECKING", "maskkit.registry"}


def test_no_import_cycle():
    graph = import_graph()
    found = cycles(graph)
    detail = ["; ".join(f"{m} -> {sorted(graph[m] & set(c))}" for m in c) for c in found]
    assert not found, "import cycles in maskkit/:\n" + "\n".join(detail)


def test_maskkit_imports_no_builtin_plugin():
    offenders = sorted(f"{name} imports {imported}" for name, path in modules().items()
                       for imported in imported_names(path, name) if imported.split(".")[0] in BUILTIN_PLUGINS)
    assert not offenders, offenders


#: The built-in plugins' entry-point names, which are also the datasets they register. "augmenters" is
#: left out: it is the name of maskkit's own augmenter registry (maskkit.augmenters) as well.
BUILTIN_PLUGIN_NAMES = {"shapes", "coco", "via", "resnet_fpn"}

#: (module, name) pairs where the core may name a built-in plugin's name, with the reason.
NAMES_ALLOWED = {
    ("maskkit.presets", "shapes"): "the preset of that name (maskkit.shapes_config) is a config recipe the shapes "
                                   "plugin recommends at registration; the core never picks it by dataset name",
}


def builtin_names_in(path: Path) -> set[str]:
    """Built-in plugin names ``path`` uses in code: string constants equal to one, or naming a plugin module.

    Docstrings and prose (help text, messages, comments) may mention a plugin as an example: a longer
    string is not the name, so only exact constants count, plus any string holding a module name.
    """
    tree = ast.parse(path.read_text(), filename=str(path))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)
                  and isinstance(node.value, ast.Constant)}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.update({node.value} & BUILTIN_PLUGIN_NAMES)
            found.update(module for module in BUILTIN_PLUGINS if module in node.value)
    return found


def test_names_in_code_are_found_and_prose_is_left_alone(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text('"""Trains on shapes by default."""\nif name == "shapes":\n    load("maskkit_coco.dataset")\n'
                    'help = "a dataset, e.g. via"\n')
    assert builtin_names_in(path) == {"shapes", "maskkit_coco"}


def test_the_core_names_no_builtin_plugin():
    """What the CLI or a check needs from a dataset comes through a documented hook or registration
    keyword any plugin can use (maskkit.dataset_recommendation), never through a built-in plugin's name."""
    offenders = sorted(f"{name} names {found!r}" for name, path in modules().items()
                       for found in builtin_names_in(path) if (name, found) not in NAMES_ALLOWED)
    assert not offenders, offenders
    stale = sorted(pair for pair in NAMES_ALLOWED if pair[1] not in builtin_names_in(modules()[pair[0]]))
    assert not stale, f"NAMES_ALLOWED entries no longer needed: {stale}"


#: What maskkit/visualize/ may import: the foundations floor (docs/architecture.md) and itself.
DRAWING_FOUNDATIONS = ("maskkit.visualize", "maskkit.utils", "maskkit.imageio", "maskkit.io", "maskkit.errors")


def test_visualize_only_draws():
    """visualize/ sits on the foundations floor: the data path it pictures (data/, augment/, dataset.py)
    imports it, never the other way round."""
    graph = import_graph()
    upward = sorted(f"{name} imports {target}" for name, targets in graph.items()
                    if name.startswith("maskkit.visualize") for target in targets
                    if not any(target == base or target.startswith(base + ".") for base in DRAWING_FOUNDATIONS))
    assert not upward, upward


def test_only_the_entry_points_import_the_cli():
    """cli/ is the top floor: what it needs of a lower module (plugin_details' registries, say) it passes down."""
    graph = import_graph()
    upward = sorted(f"{name} imports {target}" for name, targets in graph.items()
                    if not name.startswith("maskkit.cli") and name != "maskkit.__main__"
                    for target in targets if target.startswith("maskkit.cli"))
    assert not upward, upward


def test_the_model_layer_reads_ready_batches_and_builds_no_input_pipeline():
    """The loop (training.py, distribute.py) imports nothing of data/; no model module builds tf.data
    pipelines (data/input.py): Pipeline, or MaskRCNN.train's one call of data/feed.py, hands them batches."""
    graph = import_graph()
    builders = sorted(name for name, targets in graph.items()
                      if name.startswith("maskkit.model.") and "maskkit.data.input" in targets)
    assert not builders, builders
    for loop in ("maskkit.model.training", "maskkit.model.distribute"):
        assert not [target for target in graph[loop] if target.startswith("maskkit.data")], (loop, graph[loop])


def test_no_test_module_imports_another():
    """Shared test code lives in tests/helpers*.py and conftest fixtures, never in a test module."""
    tests_root = PACKAGE_ROOT.parent / "tests"
    offenders = sorted(f"{path.relative_to(tests_root)} imports {imported}" for path in tests_root.rglob("*.py")
                       for imported in imported_names(path, "tests._")
                       if imported.split(".")[0] == "tests" and any(part.startswith("test_")
                                                                     for part in imported.split(".")[1:]))
    assert not offenders, offenders


#: Modules without a mirrored unit test module, each with the reason and where it is tested instead.
EXEMPT: dict[str, str] = {}


def mirrored_test(module: Path) -> Path:
    """tests/unit/<subpackage>/test_<module>.py for maskkit/<subpackage>/<module>.py."""
    relative = module.relative_to(PACKAGE_ROOT)
    return PACKAGE_ROOT.parent / "tests" / "unit" / relative.parent / f"test_{relative.name}"


def test_every_module_has_its_mirrored_test_module_or_an_exemption():
    sources = {path.relative_to(PACKAGE_ROOT).as_posix(): path for path in PACKAGE_ROOT.rglob("*.py")
               if path.name not in ("__init__.py", "__main__.py")}
    untested = sorted(name for name, path in sources.items() if not mirrored_test(path).exists() and name not in EXEMPT)
    stale = sorted(name for name in EXEMPT if name not in sources or mirrored_test(sources[name]).exists())
    assert not untested, f"modules without tests/unit/<same path>/test_<module>.py or an EXEMPT reason: {untested}"
    assert not stale, f"EXEMPT modules that have a mirrored test module now, or no longer exist: {stale}"


#: Unit test modules about the package as a whole rather than one module.
WHOLE_PACKAGE_TESTS = {
    "test_architecture.py": "the package's import graph and the tests' layout",
    "test_public_api.py": "the names maskkit/__init__.py exports, and what importing them loads",
    "test_docstrings.py": "every public function's docstring names its arguments",
}

#: The most lines a module under maskkit/ may have: past it, a module holds more than one job.
MAX_MODULE_LINES = 350


def test_no_module_is_over_the_line_limit():
    lengths = {path.relative_to(PACKAGE_ROOT).as_posix(): len(path.read_text().splitlines())
               for path in PACKAGE_ROOT.rglob("*.py")}
    long = {name: lines for name, lines in sorted(lengths.items()) if lines > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines (split them by job): {long}"


def test_every_unit_test_module_mirrors_a_module():
    """tests/unit/<path>/test_<module>.py tests maskkit/<path>/<module>.py; tests/unit/plugins/ the built-in plugins."""
    unit = PACKAGE_ROOT.parent / "tests" / "unit"
    orphans = []
    for path in sorted(unit.rglob("test_*.py")):
        relative = path.relative_to(unit)
        module = relative.parent / relative.name.removeprefix("test_")
        source = (PACKAGE_ROOT.parent / "plugins" / module.relative_to("plugins") if module.parts[0] == "plugins"
                  else PACKAGE_ROOT / module)
        if not source.is_file() and relative.as_posix() not in WHOLE_PACKAGE_TESTS:
            orphans.append(relative.as_posix())
    assert not orphans, f"unit test modules that mirror no module (move or rename them): {orphans}"
