"""The steps of `make book`, for the tests that build a book: the parallel executor, Jupyter Book with
warnings as errors, and the PDF. Each returns the finished process (return code and output) for the test to
judge; the PDF is started and waited for apart, so that other checks run while it prints."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=1200, cwd=ROOT)


def execute_notebooks(book: Path = ROOT) -> subprocess.CompletedProcess:
    """`python -m crs_compendium.build.execution`: run what the book's execution cache lacks, two at a time."""
    return _run(str(BIN / "python"), "-m", "crs_compendium.build.execution", "--book", str(book))


def build_book(book: Path = ROOT) -> subprocess.CompletedProcess:
    """`jupyter-book build -W -n --keep-going`: any Sphinx warning or notebook error fails it."""
    return _run(str(BIN / "jupyter-book"), "build", str(book), "-W", "-n", "--keep-going")


def start_printing_book(book: Path = ROOT) -> subprocess.Popen:
    """`python -m crs_compendium.build.pdf` (the single-page build printed to _build/html/compendium.pdf),
    started and left running: :func:`finished` waits for it. Printing is mostly one core's work, so the
    browser checks of the site run meanwhile."""
    return subprocess.Popen([str(BIN / "python"), "-m", "crs_compendium.build.pdf", "--book", str(book)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def finished(process: subprocess.Popen, timeout: int = 1200) -> subprocess.CompletedProcess:
    """Wait for a started step and return it as :func:`subprocess.run` would have."""
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
