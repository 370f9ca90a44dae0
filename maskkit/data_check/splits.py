"""The splits of a registered dataset that ``maskkit data check`` covers: each one its factory builds."""

from __future__ import annotations

from typing import Any

import attrs

from maskkit.dataset import Dataset
from maskkit.errors import DatasetError

#: The subsets asked of a factory that takes ``subset``, in the order their leaks are reported.
SPLITS = ("train", "val", "test")


@attrs.frozen
class Splits:
    """The distinct splits built (name -> Dataset, train first) and, per split not built, why."""

    datasets: dict[str, Dataset]
    skipped: dict[str, str]


def dataset_splits(name: str, args: dict[str, Any]) -> Splits:
    """Every split of registered dataset ``name`` with factory arguments ``args``.

    A factory without a ``subset`` argument, or ``args`` naming one, gives one split. Otherwise
    train, val and test are asked for: a split the factory refuses (a DatasetError: no such folder)
    is skipped with its reason, a split holding the same images as an earlier one (a factory that
    ignores the subset) is left out, and a train split that cannot be built raises its error.

    Args:
        name: the registered dataset name.
        args: the factory's keyword arguments (as ``--set`` gives them).

    Returns:
        The Splits.
    """
    import maskkit
    from maskkit.registry import accepted_kwargs

    factory = maskkit.datasets.get(name)
    if "subset" in args or not accepted_kwargs(factory, {"subset": None}, optional=("subset",)):
        return Splits({str(args.get("subset") or "all"): maskkit.datasets.create(name, **args)}, {})
    built: dict[str, Dataset] = {}
    skipped: dict[str, str] = {}
    seen: dict[tuple, str] = {}
    for subset in SPLITS:
        try:
            dataset = maskkit.datasets.create(name, **{**args, "subset": subset})
        except DatasetError as exc:
            if subset == SPLITS[0]:
                raise
            skipped[subset] = str(exc)
            continue
        key = tuple((info.get("source"), info.get("id"), str(info.get("path"))) for info in dataset.image_info)
        if key in seen:
            skipped[subset] = f"the same images as {seen[key]}"
            continue
        seen[key] = subset
        built[subset] = dataset
    return Splits(built, skipped)


def check_splits(splits: Splits, name: str, workers: int | None = None, **options: Any) -> Any:
    """``check_data`` of every split and, with more than one, the images they share.

    Args:
        splits: what ``dataset_splits`` built.
        name: the dataset's name for the reports.
        workers: reader threads (default: one per core, at most 8).
        options: the other keyword arguments of ``check_data`` (limit, progress, limits).

    Returns:
        The DataReport of a single split, else a SplitsReport.
    """
    from maskkit.data_check.check import check_data, default_workers
    from maskkit.data_check.leakage import leak_findings, split_fingerprints
    from maskkit.data_check.splits_report import SplitsReport

    reports = {}
    for subset, dataset in splits.datasets.items():
        report = check_data(dataset, workers=workers, **options)
        report.dataset = name if len(splits.datasets) == 1 else f"{name}[{subset}]"
        reports[subset] = report
    if len(reports) == 1:
        return next(iter(reports.values()))
    threads = workers or default_workers()
    prints = {subset: split_fingerprints(dataset, threads) for subset, dataset in splits.datasets.items()}
    return SplitsReport(reports, dict(splits.skipped), leak_findings(prints))
