"""The data check of several splits: one DataReport per split plus the images the splits share."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs

from maskkit.data_check.findings import Finding, JsonReport
from maskkit.data_check.findings_report import DataReport, where


@attrs.define
class SplitsReport(JsonReport):
    """Per split its DataReport (train first), the splits not checked and why, and the shared images."""

    reports: dict[str, DataReport]
    skipped: dict[str, str]
    across: list[Finding]

    @property
    def has_errors(self) -> bool:
        """True when any split or the comparison across splits has an error finding."""
        return any(r.has_errors for r in self.reports.values()) or any(f.severity == "error" for f in self.across)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly: ``splits`` (name -> DataReport.to_dict()), ``skipped_splits`` and ``across_splits``."""
        return {"splits": {name: report.to_dict() for name, report in self.reports.items()},
                "skipped_splits": dict(self.skipped), "across_splits": [f.to_dict() for f in self.across]}

    def write(self, out_dir: str | os.PathLike) -> dict[str, str]:
        """Each split's files into ``out_dir/<split>/`` and ``across_splits.json``; returns the paths."""
        from maskkit.atomic_files import atomic_write_text

        out = Path(out_dir)
        written = {f"{name} {what}": path for name, report in self.reports.items()
                   for what, path in report.write(out / name).items()}
        written["across splits"] = str(out / "across_splits.json")
        atomic_write_text(written["across splits"], json.dumps([f.to_dict() for f in self.across], indent=2))
        return written

    def format_table(self) -> str:
        """Each split's table under a heading, then the images shared across splits."""
        lines = []
        for name, report in self.reports.items():
            lines += [f"== split {name} ==", report.format_table(), ""]
        lines.append(f"== across splits {', '.join(self.reports)} ==")
        lines += [f"split {name} not checked: {why}" for name, why in self.skipped.items()]
        if not self.across:
            lines.append("no image is shared between splits")
        lines += [f"{f.severity.upper():<7} {f.code:<22} {where(f)}{f.message}" for f in self.across]
        return "\n".join(lines)
