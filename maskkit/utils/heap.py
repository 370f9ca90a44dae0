"""Keep freed memory at the top of glibc's heaps, so the input pipeline reuses its large buffers.

glibc hands the free top of a thread's heap back to the kernel as soon as it can. The input
pipeline allocates and frees megabytes per image (an image, its mask stack, a group of examples,
a batch), so every example's arrays land on fresh pages: each first touch is a page fault, and a
first write to a page that was only read costs an interrupt to the other core running a thread of
the process. At 1024 px that was 40-50% of the pipeline's CPU time; a 64 MiB pad (mallopt
M_TOP_PAD) brings it to 1-13% and gives 2.4-2.7x the images/s (docs/benchmarks.md). The price
is up to that much more resident memory per malloc arena.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import platform
from typing import Any

from maskkit.errors import ConfigError

#: Environment variable: the pad in MiB (default 64); 0 leaves glibc's defaults alone.
HEAP_PAD_ENV = "MASKKIT_HEAP_PAD_MB"
DEFAULT_PAD_MB = 64
_M_TOP_PAD = -2
_USER_TUNED = ("MALLOC_TOP_PAD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")


def heap_pad_bytes(environ: dict[str, str] | None = None) -> int:
    """The pad to ask for: MASKKIT_HEAP_PAD_MB (default 64) in bytes, 0 when it is 0 or when the user
    tuned glibc's malloc themselves (GLIBC_TUNABLES naming malloc, or a MALLOC_*_ variable).

    Args:
        environ: the environment to read; None for os.environ. A negative or non-integer pad raises ConfigError.
    """
    environ = os.environ if environ is None else environ
    if "malloc" in environ.get("GLIBC_TUNABLES", "") or any(name in environ for name in _USER_TUNED):
        return 0
    text = environ.get(HEAP_PAD_ENV, str(DEFAULT_PAD_MB)).strip()
    try:
        megabytes = int(text)
    except ValueError:
        megabytes = -1
    if megabytes < 0:
        raise ConfigError(HEAP_PAD_ENV, f"{text!r} is not a whole number of MiB >= 0 (0 turns the pad off)",
                          kind="environment variable")
    return megabytes << 20


@functools.cache
def keep_heap_padding() -> int:
    """Ask glibc for heap_pad_bytes() at the top of every heap, once per process (the input pipeline
    and its worker processes call this); the pad in effect, 0 off glibc or when turned off."""
    pad = heap_pad_bytes()
    return set_heap_pad(_glibc(), pad) if pad else 0


def set_heap_pad(libc: Any, pad: int) -> int:
    """mallopt(M_TOP_PAD, ``pad``) through ``libc`` (None: not glibc); the pad in effect, 0 if refused.

    Args:
        libc: the ctypes handle of glibc, or None.
        pad: bytes to keep at the top of each heap; 0 or less does nothing.
    """
    if libc is None or pad <= 0:
        return 0
    return pad if libc.mallopt(_M_TOP_PAD, int(pad)) == 1 else 0


def _glibc() -> Any:
    """The process's C library if it is glibc, else None."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None
