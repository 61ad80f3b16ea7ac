"""The result files a build writes for reviewers to diff: each reproduced table under
``<build dir>/results/`` and the fit report under ``<build dir>/reconstruction/``, each written whole
through :func:`crs_compendium.files.write_csv_atomic` (two processes building at once never leave a half
written file)."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from ..exceptions import InvalidInputError
from ..files import describe_export, exports_table_html, write_csv_atomic
from ..paths import build_dir
from .fit import FitReport

__all__ = ["write_result", "write_fit_report", "downloads"]

_RESULT_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


def write_result(frame: pd.DataFrame, name: str) -> Path:
    """Write a reproduced table to ``<build dir>/results/<name>.csv`` and return the path.

    ``name`` is lower case letters, digits and underscores; the index is written only when it is named,
    and the levels of a two-level header are joined with " | ".
    """
    if not isinstance(name, str) or not _RESULT_NAME.match(name):
        raise InvalidInputError(f"write_result: name must be lower-case letters, digits and underscores; got {name!r}")
    flat = frame.copy()
    if isinstance(flat.columns, pd.MultiIndex):
        flat.columns = [" | ".join(str(part) for part in column if part) for column in flat.columns]
    keep_index = any(name_ is not None for name_ in flat.index.names)
    return write_csv_atomic(flat, build_dir("results") / f"{name}.csv", index=keep_index)


def write_fit_report(report: FitReport, folder: str | Path | None = None) -> Path:
    """Write the fit report's table to ``<build dir>/reconstruction/fit_report.csv`` (or ``folder``)."""
    folder = Path(folder) if folder is not None else build_dir("reconstruction")
    return write_csv_atomic(report.table, folder / "fit_report.csv")


def downloads(*paths: Path) -> HTML:
    """The exports a page wrote (the paths :func:`write_result` returned), as links to where the site holds
    them, each with its rows and checksum: what a page shows at its end."""
    root = build_dir()
    return HTML(exports_table_html([describe_export(Path(path), root) for path in paths], "../"))

