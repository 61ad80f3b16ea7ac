"""The rendered book, end to end: it builds with every notebook executed in this test run and Sphinx
warnings as errors, and every page works in a real browser, offline (that a failing cell fails the build is
tests/book/test_build_failure.py).

`make test` runs nbval first; crs_compendium.build.nbval_cache stores each notebook nbval executed and verified
into the execution cache, and `make test` then runs this module with COMPENDIUM_REQUIRE_CACHED=1, so the
book is built from exactly those outputs and the test fails if any notebook had to be executed again.
Run alone, the module executes whatever the cache lacks. One module, so that under pytest-xdist the
browser checks run after the build, on the same worker.
"""
import asyncio
import functools
import hashlib
import http.server
import os
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from book_steps import ROOT, build_book, execute_notebooks

HTML = ROOT / "_build" / "html"
CHROMIUM = Path("/usr/bin/chromium")
# The class of the banner crs_compendium.reproduce.page.data_level_banner puts on every patient-level page.
BANNER_CLASS = "data-level-banner"


def _data_bytes() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((ROOT / "data").rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def data_before_build():
    return _data_bytes()


@pytest.fixture(scope="module")
def built_book(data_before_build):
    """What `make book` does: execute what the cache lacks, two at a time, then build with -W."""
    executed = execute_notebooks()
    if executed.returncode != 0:
        return executed
    if os.environ.get("COMPENDIUM_REQUIRE_CACHED") == "1":
        assert executed.stdout.startswith("executed 0 notebook(s)"), (
            "nbval's executions did not reach the cache: " + executed.stdout
        )
    return build_book()


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


# Chromium's own calls home would fail noisily on a closed network; the page's own requests are still seen
# (and judged) by the checks below.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
# Pages open this many at a time: each waits for the network to be idle for 0.5 s, and those waits overlap.
PAGES_AT_ONCE = 4
SCREENSHOTS = ("book/index.html", "notebooks/01_patient_flow.html")

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
    """Pages whose notebook loads patient-level data (crs_compendium.patients.load.load_cohort)."""
    return sorted(
        f"notebooks/{md.stem}.html" for md in (ROOT / "notebooks").glob("*.md") if "load_cohort(" in md.read_text()
    )


def _screenshot_name(page: str) -> str:
    return re.sub(r"\W", "_", page) + ".png"


async def _visit(context, url: str, screenshot: Path | None = None) -> dict:
    """Load one page and collect what the checks need: errors, failed and foreign requests, images, links,
    heading levels and the banner text."""
    seen = {"errors": [], "failed": [], "foreign": []}
    page = await context.new_page()
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("requestfailed", lambda request: seen["failed"].append(request.url))
    page.on("request", lambda request: seen["foreign"].append(request.url)
            if urlsplit(request.url).hostname not in ("127.0.0.1", None) else None)
    page.on("response", lambda response: seen["failed"].append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    await page.goto(url, wait_until="networkidle")
    seen["images"] = await page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => ({src: i.src, ok: i.complete && i.naturalWidth > 0, alt: i.alt}))")
    seen["links"] = await page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    seen["levels"] = await page.eval_on_selector_all(
        "article h1, article h2, article h3, article h4, article h5, article h6",
        "hs => hs.map(h => Number(h.tagName[1]))")
    banners = page.locator(f".{BANNER_CLASS}")
    seen["banner"] = await banners.first.inner_text() if await banners.count() else ""
    if screenshot:
        await page.screenshot(path=str(screenshot), full_page=True)
    await page.close()
    return seen


async def _visit_every_page(site: str, names: list[str], screenshots: Path) -> dict[str, dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        # One context, as one reader's browser: the theme's scripts are fetched and compiled once, not per page.
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        gate = asyncio.Semaphore(PAGES_AT_ONCE)

        async def visit(name: str) -> dict:
            shot = screenshots / _screenshot_name(name) if name in SCREENSHOTS else None
            async with gate:
                return await _visit(context, urljoin(site, name), shot)

        # The two full-page screenshots take longest: start them first.
        order = sorted(names, key=lambda name: name not in SCREENSHOTS)
        results = await asyncio.gather(*(visit(name) for name in order))
        await browser.close()
    return dict(zip(order, results))


@pytest.fixture(scope="module")
def rendered(site):
    """Every page of the site as headless Chromium saw it; the two screenshots land in _build/screenshots."""
    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    screenshots = ROOT / "_build" / "screenshots"
    screenshots.mkdir(exist_ok=True)
    for name in SCREENSHOTS:
        (screenshots / _screenshot_name(name)).unlink(missing_ok=True)
    return asyncio.run(_visit_every_page(site, _pages(), screenshots)), screenshots


def _problems(name: str, seen: dict, patient_level: set[str]) -> list[str]:
    problems = [f"{name}: {kind}: {item}" for kind in ("errors", "failed", "foreign") for item in seen[kind]]
    problems += [f"{name}: image did not load: {i['src']}" for i in seen["images"] if not i["ok"]]
    problems += [f"{name}: image without alt text: {i['src']}" for i in seen["images"] if not i["alt"].strip()]
    levels = seen["levels"]
    if levels and (levels.count(1) != 1 or levels[0] != 1):
        problems.append(f"{name}: the page needs exactly one top heading, first (levels {levels})")
    problems += [f"{name}: heading jumps from h{a} to h{b}" for a, b in zip(levels, levels[1:]) if b > a + 1]
    for link in seen["links"]:
        target = urlsplit(link)
        if target.scheme in ("http", "https") and target.hostname == "127.0.0.1":
            path = HTML / unquote(target.path).lstrip("/")
            if path.is_dir():
                path = path / "index.html"
            if not path.is_file():
                problems.append(f"{name}: broken link {link}")
            elif target.fragment and path.suffix == ".html" and unquote(target.fragment) not in _ids_in(path):
                problems.append(f"{name}: link to a missing anchor {link}")
    if name in patient_level and not seen["banner"]:
        problems.append(f"{name}: patient-level page without the data-level banner")
    elif name in patient_level and not os.environ.get("COMPENDIUM_DATA") and (
            "Synthetic reconstruction" not in seen["banner"]):
        problems.append(f"{name}: the banner does not say the data are a synthetic reconstruction")
    return problems


def test_every_page_loads_offline_with_images_links_headings_and_banners(rendered):
    pages, _ = rendered
    assert "book/index.html" in pages and "notebooks/01_patient_flow.html" in pages
    patient_level = set(_patient_level_pages())
    problems = [problem for name, seen in pages.items() for problem in _problems(name, seen, patient_level)]
    assert not problems, "\n".join(problems)


def test_screenshots_of_the_landing_page_and_a_figure_page(rendered):
    """Kept under _build/screenshots for a person to look at; the test checks they are real pictures."""
    _, folder = rendered
    for name in SCREENSHOTS:
        shot = folder / _screenshot_name(name)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
