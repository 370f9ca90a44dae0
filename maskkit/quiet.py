"""Keep TensorFlow's start-up chatter (oneDNN, absl pre-init, grappler PredictCost lines) off the
``maskkit`` command's stderr, without ever hiding an error.

TensorFlow 2.16+ prints some lines while it is imported regardless of ``TF_CPP_MIN_LOG_LEVEL``.
The command-line entry point, which owns its process, calls ``install``: a tiny import hook holds
back file descriptor 2 while TensorFlow itself loads (replaying it if the import fails), and the
C++ log level is set to errors only. ``import maskkit`` changes nothing in the host process; a
Python program may call ``install()`` itself before TensorFlow loads. ``MASKKIT_VERBOSE=1`` (or
``maskkit --verbose``) shows everything; a ``TF_CPP_MIN_LOG_LEVEL`` the user set is respected.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import logging
import os
import sys
import tempfile
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
def stderr_held_back() -> Iterator[None]:
    """Send file descriptor 2 (C/C++ writes included) to a temporary file for the duration; drop what
    was written if the body succeeds, write it to stderr before the error propagates if it raises."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    sys.stderr.flush()
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            if failed:
                held.seek(0)
                os.write(2, held.read())


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
            with stderr_held_back():
                original(module)
            for name in ("tensorflow", "absl"):
                logging.getLogger(name).setLevel(logging.ERROR)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install() -> None:
    """Quiet TensorFlow for this process unless verbose (idempotent; does not import TensorFlow).

    Called by the ``maskkit`` command's entry point; a Python program opts in by calling it before
    TensorFlow is imported."""
    if verbose():
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", _QUIET_LEVEL)
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietTensorFlowFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietTensorFlowFinder())
