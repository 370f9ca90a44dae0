"""The result of a data check: findings plus summary statistics, as JSON or as a readable table."""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

import attrs
import numpy as np

from maskkit.data_check.findings import ERROR, INFO, SEVERITIES, WARNING, Finding, JsonReport

EXAMPLES = 3


@attrs.define
class DataReport(JsonReport):
    """Everything ``check_data`` found about one dataset."""

    dataset: str
    num_images: int
    scanned: int
    class_names: list[str]
    instances: list[int]
    crowds: list[int]
    findings: list[Finding]
    mask_areas: np.ndarray = attrs.field(eq=False, repr=False)
    image_sizes: list[tuple[int, int]] = attrs.field(factory=list, repr=False)
    seconds: float = 0.0
    workers: int = 1

    @property
    def has_errors(self) -> bool:
        """True when any finding is an error (the CLI then exits with code 1)."""
        return any(f.severity == ERROR for f in self.findings)

    def by_severity(self, severity: str) -> list[Finding]:
        """The findings of one severity."""
        return [f for f in self.findings if f.severity == severity]

    def count(self, code: str) -> int:
        """How many findings have ``code``."""
        return sum(f.code == code for f in self.findings)

    @property
    def images_per_second(self) -> float:
        """Scanning speed."""
        return self.scanned / self.seconds if self.seconds > 0 else 0.0

    def area_histogram(self) -> dict[str, list[int]]:
        """Instance counts per power-of-two mask-area bin: edges [1, 2, 4, ...] and counts."""
        from maskkit.visualize.area_histogram import log2_bins

        edges, counts = log2_bins(self.mask_areas)
        return {"edges": [int(e) for e in edges], "counts": [int(c) for c in counts]}

    def summary(self) -> dict[str, Any]:
        """Headline numbers: images, instances, grayscale/alpha files, image sizes, finding counts."""
        sizes = np.array(self.image_sizes or [(0, 0)], dtype=np.int64)
        return {
            "dataset": self.dataset,
            "images": self.num_images,
            "checked_images": self.scanned,
            "instances": int(sum(self.instances)),
            "crowd_instances": int(sum(self.crowds)),
            "images_without_instances": self.count("no-instances"),
            "grayscale_images": self.count("grayscale-image"),
            "alpha_images": self.count("alpha-image"),
            "min_image_size": [int(v) for v in sizes.min(axis=0)],
            "max_image_size": [int(v) for v in sizes.max(axis=0)],
            "errors": len(self.by_severity(ERROR)),
            "warnings": len(self.by_severity(WARNING)),
            "infos": len(self.by_severity(INFO)),
            "seconds": round(self.seconds, 3),
            "images_per_second": round(self.images_per_second, 1),
            "workers": self.workers,
        }

    def to_dict(self) -> dict[str, Any]:
        """The whole report as JSON-friendly data."""
        return {
            "summary": self.summary(),
            "classes": [{"id": i, "name": name, "instances": self.instances[i], "crowds": self.crowds[i]}
                        for i, name in enumerate(self.class_names) if i > 0],
            "mask_area_histogram": self.area_histogram(),
            "findings": [f.to_dict() for f in self.findings],
        }

    def write(self, out_dir: str | os.PathLike) -> dict[str, str]:
        """Write ``data_check.json`` and ``mask_areas.png`` into ``out_dir``; return their paths."""
        from pathlib import Path

        from maskkit.atomic_files import atomic_write_text
        from maskkit.visualize.area_histogram import draw_area_histogram

        out = Path(out_dir)
        paths = {"json": str(out / "data_check.json"), "histogram": str(out / "mask_areas.png")}
        atomic_write_text(paths["json"], self.to_json())
        draw_area_histogram(self.mask_areas, title=f"{self.dataset}: mask areas", path=paths["histogram"])
        return paths

    def format_table(self) -> str:
        """Summary, per-class counts and findings grouped by code (a few examples each)."""
        s = self.summary()
        lines = [f"dataset {self.dataset}: checked {s['checked_images']} of {s['images']} images in "
                 f"{s['seconds']:.1f}s ({s['images_per_second']:.0f} images/s, {self.workers} workers)",
                 f"instances {s['instances']} (+{s['crowd_instances']} crowd), images without instances "
                 f"{s['images_without_instances']}, grayscale {s['grayscale_images']}, alpha {s['alpha_images']}, "
                 f"image sizes {tuple(s['min_image_size'])}..{tuple(s['max_image_size'])}",
                 "", "class                          instances  crowds"]
        lines += [f"{i:>3} {name[:26]:<26} {self.instances[i]:>10} {self.crowds[i]:>7}"
                  for i, name in enumerate(self.class_names) if i > 0]
        lines += ["", f"{s['errors']} errors, {s['warnings']} warnings, {s['infos']} infos"]
        groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for f in self.findings:
            groups[(f.severity, f.code)].append(f)
        order = {sev: i for i, sev in enumerate(SEVERITIES)}
        for (severity, code), items in sorted(groups.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
            lines.append(f"{severity.upper():<7} {code:<22} {len(items):>6}")
            lines += [f"        {where(f)}{f.message}" for f in items[:EXAMPLES]]
            if len(items) > EXAMPLES:
                lines.append(f"        ... and {len(items) - EXAMPLES} more (see --json)")
        return "\n".join(lines)


def where(f: Finding) -> str:
    """``image 3 (path): `` prefix naming the image of a finding, if it has one.

    Args:
        f: the Finding; one without an image_id gives "".
    """
    if f.image_id is None:
        return ""
    return f"image {f.image_id}" + (f" ({f.file})" if f.file else "") + ": "
