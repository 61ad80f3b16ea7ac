"""Sphinx extension of the compendium (listed in _config.yml): fixes to what Jupyter Book renders, and what
the site offers a reviewer besides its pages (:mod:`crs_compendium.build.site`).

1. Figure captions that name the notebook that drew them ("drawn by notebooks/05_figure4_survival")
   get that name turned into a link to the notebook in the repository, so every reproduced figure links
   to its code from the caption itself. The URL is built from `repository.url` and `repository.branch`
   in _config.yml, the one place that names the repository.
2. Duplicate script tags are dropped from every page: sphinx-thebe and sphinx-togglebutton (always
   loaded by Jupyter Book 1) register inline scripts with `app.add_js_file(None, body=...)` once into the
   builder and once into the registry (where None became ""), so Sphinx 7 emits each twice and the
   browser raises "Identifier 'THEBE_JS_URL' has already been declared" on every page.
3. A notebook page is re-read when its outputs in the execution cache are newer than the page. Sphinx
   re-reads only sources whose files changed, but `make book` re-executes notebooks into the cache when
   lib/, data/ or the DATA folder change while the .md stays the same; without this the book would keep
   showing the old outputs.
4. Every page of an internal build of real data (``COMPENDIUM_INTERNAL=1``, ``make book DATA=... INTERNAL=1``)
   carries the theme's announcement bar "Internal: not for publication", so no page of it passes for one
   that may be published.
5. The book's own ``numfig`` setting is kept. sphinx-jupyterbook-latex (loaded by Jupyter Book 1 for every
   builder) sets ``numfig = True`` when the configuration is read; the compendium names its figures as
   the paper does ("Figure 4") in the captions, so Sphinx's running numbers ("Fig. 7") are switched off in
   _config.yml and this puts that setting back.
6. Downloads and the claims explorer: the directive ``{exports-table}`` lists every export of the build
   with its row count and checksum, ``{claims-explorer}`` shows every audited claim in one filterable
   table; both are written from the build's files each time the book is built (the pages that hold
   them are always read again, so they never show a stale list), and the exports are copied into the
   site under ``exports/`` when the HTML is written; images no page shows any more are removed then.
"""
import datetime
import os
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive

from ..paths import PUBLISHED_DIR, build_dir
from ..vocab import INTERNAL_MARK
from .site import claims_explorer_html, copy_exports, downloads_html, list_exports

__all__ = ["NOTEBOOK_NAME", "setup"]

NOTEBOOK_NAME = re.compile(r"notebooks/(\d\d_[A-Za-z0-9_]+)")


def _notebook_url(app, name: str) -> str:
    options = app.config.html_theme_options
    base = options.get("repository_url", "").rstrip("/")
    branch = options.get("repository_branch", "main")
    return f"{base}/blob/{branch}/notebooks/{name}.ipynb"


def _link_notebooks_in_captions(app, doctree, docname):
    for caption in doctree.findall(nodes.caption):
        for text in list(caption.findall(nodes.Text)):
            if isinstance(text.parent, nodes.reference) or not NOTEBOOK_NAME.search(text):
                continue
            pieces, last = [], 0
            for match in NOTEBOOK_NAME.finditer(text):
                pieces.append(nodes.Text(text[last:match.start()]))
                pieces.append(nodes.reference(match.group(0), match.group(0),
                                              refuri=_notebook_url(app, match.group(1))))
                last = match.end()
            pieces.append(nodes.Text(text[last:]))
            text.parent.replace(text, pieces)


