"""A failing cell fails `make book`: its first step (the parallel executor) exits 1 with one line naming the
page and the cell (the traceback goes to a log), removes every output of an earlier build so none passes
for a fresh one, and Jupyter Book itself, run on the same page, fails too (`raise_on_error`), so neither
path hides an error."""
from book_steps import ROOT, build_book, execute_notebooks


def test_a_failing_cell_fails_the_executor_and_the_build(tmp_path):
    (tmp_path / "_config.yml").write_text((ROOT / "_config.yml").read_text())
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: broken\n")
    front_matter = (ROOT / "notebooks" / "01_patient_flow.md").read_text().split("(figure1-patient-flow)=")[0]
    (tmp_path / "broken.md").write_text(
        front_matter + "# Broken\n\n```{code-cell} ipython3\nanswer = 42\n```\n\n"
        "```{code-cell} ipython3\nraise RuntimeError('deliberately broken cell')\n```\n"
    )
    earlier = [tmp_path / "_build" / name / "stale.csv" for name in ("results", "audit", "html")]
    for path in earlier:
        path.parent.mkdir(parents=True)
        path.write_text("from an earlier build\n")
    executed = execute_notebooks(tmp_path)
    assert executed.returncode == 1
    log = tmp_path / "_build" / "logs" / "broken.log"
    assert (f"error: broken.md: code cell 2 (`raise RuntimeError('deliberately broken cell')`): RuntimeError: "
            f"deliberately broken cell (traceback: {log})") in executed.stderr.splitlines()
    assert "Traceback" in log.read_text() or "deliberately broken cell" in log.read_text()
    assert not any(path.exists() for path in earlier)
    built = build_book(tmp_path)
    assert built.returncode != 0
    assert "deliberately broken cell" in built.stdout + built.stderr
