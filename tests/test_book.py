"""The rendered book, end to end: it builds with every notebook executed in this test run and Sphinx
warnings as errors, a failing cell fails the build, and every page works in a real browser, offline.

`make test` runs nbval first; crs_compendium.nbval_cache stores each notebook nbval executed and verified
into the execution cache, and `make test` then runs this module with COMPENDIUM_REQUIRE_CACHED=1, so the
book is built from exactly those outputs and the test fails if any notebook had to be executed again.
Run alone, the module executes whatever the cache lacks. One module, so that under pytest-xdist the
browser checks run after the build, on the same worker.
"""
import os
import functools
import hashlib
import http.server
import re
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
# The class of the banner crs_compendium.pages.data_level_banner puts on every patient-level page.
BANNER_CLASS = "data-level-banner"


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=1200, cwd=ROOT)


def _data_bytes() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((ROOT / "data").rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def data_before_build():
    return _data_bytes()


@pytest.fixture(scope="module")
def built_book(data_before_build):
    """What `make book` does: execute what the cache lacks, two at a time, then build with -W."""
    executed = _run(str(BIN / "python"), "-m", "crs_compendium.execution")
    if executed.returncode != 0:
        return executed
    if os.environ.get("COMPENDIUM_REQUIRE_CACHED") == "1":
        assert executed.stdout.startswith("executed 0 notebook(s)"), (
            "nbval's executions did not reach the cache: " + executed.stdout
        )
    return _run(str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going")


def test_the_build_never_writes_to_the_input_data(built_book, data_before_build):
    assert built_book.returncode == 0
    assert _data_bytes() == data_before_build


def test_book_builds_with_every_notebook_executed_and_no_warnings(built_book):
    assert built_book.returncode == 0, built_book.stdout[-3000:] + built_book.stderr[-3000:]
    assert "Executing notebook" not in built_book.stdout, "the build ran a notebook the executor had not"
    assert (HTML / "index.html").is_file()
    flow_page = (HTML / "notebooks" / "01_patient_flow.html").read_text()
    assert "<img" in flow_page and "Patient flow of the study" in flow_page
    assert "flow checks consistent; exclusions sum to 16." in flow_page


def test_a_failing_cell_fails_the_executor_and_the_build(tmp_path):
    (tmp_path / "_config.yml").write_text((ROOT / "_config.yml").read_text())
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: broken\n")
    front_matter = (ROOT / "notebooks" / "01_patient_flow.md").read_text().split("(figure1-patient-flow)=")[0]
    (tmp_path / "broken.md").write_text(
        front_matter + "# Broken\n\n```{code-cell} ipython3\nraise RuntimeError('deliberately broken cell')\n```\n"
    )
    executed = _run(str(BIN / "python"), "-m", "crs_compendium.execution", "--book", str(tmp_path))
    assert executed.returncode == 1
    assert "broken.md failed" in executed.stderr and "deliberately broken cell" in executed.stderr
    built = _run(str(BIN / "jupyter-book"), "build", str(tmp_path), "-W", "-n", "--keep-going")
    assert built.returncode != 0
    assert "deliberately broken cell" in built.stdout + built.stderr


def test_every_figure_caption_links_to_the_notebook_that_drew_it(built_book):
    assert built_book.returncode == 0
    unlinked = []
    for page in sorted((HTML / "notebooks").glob("*.html")):
        for caption in re.findall(r"<figcaption>(.*?)</figcaption>", page.read_text(), flags=re.S):
            if f'/notebooks/{page.stem}.ipynb"' not in caption:
                unlinked.append(f"{page.name}: {re.sub('<[^>]+>', '', caption).strip()[:80]}")
    assert not unlinked, "captions without a link to their notebook:\n" + "\n".join(unlinked)


# --- the rendered pages in headless Chromium -------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built_book):
    """Serve _build/html on 127.0.0.1 (a free port) for the duration of the module."""
    if built_book.returncode != 0:
        pytest.fail("the book did not build; see the build test")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  # Chromium's own calls home would fail noisily on a closed network; the page's own
                  # requests are still seen (and judged) by the test below.
                  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        yield chromium
        chromium.close()


class _Anchors(HTMLParser):
    """Every id/name a page defines, so a link's #fragment can be checked without a browser."""

    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)


@functools.lru_cache(maxsize=None)
def _ids_in(path: Path) -> frozenset:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return frozenset(parser.ids)


def _pages():
    return sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html") if "_static" not in p.parts)


def _patient_level_pages():
    """Pages whose notebook loads patient-level data (crs_compendium.ipd.load_cohort)."""
    return sorted(
        f"notebooks/{md.stem}.html" for md in (ROOT / "notebooks").glob("*.md") if "load_cohort(" in md.read_text()
    )


def test_every_page_loads_offline_with_images_links_headings_and_banners(built_book, site, browser):
    pages = _pages()
    assert "book/index.html" in pages and "notebooks/01_patient_flow.html" in pages
    patient_level = set(_patient_level_pages())
    problems = []
    for name in pages:
        seen = {"errors": [], "failed": [], "foreign": []}
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("pageerror", lambda error: seen["errors"].append(str(error)))
        page.on("requestfailed", lambda request: seen["failed"].append(request.url))
        page.on("request", lambda request: seen["foreign"].append(request.url)
                if urlsplit(request.url).hostname not in ("127.0.0.1", None) else None)
        page.on("response", lambda response: seen["failed"].append(f"{response.status} {response.url}")
                if response.status >= 400 else None)
        page.goto(urljoin(site, name), wait_until="networkidle")
        images = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => ({src: i.src, ok: i.complete && i.naturalWidth > 0, alt: i.alt}))")
        links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        levels = page.eval_on_selector_all(
            "article h1, article h2, article h3, article h4, article h5, article h6",
            "hs => hs.map(h => Number(h.tagName[1]))")
        banners = page.locator(f".{BANNER_CLASS}")
        banner_text = banners.first.inner_text() if banners.count() else ""
        page.close()
        for kind in ("errors", "failed", "foreign"):
            problems += [f"{name}: {kind}: {item}" for item in seen[kind]]
        problems += [f"{name}: image did not load: {i['src']}" for i in images if not i["ok"]]
        problems += [f"{name}: image without alt text: {i['src']}" for i in images if not i["alt"].strip()]
        if levels and (levels.count(1) != 1 or levels[0] != 1):
            problems.append(f"{name}: the page needs exactly one top heading, first (levels {levels})")
        problems += [f"{name}: heading jumps from h{a} to h{b}" for a, b in zip(levels, levels[1:]) if b > a + 1]
        for link in links:
            target = urlsplit(link)
            if target.scheme in ("http", "https") and target.hostname == "127.0.0.1":
                path = HTML / unquote(target.path).lstrip("/")
                if path.is_dir():
                    path = path / "index.html"
                if not path.is_file():
                    problems.append(f"{name}: broken link {link}")
                elif target.fragment and path.suffix == ".html" and unquote(target.fragment) not in _ids_in(path):
                    problems.append(f"{name}: link to a missing anchor {link}")
        if name in patient_level and not banner_text:
            problems.append(f"{name}: patient-level page without the data-level banner")
        elif name in patient_level and not os.environ.get("COMPENDIUM_DATA") and (
                "Synthetic reconstruction" not in banner_text):
            problems.append(f"{name}: the banner does not say the data are a synthetic reconstruction")
    assert not problems, "\n".join(problems)


def test_screenshots_of_the_landing_page_and_a_figure_page(built_book, site, browser):
    """Kept under _build/screenshots for a person to look at; the test checks they are real pictures."""
    folder = ROOT / "_build" / "screenshots"
    folder.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    for name in ("book/index.html", "notebooks/01_patient_flow.html"):
        page.goto(urljoin(site, name), wait_until="networkidle")
        shot = folder / (re.sub(r"\W", "_", name) + ".png")
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    page.close()
