"""The fit report (crs_compendium.reproduce.fit): every number the paper prints about its patients,
recomputed from any cohort and set beside the printed value with a status.

Outside source: Zhou et al., Front Immunol 2025;16:1530623 (the printed numbers, through the registry).
What the generated cohort meets and declares is tests/synthetic/test_generate.py; here the report itself.
"""
import pandas as pd
import pytest

from crs_compendium.patients.disclosure import INTERNAL_ENV
from crs_compendium.patients.load import Cohort
from crs_compendium.printed.registry import load_quantities
from crs_compendium.reproduce.fit import APPROXIMATE_WITHIN, FitReport, fit_report
from crs_compendium.vocab import APPROXIMATE, FIT_STATUSES, MET, NOT_COMPUTABLE, NOT_MET, NOT_REPRESENTED


@pytest.fixture(scope="module")
def result(shipped_fit):
    return shipped_fit


def test_the_report_counts_its_statuses_and_shows_what_is_missed(result):
    assert isinstance(result, FitReport)
    counts = result.counts()
    assert list(counts) == list(FIT_STATUSES) and sum(counts.values()) == len(result.table)
    assert list(result.table.columns) == ["claim_id", "location", "aggregate", "target", "achieved", "status", "note"]
    shown = repr(result).splitlines()
    assert shown[0] == (f"Fit of the synthetic reconstruction to {len(result.table)} printed numbers: "
                        + ", ".join(f"{counts[status]} {status}" for status in FIT_STATUSES))
    assert len(shown) == 1 + counts[NOT_MET] + counts[APPROXIMATE]
    assert "<table" in result._repr_html_()


def test_a_quantity_outside_the_schema_is_not_represented_with_the_reason(result, claims):
    table = result.table.set_index("claim_id")
    quantities = load_quantities(claims=claims)
    outside = set(quantities.index[quantities["rule"] == "not_in_schema"])
    rows = table[table.index.map(lambda claim_id: claims.set_index("claim_id").at[claim_id, "quantity"] in outside)]
    assert len(rows) and set(rows["status"]) == {NOT_REPRESENTED}
    assert table.loc["res.case_gvhd.pt5", "note"] == "the schema records no GVHD"


def test_a_near_miss_is_approximate_and_a_far_miss_not_met(result):
    """Median CRS duration 6.0 whole days against the printed 6.1 is within 10 %; a pooled maximum dose of
    201 mg against the printed 800 mg is not."""
    table = result.table.set_index("claim_id")
    assert APPROXIMATE_WITHIN == 0.10
    assert table.loc["res.crs_duration.toci.median", ["achieved", "status"]].tolist() == ["6.0", APPROXIMATE]
    assert table.loc["t2.steroid_mpe_mg.total.max", ["achieved", "status"]].tolist() == ["201", NOT_MET]
    assert table.loc["t2.male.toci.count", ["target", "achieved", "status"]].tolist() == ["8", "8", MET]


def test_real_data_get_no_generator_notes(shipped, claims, tmp_path):
    """The generator's notes come from the synthetic folder (claim_notes.csv next to its marker); the same
    rows presented as real data carry none."""
    cohort = Cohort(shipped.patients, shipped.daily, source=tmp_path, synthetic=False)
    declared = set(shipped.notes("decision"))
    # The claims concerned (and Figure 2B's marks, which every report computes): a fifth of the cost.
    excerpt = claims[claims["claim_id"].isin(declared | {"t2.age.p"}) | (claims["quantity"] == "significance_threshold")]
    table = fit_report(cohort, claims=excerpt).table.set_index("claim_id")
    assert declared and not any(table.loc[list(declared), "note"].str.contains("kept"))
    assert table.loc["t2.age.p", "status"] == "met"


# --------------------------------------------------------------------------------------------------------
# Data that allow less, row order, and what real data publish
# --------------------------------------------------------------------------------------------------------
CASE_AND_COUNT_CLAIMS = ["res.toci_day.pt4.dose1", "res.case_infection.pt3", "res.car_expansion_until.pt4_pt11.value",
                         "res.pfs.p", "res.os.p", "t2.icans.p", "t2.male.toci.count", "t2.age.toci.median",
                         "res.gcsf_dose.p"]


