"""The book as one PDF, for reviewers who annotate on paper: Jupyter Book's single-page HTML build, printed by
headless Chromium (Debian's, driven by Playwright) into ``_build/html/compendium.pdf``.

Every page of the table of contents becomes one section of the PDF (its title a top-level entry of the
PDF's outline), in reading order; links keep working (within the PDF and to the web); the print style
(``_static/compendium.css``) leaves out code cells and the site's navigation and keeps tables, figures,
verdicts and the data-level banners. The notebooks are not executed again: the build reads their outputs
from the execution cache, as the HTML build does.
"""
from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import time
from pathlib import Path

from ..paths import ROOT

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "PDF_NAME", "build_single_page", "print_pdf", "main"]

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium, which the Makefile installs; it prints the PDF and the browser test drives it."""
PDF_NAME = "compendium.pdf"
# Chromium's own calls home would fail noisily on a closed network, and only 127.0.0.1 resolves: the page's
# own requests are all that leave the browser.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


# A relative link of the single page: to another page's anchor (which the single page holds too), or into
# the rest of the site (a download, the index). In the PDF it would point at this machine's files.
_RELATIVE_LINK = re.compile(r'(<a\b[^>]*?)\s+href="(?!#|https?:|mailto:)([^"]*)"')


def _within_the_page(match: re.Match) -> str:
    """An anchor link stays in the PDF as a jump within it; anything else is printed as plain text."""
    _, hash_sign, fragment = match.group(2).partition("#")
    return f'{match.group(1)} href="#{fragment}"' if hash_sign and fragment else match.group(1)


def build_single_page(book: Path = ROOT) -> Path:
    """Build the whole book as one HTML page (``_build/singlehtml``) and return a printable copy of it.

    Sphinx writes the page under the root document's folder (``book/index.html``) but links its styles,
    scripts and images from the output's root, so the copy to print sits at the root
    (``_build/singlehtml/compendium.html``): links to another page's anchor become jumps within it, links
    into the rest of the site (downloads) plain text.
    """
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(book), "--builder", "singlehtml",
               "-W", "-n", "--keep-going"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("the single-page build failed:\n" + done.stdout[-3000:] + done.stderr[-3000:])
    output = book / "_build" / "singlehtml"
    page = output / "compendium.html"
    page.write_text(_RELATIVE_LINK.sub(_within_the_page, (output / "book" / "index.html").read_text(encoding="utf-8")),
                    encoding="utf-8")
    return page


async def _print(page: Path, out: Path) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = await browser.new_page()
        await tab.goto(page.resolve().as_uri(), wait_until="networkidle")
        await tab.evaluate("document.fonts.ready")
        await tab.emulate_media(media="print")
        await tab.pdf(path=str(out), format="A4", print_background=True, outline=True, tagged=True,
                      margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"})
        await browser.close()


def _outline_titles(pdf: Path) -> list[str]:
    """Every entry of a PDF's outline, whitespace removed (Chromium joins a wrapped title's lines)."""
    from pypdf import PdfReader

    def flat(items):
        return [title for item in items
                for title in (flat(item) if isinstance(item, list) else [re.sub(r"\s+", "", item.title)])]

    return flat(PdfReader(pdf).outline)


def print_pdf(page: Path, out: Path, *, last_title: str = "", attempts: int = 2) -> Path:
    """Print an HTML page to a tagged A4 PDF with an outline of its headings.

    Once in a test run Chromium delivered a PDF that stopped part-way; with ``last_title`` (the title of
    the book's last page) a PDF whose outline lacks it is printed again, and refused after ``attempts``.
    """
    if not CHROMIUM.is_file():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (make installs it)")
    out.parent.mkdir(parents=True, exist_ok=True)
    wanted = re.sub(r"\s+", "", last_title)
    for _ in range(attempts):
        asyncio.run(_print(page, out))
        if not wanted or any(wanted in title for title in _outline_titles(out)):
            return out
    raise RuntimeError(f"the PDF stops before the book's last page ({last_title!r})")


def _last_page_title(book: Path) -> str:
    """The title of the last page of the book's table of contents (its first heading)."""
    import yaml

    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    last = [entry["file"] for part in toc.get("parts", []) for entry in part["chapters"]][-1]
    heading = re.search(r"^# (.+)$", (book / f"{last}.md").read_text(encoding="utf-8"), flags=re.M)
    return heading.group(1).strip() if heading else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crs_compendium.build.pdf", description=__doc__.split("\n")[0])
    parser.add_argument("--book", type=Path, default=ROOT, help="book folder (with _config.yml, _toc.yml)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        out = print_pdf(build_single_page(args.book), args.book / "_build" / "html" / PDF_NAME,
                        last_title=_last_page_title(args.book))
    except RuntimeError as error:
        print(f"python -m crs_compendium.build.pdf: error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {out.relative_to(args.book)} ({out.stat().st_size / 1e6:.1f} MB) in "
          f"{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
