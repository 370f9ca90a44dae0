"""Opening weights files with h5py and reading/writing Keras-style string-list attributes.

Every failure to open or read becomes a WeightsError that names the file.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Iterator, Sequence

import h5py
import numpy as np

from maskkit.errors import WeightsError


@contextlib.contextmanager
def open_weights_file(path: str | os.PathLike) -> Iterator[h5py.File]:
    """Open ``path`` read-only, turning a missing, non-HDF5 or truncated file into a WeightsError.

    Args:
        path: the weights file.

    Returns:
        A context manager yielding the open h5py.File; read errors inside it become WeightsError too.
    """
    path = Path(path)
    if not path.exists():
        raise WeightsError(f"weights file {path} does not exist")
    if not path.is_file():
        raise WeightsError(f"weights file {path} is not a file")
    try:
        handle = h5py.File(path, "r")
    except OSError as exc:
        raise WeightsError(f"weights file {path} is not a readable HDF5 file (corrupt or truncated?): {exc}") from exc
    try:
        yield handle
    except (OSError, KeyError, RuntimeError) as exc:
        raise WeightsError(f"weights file {path} could not be read (corrupt or truncated?): {exc}") from exc
    finally:
        handle.close()


def decode(value: Any) -> str:
    """Return an HDF5 string value (bytes, numpy bytes or str) as str.

    Args:
        value: the attribute value; bytes are decoded as UTF-8, anything else goes through str().
    """
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8")
    return str(value)


def has_string_list(node: h5py.Group, name: str) -> bool:
    """True if ``node`` carries the attribute ``name`` whole or in Keras-2-style chunks.

    Args:
        node: an HDF5 file or group.
        name: the attribute name, e.g. "layer_names".
    """
    return name in node.attrs or f"{name}0" in node.attrs


def read_string_list(node: h5py.Group, name: str) -> list[str]:
    """Read a string-list attribute, joining Keras 2 chunks ``name0``, ``name1``, ... when present.

    Args:
        node: an HDF5 file or group.
        name: the attribute name; a missing attribute reads as [].
    """
    if name in node.attrs:
        values = node.attrs[name]
    else:
        chunks = []
        while f"{name}{len(chunks)}" in node.attrs:
            chunks.append(node.attrs[f"{name}{len(chunks)}"])
        values = np.concatenate(chunks) if chunks else []
    if isinstance(values, (str, bytes, np.bytes_)):
        values = [values]
    return [decode(value) for value in values]


def write_string_list(node: h5py.Group, name: str, values: Sequence[str]) -> None:
    """Write ``values`` as a bytes-array attribute, as Keras 2 did.

    Args:
        node: an HDF5 file or group open for writing.
        name: the attribute name, e.g. "weight_names".
        values: the strings, stored UTF-8 encoded, in one attribute (never chunked).
    """
    node.attrs[name] = np.array([value.encode("utf-8") for value in values], dtype=bytes)
