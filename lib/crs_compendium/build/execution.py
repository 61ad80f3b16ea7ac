"""Execute the book's notebooks in parallel into Jupyter Book's execution cache, then let it build.

`jupyter-book build` runs notebooks one after another on one core. On this 2-core machine, running them
two at a time first (each in its own kernel, as myst-nb would) and building with `execute_notebooks:
cache` roughly halves a cold build. Every notebook still executes. The cache is keyed on code cells only,
so a fingerprint of lib/, data/, the lock file and the DATA folder clears it when any of those change (an
edited data file must re-run the notebooks that read it).

No stale output: whenever the cache is emptied (a forced run, or another data folder), the result and
audit folders the notebooks write are emptied with it, so every file in them comes from this run. A
failing cell fails the run with one line per failed page naming the page and the cell (the traceback goes
to ``_build/logs/<page>.log``), and removes the result and audit folders and the HTML, so nothing of an
earlier build passes for this one's.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from ..paths import OUTPUT_FOLDERS, ROOT, build_root

__all__ = [
    "ExecutionReport",
    "remove_outputs",
    "failed_cell",
    "book_notebooks",
    "book_cache_dir",
    "inputs_fingerprint",
    "read_notebook",
    "open_cache",
    "store_executed",
    "execute_into_cache",
    "main",
]

_FINGERPRINT_FILE = "inputs.sha256"


@dataclass
class ExecutionReport:
    """Which notebooks ran, which came from the cache, which failed (with tracebacks)."""

    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    """Page -> one line naming the failed cell and the error."""
    logs: dict[str, Path] = field(default_factory=dict)
    """Page -> the log holding its traceback."""
    seconds: float = 0.0

    def __str__(self) -> str:
        lines = [
            f"executed {len(self.executed)} notebook(s), {len(self.cached)} up to date in the cache, "
            f"{len(self.failed)} failed, in {self.seconds:.1f} s"
        ]
        lines += [f"error: {line} (traceback: {self.logs[name]})" for name, line in self.failed.items()]
        return "\n".join(lines)


def book_notebooks(book_root: Path = ROOT) -> list[Path]:
    """The MyST notebooks the table of contents names, in book order (plain pages have no code cells)."""
    toc = yaml.safe_load((book_root / "_toc.yml").read_text())
    files = [toc["root"]]
    stack = list(toc.get("parts", [])) + list(toc.get("chapters", []))
    while stack:
        entry = stack.pop(0)
        if "file" in entry:
            files.append(entry["file"])
        stack[:0] = list(entry.get("chapters", [])) + list(entry.get("sections", []))
    paths = [book_root / f"{name}.md" for name in files]
    return [p for p in paths if p.is_file() and "```{code-cell}" in p.read_text()]


def inputs_fingerprint(root: Path = ROOT) -> str:
    """SHA-256 over what the notebooks read besides their own code: the library, data/, the lock file,
    the patient-data folder that COMPENDIUM_DATA points the book at, if any, and whether the build is an
    internal one."""
    digest = hashlib.sha256()
    # An internal (row-level) build of real data and a public one must never share outputs.
    digest.update(f"internal={os.environ.get('COMPENDIUM_INTERNAL', '')}".encode())
    files = [root / "requirements.txt", *(root / "lib" / "crs_compendium").rglob("*.py")]
    folders = [root / "data"] + ([Path(os.environ["COMPENDIUM_DATA"])] if os.environ.get("COMPENDIUM_DATA") else [])
    files += [p for folder in folders for p in folder.rglob("*") if p.is_file()]
    for path in sorted(files):
        digest.update(str(path.resolve()).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def book_cache_dir(book_root: Path = ROOT) -> Path:
    """The execution cache folder that _config.yml gives Jupyter Book."""
    config = yaml.safe_load((book_root / "_config.yml").read_text())
    return book_root / config["execute"]["cache"]


def read_notebook(path: Path):
    """Read a MyST notebook as myst-nb does, so its cache key matches the one the build computes."""
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(path.read_text(), path=path)


def remove_outputs(book_root: Path = ROOT, *, html: bool = False) -> None:
    """Empty the folders the notebooks write (and the HTML), so none of their files outlives its run."""
    folders = [build_root(book_root) / name for name in OUTPUT_FOLDERS]
    for folder in folders + ([book_root / "_build" / "html"] if html else []):
        shutil.rmtree(folder, ignore_errors=True)


def open_cache(cache_dir: Path, *, force: bool = False, book_root: Path | None = None):
    """Open the execution cache, emptied first when forced or when lib/, data/, the pins or the DATA folder
    changed; with ``book_root``, the result and audit folders its notebooks write are emptied with it (every
    notebook runs again, so none of their files may outlive the cache)."""
    from jupyter_cache import get_cache

    fingerprint_file = cache_dir / _FINGERPRINT_FILE
    fingerprint = inputs_fingerprint()
    if force or not fingerprint_file.is_file() or fingerprint_file.read_text() != fingerprint:
        shutil.rmtree(cache_dir, ignore_errors=True)
        if book_root is not None:
            remove_outputs(book_root)
        cache_dir.mkdir(parents=True)
        fingerprint_file.write_text(fingerprint)
    return get_cache(str(cache_dir))


def store_executed(cache, path: Path, notebook, seconds: float | None = None) -> None:
    """Put an executed notebook (read from the MyST file at `path`) into the cache for the build."""
    from jupyter_cache.base import CacheBundleIn

    cache.cache_notebook_bundle(
        CacheBundleIn(notebook, str(path), data={"execution_seconds": seconds}),
        check_validity=False,
        overwrite=True,
    )


def failed_cell(notebook, error: BaseException | None = None) -> str:
    """Which code cell of an executed notebook failed and how, in a few words: "code cell 3 (`comparisons =
    ...`): KeyError: 'x'"."""
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code_cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
                return f"code cell {number} (`{first_line[:60]}`): {output.get('ename')}: {output.get('evalue')}"
    return f"{type(error).__name__}: {error}" if error is not None else "failed"


def kernel_config(socket_dir: str):
    """Configuration for a notebook's kernel manager: connect over Unix sockets in ``socket_dir``.

    Over TCP the client picks free ports, closes them and lets the kernel bind them a moment later, so two
    kernels started at once can be handed the same port and one dies with "Address already in use" (a known
    race of the Jupyter protocol; nteract/papermill#511). A socket path in a folder of its own cannot be
    taken by another kernel. Windows has no Unix sockets there, so it keeps TCP. (Given as configuration, not
    as a ready manager, so that nbclient owns the kernel and shuts it down when the notebook is done.)
    """
    from traitlets.config import Config

    if os.name == "nt":
        return Config()
    return Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(socket_dir, "kernel")}})


def _execute(path: Path, timeout: int):
    """Run one notebook in a fresh kernel with the notebook's folder as working directory; return it, the
    seconds it took, and (when it failed, in a cell or in starting the kernel) the failure in one line and the
    traceback."""
    from jupyter_cache.executors.utils import single_nb_execution

    notebook = read_notebook(path)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crs-kernel-") as socket_dir:
        try:
            result = single_nb_execution(notebook, cwd=str(path.parent), timeout=timeout, allow_errors=False,
                                         shutdown_kernel="immediate", config=kernel_config(socket_dir))
        except Exception as error:  # a kernel that died or never answered: the page failed, the run goes on
            message = f"the kernel failed: {type(error).__name__}: {' '.join(str(error).split())}"
            return notebook, time.perf_counter() - started, (message, traceback.format_exc())
    failure = (" ".join(failed_cell(notebook, result.err).split()), result.exc_string) if result.err else None
    return notebook, result.time, failure


def execute_into_cache(
    notebooks: list[Path], cache_dir: Path, *, jobs: int = 2, force: bool = False, timeout: int = 300,
    book_root: Path = ROOT,
) -> ExecutionReport:
    """Execute the notebooks whose outputs the cache lacks (all of them with `force`), `jobs` at a time."""
    start = time.perf_counter()
    cache = open_cache(cache_dir, force=force, book_root=book_root)
    report = ExecutionReport()
    to_run = []
    for path in notebooks:
        if _in_cache(cache, path):
            report.cached.append(path.name)
        else:
            to_run.append(path)
    # Longest first, so that no long notebook is left running alone at the end while the other core idles.
    to_run.sort(key=_recorded_seconds, reverse=True)
    logs = cache_dir.parent / "logs"
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(to_run) or 1))) as pool:
        futures = {path: pool.submit(_execute, path, timeout) for path in to_run}
        for path, future in futures.items():
            notebook, seconds, failure = future.result()
            if failure:
                line, traceback = failure
                logs.mkdir(parents=True, exist_ok=True)
                report.logs[path.name] = logs / f"{path.stem}.log"
                report.logs[path.name].write_text(traceback, encoding="utf-8")
                report.failed[path.name] = f"{path.relative_to(book_root).as_posix()}: {line}"
                continue
            store_executed(cache, path, notebook, seconds)
            report.executed.append(path.name)
    report.seconds = time.perf_counter() - start
    return report


def _recorded_seconds(path: Path) -> float:
    """How long the notebook's last recorded run took, from the cell timings nbclient wrote into the paired
    .ipynb (first cell started to last cell replied); 0 when there is no paired notebook or no timing."""
    paired = path.with_suffix(".ipynb")
    if not paired.is_file():
        return 0.0
    cells = [cell for cell in json.loads(paired.read_text())["cells"] if cell["cell_type"] == "code"]
    try:
        started = cells[0]["metadata"]["execution"]["iopub.execute_input"]
        finished = cells[-1]["metadata"]["execution"]["shell.execute_reply"]
    except (IndexError, KeyError):
        return 0.0
    return (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()


def _in_cache(cache, path: Path) -> bool:
    """Whether the cache holds outputs for the notebook's current code cells (jupyter-cache's key)."""
    try:
        cache.match_cache_notebook(read_notebook(path))
    except KeyError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crs_compendium.build.execution", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--force", action="store_true", help="execute every notebook, ignoring the cache")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    parser.add_argument("--book", type=Path, default=ROOT, help="book folder (with _config.yml, _toc.yml)")
    args = parser.parse_args(argv)
    config = yaml.safe_load((args.book / "_config.yml").read_text())["execute"]
    report = execute_into_cache(
        book_notebooks(args.book),
        book_cache_dir(args.book),
        jobs=args.jobs,
        force=args.force,
        timeout=int(config["timeout"]),
        book_root=args.book,
    )
    print(report, file=sys.stderr if report.failed else sys.stdout)
    if report.failed:
        remove_outputs(args.book, html=True)  # nothing of an earlier build passes for this one's
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
