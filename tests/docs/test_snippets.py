"""Docs are code: every ```bash, ```sh and ```python block of the documentation runs.

Which blocks: all such fences in README.md, docs/*.md and plugins/maskkit_via/README.md, in file
order. A block is skipped only when the line directly before its fence is
``<!-- docs-test: skip (reason) -->`` (the reason is required). Use ```text for output samples.

How they run: each documentation file gets one fresh temporary directory and one interpreter
(this one, ``sys.executable``). Its blocks run in order there: python blocks are executed in one
shared namespace (as a reader runs a page top to bottom, and TensorFlow loads once per file), shell
blocks through ``bash -e -o pipefail`` with this environment's ``bin`` first on PATH. Tracebacks
carry the markdown file's own line numbers, and a failure names the file and the fence's line.

What is changed before running (``SUBSTITUTIONS``, regexes applied to every block in order):
- the README's set-up commands run in the current environment: ``python3 -m venv .venv &&
  .venv/bin/pip install -e ... &&`` is removed and ``.venv/bin/`` becomes this environment's bin;
- ``pip install`` of maskkit-via becomes ``true``: the plugin is already "installed" for every file,
  as pip would (a dist-info with its entry point in a scratch site directory on PYTHONPATH);
- training and evaluation are shrunk: epochs, step counts, image counts, ``--limit`` and
  ``[:N]`` slices become small, the test suite run by the README becomes one small module.

Data the docs refer to (a VIA ``balloons/`` folder, small COCO files under ``coco/``, a small
Roboflow export at ``../shared/data/nanoparticles``) is written into the temporary directory first,
by the functions in ``FIXTURES``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Callable

import attrs
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DOC_FILES = ["README.md", *sorted(str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.md")),
             "plugins/maskkit_via/README.md"]
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[ \t]*$")
RUN_LANGS = {"bash": "bash", "sh": "bash", "python": "python"}
SKIP = re.compile(r"^\s*<!--\s*docs-test:\s*skip\s*(\((?P<reason>[^)]+)\))?\s*-->\s*$")
TIMEOUT = 300
SMALL_STEPS = "--epochs 1 --set STEPS_PER_EPOCH=2 --set VALIDATION_STEPS=1 --set IMAGES_PER_GPU=2"
SMALL_OVERRIDES = '{"STEPS_PER_EPOCH": 2, "VALIDATION_STEPS": 1, "IMAGES_PER_GPU": 2}'


def fewer_epochs(match: re.Match) -> str:
    """Absolute epoch targets become 1 or 2, so staged training keeps its order: 4, 8 -> 1, 2; 20 -> 2."""
    return f"{match.group(1)}{min(2, max(1, int(match.group(2)) // 4))}"


#: (pattern, replacement) applied to every block, in order; ``{bin}``/``{repo}`` are filled in.
SUBSTITUTIONS: list[tuple[str, str | Callable[[re.Match], str]]] = [
    (r"python3 -m venv \.venv && \.venv/bin/pip install -e \S+ && ", ""),
    (r"(?<![\w/])\.venv/bin/pytest\b", "{bin}/pytest -q -p no:cacheprovider {repo}/tests/unit/utils/test_toml_text.py"),
    (r"(?<![\w/])\.venv/bin/", "{bin}/"),
    (r"pip install (-e )?\"?(\./)?(plugins/)?maskkit[_-]via(\[test\])?\"?", "true"),
    (r"pip install -e \"\.\[test\]\"", "true"),
    (r"^(\s*)cd maskkit_via\b", r"\1cd {repo}/plugins/maskkit_via"),
    (r"(?<![\w/{}])(\./)?plugins/maskkit_via", "{repo}/plugins/maskkit_via"),
    (r"^(\s*)pytest\b", r"\1pytest -q -p no:cacheprovider -k 'balloon or hue'"),
    (r"(--epochs[ =]|epochs=)(\d+)", fewer_epochs),
    (r"(\.train\()(\d+)", fewer_epochs),
    (r"\bmaskkit train\b", "maskkit train " + SMALL_STEPS),
    (r"\bmaskkit evaluate\b", "maskkit evaluate --limit 2"),
    (r'preset="shapes"(?!, overrides)', 'preset="shapes", overrides=' + SMALL_OVERRIDES),
    (r"\bshapes_config\(", "shapes_config(IMAGES_PER_GPU=2, "),
    (r"(STEPS_PER_EPOCH\s*=\s*)\d+", r"\g<1>2"),
    (r"(VALIDATION_STEPS\s*=\s*)\d+", r"\g<1>1"),
    (r'("count":\s*|count=)\d+', r"\g<1>4"),
    (r"(limit=)\d+", r"\g<1>2"),
    (r"\[:\d+\]", "[:2]"),
]


@attrs.frozen
class Snippet:
    """One fenced block: where it starts (1-based line of the fence), its language and its text."""

    path: str
    line: int
    lang: str
    source: str
    skip_reason: str | None = None


def extract(path: str) -> list[Snippet]:
    """The bash/sh/python blocks of a markdown file, dedented, with their skip markers."""
    lines = (REPO / path).read_text(encoding="utf-8").split("\n")
    snippets, k = [], 0
    while k < len(lines):
        match = FENCE.match(lines[k])
        if not match or not match.group("lang"):
            k += 1 + (_closing(lines, k) - k if match else 0)
            continue
        end = _closing(lines, k)
        if match.group("lang") in RUN_LANGS:
            marker = SKIP.match(lines[k - 1]) if k else None
            if marker and not marker.group("reason"):
                raise AssertionError(f"{path}:{k}: a docs-test skip marker needs a reason: skip (why)")
            snippets.append(Snippet(path, k + 1, RUN_LANGS[match.group("lang")],
                                    textwrap.dedent("\n".join(lines[k + 1:end])),
                                    marker.group("reason") if marker else None))
        k = end + 1
    return snippets


def _closing(lines: list[str], start: int) -> int:
    """Index of the fence closing the block opened at ``start``."""
    for k in range(start + 1, len(lines)):
        if re.match(r"^\s*```\s*$", lines[k]):
            return k
    raise AssertionError(f"unclosed code fence at line {start + 1}")


def shrink(source: str) -> str:
    """Apply SUBSTITUTIONS to one block."""
    for pattern, replacement in SUBSTITUTIONS:
        if isinstance(replacement, str):
            replacement = replacement.replace("{bin}", str(BIN)).replace("{repo}", str(REPO))
        source = re.sub(pattern, replacement, source, flags=re.MULTILINE)
    return source


def balloons(root: Path) -> None:
    """A VIA ``balloons/`` folder (train and val) with one class, balloon."""
    from tests.helpers_via import make_via_dataset

    make_via_dataset(root / "balloons", n_images=3, size=64, classes=("balloon",))


def balloon_sample(root: Path) -> None:
    """``balloons/`` in the layout of matterport's balloon sample: VIA 1.x, no region labels."""
    balloons(root)
    for json_path in (root / "balloons").glob("*/via_region_data.json"):
        entries = json.loads(json_path.read_text())
        for entry in entries.values():
            entry.update(fileref="", base64_img_data="")
            regions = entry["regions"]
            for region in regions.values() if isinstance(regions, dict) else regions:
                region["region_attributes"] = {}
        json_path.write_text(json.dumps(entries))


