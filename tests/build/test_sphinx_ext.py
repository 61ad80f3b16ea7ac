"""The compendium's Sphinx extension: notebook pages whose cached outputs are newer than the page are
re-read (else a re-execution after a lib/ or data/ change would leave the old outputs in the book),
notebook names in figure captions become links to the notebook, and every page of an internal build of real
data says it is not for publication."""
import time
from pathlib import Path
from types import SimpleNamespace

from docutils import nodes

from crs_compendium.build import sphinx_ext
from crs_compendium.build.execution import open_cache, read_notebook, store_executed
from crs_compendium.vocab import INTERNAL_MARK

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01_patient_flow.md"


def _app_and_env(cache_dir: Path, read_at_us: int):
    config = SimpleNamespace(nb_execution_mode="cache", nb_execution_cache_path=str(cache_dir),
                             html_theme_options={"repository_url": "https://example.org/repo",
                                                 "repository_branch": "main"})
    env = SimpleNamespace(all_docs={"notebooks/01_patient_flow": read_at_us, "book/index": read_at_us},
                          doc2path=lambda docname: str(NOTEBOOK.parents[1] / f"{docname}.md"))
    return SimpleNamespace(config=config), env


def test_a_page_read_before_its_notebook_was_re_executed_is_outdated(tmp_path):
    cache = open_cache(tmp_path / "cache")
    read_before = time.time_ns() // 1_000 - 60_000_000  # the page was read a minute ago
    store_executed(cache, NOTEBOOK, read_notebook(NOTEBOOK))
    app, env = _app_and_env(tmp_path / "cache", read_before)
    assert sphinx_ext._notebooks_executed_since_read(app, env, set(), set(), set()) == ["notebooks/01_patient_flow"]


def test_a_page_read_after_the_execution_is_left_alone(tmp_path):
    cache = open_cache(tmp_path / "cache")
    store_executed(cache, NOTEBOOK, read_notebook(NOTEBOOK))
    app, env = _app_and_env(tmp_path / "cache", time.time_ns() // 1_000 + 60_000_000)
    assert sphinx_ext._notebooks_executed_since_read(app, env, set(), set(), set()) == []


def test_nothing_is_re_read_when_the_book_does_not_use_the_cache(tmp_path):
    app, env = _app_and_env(tmp_path / "cache", 0)
    app.config.nb_execution_mode = "force"
    assert sphinx_ext._notebooks_executed_since_read(app, env, set(), set(), set()) == []


def test_a_notebook_name_in_a_caption_becomes_a_link_to_the_notebook():
    caption = nodes.caption("", "", nodes.Text("Survival by group. Drawn by notebooks/05_figure4_survival."))
    figure = nodes.figure("", caption)
    app, _ = _app_and_env(Path("unused"), 0)
    sphinx_ext._link_notebooks_in_captions(app, figure, "notebooks/05_figure4_survival")
    (link,) = list(caption.findall(nodes.reference))
    assert link["refuri"] == "https://example.org/repo/blob/main/notebooks/05_figure4_survival.ipynb"
    assert caption.astext() == "Survival by group. Drawn by notebooks/05_figure4_survival."


def test_every_page_of_an_internal_build_says_it_is_not_for_publication(monkeypatch):
    config = SimpleNamespace(html_theme_options={"repository_url": "https://example.org/repo"})
    monkeypatch.delenv("COMPENDIUM_INTERNAL", raising=False)
    sphinx_ext._mark_internal_build(None, config)
    assert "announcement" not in config.html_theme_options
    monkeypatch.setenv("COMPENDIUM_INTERNAL", "1")
    sphinx_ext._mark_internal_build(None, config)
    assert config.html_theme_options["announcement"].startswith(INTERNAL_MARK)
    assert config.html_theme_options["repository_url"] == "https://example.org/repo"
