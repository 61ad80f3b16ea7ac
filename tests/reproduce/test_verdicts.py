"""The verdict of every number a patient-level page recomputes (crs_compendium.reproduce.verdicts): which
numbers can be a reproduction on which data, the verdict tables, and a page's closing block.

Outside sources: Zhou et al., Front Immunol 2025;16:1530623 (the printed numbers); R 4.x on Student's sleep
data for the comparisons (tests/stats/test_two_groups.py).
"""
import pandas as pd
import pytest
from sample_data import sleep

from crs_compendium.computable import NotComputable
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.formatting import p_text
from crs_compendium.patients.load import Cohort
from crs_compendium.reproduce.verdicts import (
    DataBasis,
    PageVerdicts,
    claim_verdicts,
    data_basis,
    no_difference_verdict,
    page_verdicts,
    smallest_p_text,
    summarise_verdicts,
    verdict_for,
    verdict_row,
)
from crs_compendium.stats.two_groups import compare_measurement
from crs_compendium.vocab import DIFFERS, EQUAL, NOT_COMPUTABLE, NOT_PRINTED, PAGE_VERDICTS, SIMULATED


@pytest.fixture(scope="module")
def as_real(shipped, tmp_path_factory):
    """The shipped rows presented as real data: no marker, so no provenance and no generator notes."""
    return Cohort(shipped.patients, shipped.daily, source=tmp_path_factory.mktemp("real"), synthetic=False)


# --------------------------------------------------------------------------------------------------------
# Which numbers can be a reproduction
# --------------------------------------------------------------------------------------------------------
def test_real_data_make_every_number_a_reproduction():
    basis = DataBasis(synthetic=False, label="data loaded from x")
    assert basis.fixed(["gcsf_total_ug"], "distribution")


def test_synthetic_data_fix_counts_and_order_statistics_of_fixed_columns_only(shipped):
    basis = data_basis(shipped)
    assert basis.fixed(["sex"], "count")
    assert basis.fixed(["age_years"], "order")          # constrained: median and range are printed
    assert not basis.fixed(["age_years"], "distribution")  # a t-test p depends on the drawn values
    assert not basis.fixed(["gcsf_total_ug"], "order")   # simulated: only a p is printed
    with pytest.raises(InvalidInputError, match="kind must be"):
        basis.fixed(["sex"], "mean")
    with pytest.raises(InvalidInputError, match="no provenance"):
        basis.fixed(["weight_kg"], "count")


def test_data_basis_of_real_data_has_no_levels(as_real):
    basis = data_basis(as_real)
    assert not basis.synthetic and basis.levels == {} and basis.label.startswith("data loaded from")


def test_verdicts():
    assert verdict_for(True, True) == EQUAL
    assert verdict_for(False, True) == DIFFERS
    assert verdict_for(True, False) == SIMULATED
    assert verdict_for(None, True) == NOT_PRINTED
    row = verdict_row("a sentence", "x", None, None, True)
    assert row == {"item": "a sentence", "recomputed": "x", "printed": "", "claim_id": "", "verdict": NOT_PRINTED,
                   "note": ""}


# --------------------------------------------------------------------------------------------------------
# Verdict tables
# --------------------------------------------------------------------------------------------------------
def test_claim_verdicts_follow_the_fit_report_and_the_data_basis(shipped, claims):
    report = pd.DataFrame({"claim_id": ["res.serious_infection.p", "res.gcsf_dose.p", "res.case_gvhd.pt5",
                                        "res.crs_duration.toci.median"],
                           "achieved": ["0.353", "0.227", "", "6.0"],
                           "status": ["met", "met", "not represented", "approximate"], "note": ""})
    synthetic = claim_verdicts(report, claims, report["claim_id"], data_basis(shipped))
    assert list(synthetic["verdict"]) == [EQUAL, SIMULATED, NOT_COMPUTABLE, DIFFERS]
    real = claim_verdicts(report, claims, report["claim_id"], DataBasis(False, "real"))
    assert list(real["verdict"]) == [EQUAL, EQUAL, NOT_COMPUTABLE, DIFFERS]
    assert list(synthetic["printed"]) == ["0.353", "0.227", "5", "6.1"]
    with pytest.raises(InvalidInputError, match="not in the fit report"):
        claim_verdicts(report, claims, ["res.os.p"], DataBasis(False, "real"))


