"""Conformance checks for dataset plugins: the Dataset contract, image by image."""

from __future__ import annotations

from typing import Any

import numpy as np

from maskkit.dataset import Dataset, datasets
from maskkit.testing.conformance_error import ConformanceError
from maskkit.testing.resolve import build


def check_dataset(factory_or_name: Any, *, sample: int | None = 8, **kwargs: Any) -> Dataset:
    """Check a dataset plugin (registered name, factory or Dataset) and return the dataset.

    ``kwargs`` go to the factory. ``prepare()`` must work, class 0 must be "BG", and for
    ``sample`` images spread over the dataset (``None``: every image): ``load_image`` gives uint8 HxWx3, ``load_mask``
    gives bool HxWxN with N class ids the dataset knows (negative ids mark crowds),
    ``image_reference`` gives a str, and loading twice gives identical data.
    Raises ConformanceError listing every problem.

    Args:
        factory_or_name: a registered dataset name, a factory returning a Dataset, or a Dataset.
        sample: how many images to load, spread over the dataset; None loads every image.
        kwargs: passed to the factory (those it accepts).

    Returns:
        The prepared dataset.
    """
    subject, dataset = build("dataset", factory_or_name, datasets, lambda obj: isinstance(obj, Dataset), kwargs)
    if not isinstance(dataset, Dataset):
        raise ConformanceError(subject, [f"factory returned {type(dataset).__name__}, not a maskkit.Dataset"])
    try:
        dataset.prepare()
    except Exception as exc:
        raise ConformanceError(subject, [f"prepare() raised {type(exc).__name__}: {exc}"]) from exc
    problems = class_problems(dataset)
    count = len(dataset.image_info)
    if count == 0:
        problems.append("has no images")
    elif len(dataset.image_ids) != count:
        problems.append(f"image_ids has {len(dataset.image_ids)} entries for {count} images after prepare()")
    ids = sample_ids(count, sample)
    problems.extend(grouped([image_problems(dataset, int(image_id)) for image_id in ids], len(ids)))
    if problems:
        raise ConformanceError(subject, problems)
    return dataset


def sample_ids(count: int, sample: int | None) -> np.ndarray:
    """Up to ``sample`` image ids spread evenly from the first to the last image (all for None).

    Args:
        count: number of images in the dataset.
        sample: how many ids to pick; None for all, 0 or less for none.

    Returns:
        Sorted, distinct int64 image ids.
    """
    if sample is None:
        return np.arange(count)
    if count == 0 or sample <= 0:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.linspace(0, count - 1, min(sample, count)).round().astype(np.int64))


def grouped(per_image: list[list[tuple[str, str]]], sampled: int) -> list[str]:
    """One line per distinct problem, naming the first image that has it and how many others do.

    Args:
        per_image: for each sampled image, its (image description, problem) pairs.
        sampled: number of images sampled, for the "[k of n sampled images]" suffix.

    Returns:
        One message per distinct problem, in order of first appearance.
    """
    first: dict[str, str] = {}
    counts: dict[str, int] = {}
    for problems in per_image:
        for who, message in dict.fromkeys(problems):
            first.setdefault(message, who)
            counts[message] = counts.get(message, 0) + 1
    return [f"{first[m]}: {m}" + (f" [{counts[m]} of {sampled} sampled images]" if counts[m] > 1 else "")
            for m in first]


def class_problems(dataset: Dataset) -> list[str]:
    """Problems with the class table: class 0 must be BG and there must be at least one real class.

    Args:
        dataset: the prepared dataset.

    Returns:
        Problem messages; empty when the class table conforms.
    """
    problems = []
    names = list(getattr(dataset, "class_names", []))
    first = dataset.class_info[0] if dataset.class_info else None
    if not names or names[0] != "BG" or first is None or first.get("id") != 0:
        problems.append(f"class 0 must be 'BG' (source '', id 0), got {first}")
    if len(names) < 2:
        problems.append("declares no classes besides BG (call add_class before prepare)")
    if getattr(dataset, "num_classes", None) != len(dataset.class_info):
        problems.append(f"num_classes is {getattr(dataset, 'num_classes', None)} but {len(dataset.class_info)} "
                        f"classes are declared")
    return problems


def image_problems(dataset: Dataset, image_id: int) -> list[tuple[str, str]]:
    """(image description, problem) for everything wrong with one image: reference, pixels, masks,
    class ids and determinism.

    Args:
        dataset: the prepared dataset.
        image_id: internal id of the image to load.
    """
    who = dataset.describe_image(image_id)
    return [(who, problem) for problem in single_image_problems(dataset, image_id)]


