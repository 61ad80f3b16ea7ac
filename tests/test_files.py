"""The compendium's own CSV files (crs_compendium.files): one reader of text tables, one atomic writer."""
import pandas as pd
import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.files import read_text_csv, write_csv_atomic


def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "claims.csv"
    write_csv_atomic(pd.DataFrame({"x": ["old"]}), path)
    write_csv_atomic(pd.DataFrame({"x": ["new"]}), path)
    assert path.read_text() == "x\nnew\n"
    assert [p.name for p in tmp_path.iterdir()] == ["claims.csv"]


def test_atomic_write_makes_folders_writes_lf_and_a_readable_file(tmp_path):
    path = write_csv_atomic(pd.DataFrame({"a": [1], "b": ["é"]}, index=pd.Index(["r"], name="id")),
                            tmp_path / "new" / "t.csv", index=True)
    assert path.read_bytes() == "id,a,b\nr,1,é\n".encode("utf-8")
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = write_csv_atomic(pd.DataFrame({"x": ["old"]}), tmp_path / "t.csv")

    class Broken(pd.DataFrame):
        def to_csv(self, *args, **kwargs):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_csv_atomic(Broken({"x": ["new"]}), path)
    assert path.read_text() == "x\nold\n" and [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_read_text_csv_keeps_every_cell_as_written(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('a,b\n007,NA\n,"x, y"\n', encoding="utf-8")
    table = read_text_csv(path, ["a", "b"])
    assert table.to_dict("list") == {"a": ["007", ""], "b": ["NA", "x, y"]}
    with pytest.raises(InvalidInputError, match="missing column"):
        read_text_csv(path, ["a", "c"])
    with pytest.raises(InvalidInputError, match="file not found"):
        read_text_csv(tmp_path / "absent.csv", [])


def test_computed_once_reuses_a_result_until_its_key_or_code_changes(tmp_path):
    from crs_compendium import files

    source = tmp_path / "module.py"
    source.write_text("VERSION = 1\n")
    calls = []

    def compute():
        calls.append(1)
        return {"answer": len(calls)}

    first = files.computed_once(tmp_path / "cache", ("key", 1), compute, depends_on=[source], versions=["x"])
    assert first == {"answer": 1} and len(list((tmp_path / "cache").glob("*.pickle"))) == 1
    files._MEMORY.clear()  # as a new process would: the pickle on disk answers
    assert files.computed_once(tmp_path / "cache", ("key", 1), compute, depends_on=[source], versions=["x"]) == first
    assert len(calls) == 1
    files.computed_once(tmp_path / "cache", ("key", 2), compute, depends_on=[source], versions=["x"])
    source.write_text("VERSION = 2\n")  # changed code: computed again, never a stale result
    files.computed_once(tmp_path / "cache", ("key", 1), compute, depends_on=[source], versions=["x"])
    files.computed_once(tmp_path / "cache", ("key", 1), compute, depends_on=[source], versions=["y"])
    assert len(calls) == 4
