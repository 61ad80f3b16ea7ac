"""pytest plugin: keep what nbval executed, so the book is built from the very outputs nbval verified.

In the test command every notebook runs once, under nbval, which compares each cell's outputs with the
committed .ipynb. This plugin puts every notebook whose cells all passed into Jupyter Book's execution
cache, keyed on its MyST file as the build reads it; the book-build test that follows then renders those
outputs instead of executing every notebook a second time. Loaded with `-p crs_compendium.build.nbval_cache`.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from ..paths import ROOT
from .execution import book_cache_dir, open_cache, read_notebook, store_executed

__all__ = ["pytest_configure", "pytest_runtest_makereport"]

_runs: dict[Path, dict] = {}


def _code_sources(notebook) -> list[str]:
    return [cell.source.strip() for cell in notebook.cells if cell.cell_type == "code"]


@cache
def _book_cache():
    """The execution cache, opened once per process (opening hashes lib/ and data/); emptied with the book's
    result and audit folders when stale, which only the controller finds, before any notebook runs."""
    return open_cache(book_cache_dir(), book_root=ROOT)


def pytest_configure(config):
    # The controller (not the xdist workers) empties a stale cache once, before any notebook runs.
    if config.getoption("nbval", default=False) and not hasattr(config, "workerinput"):
        _book_cache()


def _store(ipynb: Path, executed_cells: dict[int, list], reference) -> None:
    markdown = ipynb.with_suffix(".md")
    if not markdown.is_file():
        return
    notebook = read_notebook(markdown)
    if _code_sources(notebook) != _code_sources(reference):
        return  # the pair has drifted; tests/test_jupytext_pairs.py reports it
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code_cells):
        cell.outputs = executed_cells[number]
        cell.execution_count = number + 1
    store_executed(_book_cache(), markdown, notebook)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or type(item).__name__ != "IPyNbCell":
        return
    ipynb = Path(str(item.parent.fspath))
    run = _runs.setdefault(ipynb, {"cells": {}, "failed": False})
    if report.failed or item.test_outputs is None:
        run["failed"] = True
        return
    run["cells"][item.cell_num] = item.test_outputs
    n_code = sum(cell.cell_type == "code" for cell in item.parent.nb.cells)
    if not run["failed"] and len(run["cells"]) == n_code:
        _store(ipynb, run["cells"], item.parent.nb)
