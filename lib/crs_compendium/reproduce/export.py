"""The result files a build writes for reviewers to diff: each reproduced table under
``<build dir>/results/`` and the fit report under ``<build dir>/reconstruction/``, each written whole
through :func:`crs_compendium.files.write_csv_atomic` (two processes building at once never leave a half
written file)."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from ..computable import NotComputable
from ..exceptions import InvalidInputError
from ..files import describe_export, exports_table_html, write_csv_atomic
from ..patients.disclosure import Disclosure
from ..paths import build_dir
from .fit import FitReport

__all__ = ["write_result", "write_fit_report", "downloads"]

_RESULT_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


def write_result(frame: pd.DataFrame | NotComputable, name: str, *,
                 disclosure: Disclosure | None = None) -> Path | None:
    """Write a reproduced table to ``<build dir>/results/<name>.csv`` and return the path.

    ``name`` is lower case letters, digits and underscores; the index is written only when it is named,
    and the levels of a two-level header are joined with " | ".

    A table with a ``patient_id`` column or index has one row per patient: it is written only with a
    ``disclosure`` that shows rows (the synthetic reconstruction, or an internal view of real data). Such a
    table, or a result that is not computable, is not written; any file of that name from an earlier build
    is removed, so nothing stale passes for this build's result, and None is returned.
    """
    if not isinstance(name, str) or not _RESULT_NAME.match(name):
        raise InvalidInputError(f"write_result: name must be lower-case letters, digits and underscores; got {name!r}")
    path = build_dir("results") / f"{name}.csv"
    per_patient = isinstance(frame, pd.DataFrame) and "patient_id" in [*frame.columns, *frame.index.names]
    if isinstance(frame, NotComputable) or (per_patient and not (disclosure and disclosure.row_level)):
        path.unlink(missing_ok=True)
        return None
    flat = frame.copy()
    if isinstance(flat.columns, pd.MultiIndex):
        flat.columns = [" | ".join(str(part) for part in column if part) for column in flat.columns]
    keep_index = any(name_ is not None for name_ in flat.index.names)
    return write_csv_atomic(flat, path, index=keep_index)


def write_fit_report(report: FitReport, folder: str | Path | None = None) -> Path:
    """Write the fit report's table to ``<build dir>/reconstruction/fit_report.csv`` (or ``folder``)."""
    folder = Path(folder) if folder is not None else build_dir("reconstruction")
    return write_csv_atomic(report.table, folder / "fit_report.csv")


def downloads(*paths: Path | None) -> HTML:
    """The exports a page wrote (the paths :func:`write_result` returned), as links to where the site holds
    them, each with its rows and checksum: what a page shows at its end. A result that was not written (not
    computable, or one row per patient of real data) has no path and no link."""
    root = build_dir()
    written = [describe_export(Path(path), root) for path in paths if path is not None]
    if not written:
        return HTML("<p>This page wrote no result file for these data.</p>")
    return HTML(exports_table_html(written, "../"))