def coco_files(root: Path) -> None:
    """``coco/instances_{train,val}.json`` with images in ``coco/{train,val}/`` (categories 3 and 7)."""
    from tests.helpers_coco import build_coco

    for subset in ("train", "val"):
        files = build_coco(root / f"build_{subset}")
        (root / "coco").mkdir(exist_ok=True)
        shutil.move(files.annotations, root / "coco" / f"instances_{subset}.json")
        shutil.move(files.images, root / "coco" / subset)
        shutil.rmtree(root / f"build_{subset}")


def nanoparticles(root: Path) -> None:
    """A small Roboflow COCO export (train/ and test/, unused category 0) where the docs find the
    nanoparticles data: ``../shared/data/nanoparticles`` from the working directory."""
    from tests.helpers_coco import build_roboflow

    build_roboflow(root.parent / "shared" / "data" / "nanoparticles")


#: doc file -> writes the data its snippets name into the temporary directory.
FIXTURES: dict[str, Callable[[Path], None]] = {
    "docs/plugins.md": balloons,
    "plugins/maskkit_via/README.md": balloon_sample,
    "docs/data.md": nanoparticles,
    "docs/quickstart-own-data.md": nanoparticles,
    "docs/data-check.md": coco_files,
    "docs/evaluation.md": coco_files,
}

