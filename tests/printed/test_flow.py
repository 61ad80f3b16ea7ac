"""Figure 1 as data (crs_compendium.printed.flow): the published flow adds up, and a broken flow file is
refused or flagged. Drawing it is crs_compendium.figures.draw_flow (tests/test_figures.py)."""
import pandas as pd
import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.paths import PUBLISHED_DIR
from crs_compendium.printed import flow
from crs_compendium.vocab import CONSISTENT, INCONSISTENT

FLOW_CSV = PUBLISHED_DIR / "patient_flow.csv"


def _write_variant(tmp_path, edit):
    text = FLOW_CSV.read_text()
    path = tmp_path / "flow.csv"
    path.write_text(edit(text))
    return path


def test_published_flow_boxes_add_up():
    """Zhou et al. 2025, Results: 61 = 1 + 60; 60 = 4 + 11 + 45; 45 = 17 + 28."""
    checks = flow.check_partitions(flow.load_flow())
    assert checks.set_index("box")["sum of parts"].to_dict() == {"eligible": 61, "infused": 60, "analysed": 45}
    assert set(checks["verdict"]) == {CONSISTENT}


def test_published_statements_match_the_boxes():
    """Methods: 16 excluded and 45 enrolled, 17 with tocilizumab; Table 2 header N = 45/17/28."""
    checks = flow.check_statements(flow.load_flow(), flow.load_flow_statements())
    recomputed = checks.set_index("statement")["recomputed"]
    assert recomputed["methods.excluded_total"] == 16
    assert recomputed["table2.non_toci"] == 28
    assert len(checks) == 10 and set(checks["verdict"]) == {CONSISTENT}


def test_a_changed_box_is_flagged(tmp_path):
    changed = _write_variant(tmp_path, lambda t: t.replace('"Relevant data lost",11', '"Relevant data lost",12'))
    checks = flow.check_partitions(flow.load_flow(changed)).set_index("box")
    assert checks.loc["infused", "verdict"] == INCONSISTENT
    assert checks.loc["infused", "sum of parts"] == 61
    statements = flow.check_statements(flow.load_flow(changed), flow.load_flow_statements())
    assert statements.set_index("statement").loc["methods.excluded_total", "recomputed"] == 17


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace(",61,", ",61.0,"), "line 2, column n: '61.0' is not a whole number"),
        (lambda t: t.replace("data_lost,infused,excluded", "data_lost,infused,dropped"), "line 6, column role"),
        (lambda t: t.replace("toci,analysed,group", "toci,analysed_typo,group"), "'analysed_typo' is not a node"),
        (lambda t: t.replace("non_toci,analysed", "toci,analysed"), "duplicated node(s) toci"),
        (lambda t: t.replace("progressed,eligible", "progressed,"), "exactly one root"),
        (lambda t: t.replace("printed_at", "where"), "missing column(s) printed_at"),
    ],
)
def test_malformed_flow_is_refused_with_the_reason(tmp_path, edit, message):
    with pytest.raises(InvalidInputError) as error:
        flow.load_flow(_write_variant(tmp_path, edit))
    assert message in str(error.value)


def test_all_problems_are_reported_at_once(tmp_path):
    both = _write_variant(tmp_path, lambda t: t.replace(",61,", ",sixty-one,").replace(",17,", ",-17,"))
    with pytest.raises(InvalidInputError) as error:
        flow.load_flow(both)
    assert "line 2" in str(error.value) and "line 8" in str(error.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(InvalidInputError, match="flow.csv: file not found"):
        flow.load_flow(tmp_path / "flow.csv")


def test_statement_naming_an_unknown_box_is_refused():
    statements = pd.DataFrame(
        {"statement_id": ["x"], "location": ["y"], "statement": ["z"], "printed": ["1"], "nodes": ["toci + ghosts"]}
    )
    with pytest.raises(InvalidInputError, match="cannot read 'toci \\+ ghosts'"):
        flow.check_statements(flow.load_flow(), statements)
