"""A third-party plugin installed with pip into a fresh venv is found, listed and isolated when broken."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

import maskkit
from tests.helpers_via import make_via_dataset

pytestmark = pytest.mark.slow

REPO = Path(maskkit.__file__).resolve().parent.parent
VIA_PLUGIN = REPO / "plugins" / "maskkit_via"


def make_plugin_venv(tmp_path: Path) -> Path:
    """Create ``tmp_path/venv`` that sees this interpreter's packages (maskkit, TensorFlow, pip, ...)
    without reinstalling them; return its python. Packages pip-installed into it come first on sys.path."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    host = sysconfig.get_paths()["purelib"]
    # addsitedir also runs the host's .pth files, so an editable maskkit install resolves as it does here.
    (Path(purelib) / "_maskkit_host.pth").write_text(f"import site; site.addsitedir({host!r})\n", encoding="utf-8")
    return python


def pip_install(python: Path, package_dir: Path, tmp_path: Path) -> None:
    """Install a copy of ``package_dir`` into the venv of ``python``, offline (no deps, no build isolation)."""
    copy = tmp_path / "src" / package_dir.name
    shutil.copytree(package_dir, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".*"))
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--disable-pip-version-check", str(copy)], check=True, capture_output=True)


def run(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the venv's python in ``cwd`` (not the repo, so nothing is imported from the source tree by accident)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MASKKIT_PLUGINS", "MASKKIT_DISABLE_PLUGINS")}
    return subprocess.run([str(python), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def write_throwaway_package(root: Path) -> Path:
    """A distribution ``maskkit-throwaway`` with two entry points: a good plugin and one that raises at import."""
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(textwrap.dedent("""\
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "maskkit-throwaway"
        version = "0.0.1"

        [project.entry-points.maskkit]
        throwaway_good = "throwaway_good"
        throwaway_broken = "throwaway_broken"

        [tool.setuptools]
        py-modules = ["throwaway_good", "throwaway_broken"]
        """), encoding="utf-8")
    (root / "throwaway_good.py").write_text(textwrap.dedent("""\
        from maskkit import hookimpl

        @hookimpl
        def maskkit_register_datasets(register):
            register("throwaway_shapes", "maskkit_shapes.dataset:make_shapes")
        """), encoding="utf-8")
    (root / "throwaway_broken.py").write_text('raise RuntimeError("throwaway is broken on purpose")\n',
                                              encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory) -> Path:
    """One venv for the module with maskkit-via and the throwaway package installed."""
    tmp_path = tmp_path_factory.mktemp("plugin_venv")
    python = make_plugin_venv(tmp_path)
    pip_install(python, VIA_PLUGIN, tmp_path)
    pip_install(python, write_throwaway_package(tmp_path / "throwaway" / "maskkit_throwaway"), tmp_path)
    return python


def test_maskkit_plugins_lists_the_installed_via_plugin(venv_python, tmp_path):
    result = run(venv_python, "-m", "maskkit", "plugins", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    infos = {info["name"]: info for info in json.loads(result.stdout)}
    via = infos["via"]
    assert via["distribution"] == "maskkit-via" and via["version"] == "0.1.0" and via["error"] is None
    assert via["registered"] == {"dataset": ["via"], "augmenter": ["via_hue_shift"]}
    assert "shapes" in infos  # the built-in plugins are still there


def test_a_plugin_that_fails_to_import_is_reported_and_the_rest_keep_working(venv_python, tmp_path):
    result = run(venv_python, "-m", "maskkit", "plugins", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    table = result.stdout.split("\n\n")[0]   # the plugin table; per-name descriptions follow it
    rows = {line.split()[0]: line for line in table.splitlines() if line.strip()}
    assert "datasets: throwaway_shapes" in rows["throwaway_good"]
    assert "maskkit-throwaway" in rows["throwaway_broken"]
    assert "FAILED" in rows["throwaway_broken"] and "throwaway is broken on purpose" in rows["throwaway_broken"]
    assert "via_hue_shift" in rows["via"]

    code = "import maskkit; print(maskkit.datasets.names())"
    result = run(venv_python, "-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "'throwaway_shapes'" in result.stdout and "'via'" in result.stdout
    assert "PluginWarning" in result.stderr and "'throwaway_broken'" in result.stderr
    assert "maskkit-throwaway" in result.stderr


def test_an_installed_plugin_is_available_in_a_spawned_process(venv_python, tmp_path):
    make_via_dataset(tmp_path / "data", n_images=2, size=48)
    code = textwrap.dedent(f"""\
        import multiprocessing as mp

        def count(subset):
            import maskkit
            return len(maskkit.datasets.create("via", root={str(tmp_path / "data")!r}, subset=subset))

        if __name__ == "__main__":
            with mp.get_context("spawn").Pool(1) as pool:
                print(pool.map(count, ["train", "val"]))
        """)
    (tmp_path / "spawn_check.py").write_text(code, encoding="utf-8")
    result = run(venv_python, "spawn_check.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[2, 2]"


def test_maskkit_train_runs_two_steps_on_the_installed_plugins_dataset(venv_python, tmp_path):
    data = make_via_dataset(tmp_path / "data", n_images=4, size=64)
    result = run(venv_python, "-m", "maskkit", "train", "--dataset", "via", "--data", f"root={data}",
                 "--preset", "shapes", "--augment", "fliplr,via_hue_shift",
                 "--set", "backbone=tiny", "--set", "image_min_dim=64", "--set", "image_max_dim=64",
                 "--set", "images_per_gpu=2", "--set", "top_down_pyramid_size=16",
                 "--set", "fpn_classif_fc_layers_size=32", "--set", "steps_per_epoch=2",
                 "--set", "validation_steps=1", "--epochs", "1", "--log-dir", str(tmp_path / "runs"),
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    checkpoints = list((tmp_path / "runs").rglob("mask_rcnn_shapes_0001.weights.h5"))
    assert len(checkpoints) == 1
    inspect = run(venv_python, "-m", "maskkit", "weights", "inspect", str(checkpoints[0]), "--json", cwd=tmp_path)
    assert json.loads(inspect.stdout)["metadata"]["class_names"] == ["BG", "balloon", "kite"]
