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
import csv
import functools
import hashlib
import html
import http.server
import os
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from book_steps import ROOT, build_book, execute_notebooks, finished, start_printing_book

from crs_compendium.build.pdf import CHROMIUM, CHROMIUM_ARGS

HTML = ROOT / "_build" / "html"
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
    """What `make book` does up to the site: execute what the cache lacks, two at a time, build with -W."""
    executed = execute_notebooks()
    if executed.returncode != 0:
        return executed
    if os.environ.get("COMPENDIUM_REQUIRE_CACHED") == "1":
        assert executed.stdout.startswith("executed 0 notebook(s)"), (
            "nbval's executions did not reach the cache: " + executed.stdout
        )
    return build_book()


@pytest.fixture(scope="module")
def printing(built_book):
    """The last step of `make book`, the PDF, started once the site is built and left printing."""
    if built_book.returncode != 0:
        pytest.fail("the book did not build; see the build test")
    process = start_printing_book()
    yield process
    if process.poll() is None:
        process.kill()


@pytest.fixture(scope="module")
def printed_book(printing):
    """The PDF step, finished."""
    return finished(printing)


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


# Pages open this many at a time: each waits for the network to be idle for 0.5 s, and those waits overlap.
PAGES_AT_ONCE = 4
# Page -> whether the screenshot covers the whole page (else the first screen, at the page's #fragment).
SCREENSHOTS = {"book/index.html": True, "notebooks/01_patient_flow.html": True,
               "book/claims_explorer.html?verdict=inconsistent": False,
               "notebooks/11_audit_table2.html#claim-t2.male.p_bonf": False}

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


async def _visit(context, url: str, screenshot: tuple[Path, bool] | None = None) -> dict:
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
    seen["downloads"] = await page.eval_on_selector_all(
        "a.export-link", "links => links.map(a => ({href: a.href, rows: Number(a.dataset.rows)}))")
    banners = page.locator(f".{BANNER_CLASS}")
    seen["banner"] = await banners.first.inner_text() if await banners.count() else ""
    if screenshot:
        path, full_page = screenshot
        await page.screenshot(path=str(path), full_page=full_page)
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
            async with gate:
                return await _visit(context, urljoin(site, name), _shot(screenshots, name))

        # Screenshot pages (a few of them under a query or a #fragment) first: full-page shots take longest.
        order = list(SCREENSHOTS) + [name for name in names if name not in SCREENSHOTS]
        results = await asyncio.gather(*(visit(name) for name in order))
        explorer = await _drive_explorer(context, urljoin(site, "book/claims_explorer.html"))
        await browser.close()
    return dict(zip(order, results)), explorer


def _shot(folder: Path, name: str) -> tuple[Path, bool] | None:
    """Where a page's screenshot goes and whether it covers the whole page, for the pages of SCREENSHOTS."""
    return (folder / _screenshot_name(name), SCREENSHOTS[name]) if name in SCREENSHOTS else None


async def _drive_explorer(context, url: str) -> dict:
    """Use the claims explorer as a reader does: choose a verdict, then a section too, then type a word; count
    the rows left on screen each time, and the count the page announces."""
    page = await context.new_page()
    await page.goto(url, wait_until="networkidle")
    visible = "rows => rows.filter(r => !r.hidden).map(r => r.querySelector('code').textContent)"
    seen = {"all": await page.eval_on_selector_all(".explorer-table tbody tr", visible)}
    await page.select_option("#explorer-verdict", "inconsistent")
    seen["inconsistent"] = await page.eval_on_selector_all(".explorer-table tbody tr", visible)
    seen["announced"] = await page.inner_text("#explorer-count")
    await page.select_option("#explorer-section", "table2")
    seen["inconsistent_table2"] = await page.eval_on_selector_all(".explorer-table tbody tr", visible)
    await page.select_option("#explorer-verdict", "")
    await page.select_option("#explorer-section", "")
    await page.fill("#explorer-search", "p_bonf")
    seen["search"] = await page.eval_on_selector_all(".explorer-table tbody tr", visible)
    seen["badges"] = await page.eval_on_selector_all(".explorer-table .verdict-badge", "b => b.map(x => x.textContent)")
    # Opened from the files themselves (no server), with the verdict in its address.
    await page.goto((HTML / "book" / "claims_explorer.html").as_uri() + "?verdict=inconsistent")
    seen["from_file"] = await page.eval_on_selector_all(".explorer-table tbody tr", visible)
    await page.close()
    return seen


@pytest.fixture(scope="module")
def rendered(site, printing):
    """Every page of the site as headless Chromium saw it; the two screenshots land in _build/screenshots."""
    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    screenshots = ROOT / "_build" / "screenshots"
    screenshots.mkdir(exist_ok=True)
    for name in SCREENSHOTS:
        (screenshots / _screenshot_name(name)).unlink(missing_ok=True)
    pages, explorer = asyncio.run(_visit_every_page(site, _pages(), screenshots))
    return pages, explorer, screenshots


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


def test_every_page_loads_offline_with_images_links_headings_and_banners(rendered, printed_book):
    pages, _, _ = rendered
    assert "book/index.html" in pages and "notebooks/01_patient_flow.html" in pages
    patient_level = set(_patient_level_pages())
    problems = [problem for name, seen in pages.items() for problem in _problems(name, seen, patient_level)]
    assert not problems, "\n".join(problems)