def _notebooks_executed_since_read(app, env, added, changed, removed):
    if app.config.nb_execution_mode != "cache":
        return []
    from jupyter_cache import get_cache

    executed = {}
    for record in get_cache(app.config.nb_execution_cache_path).list_cache_records():
        created = record.created
        if created.tzinfo is None:  # SQLite hands back the stored UTC time without its zone
            created = created.replace(tzinfo=datetime.timezone.utc)
        executed[str(Path(record.uri).resolve())] = created.timestamp() * 1_000_000
    # env.all_docs holds when each page was last read, in microseconds (Sphinx 7).
    return [
        docname for docname, read_at in env.all_docs.items()
        if docname not in added | changed | removed
        and executed.get(str(Path(env.doc2path(docname)).resolve()), 0) > read_at
    ]


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # Copies differ only in priority or in None vs "" for an inline script: the same <script> tag.
        key = (getattr(script, "filename", script) or "", tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # In place: Sphinx appends page-specific scripts to this very list object.
    context["script_files"][:] = unique


def _mark_internal_build(app, config):
    if os.environ.get("COMPENDIUM_INTERNAL", "").strip() == "1":
        config.html_theme_options = {**config.html_theme_options, "announcement": (
            f"{INTERNAL_MARK}: this book shows patient data row by row for the data holder's own checking.")}


def _remember_numfig(app, config):
    app.compendium_numfig = config.numfig


def _restore_numfig(app, config):
    config.numfig = app.compendium_numfig


def _to_site_root(docname: str) -> str:
    return "../" * docname.count("/")


class _GeneratedDirective(Directive):
    """A directive whose HTML is written from the build's files; its page is read again at every build."""

    has_content = False

    def html(self, to_site_root: str) -> str:
        raise NotImplementedError

    def run(self):
        env = self.state.document.settings.env
        env.compendium_generated.add(env.docname)
        return [nodes.raw("", self.html(_to_site_root(env.docname)), format="html")]


class ExportsTable(_GeneratedDirective):
    """``{exports-table}``: every export of the build, linked, with rows and checksum."""

    def html(self, to_site_root: str) -> str:
        return downloads_html(list_exports(build_dir()), to_site_root)


class ClaimsExplorer(_GeneratedDirective):
    """``{claims-explorer}``: every claim of the audit export in one table, filterable and searchable."""

    def html(self, to_site_root: str) -> str:
        return claims_explorer_html(build_dir("audit") / "claims.csv", PUBLISHED_DIR / "claims.csv", to_site_root)


def _init_generated(app, env, docnames):
    if not hasattr(env, "compendium_generated"):
        env.compendium_generated = set()


def _generated_pages(app, env, added, changed, removed):
    # Emitted before env-before-read-docs: a fresh environment has no record yet.
    return sorted(getattr(env, "compendium_generated", set()) - added - changed - removed)


def _purge_generated(app, env, docname):
    getattr(env, "compendium_generated", set()).discard(docname)


def _merge_generated(app, env, docnames, other):
    env.compendium_generated |= getattr(other, "compendium_generated", set()) & set(docnames)


def _finish_the_site(app, exception):
    """Copy the exports into the site, and drop images no page shows any more (Sphinx adds a figure's new
    image at each change of its pixels and never removes the old one)."""
    if exception is not None or app.builder.name != "html":
        return
    site = Path(app.outdir)
    copy_exports(build_dir(), site)
    # Every page of the site, not only those written in this run (an incremental build writes few).
    shown = {name for page in site.rglob("*.html") if "_static" not in page.parts
             for name in re.findall(rf'{app.builder.imagedir}/([^"\s?#]+)', page.read_text(encoding="utf-8"))}
    for image in (site / app.builder.imagedir).glob("*"):
        if image.is_file() and image.name not in shown:
            image.unlink()


def setup(app):
    app.add_directive("exports-table", ExportsTable)
    app.add_directive("claims-explorer", ClaimsExplorer)
    app.connect("env-before-read-docs", _init_generated)
    app.connect("env-get-outdated", _generated_pages)
    app.connect("env-purge-doc", _purge_generated)
    app.connect("env-merge-info", _merge_generated)
    app.connect("build-finished", _finish_the_site)
    # Before and after sphinx-jupyterbook-latex's own config-inited handler (priority 500).
    app.connect("config-inited", _remember_numfig, priority=100)
    app.connect("config-inited", _restore_numfig, priority=900)
    app.connect("config-inited", _mark_internal_build)
    app.connect("env-get-outdated", _notebooks_executed_since_read)
    app.connect("doctree-resolved", _link_notebooks_in_captions)
    # Early: html-page-context is emitted with emit_firstresult, so a theme handler that returns a
    # template name ends the chain before handlers of lower priority run.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