def single_image_problems(dataset: Dataset, image_id: int) -> list[str]:
    """The problems of one image, as messages without the image's name.

    Args:
        dataset: the prepared dataset.
        image_id: internal id of the image to load.
    """
    problems = []
    try:
        reference = dataset.image_reference(image_id)
        if not isinstance(reference, str):
            problems.append(f"image_reference returned {type(reference).__name__}, not str")
    except Exception as exc:
        problems.append(f"image_reference raised {type(exc).__name__}: {exc}")
    first = load(dataset, image_id, problems)
    if first is None:
        return problems
    image, mask, class_ids = first
    problems.extend(image_shape_problems(image))
    problems.extend(mask_problems(dataset, image_id, image, mask, class_ids))
    second = load(dataset, image_id, problems)
    if second is not None:
        for what, a, b in zip(("load_image", "load_mask masks", "load_mask class ids"), first, second):
            if not same_array(a, b):
                problems.append(f"{what} returned different data for the same image id on a second call "
                                f"(loading must be deterministic)")
    return problems


def load(dataset: Dataset, image_id: int, problems: list[str]) -> tuple[Any, Any, Any] | None:
    """(image, mask, class_ids), or None after noting why they could not be loaded.

    Args:
        dataset: the prepared dataset.
        image_id: internal id of the image to load.
        problems: list the reason for a failure is appended to.
    """
    try:
        image = dataset.load_image(image_id)
    except Exception as exc:
        problems.append(f"load_image raised {type(exc).__name__}: {exc}")
        return None
    try:
        result = dataset.load_mask(image_id)
    except Exception as exc:
        problems.append(f"load_mask raised {type(exc).__name__}: {exc}")
        return None
    if not (isinstance(result, tuple) and len(result) == 2):
        problems.append(f"load_mask must return a tuple (masks, class_ids), got {type(result).__name__}")
        return None
    return image, result[0], result[1]


def image_shape_problems(image: Any) -> list[str]:
    """load_image must give a non-empty uint8 HxWx3 array.

    Args:
        image: what load_image returned.

    Returns:
        At most one message; empty when the image conforms.
    """
    if not isinstance(image, np.ndarray):
        return [f"load_image returned {type(image).__name__}, not a numpy array"]
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        return [f"load_image returned shape {image.shape} dtype {image.dtype}; it must be uint8 HxWx3"]
    if image.shape[0] == 0 or image.shape[1] == 0:
        return [f"load_image returned an empty image of shape {image.shape}"]
    return []


def mask_problems(dataset: Dataset, image_id: int, image: Any, mask: Any, class_ids: Any) -> list[str]:
    """load_mask must give bool HxWxN masks of the image's size and N class ids the dataset knows.

    Args:
        dataset: the prepared dataset, for its classes and the image's source.
        image_id: internal id of the image.
        image: what load_image returned, for its size.
        mask, class_ids: what load_mask returned.

    Returns:
        Problem messages; empty when the masks and class ids conform.
    """
    if not isinstance(mask, np.ndarray) or not isinstance(class_ids, np.ndarray):
        return [f"load_mask must return numpy arrays, got {type(mask).__name__} and "
                f"{type(class_ids).__name__}"]
    problems = []
    if class_ids.ndim != 1 or not np.issubdtype(class_ids.dtype, np.integer):
        problems.append(f"class ids must be a 1-D integer array, got shape {class_ids.shape} "
                        f"dtype {class_ids.dtype}")
        return problems
    if mask.size == 0 and class_ids.size == 0 and mask.ndim == 3:
        return problems
    if mask.dtype != bool:
        problems.append(f"load_mask returned masks of dtype {mask.dtype}; they must be bool")
    if mask.ndim != 3:
        problems.append(f"load_mask returned masks of shape {mask.shape}; they must be HxWxN")
        return problems
    if mask.shape[2] != class_ids.shape[0]:
        problems.append(f"load_mask returned {mask.shape[2]} masks but {class_ids.shape[0]} class ids "
                        f"(N must match)")
    if isinstance(image, np.ndarray) and image.ndim >= 2 and mask.shape[:2] != image.shape[:2]:
        problems.append(f"mask size {mask.shape[:2]} differs from image size {image.shape[:2]}")
    unknown = sorted({int(c) for c in class_ids if c == 0 or abs(int(c)) >= dataset.num_classes})
    if unknown:
        problems.append(f"class ids {unknown} are not classes of the dataset (1..{dataset.num_classes - 1}; "
                        f"negative ids mark crowds, 0 is BG and never an instance)")
        return problems
    source = dataset.image_info[image_id].get("source")
    foreign = sorted({int(c) for c in class_ids if dataset.class_info[abs(int(c))]["source"] != source})
    if foreign:
        problems.append(f"class ids {foreign} belong to another source than the image's {source!r}")
    return problems


def same_array(a: Any, b: Any) -> bool:
    """False only for two arrays that differ in dtype, shape or values (other types are reported elsewhere).

    Args:
        a, b: the results of the first and the second load.
    """
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    return True
