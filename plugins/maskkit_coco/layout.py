"""Which annotation file ``root=`` means: Roboflow's COCO export layout, one folder per split.

Roboflow writes ``train/``, ``valid/`` and ``test/``, each holding its images with
``_annotations.coco.json`` beside them. ``root`` is such a split folder or the export folder
above them. The rules, for the ``subset`` a caller asks for:

- a split folder named ``valid``, ``val`` or ``test`` is used as it is, whatever the subset
  (``maskkit evaluate --data root=export/test`` scores the test split);
- any other split folder (usually ``train/``) is the training split: subset ``train`` (or none)
  loads it, subset ``val`` the folder ``valid/`` or ``val/`` beside it, any other subset the
  folder of that name beside it (``subset=test``);
- the export folder stands for its ``train/`` in the same way; without a subset it is an error
  that lists its split folders;
- without a validation folder, ``DEFAULT_VAL_FRACTION`` of the training folder's images is held
  out (the same deterministic split for subsets train and val) and a warning says so. ``test/``
  never stands in for validation: it stays held out for the final figure;
- an explicit ``val_fraction`` always splits the (training) folder's file.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from maskkit.errors import DatasetError
from maskkit.split import SUBSETS

ANNOTATION_FILE = "_annotations.coco.json"
VAL_FOLDERS = ("valid", "val")
HELD_OUT_FOLDERS = (*VAL_FOLDERS, "test")
DEFAULT_VAL_FRACTION = 0.2


@attrs.frozen
class SplitChoice:
    """The split folder to load, the share held out of it (None: all of it) and why, if it is a fallback."""

    folder: Path
    val_fraction: float | None = None
    note: str | None = None

    @property
    def annotations(self) -> Path:
        """The folder's annotation file."""
        return self.folder / ANNOTATION_FILE


def has_annotations(folder: Path) -> bool:
    """True when ``folder`` holds Roboflow's annotation file."""
    return (folder / ANNOTATION_FILE).is_file()


def split_folders(export: Path) -> list[str]:
    """Names of the folders in ``export`` that hold an annotation file, sorted."""
    return [p.name for p in sorted(export.iterdir()) if p.is_dir() and has_annotations(p)]


def choose_split(root: str | os.PathLike, subset: str | None, val_fraction: float | None = None) -> SplitChoice:
    """The folder (and split) of a Roboflow-style export that ``subset`` loads; see the module docstring.

    Args:
        root: a split folder holding ``_annotations.coco.json``, or the export folder above them.
        subset: 'train', 'val', another split folder's name, or None (the folder ``root`` names).
        val_fraction: split the training folder by this share instead of looking for ``valid/``.

    Returns:
        The SplitChoice; a DatasetError names ``root`` and what was looked for when nothing fits.
    """
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"coco: root folder not found: {root}")
    if has_annotations(root):
        if root.name in HELD_OUT_FOLDERS or subset is None or val_fraction is not None:
            return SplitChoice(root, val_fraction)
        export, train_name = root.parent, root.name
    else:
        found = split_folders(root)
        if not found:
            raise DatasetError(f"coco: {root} holds no {ANNOTATION_FILE}, and no folder in it does "
                               f"(expected Roboflow's layout: train/, valid/, test/ each with {ANNOTATION_FILE})")
        if subset is None:
            raise DatasetError(f"coco: {root} is an export with split folders {', '.join(found)}: name one, "
                               f"e.g. root={root / found[0]}")
        export, train_name = root, "train"
    if subset not in SUBSETS:
        return SplitChoice(split_folder(export, str(subset)), val_fraction)
    if val_fraction is not None:
        return SplitChoice(split_folder(export, train_name), val_fraction)
    val_dir = next((export / name for name in VAL_FOLDERS if has_annotations(export / name)), None)
    if val_dir is not None:
        return SplitChoice(val_dir if subset == "val" else split_folder(export, train_name))
    train_dir = split_folder(export, train_name)
    note = (f"coco: no validation folder ({'/ or '.join(VAL_FOLDERS)}/) beside {train_dir}: subset {subset!r} "
            f"uses a fixed split of its images with {DEFAULT_VAL_FRACTION:.0%} held out for validation "
            f"(set val_fraction= to change the share)")
    return SplitChoice(train_dir, DEFAULT_VAL_FRACTION, note)


def split_folder(export: Path, name: str) -> Path:
    """``export/name`` when it holds the annotation file, else a DatasetError listing the split folders there."""
    folder = export / name
    if has_annotations(folder):
        return folder
    raise DatasetError(f"coco: no split folder {folder} holding {ANNOTATION_FILE} (split folders in {export}: "
                       f"{', '.join(split_folders(export)) or 'none'})")