def test_no_difference_verdict_holds_only_when_every_measure_is_not_significant():
    comparison = compare_measurement(sleep(), "extra")
    real = DataBasis(False, "real")
    holds = no_difference_verdict("sleep", {"extra": comparison}, real, columns=["x"], where="here")
    assert holds["verdict"] == EQUAL
    assert holds["recomputed"] == f"extra {p_text(min(comparison.p_values.values()))}"
    fails = no_difference_verdict("sleep", {"extra": comparison}, real, columns=["x"], where="here", alpha=0.1)
    assert fails["verdict"] == DIFFERS
    assert summarise_verdicts(pd.DataFrame([holds, fails])) == "2 numbers: 1 equal to the printed value; 1 differs."
    with pytest.raises(InvalidInputError, match="no comparison"):
        no_difference_verdict("sleep", {}, real, columns=["x"], where="here")


def test_a_no_difference_verdict_rests_only_on_the_measures_the_data_allow():
    comparison = compare_measurement(sleep(), "extra")
    real = DataBasis(False, "real")
    missing = NotComputable("AUC", "no value of auc in either group")
    partial = no_difference_verdict("s", {"extra": comparison, "AUC": missing}, real, columns=["x"], where="here")
    assert partial["verdict"] == EQUAL and partial["recomputed"].startswith("extra p = ")
    assert partial["note"].endswith("AUC not computable from these data: no value of auc in either group")
    nothing = no_difference_verdict("s", {"AUC": missing}, real, columns=["x"], where="here")
    assert nothing["verdict"] == NOT_COMPUTABLE and nothing["note"] == (
        "AUC not computable from these data: no value of auc in either group")
    assert smallest_p_text({"extra": comparison, "AUC": missing}) == (
        f"extra {p_text(min(comparison.p_values.values()))}; AUC not computable from these data "
        "(no value of auc in either group)")
    with pytest.raises(InvalidInputError, match="'verdict' column"):
        summarise_verdicts(pd.DataFrame({"x": [1]}))


# --------------------------------------------------------------------------------------------------------
# A page's closing block
# --------------------------------------------------------------------------------------------------------
# One number of each kind: a count the reconstruction fixes (8 men of 17), a t-test / Mann-Whitney p (drawn
# values), a named case the schema cannot hold (GVHD), and the pooled maximum dose no cohort can meet
# (800 mg, while the group maxima are 201 and 80); plus a sentence the registry holds no number for.
PAGE_CLAIMS = ["t2.male.toci.count", "t2.age.p", "res.case_gvhd.pt5", "t2.steroid_mpe_mg.total.max"]
SENTENCE = verdict_row("a sentence without a printed number", "x", None, None, True)


def test_page_verdicts_count_one_number_of_each_verdict_on_the_shipped_cohort(shipped, claims):
    block = page_verdicts("Table 2", shipped, PAGE_CLAIMS, claims=claims, extra_rows=[SENTENCE])
    assert isinstance(block, PageVerdicts)
    assert list(block.table["claim_id"]) == [*PAGE_CLAIMS, ""]
    assert list(block.table["verdict"]) == [EQUAL, SIMULATED, NOT_COMPUTABLE, DIFFERS, NOT_PRINTED]
    assert block.counts() == {verdict: 1 for verdict in PAGE_VERDICTS}
    assert repr(block) == ("Table 2 (synthetic reconstruction): 5 numbers: 1 equal to the printed value; 1 differs; "
                           "1 depends on simulated data, not a reproduction; 1 not printed in the paper; 1 not "
                           "computable from these data.")
    assert block.table.loc[3, ["recomputed", "printed"]].tolist() == ["201", "800"]


def test_page_verdicts_on_real_data_call_a_reproduced_p_equal(as_real, claims):
    """The page's excerpt of the registry (its numbers and Figure 2B's marks, which every fit report
    computes) gives the same verdicts as the whole registry, at a tenth of the cost."""
    excerpt = claims[claims["claim_id"].isin(PAGE_CLAIMS) | (claims["quantity"] == "significance_threshold")]
    block = page_verdicts("Table 2", as_real, PAGE_CLAIMS, claims=excerpt)
    assert list(block.table["verdict"]) == [EQUAL, EQUAL, NOT_COMPUTABLE, DIFFERS]
    assert block.counts() == {EQUAL: 2, DIFFERS: 1, SIMULATED: 0, NOT_PRINTED: 0, NOT_COMPUTABLE: 1}
    assert repr(block).startswith("Table 2 (data loaded from ") and repr(block).endswith(
        "4 numbers: 2 equal to the printed value; 1 differs; 1 not computable from these data.")


def test_a_page_of_sentences_only(shipped, claims):
    block = page_verdicts("Figure 3", shipped, [], claims=claims, extra_rows=[SENTENCE])
    assert block.counts()[NOT_PRINTED] == 1 and len(block.table) == 1
    assert repr(block) == "Figure 3 (synthetic reconstruction): 1 numbers: 1 not printed in the paper."
