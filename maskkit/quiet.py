"""Keep TensorFlow's start-up chatter (oneDNN, absl pre-init, grappler PredictCost lines) off stderr.

TensorFlow 2.16+ prints some lines while it is imported regardless of ``TF_CPP_MIN_LOG_LEVEL``, so
maskkit installs a tiny import hook (on ``import maskkit``, without importing TensorFlow) that sends
file descriptor 2 to /dev/null while TensorFlow itself loads, and sets the C++ log level to errors
only. ``MASKKIT_VERBOSE=1`` (or ``maskkit --verbose``) shows everything; a ``TF_CPP_MIN_LOG_LEVEL``
the user set is respected.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import logging
import os
import sys
from typing import Any, Iterator, Sequence

VERBOSE_ENV = "MASKKIT_VERBOSE"
_QUIET_LEVEL = "3"


def verbose() -> bool:
    """Whether the user asked to see TensorFlow's own log lines."""
    return os.environ.get(VERBOSE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def show_tensorflow_logs() -> None:
    """Let TensorFlow log as it likes in this process (effective when TensorFlow is not yet imported)."""
    os.environ[VERBOSE_ENV] = "1"
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL") == _QUIET_LEVEL:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"


@contextlib.contextmanager
def stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 (C/C++ writes included) to /dev/null for the duration."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Finds nothing itself; wraps the loader of the top-level ``tensorflow`` package once."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: Any = None) -> Any:
        if fullname != "tensorflow" or verbose():
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module: Any) -> None:
            with stderr_silenced():
                original(module)
            for name in ("tensorflow", "absl"):
                logging.getLogger(name).setLevel(logging.ERROR)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install() -> None:
    """Quiet TensorFlow for this process unless verbose (idempotent; does not import TensorFlow)."""
    if verbose():
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", _QUIET_LEVEL)
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietTensorFlowFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietTensorFlowFinder())
