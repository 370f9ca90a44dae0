"""Every split a factory builds is checked; splits it refuses or that repeat another are left out, saying why."""

from __future__ import annotations

import json

import cv2
from click.testing import CliRunner

from maskkit.cli.main import cli
from maskkit.data_check.splits import check_splits, dataset_splits
from maskkit.data_check.splits_report import SplitsReport
from maskkit.errors import DatasetError
from tests.helpers import registered
from tests.helpers_data_check import Files, picture


def folders(root):
    """train/ with 3 pictures, val/ with a copy of train's first; no test/ folder."""
    for split, seeds in (("train", (0, 1, 2)), ("val", (0, 5))):
        (root / split).mkdir()
        for seed in seeds:
            cv2.imwrite(str(root / split / f"{seed}.png"), picture(seed))

    def factory(subset: str = "train"):
        if not (root / subset).is_dir():
            raise DatasetError(f"no folder {root / subset}")
        return Files(sorted((root / subset).glob("*.png")))

    return factory


def test_every_split_is_checked_and_the_leak_is_reported(tmp_path):
    with registered("dataset", "leaky_folders", folders(tmp_path)):
        splits = dataset_splits("leaky_folders", {})
        assert list(splits.datasets) == ["train", "val"] and "no folder" in splits.skipped["test"]
        report = check_splits(splits, "leaky_folders", progress=False, workers=1)
        assert isinstance(report, SplitsReport) and list(report.reports) == ["train", "val"]
        assert report.reports["val"].dataset == "leaky_folders[val]"
        [leak] = report.across
        assert leak.code == "leaked-image" and leak.file == str(tmp_path / "val" / "0.png")
        result = CliRunner().invoke(cli, ["data", "check", "leaky_folders", "--no-progress"])
        assert result.exit_code == 0, result.output
        assert "== split val ==" in result.stdout and "WARNING leaked-image" in result.stdout
        assert "split test not checked: no folder" in result.stdout
        as_json = json.loads(CliRunner().invoke(cli, ["data", "check", "leaky_folders", "--json"]).stdout)
        assert [f["code"] for f in as_json["across_splits"]] == ["leaked-image"]
        named = dataset_splits("leaky_folders", {"subset": "val"})
        assert list(named.datasets) == ["val"]


def test_a_factory_that_ignores_the_subset_gives_one_split(tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), picture(0))
    with registered("dataset", "one_folder", lambda subset="train": Files([tmp_path / "a.png"])):
        splits = dataset_splits("one_folder", {})
        assert list(splits.datasets) == ["train"] and set(splits.skipped) == {"val", "test"}
        report = check_splits(splits, "one_folder", progress=False)
        assert report.dataset == "one_folder" and not hasattr(report, "across")
    with registered("dataset", "no_subset", lambda: Files([tmp_path / "a.png"])):
        assert list(dataset_splits("no_subset", {}).datasets) == ["all"]
