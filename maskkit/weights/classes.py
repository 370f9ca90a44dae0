"""Class names stored with the weights, so a model never silently runs with the wrong class list."""

from __future__ import annotations

from typing import Any, Sequence

from maskkit.errors import WeightsError

# The layers whose shapes depend on the class list; the seed excludes them for transfer learning.
CLASS_HEAD_LAYERS = ("mrcnn_class_logits", "mrcnn_bbox_fc", "mrcnn_bbox", "mrcnn_mask")

_SHOWN = 10


def dataset_class_metadata(dataset: Any) -> dict[str, Any]:
    """Checkpoint metadata describing a prepared dataset's classes: names and (source, source id) pairs.

    Args:
        dataset: a prepared Dataset.

    Returns:
        ``{"class_names": [...], "class_sources": [[source, id], ...]}``, one entry per class, BG first.
    """
    return {
        "class_names": [str(name) for name in dataset.class_names],
        "class_sources": [[str(info["source"]), info["id"]] for info in dataset.class_info],
    }


def check_class_names(
    stored: Sequence[str] | None,
    expected: Sequence[str],
    excluded_heads: bool,
    source: str = "the weights",
    advice: str | None = None,
) -> None:
    """Raise WeightsError listing how ``stored`` differs from ``expected``, unless the heads are excluded;
    ``advice`` ends the message (default: how to fine-tune on the new list by excluding the heads).

    Weights without stored names (matterport files) cannot be checked and pass.

    Args:
        stored: class names stored with the weights; None or empty when there are none.
        expected: the class list the model is built for, BG first.
        excluded_heads: the class-specific heads are not loaded, so any stored list is fine.
        source: how the message names where ``stored`` came from.
        advice: the message's last sentence; None for the default.
    """
    if excluded_heads or not stored:
        return
    stored, expected = [str(name) for name in stored], [str(name) for name in expected]
    if stored == expected:
        return
    missing = [name for name in expected if name not in stored]
    extra = [name for name in stored if name not in expected]
    problems = []
    if missing:
        problems.append(f"missing from the weights: {_names(missing)}")
    if extra:
        problems.append(f"in the weights but not expected: {_names(extra)}")
    if not missing and not extra:
        moved = [
            f"#{index} is {have!r} in the weights but {want!r} expected"
            for index, (have, want) in enumerate(zip(stored, expected))
            if have != want
        ]
        if moved:
            problems.append(f"reordered: {_names(moved, quote=False)}")
        if len(stored) != len(expected):
            problems.append(f"{len(stored)} names in the weights but {len(expected)} expected (repeated names)")
    raise WeightsError(
        f"class names stored with {source} differ from the expected class list "
        f"({len(stored)} stored, {len(expected)} expected): {'; '.join(problems)}. "
        + (advice or f"To fine-tune on a new class list, exclude the heads ({', '.join(CLASS_HEAD_LAYERS)}).")
    )


def _names(names: Sequence[str], quote: bool = True) -> str:
    shown = [repr(name) if quote else name for name in names[:_SHOWN]]
    more = f" (+{len(names) - _SHOWN} more)" if len(names) > _SHOWN else ""
    return ", ".join(shown) + more
