"""Images shared between splits: the same file (or pixels) in train and val, or a near copy of it.

A validation image that is also a training image makes validation figures lie. Each image gets a
content hash (SHA-1 of its file's bytes, or of its pixels when it has no file) and a 64-bit
difference hash of its upright picture (9x8 grey thumbnail, one bit per left-to-right step); two
images in different splits are identical when their content hashes agree and near-identical when
their difference hashes differ in at most ``NEAR_BITS`` bits. Pairs are compared as uint64 arrays
with numpy's popcount, a block of rows at a time, never pair by pair in Python.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations
from pathlib import Path

import attrs
import numpy as np

from maskkit.data_check.findings import Finding, finding
from maskkit.data_check.scan import image_file
from maskkit.dataset import Dataset

#: Difference hashes at most this many bits apart (of 64) are near-identical pictures.
NEAR_BITS = 4
#: Hashes with fewer set (or unset) bits come from plain pictures, too alike to tell apart by them.
PLAIN_BITS = 8
BLOCK_ROWS = 1024
SHOWN = 20


@attrs.frozen
class Fingerprints:
    """Per image of one split: content hashes, difference hashes (uint64) and files (None: no file)."""

    content: list[str]
    dhash: np.ndarray
    files: list[str | None]


def difference_hash(image: np.ndarray) -> int:
    """The 64-bit difference hash of an RGB (or grey) uint8 picture: is each of 8x8 grey cells darker
    than its right neighbour in a 9x8 thumbnail.

    Args:
        image: [H, W, 3] RGB or [H, W] grey uint8 picture.
    """
    import cv2

    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    small = cv2.resize(grey, (9, 8), interpolation=cv2.INTER_AREA).astype(np.int16)
    bits = np.packbits((small[:, 1:] > small[:, :-1]).reshape(-1))
    return int(np.frombuffer(bits.tobytes(), dtype=">u8")[0])


def file_digest(path: str | os.PathLike) -> str:
    """SHA-1 of a file's bytes, as a hex string.

    Args:
        path: the file.
    """
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(dataset: Dataset, image_id: int) -> tuple[str, int]:
    """(content hash, difference hash) of one image; ('', 0) when it cannot be read (the scan reports that).

    Args:
        dataset: the prepared Dataset; its file's bytes are hashed when it uses the default load_image,
            otherwise the loaded pixels are.
        image_id: the image's internal id.
    """
    try:
        image = dataset.load_image(image_id)
        path = image_file(dataset, image_id)
        if path is not None and type(dataset).load_image is Dataset.load_image:
            content = file_digest(path)
        else:
            content = hashlib.sha1(np.ascontiguousarray(image).tobytes() + str(image.shape).encode()).hexdigest()
        return content, difference_hash(image)
    except Exception:
        return "", 0


def split_fingerprints(dataset: Dataset, workers: int = 1) -> Fingerprints:
    """Fingerprints of every image of ``dataset``, read by ``workers`` threads."""
    ids = range(len(dataset.image_info))
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="maskkit-leakage") as pool:
        results = list(pool.map(lambda image_id: fingerprint(dataset, image_id), ids))
    content = [c for c, _ in results]
    dhash = np.array([d for _, d in results], dtype=np.uint64)
    return Fingerprints(content, dhash, [image_file(dataset, image_id) for image_id in ids])


def informative(hashes: np.ndarray) -> np.ndarray:
    """Which difference hashes have enough set and unset bits to compare (not a plain picture's)."""
    bits = np.bitwise_count(hashes)
    return (bits >= PLAIN_BITS) & (bits <= 64 - PLAIN_BITS)


def near_pairs(first: np.ndarray, second: np.ndarray, max_bits: int = NEAR_BITS) -> np.ndarray:
    """Index pairs [K, 2] (into ``first``, ``second``) of uint64 hashes at most ``max_bits`` bits apart,
    leaving out plain pictures' hashes; compared a block of ``BLOCK_ROWS`` rows at a time."""
    rows, cols = np.flatnonzero(informative(first)), np.flatnonzero(informative(second))
    found = []
    for start in range(0, rows.size, BLOCK_ROWS):
        block = rows[start:start + BLOCK_ROWS]
        distance = np.bitwise_count(first[block, None] ^ second[None, cols])
        i, j = np.nonzero(distance <= max_bits)
        found.append(np.stack([block[i], cols[j]], axis=1))
    return np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)


def leak_findings(splits: dict[str, Fingerprints]) -> list[Finding]:
    """Findings for images of a later split identical or near-identical to images of an earlier one.

    Args:
        splits: split name -> its Fingerprints, in split order (train first).

    Returns:
        A ``leaked-image`` finding per identical pair, a ``near-duplicate-image`` one per near pair
        (each naming both splits, image ids and files), at most ``SHOWN`` of each per split pair.
    """
    found: list[Finding] = []
    for (name_a, a), (name_b, b) in combinations(splits.items(), 2):
        where_a: dict[str, int] = {}
        for index, content in enumerate(a.content):
            if content:
                where_a.setdefault(content, index)
        same = [(where_a[content], j) for j, content in enumerate(b.content) if content in where_a]
        identical = set(same)
        near = [(int(i), int(j)) for i, j in near_pairs(a.dhash, b.dhash) if (i, j) not in identical]
        for code, pairs, what in (("leaked-image", same, "identical to"), ("near-duplicate-image", near,
                                                                          "nearly identical to")):
            for i, j in pairs[:SHOWN]:
                found.append(finding(code, f"{name_b} image {j} is {what} {name_a} image {i} ({a.files[i]})",
                                     j, b.files[j]))
            if len(pairs) > SHOWN:
                found.append(finding(code, f"... and {len(pairs) - SHOWN} more {name_b} images {what} "
                                           f"{name_a} images"))
    return found


def overlapping_files(train: Dataset, val: Dataset) -> list[tuple[str, str]]:
    """(train file, val file) pairs with the same bytes: cheap, as only files of equal size are hashed."""
    def sized(dataset: Dataset) -> dict[int, list[str]]:
        by_size: dict[int, list[str]] = {}
        for image_id in range(len(dataset.image_info)):
            path = image_file(dataset, image_id)
            if path is not None and Path(path).is_file():
                by_size.setdefault(Path(path).stat().st_size, []).append(path)
        return by_size

    train_sizes, val_sizes = sized(train), sized(val)
    pairs = []
    for size in train_sizes.keys() & val_sizes.keys():
        digests = {file_digest(path): path for path in train_sizes[size]}
        pairs += [(digests[d], path) for path in val_sizes[size] if (d := file_digest(path)) in digests]
    return sorted(pairs)


def warn_split_overlap(train: Dataset | None, val: Dataset | None) -> list[tuple[str, str]]:
    """Warn when validation images are byte-identical to training images (validation figures would lie).

    Args:
        train: the training split; val: the validation split (either None: nothing to compare).

    Returns:
        The (train file, val file) pairs found.
    """
    if train is None or val is None or train is val:
        return []
    pairs = overlapping_files(train, val)
    if pairs:
        shown = ", ".join(f"{v} = {t}" for t, v in pairs[:3]) + (", ..." if len(pairs) > 3 else "")
        warnings.warn(f"{len(pairs)} validation image(s) are byte-identical to training images ({shown}): "
                      f"validation scores will be too good; `maskkit data check` lists every shared and "
                      f"near-identical image", UserWarning, stacklevel=2)
    return pairs
