"""Lets the tests import maskkit_via from src/ without installing the package, from any rootdir."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
