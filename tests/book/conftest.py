"""Puts this folder on sys.path so that the book tests import their shared steps (``book_steps.py``) under
any pytest import mode (the test folders have no ``__init__.py``)."""
import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
