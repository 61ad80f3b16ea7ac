"""Where the compendium reads and writes, in one place (as showyourwork! does).

Inputs live under data/ and are never written to; everything derived goes under the build directory,
which `COMPENDIUM_BUILD_DIR` can move (tests point it at a temporary folder).
"""
import os
from pathlib import Path

__all__ = ["ROOT", "DATA_DIR", "PUBLISHED_DIR", "PAPER_TEXT", "OUTPUT_FOLDERS", "build_root", "build_dir"]

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
PUBLISHED_DIR = DATA_DIR / "published"
# The paper's plain text is not redistributed here; it sits in the shared folder beside a checkout
# (`../shared/paper/`), or wherever COMPENDIUM_PAPER_TEXT points.
PAPER_TEXT = Path(
    os.environ.get(
        "COMPENDIUM_PAPER_TEXT", ROOT.parent / "shared" / "paper" / "zhou2025_tocilizumab_crs_frontimmunol.txt"
    )
)


OUTPUT_FOLDERS = ("audit", "results", "reconstruction")
"""The folders under the build directory that the notebooks write; every CSV file in them is an export."""


def build_root(book_root: Path = ROOT) -> Path:
    """The build directory: ``COMPENDIUM_BUILD_DIR``, else the book's ``_build``."""
    return Path(os.environ.get("COMPENDIUM_BUILD_DIR", book_root / "_build"))


def build_dir(*parts: str) -> Path:
    """Return (and create) a folder under the build directory, e.g. build_dir("audit")."""
    folder = build_root().joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
