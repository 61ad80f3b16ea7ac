"""The parallel executor of the book (crs_compendium.build.execution): no stale output survives a change of
data, an internal build never shares a cache with a public one, and a failed cell is named in one line."""
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from crs_compendium.build import execution
from crs_compendium.paths import OUTPUT_FOLDERS


def _outputs(book):
    return [book / "_build" / name / "old.csv" for name in OUTPUT_FOLDERS]


def test_emptying_the_cache_empties_the_folders_the_notebooks_write(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPENDIUM_BUILD_DIR", raising=False)
    for path in _outputs(tmp_path):
        path.parent.mkdir(parents=True)
        path.write_text("from another data folder\n")
    cache_dir = tmp_path / "_build" / ".jupyter_cache"
    execution.open_cache(cache_dir, book_root=tmp_path)
    assert not any(path.exists() for path in _outputs(tmp_path))
    kept = _outputs(tmp_path)[0]
    kept.parent.mkdir(parents=True)
    kept.write_text("from this build\n")
    execution.open_cache(cache_dir, book_root=tmp_path)  # the cache is current: nothing is emptied
    assert kept.exists()
    execution.open_cache(cache_dir, force=True)  # without a book root, no output folder is touched
    assert kept.exists()


def test_an_internal_build_has_a_cache_of_its_own(monkeypatch):
    monkeypatch.delenv("COMPENDIUM_INTERNAL", raising=False)
    public = execution.inputs_fingerprint()
    monkeypatch.setenv("COMPENDIUM_INTERNAL", "1")
    assert execution.inputs_fingerprint() != public


def test_a_failed_cell_is_named_by_its_number_its_first_line_and_the_error():
    error = new_output("error", ename="KeyError", evalue="'SYN-T01'", traceback=[])
    notebook = new_notebook(cells=[new_markdown_cell("# A page"), new_code_cell("x = 1"),
                                   new_code_cell("\n\ntable = frame.loc['SYN-T01']\nprint(table)", outputs=[error])])
    assert execution.failed_cell(notebook) == "code cell 2 (`table = frame.loc['SYN-T01']`): KeyError: 'SYN-T01'"
    assert execution.failed_cell(new_notebook(cells=[]), TimeoutError("cell timed out")) == (
        "TimeoutError: cell timed out")


def _write_page(path, source, kernel="python3"):
    path.write_text(f"""---
kernelspec:
  name: {kernel}
  display_name: {kernel}
---

```{{code-cell}} ipython3
{source}
```
""")
    return path


def test_kernels_started_at_once_talk_over_sockets_of_their_own_and_leave_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPENDIUM_BUILD_DIR", str(tmp_path / "_build"))
    pages = [_write_page(tmp_path / f"page_{n}.md", f"print({n} * 7)") for n in (1, 2)]
    report = execution.execute_into_cache(pages, tmp_path / "_build" / ".jupyter_cache", jobs=2, book_root=tmp_path)
    assert sorted(report.executed) == ["page_1.md", "page_2.md"] and not report.failed
    from jupyter_client.manager import AsyncKernelManager

    manager = AsyncKernelManager(config=execution.kernel_config(str(tmp_path / "sockets")))
    assert (manager.transport, manager.ip) == ("ipc", str(tmp_path / "sockets" / "kernel"))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["_build", "page_1.md", "page_2.md"]


def test_a_kernel_that_cannot_start_fails_its_page_in_one_line_and_the_run_goes_on(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPENDIUM_BUILD_DIR", str(tmp_path / "_build"))
    page = _write_page(tmp_path / "page.md", "print(1)", kernel="no-such-kernel")
    report = execution.execute_into_cache([page], tmp_path / "_build" / ".jupyter_cache", book_root=tmp_path)
    assert report.executed == []
    assert report.failed["page.md"].startswith("page.md: the kernel failed: NoSuchKernel")
    assert "NoSuchKernel" in report.logs["page.md"].read_text()
