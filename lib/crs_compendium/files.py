"""Reading and writing the compendium's own CSV files: one reader of text tables, one atomic writer.

Patient-data folders have a reader of their own that reports every problem by line
(:func:`crs_compendium.patients.load.read_csv_text`); this one reads the compendium's transcriptions and
metadata, where a problem is a bug to stop at.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .exceptions import InvalidInputError

__all__ = ["read_text_csv", "write_csv_atomic"]


def read_text_csv(path: str | Path, required: Iterable[str]) -> pd.DataFrame:
    """Read a UTF-8 CSV with every cell a string as written ("" stays "", "NA" is text), refusing a missing
    file or missing columns by name."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"{path}: file not found")
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise InvalidInputError(f"{path}: missing column(s) {', '.join(missing)}")
    return table


def write_csv_atomic(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write a table as UTF-8 CSV (LF line ends) through a temporary file and ``os.replace``.

    Two processes writing the same export at once (the book build and nbval) then never leave a half
    written file: each replaces the whole file in one step, and both write the same bytes.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            frame.to_csv(stream, index=index, lineterminator="\n")
        os.chmod(temporary, 0o644)  # mkstemp makes the file private; an export is for reading
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