def _report(cohort, claims, ids=CASE_AND_COUNT_CLAIMS):
    """The report on a few claims (and Figure 2B's marks, which every report computes)."""
    excerpt = claims[claims["claim_id"].isin(ids) | (claims["quantity"] == "significance_threshold")]
    return fit_report(cohort, claims=excerpt).table.set_index("claim_id")


def _real(shipped, patients=None, daily=None, tmp_path=None):
    return Cohort(shipped.patients if patients is None else patients, shipped.daily if daily is None else daily,
                  source=tmp_path, synthetic=False)


def test_row_order_never_changes_a_result(shipped, claims):
    """The paper's named cases come from paper_case: an export in another row order gives the same report."""
    shuffled = Cohort(shipped.patients.sample(frac=1, random_state=3), shipped.daily.sample(frac=1, random_state=4),
                      source=shipped.source, synthetic=True, provenance=shipped.provenance,
                      claim_notes=shipped.claim_notes)
    pd.testing.assert_frame_equal(_report(shuffled, claims), _report(shipped, claims))
    assert _report(shipped, claims).loc["res.toci_day.pt4.dose1", ["achieved", "status"]].tolist() == ["6", MET]


def test_without_the_case_mapping_named_cases_are_not_computable(shipped, claims, tmp_path, monkeypatch):
    monkeypatch.setenv(INTERNAL_ENV, "1")  # rows may be shown: the reason is the missing mapping, not privacy
    table = _report(_real(shipped, shipped.patients.drop(columns="paper_case"), tmp_path=tmp_path), claims)
    named = table.loc[["res.toci_day.pt4.dose1", "res.case_infection.pt3", "res.car_expansion_until.pt4_pt11.value"]]
    assert set(named["status"]) == {NOT_COMPUTABLE} and named["achieved"].eq("").all()
    assert named["note"].str.contains("maps no patient to the paper's case numbers").all()


def test_no_event_gives_no_logrank_p_and_says_why(shipped, claims, tmp_path):
    patients = shipped.patients.assign(pfs_event=False, os_event=False)
    table = _report(_real(shipped, patients, tmp_path=tmp_path), claims)
    assert table.loc["res.pfs.p", ["achieved", "status", "note"]].tolist() == [
        "", NOT_COMPUTABLE, "no progression or death in either group: the log-rank test needs at least one"]
    assert table.loc["res.os.p", "note"] == "no death in either group: the log-rank test needs at least one"


def test_an_absent_category_and_no_spread_give_no_p(shipped, claims, tmp_path):
    patients = shipped.patients.assign(icans_grade=0, gcsf_total_ug=0.0)
    table = _report(_real(shipped, patients, tmp_path=tmp_path), claims)
    assert table.loc["t2.icans.p", "status"] == NOT_COMPUTABLE
    assert table.loc["t2.icans.p", "note"] == "every patient is in category 'no' of icans: there is no association to test"
    assert table.loc["res.gcsf_dose.p", "note"] == (
        "every value of gcsf_total_ug is 0 in both groups: no test can tell them apart")


def test_real_data_withhold_small_groups_and_named_cases_and_name_no_patient(shipped, claims, tmp_path, monkeypatch):
    monkeypatch.delenv(INTERNAL_ENV, raising=False)
    patients = shipped.patients[~shipped.patients["tocilizumab"] | shipped.patients["patient_id"].isin(
        ["SYN-T03", "SYN-T04", "SYN-T11"])]
    table = _report(_real(shipped, patients, tmp_path=tmp_path), claims)
    assert table.loc["t2.male.toci.count", "note"].startswith("withheld: a count of group toci would rest on 3")
    assert table.loc["t2.age.toci.median", "status"] == NOT_COMPUTABLE
    assert table.loc["res.toci_day.pt4.dose1", "note"] == (
        "withheld: a claim about case 4 is about one patient, and pages on real data show aggregates only")
    assert not table.to_string().count("SYN-")