DRIVER = r'''
import json, subprocess, sys, time, traceback
path, blocks = sys.argv[1], json.load(open(sys.argv[2]))
namespace = {"__name__": "__main__"}
for block in blocks:
    print(f"--- {path}:{block['line']} ({block['lang']}) at {time.perf_counter():.1f} s", flush=True)
    try:
        if block["lang"] == "python":
            code = "\n" * block["line"] + block["source"]
            exec(compile(code, path, "exec"), namespace)
        else:
            subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block["source"]], check=True)
    except BaseException as exc:
        if isinstance(exc, SystemExit) and not exc.code:
            continue
        traceback.print_exc()
        print(f"SNIPPET FAILED: {path}:{block['line']}", flush=True)
        sys.exit(1)
    sys.stdout.flush()
    sys.stderr.flush()
'''


def install_via_plugin(site: Path) -> None:
    """What ``pip install ./plugins/maskkit_via`` leaves behind, in a scratch site directory."""
    info = site / "maskkit_via-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: maskkit-via\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[maskkit]\nvia = maskkit_via\n")


def environment(site: Path) -> dict[str, str]:
    """This environment, with the repository's packages and the scratch site on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("MASKKIT_PLUGINS", "MASKKIT_DISABLE_PLUGINS")}
    paths = [str(REPO), str(REPO / "plugins"), str(REPO / "plugins" / "maskkit_via" / "src"), str(site)]
    env["PYTHONPATH"] = os.pathsep.join(paths + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    env.update(TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    return env


def test_extraction_finds_blocks_and_honours_skip_markers(tmp_path, monkeypatch):
    doc = tmp_path / "doc.md"
    doc.write_text("text\n```bash\necho 1\n```\n<!-- docs-test: skip (needs a GPU) -->\n```python\nx = 1\n```\n"
                   "```text\nnot run\n```\n  ```sh\n  ls\n  ```\n```\nplain\n```\n")
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    found = extract("doc.md")
    assert [(s.line, s.lang, s.source, s.skip_reason) for s in found] == [
        (2, "bash", "echo 1", None), (6, "python", "x = 1", "needs a GPU"), (12, "bash", "ls", None)]
    assert shrink("pipe.train(epochs=8)") == "pipe.train(epochs=2)"
    assert shrink("shapes_config(STEPS_PER_EPOCH=100)") == "shapes_config(IMAGES_PER_GPU=2, STEPS_PER_EPOCH=2)"
    assert shrink("python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/maskkit plugins") == \
        f"{BIN}/maskkit plugins"


@pytest.mark.parametrize("doc", [doc for doc in DOC_FILES if extract(doc)])
def test_snippets_of_doc_run(doc, tmp_path):
    snippets = [s for s in extract(doc) if s.skip_reason is None]
    work = tmp_path / "work"
    work.mkdir()
    install_via_plugin(tmp_path / "site")
    if doc in FIXTURES:
        FIXTURES[doc](work)
    blocks = [{"line": s.line, "lang": s.lang, "source": shrink(s.source)} for s in snippets]
    (tmp_path / "blocks.json").write_text(json.dumps(blocks))
    (tmp_path / "driver.py").write_text(DRIVER)
    proc = subprocess.run([sys.executable, str(tmp_path / "driver.py"), str(REPO / doc), str(tmp_path / "blocks.json")],
                          cwd=work, env=environment(tmp_path / "site"), capture_output=True, text=True,
                          timeout=TIMEOUT)
    failed = re.search(r"SNIPPET FAILED: (.*)", proc.stdout)
    where = failed.group(1) if failed else f"{doc} (driver exited {proc.returncode})"
    assert proc.returncode == 0, (f"doc snippet failed at {where}\n--- stdout (tail)\n{proc.stdout[-3000:]}\n"
                                  f"--- stderr (tail)\n{proc.stderr[-6000:]}")
