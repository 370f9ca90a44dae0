"""Output targets are checked up front: read-only, file-in-the-way and occupied folders are refused by name."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from maskkit.errors import MaskkitError
from maskkit.output_paths import check_empty_or_absent, check_writable_dir, check_writable_file


@pytest.fixture
def read_only_dir(tmp_path) -> Path:
    """A folder this process cannot write to: a chmod 555 folder, or for root (who ignores modes) /sys."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    for candidate in (folder, Path("/sys/kernel")):
        try:
            fd, probe = tempfile.mkstemp(dir=candidate)
        except OSError:
            yield candidate
            break
        os.close(fd)
        os.unlink(probe)
    else:
        pytest.skip("no read-only folder available")
    folder.chmod(0o755)


def test_an_absent_folder_under_a_writable_one_passes_and_is_not_created(tmp_path):
    target = tmp_path / "a" / "b" / "report"
    assert check_writable_dir(target, "--report folder") == target
    assert not (tmp_path / "a").exists()
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_folder_is_refused_naming_the_path(read_only_dir):
    target = read_only_dir / "report"
    with pytest.raises(MaskkitError, match=f"cannot write --report folder {target}: .* is not writable"):
        check_writable_dir(target, "--report folder")


def test_a_file_where_a_folder_should_be_is_refused(tmp_path):
    (tmp_path / "taken").write_text("x")
    with pytest.raises(MaskkitError, match="--out folder .*taken is a file, not a folder"):
        check_writable_dir(tmp_path / "taken", "--out folder")
    with pytest.raises(MaskkitError, match="cannot write --out folder .*taken/sub: .*taken is a file"):
        check_writable_dir(tmp_path / "taken" / "sub", "--out folder")


def test_a_file_target_must_not_be_a_folder_and_its_folder_must_be_writable(tmp_path, read_only_dir):
    assert check_writable_file(tmp_path / "new" / "c.yaml", "config file") == tmp_path / "new" / "c.yaml"
    with pytest.raises(MaskkitError, match="config file .* is a folder"):
        check_writable_file(tmp_path, "config file")
    with pytest.raises(MaskkitError, match="is not writable"):
        check_writable_file(read_only_dir / "c.yaml", "config file")


def test_an_occupied_folder_is_refused_unless_it_holds_an_earlier_output(tmp_path):
    assert check_empty_or_absent(tmp_path / "absent", "export folder") == tmp_path / "absent"
    (tmp_path / "empty").mkdir()
    check_empty_or_absent(tmp_path / "empty", "export folder")
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine")
    with pytest.raises(MaskkitError, match=r"export folder .*occupied is not empty and is not an earlier output "
                                           r"\(no saved_model.pb\)"):
        check_empty_or_absent(occupied, "export folder", replaceable="saved_model.pb")
    (occupied / "saved_model.pb").write_bytes(b"")
    check_empty_or_absent(occupied, "export folder", replaceable="saved_model.pb")


# ----- every command that writes checks its target before the work --------------------------------
@pytest.fixture
def no_model(monkeypatch):
    """Building a pipeline from a checkpoint fails the test: the output check must come first."""
    import maskkit.pipeline

    def from_checkpoint(*args, **kwargs):
        raise AssertionError("the model was built before the output target was checked")

    monkeypatch.setattr(maskkit.pipeline.Pipeline, "from_checkpoint", staticmethod(from_checkpoint))


@pytest.mark.parametrize("command, what", [
    (["evaluate", "--weights", "w.h5", "--report", "{target}"], "--report folder"),
    (["evaluate", "--weights", "w.h5", "--out", "{target}"], "--out folder"),
    (["detect", "--weights", "w.h5", "x.png", "--out", "{target}"], "--out folder"),
    (["export", "--weights", "w.h5", "--out", "{target}"], "export folder"),
    (["data", "check", "shapes", "--out", "{target}"], "--out folder"),
    (["data", "plan", "shapes", "--out", "{target}/plan.yaml"], "--out file"),
    (["config", "save", "{target}/c.yaml"], "config file"),
    (["weights", "convert", "w.h5", "{target}/w.weights.h5"], "converted weights file"),
])
def test_commands_refuse_a_read_only_target_before_any_work(no_model, read_only_dir, command, what):
    from tests.helpers import run_cli

    target = read_only_dir / "out"
    result = run_cli(*[arg.replace("{target}", str(target)) for arg in command])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: cannot write {what} {target}"), result.output
    assert "is not writable" in result.output and len(result.output.splitlines()) == 1


def test_export_refuses_an_occupied_folder_before_building_the_model(no_model, tmp_path):
    from tests.helpers import run_cli

    (tmp_path / "mine.txt").write_text("keep me")
    result = run_cli("export", "--weights", "w.h5", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert result.output == (f"Error: export folder {tmp_path} is not empty and is not an earlier output "
                             f"(no saved_model.pb); choose another folder or empty it\n")
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_training_refuses_a_read_only_log_folder_before_building_the_model(read_only_dir):
    from maskkit.pipeline import Pipeline

    pipe = Pipeline("shapes", dataset_args={"count": 1}, preset="shapes", log_dir=read_only_dir / "runs")
    with pytest.raises(MaskkitError, match=f"cannot write log folder {read_only_dir / 'runs'}: .* is not writable"):
        pipe.train(1, verbose=0)
    assert pipe._model is None
