"""The fit report (crs_compendium.reproduce.fit): every number the paper prints about its patients,
recomputed from any cohort and set beside the printed value with a status.

Outside source: Zhou et al., Front Immunol 2025;16:1530623 (the printed numbers, through the registry).
What the generated cohort meets and declares is tests/synthetic/test_generate.py; here the report itself.
"""
import pytest

from crs_compendium.patients.load import Cohort
from crs_compendium.printed.registry import load_quantities
from crs_compendium.reproduce.fit import APPROXIMATE_WITHIN, FitReport, fit_report
from crs_compendium.vocab import APPROXIMATE, FIT_STATUSES, MET, NOT_MET, NOT_REPRESENTED


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