def test_screenshots_of_the_landing_page_a_figure_page_the_explorer_and_a_permalink(rendered):
    """Kept under _build/screenshots for a person to look at; the test checks they are real pictures."""
    _, _, folder = rendered
    for name in SCREENSHOTS:
        shot = folder / _screenshot_name(name)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


# --- what a reviewer takes away from the site ------------------------------------------------------------

def _csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as stream:
        return sum(1 for _ in csv.reader(stream)) - 1


def _export_claims() -> list[dict]:
    with (HTML / "exports" / "audit" / "claims.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_every_download_link_gives_a_file_with_the_rows_the_page_states(rendered):
    pages, _, _ = rendered
    downloads = {(name, link["href"], link["rows"]) for name, seen in pages.items() for link in seen["downloads"]}
    listed = {urlsplit(href).path.lstrip("/") for _, href, _ in downloads}
    on_disk = {p.relative_to(HTML).as_posix() for p in (HTML / "exports").rglob("*.csv")}
    assert listed == on_disk and "exports/audit/claims.csv" in listed, "every export is linked, and only exports"
    wrong = [f"{name}: {href} says {rows} rows, the file has {_csv_rows(HTML / urlsplit(href).path.lstrip('/'))}"
             for name, href, rows in downloads if _csv_rows(HTML / urlsplit(href).path.lstrip("/")) != rows]
    assert not wrong, "\n".join(wrong)


def test_every_claim_of_the_export_has_its_permalink_on_the_page_that_checks_it(built_book):
    assert built_book.returncode == 0
    claims = _export_claims()
    missing = []
    for claim in claims:
        page, _, anchor = claim["link"].partition("#")
        if anchor != f"claim-{claim['claim_id']}" or anchor not in _ids_in(HTML / page):
            missing.append(claim["link"])
    assert len(claims) > 300 and not missing, missing[:10]


def test_the_explorer_filters_by_verdict_section_and_words_as_the_export_says(rendered):
    _, explorer, _ = rendered
    claims = _export_claims()
    inconsistent = sorted(c["claim_id"] for c in claims if c["verdict"] == "inconsistent")
    assert sorted(explorer["all"]) == sorted(c["claim_id"] for c in claims)
    assert sorted(explorer["inconsistent"]) == inconsistent and 0 < len(inconsistent) < len(claims)
    assert explorer["announced"] == f"{len(inconsistent)} of {len(claims)} claims"
    assert sorted(explorer["inconsistent_table2"]) == [c for c in inconsistent if c.startswith("t2.")]
    assert sorted(explorer["from_file"]) == inconsistent, "the explorer filters when opened from file:// too"
    bonferroni = [c["claim_id"] for c in claims
                  if "p_bonf" in " ".join(c[k] for k in ("claim_id", "location", "printed", "recomputed", "note")).lower()]
    assert sorted(explorer["search"]) == sorted(bonferroni) and len(bonferroni) == 10
    # Colour is not the only carrier: every badge says its verdict in words.
    assert sorted(explorer["badges"]) == sorted(c["verdict"] for c in claims)


def _page_title(path: Path) -> str:
    """A page's own title: the <title> without the book's name after the dash."""
    title = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), flags=re.S).group(1)
    return title.split(" &#8212; ")[0]


def test_the_pdf_has_one_section_per_page_of_the_book_and_working_links(printed_book):
    from pypdf import PdfReader

    assert printed_book.returncode == 0, printed_book.stdout[-3000:] + printed_book.stderr[-3000:]
    reader = PdfReader(HTML / "compendium.pdf")
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    titles = [re.sub(r"\s+", "", html.unescape(_page_title(HTML / f"{page}.html"))) for page in pages]

    def entries(items):
        flat = []
        for item in items:
            flat.extend(entries(item) if isinstance(item, list) else [re.sub(r"\s+", "", item.title)])
        return flat

    outline = entries(reader.outline)
    # Chromium sometimes repeats the first line of a wrapped title in the outline entry: look for the title.
    missing = [page for page, title in zip(pages, titles) if not any(title in entry for entry in outline)]
    assert not missing, f"pages with no section in the PDF outline: {missing}"
    links = [annotation.get_object() for page in reader.pages for annotation in page.get("/Annots") or []]
    internal = [a for a in links if "/Dest" in a or (a.get("/A") and a["/A"].get("/S") == "/GoTo")]
    external = [a for a in links if a.get("/A") and a["/A"].get("/S") == "/URI"]
    assert internal and external, "the PDF keeps cross-references within it and links out"
    assert not [a for a in external if str(a["/A"]["/URI"]).startswith("file:")], "no link to this machine's files"


def test_the_site_without_its_pdf_stays_under_12_mb(built_book):
    assert built_book.returncode == 0
    size = sum(p.stat().st_size for p in HTML.rglob("*") if p.is_file() and p.name != "compendium.pdf")
    assert size <= 12_000_000, f"the site is {size / 1e6:.1f} MB without its PDF"


def test_the_build_never_writes_to_the_input_data(printed_book, data_before_build):
    assert printed_book.returncode == 0
    assert _data_bytes() == data_before_build
