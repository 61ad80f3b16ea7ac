"""`make bench`: the build's cost next to the cost of just running the notebooks, in one run.

Prints the cold build time (empty _build, the PDF included), the no-op rebuild, the serial raw execution
of the same notebooks with `jupyter execute` (nbclient, one after another, on copies), the ratio build/raw,
the test command's time and the size of _build/html without the PDF, and the PDF's. Targets on 2 cores:
no-op <= 1.5 s, test about 3 minutes, site <= 12 MB without the PDF.
"""
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _timed(command: list[str]) -> tuple[float, str]:
    """Seconds the command took, and what it printed."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout


def _serial_raw_execution() -> float:
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    with tempfile.TemporaryDirectory() as folder:
        copies = [Path(shutil.copy(nb, folder)) for nb in notebooks]
        start = time.perf_counter()
        for copy in copies:
            subprocess.run([str(BIN / "jupyter"), "execute", "--inplace", str(copy)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT / "notebooks")
        return time.perf_counter() - start


def main() -> None:
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    cold, _ = _timed(["make", "book"])
    noop, _ = _timed(["make", "book"])
    raw = _serial_raw_execution()
    test, test_output = _timed(["make", "test"])
    # pytest's closing lines, one per session of the test command ("769 passed in 51.25s").
    sessions = re.findall(r"=+ (\d+ passed.*?) in ([\d.]+)s", test_output)
    pdf = ROOT / "_build" / "html" / "compendium.pdf"
    size = sum(p.stat().st_size for p in (ROOT / "_build" / "html").rglob("*") if p.is_file() and p != pdf)
    rows = [
        ("notebooks", f"{len(list((ROOT / 'notebooks').glob('*.ipynb')))}"),
        ("cold build (make book, empty _build)", f"{cold:.1f} s"),
        ("no-op rebuild (make book again)", f"{noop:.2f} s"),
        ("serial raw execution (jupyter execute)", f"{raw:.1f} s"),
        ("ratio cold build / raw execution", f"{cold / raw:.2f}"),
        ("test command (make test)", f"{test:.1f} s  (target about 180)"),
        *((f"  pytest session {n}", f"{outcome} in {seconds} s") for n, (outcome, seconds) in enumerate(sessions, 1)),
        ("_build/html size without the PDF", f"{size / 1e6:.1f} MB  (target <= 12)"),
        ("compendium.pdf", f"{pdf.stat().st_size / 1e6:.1f} MB"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
