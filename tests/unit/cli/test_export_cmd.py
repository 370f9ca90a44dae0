"""``maskkit export`` exports the checkpoint's pipeline and prints the signature (export is a stand-in here)."""

from __future__ import annotations

import types

import maskkit.export
import maskkit.pipeline
from tests.helpers import run_cli


def test_the_checkpoint_is_exported_without_its_dataset_and_the_signature_printed(monkeypatch, tmp_path):
    seen = {}

    def from_checkpoint(path, **kwargs):
        seen.update(path=path, **kwargs)
        return types.SimpleNamespace(weights_path=path)

    monkeypatch.setattr(maskkit.pipeline.Pipeline, "from_checkpoint", staticmethod(from_checkpoint))
    monkeypatch.setattr(maskkit.export, "export_saved_model", lambda pipe, out: seen.update(out=out) or out)
    monkeypatch.setattr(maskkit.export, "read_export_metadata", lambda path: {"class_names": ["BG"]})
    monkeypatch.setattr(maskkit.export, "format_signature", lambda metadata: f"SIGNATURE {metadata['class_names']}")
    out = str(tmp_path / "export")
    result = run_cli("export", "--weights", "ckpt.h5", "--out", out, "--set", "precision=mixed_bfloat16")
    assert result.exit_code == 0, result.output
    assert seen == {"path": "ckpt.h5", "use_stored_dataset": False, "overrides": {"PRECISION": "mixed_bfloat16"},
                    "out": out}
    assert result.output.splitlines()[:2] == [f"wrote SavedModel {out} from ckpt.h5", "SIGNATURE ['BG']"]


def test_weights_and_out_are_required():
    result = run_cli("export", "--weights", "ckpt.h5")
    assert result.exit_code == 2 and "--out" in result.output
