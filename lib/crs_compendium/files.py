"""Reading and writing the compendium's own CSV files: one reader of text tables, one atomic writer, and
what a reader of the site needs to know about an export (its rows and checksum) to download and check it.

Patient-data folders have a reader of their own that reports every problem by line
(:func:`crs_compendium.patients.load.read_csv_text`); this one reads the compendium's transcriptions and
metadata, where a problem is a bug to stop at.
"""
from __future__ import annotations

import hashlib
import html
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd

from .exceptions import InvalidInputError

__all__ = ["SITE_EXPORTS", "read_text_csv", "write_csv_atomic", "write_bytes_atomic", "computed_once", "ExportFile",
           "describe_export", "exports_table_html"]

SITE_EXPORTS = "exports"
"""Folder of the site that holds a copy of every export (``exports/<folder>/<file>``), with ``manifest.csv``."""

T = TypeVar("T")
_MEMORY: dict[str, object] = {}


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


def write_bytes_atomic(data: bytes, path: str | Path) -> Path:
    """Write bytes through a temporary file and ``os.replace``, so that a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def computed_once(folder: Path, key: object, compute: Callable[[], T], *, depends_on: Sequence[str | Path] = (),
                  versions: Sequence[str] = ()) -> T:
    """``compute()``, or its result from an earlier call with the same key, code and package versions.

    The key is ``repr(key)`` (so it must be a value whose repr says everything: frozen dataclasses of
    strings and fractions), hashed with the bytes of every file in ``depends_on`` (the source code the
    result comes from) and ``versions``; a changed file or version gives a new key, never a stale result.
    Results are kept in memory and, pickled, in ``folder`` (the build directory's cache), where each is
    written whole through a temporary file. A deterministic computation gives the same result either way;
    this only spares the audit pages, which run the same searches in separate kernels, the repeated work.
    """
    digest = hashlib.sha256(repr(key).encode("utf-8"))
    for path in depends_on:
        digest.update(Path(path).read_bytes())
    for version in versions:
        digest.update(version.encode("utf-8"))
    name = digest.hexdigest()[:32]
    if name in _MEMORY:
        return _MEMORY[name]  # type: ignore[return-value]
    path = Path(folder) / f"{name}.pickle"
    value = _read_pickle(path)
    if value is _MISSING:
        with _exclusive(Path(folder) / f"{name}.lock"):  # one process computes; the others wait and read
            value = _read_pickle(path)
            if value is _MISSING:
                value = compute()
                try:
                    write_bytes_atomic(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), path)
                except OSError:
                    pass  # a read-only build directory only costs the next page the same work
    _MEMORY[name] = value
    return value


_MISSING = object()


def _read_pickle(path: Path) -> object:
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return _MISSING


class _exclusive:
    """An advisory lock on a file (``fcntl.flock``) for the duration of a ``with`` block; where locking is not
    available (no fcntl, an unwritable folder) the block runs unlocked."""

    def __init__(self, path: Path):
        self.path, self.handle = path, None

    def __enter__(self) -> None:
        try:
            import fcntl

            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.path, "a")  # noqa: SIM115 - closed in __exit__
            fcntl.flock(self.handle, fcntl.LOCK_EX)
        except (ImportError, OSError):
            self.handle = None

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()  # closing releases the lock


def write_csv_atomic(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write a table as UTF-8 CSV (LF line ends) through a temporary file and ``os.replace``.

    Two processes writing the same export at once (the book build and nbval) then never leave a half
    written file: each replaces the whole file in one step, and both write the same bytes.
    """
    return write_bytes_atomic(frame.to_csv(index=index, lineterminator="\n").encode("utf-8"), path)


@dataclass(frozen=True)
class ExportFile:
    """One export: its path under the build directory, rows (without the header), size and SHA-256."""

    relative: str
    rows: int
    size: int
    sha256: str


def describe_export(path: Path, root: Path) -> ExportFile:
    """An export's rows (CSV records, not lines: a quoted field may hold a line break), size and SHA-256."""
    data = path.read_bytes()
    rows = len(pd.read_csv(path, dtype=str, keep_default_na=False)) if data.strip() else 0
    return ExportFile(path.relative_to(root).as_posix(), rows, len(data), hashlib.sha256(data).hexdigest())


def exports_table_html(exports: list[ExportFile], to_site_root: str) -> str:
    """A table of downloads: each export linked where the site holds it (``to_site_root`` leads from the page
    to the site's root), with its row count and the first 16 hex digits of its SHA-256 (the site's
    ``exports/manifest.csv`` has the whole digest)."""
    rows = "".join(
        f'<tr><td><a class="export-link" href="{html.escape(to_site_root + SITE_EXPORTS + "/" + e.relative)}" '
        f'data-rows="{e.rows}" download><code>{html.escape(e.relative)}</code></a></td>'
        f'<td class="export-rows">{e.rows}</td><td><code>{e.sha256[:16]}</code></td></tr>'
        for e in exports)
    return (f'<table class="exports-table"><thead><tr><th>file</th><th>rows</th><th>SHA-256 (first 16)</th></tr>'
            f'</thead><tbody>{rows}</tbody></table>')

