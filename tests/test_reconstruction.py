"""The synthetic reconstruction: deterministic per seed, valid, meets every printed count, grades back, and
its fit report names every printed number it cannot meet.

Outside sources: the expected counts are the paper's printed numbers (Zhou et al., Front. Immunol.
2025;16:1530623, Table 2 and Results), read from the claims registry and recomputed here from the patient
rows with plain pandas; the grading is the ASTCT consensus as coded in crs_compendium.astct (tested against
Lee et al. 2019 in tests/test_astct.py); log-rank p-values are recomputed with lifelines.
"""
import hashlib

import numpy as np
import pandas as pd
import pytest
from lifelines.statistics import logrank_test

from crs_compendium import astct, cli, ipd, reconstruction
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.reconstruction import DECISIONS, FIT_STATUSES, fit_report, reconstruct
from crs_compendium.registry import claims_for, load_claims
from crs_compendium.reported import reproduces_p


@pytest.fixture(scope="module")
def claims():
    return load_claims()


@pytest.fixture(scope="module")
def shipped():
    return ipd.load_cohort(ipd.SYNTHETIC_DIR)


@pytest.fixture(scope="module")
def other_seed(tmp_path_factory):
    """A cohort written by the command line with another seed."""
    folder = tmp_path_factory.mktemp("seed7")
    assert cli.main(["reconstruct", "--seed", "7", "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def report(shipped, claims):
    return fit_report(shipped, claims=claims).table.set_index("claim_id")


def _digest(folder):
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


# ---------------------------------------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------------------------------------
def test_regenerating_the_shipped_seed_gives_byte_identical_files(tmp_path, claims):
    """The shipped folder is exactly what its seed generates (so it cannot go stale unnoticed)."""
    reconstruct(reconstruction.DEFAULT_SEED, claims=claims).write(tmp_path, claims=claims)
    assert _digest(tmp_path) == _digest(ipd.SYNTHETIC_DIR)


def test_another_seed_gives_another_valid_cohort(other_seed):
    assert ipd.validate_folder(other_seed).valid
    assert _digest(other_seed)["patients.csv"] != _digest(ipd.SYNTHETIC_DIR)["patients.csv"]
    assert "seed 7" in (other_seed / ipd.SYNTHETIC_MARKER).read_text()


def test_bad_seeds_are_refused():
    for seed in (-1, 1.5, "7", True):
        with pytest.raises(InvalidInputError, match="seed"):
            reconstruct(seed)


def test_writing_over_real_data_is_refused(tmp_path, shipped):
    (tmp_path / "patients.csv").write_text("patient_id\nreal-1\n")
    generated = reconstruction.Reconstruction(shipped.patients, shipped.daily, seed=1)
    with pytest.raises(InvalidInputError, match="may be real data"):
        generated.write(tmp_path)
    assert (tmp_path / "patients.csv").read_text() == "patient_id\nreal-1\n"


# ---------------------------------------------------------------------------------------------------------
# Printed counts, recomputed from the rows
# ---------------------------------------------------------------------------------------------------------
GROUPS = {"toci": lambda p: p["tocilizumab"], "non_toci": lambda p: ~p["tocilizumab"],
          "total": lambda p: p["tocilizumab"] | True}
FLAGS = {
    "male": lambda p, c: p["sex"] == "M",
    "high_risk": lambda p, c: p["high_risk"],
    "prior_allo_sct": lambda p, c: p["prior_allo_sct"],
    "serious_infection": lambda p, c: p["serious_infection"],
    "icans": lambda p, c: p["icans_grade"] > 0,
    "response_d28": lambda p, c: p["response_d28"] == c,
    "crs_grade": lambda p, c: p["crs_grade"].between(int(c[0]), int(c[-1])),
    "blasts_bin": lambda p, c: (p["marrow_blasts_pct"] < 30) if c == "<30" else (
        p["marrow_blasts_pct"] > 50) if c == ">50" else p["marrow_blasts_pct"].between(30, 50),
}


@pytest.mark.parametrize("folder", ["shipped", "other_seed"])
def test_every_printed_count_per_group_is_met_exactly(request, claims, folder):
    source = ipd.SYNTHETIC_DIR if folder == "shipped" else request.getfixturevalue("other_seed")
    patients = ipd.load_cohort(source).patients
    records = claims_for(claims, quantity=list(FLAGS), group=list(GROUPS), stat="count")
    assert len(records) >= 45
    for record in records.itertuples():
        members = GROUPS[record.group](patients)
        count = int((FLAGS[record.quantity](patients, record.category) & members).sum())
        assert str(count) == record.printed, f"{record.claim_id}: printed {record.printed}, cohort {count}"


def test_group_sizes_and_corticosteroid_users(shipped, claims):
    patients = shipped.patients
    assert patients["tocilizumab"].sum() == int(claims_for(claims, quantity="patients", group="toci").printed.iloc[0])
    assert len(patients) == 45 and (~patients["tocilizumab"]).sum() == 28
    steroid_only = (patients["steroid_mpe_mg"] > 0) & ~patients["tocilizumab"]
    by_grade = patients.loc[steroid_only, "crs_grade"].value_counts().to_dict()
    assert by_grade == {1: 1, 2: 3, 3: 6}  # Results: 1 grade 1, 3 grade 2, 6 grade 3 without tocilizumab
    assert (patients.loc[patients["tocilizumab"], "steroid_mpe_mg"] >= 30).all()  # Table 2 minimum 30


def test_medians_and_ranges_per_group(shipped):
    """Table 2: age 42 (14-67) and 32 (8-61), pooled 36 (8-67); blasts 34.15 (0-93.99) and 17.78 (0-96.65)."""
    p = shipped.patients
    toci, non = p[p["tocilizumab"]], p[~p["tocilizumab"]]
    assert (toci["age_years"].median(), toci["age_years"].min(), toci["age_years"].max()) == (42, 14, 67)
    assert (non["age_years"].median(), non["age_years"].min(), non["age_years"].max()) == (32, 8, 61)
    assert p["age_years"].median() == 36
    assert toci["marrow_blasts_pct"].median() == pytest.approx(34.15)
    assert non["marrow_blasts_pct"].median() == pytest.approx(17.78)
    assert (non["marrow_blasts_pct"].max(), toci["marrow_blasts_pct"].max()) == (96.65, 93.99)


def test_log_rank_p_values_agree_with_lifelines(shipped):
    """Results: PFS p = 0.350 and OS p = 0.273 (log-rank), recomputed with lifelines."""
    p = shipped.patients
    toci = p["tocilizumab"]
    for days, event, printed in (("pfs_days", "pfs_event", "0.350"), ("os_days", "os_event", "0.273")):
        result = logrank_test(p.loc[toci, days], p.loc[~toci, days], p.loc[toci, event], p.loc[~toci, event])
        assert reproduces_p(float(result.p_value), printed)


# ---------------------------------------------------------------------------------------------------------
# Daily rows
# ---------------------------------------------------------------------------------------------------------
def test_daily_rows_grade_back_to_each_patients_grade_and_duration(shipped):
    graded = astct.summarise_crs(shipped.daily).set_index("patient_id")
    patients = shipped.patients.set_index("patient_id")
    assert (graded.loc[patients.index, "crs_max_grade"] == patients["crs_grade"]).all()
    assert (graded.loc[patients.index, "crs_duration_days"] == patients["crs_duration_days"]).all()


def test_daily_drugs_add_up_to_the_cumulative_doses(shipped):
    sums = shipped.daily.groupby("patient_id")[["toci_mg", "steroid_mpe_mg"]].sum()
    patients = shipped.patients.set_index("patient_id")
    assert np.allclose(sums.loc[patients.index, "toci_mg"], patients["toci_total_mg"])
    assert np.allclose(sums.loc[patients.index, "steroid_mpe_mg"], patients["steroid_mpe_mg"])
    doses = shipped.daily[shipped.daily["toci_mg"] > 0].groupby("patient_id").size()
    assert (doses.reindex(patients.index, fill_value=0) == patients["toci_doses"]).all()


def test_il6_after_tocilizumab_falls_in_10_and_rises_in_the_7_named_cases(shipped):
    """Results: 10 of 17 fell; IL-6 rose in Pt 3, 4, 5, 6, 9, 10 and 11."""
    result = reconstruction.il6_after_tocilizumab(shipped.patients, shipped.daily)
    assert result["il6_after"].value_counts().to_dict() == {"fell": 10, "rose": 7}
    rose = set(result.loc[result["il6_after"] == "rose", "patient_id"])
    assert rose == {f"SYN-T{n:02d}" for n in (3, 4, 5, 6, 9, 10, 11)}


def test_il6_classifier_on_a_hand_made_course():
    patients = pd.DataFrame({"patient_id": ["a", "b", "c"], "tocilizumab": [True, True, True]})
    daily = pd.DataFrame({
        "patient_id": ["a"] * 3 + ["b"] * 3 + ["c"] * 2,
        "day": [2, 3, 4, 2, 3, 4, 2, 3],
        "il6_pg_ml": [500, 200, 100, 500, 450, 900, np.nan, 10],
        "toci_mg": [480, np.nan, np.nan, 480, np.nan, np.nan, 480, np.nan],
    })
    result = reconstruction.il6_after_tocilizumab(patients, daily).set_index("patient_id")["il6_after"]
    assert result.to_dict() == {"a": "fell", "b": "rose", "c": "not monitored"}


# ---------------------------------------------------------------------------------------------------------
# Fit report
# ---------------------------------------------------------------------------------------------------------
def test_every_status_is_known_and_every_p_value_is_met(report):
    assert set(report["status"]) <= set(FIT_STATUSES)
    p_rows = report[report["aggregate"].str.endswith("/p")]
    assert len(p_rows) >= 15 and (p_rows["status"] == "met").all(), p_rows[p_rows["status"] != "met"]


def test_nothing_is_bent_silently(report):
    """Each number not met (or only approximately) is one the generator declares, with its reason; each
    declaration is really not met (no stale excuse)."""
    declared = {claim_id for decision in DECISIONS for claim_id in decision.claim_ids}
    missed = set(report.index[report["status"].isin(["not met", "approximate"])])
    assert missed == declared
    for claim_id in missed:
        note = next(d.note for d in DECISIONS if claim_id in d.claim_ids)
        assert report.loc[claim_id, "note"].startswith(note)


@pytest.mark.parametrize("claim_id, achieved", [
    ("res.high_risk.total.pct", "84.4"),            # 38/45, printed 84.8 in the text
    ("res.steroid_use.total.count", "27"),          # 17 + 10, printed 25 in the text
    ("t2.steroid_mpe_mg.total.max", "201"),         # group maxima 201 and 80, printed 800
    ("res.crs_duration.toci.median", "6.0"),        # whole days, printed 6.1
    ("res.toci_dosing_span.toci.max", "72"),        # Pt 4 doses on days 6 and 9
])
def test_known_conflicts_keep_the_other_printed_number(report, claim_id, achieved):
    assert report.loc[claim_id, "achieved"] == achieved


def test_real_data_get_no_generator_notes(shipped, claims, tmp_path):
    cohort = ipd.Cohort(shipped.patients, shipped.daily, source=tmp_path, synthetic=False)
    table = fit_report(cohort, claims=claims).table.set_index("claim_id")
    declared = {claim_id for decision in DECISIONS for claim_id in decision.claim_ids}
    assert not any(table.loc[list(declared), "note"].str.contains("kept"))
    assert table.loc["t2.age.p", "status"] == "met"


def test_fit_report_is_written_under_the_build_directory(shipped, claims, tmp_path, monkeypatch):
    monkeypatch.setenv("COMPENDIUM_BUILD_DIR", str(tmp_path))
    result = fit_report(shipped, claims=claims)
    path = reconstruction.write_fit_report(result)
    assert path == tmp_path / "reconstruction" / "fit_report.csv"
    written = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(written.columns) == ["claim_id", "location", "aggregate", "target", "achieved", "status", "note"]
    assert len(written) == len(result.table) and repr(result).startswith("Fit of the synthetic reconstruction")


def test_provenance_covers_every_schema_column_with_a_known_level():
    table = reconstruction.provenance_table()
    assert set(table["level"]) == set(reconstruction.PROVENANCE_LEVELS)
    for file, rules in (("patients.csv", ipd.PATIENT_COLUMNS), ("daily.csv", ipd.DAILY_COLUMNS)):
        assert table.loc[table["file"] == file, "column"].tolist() == [rule.name for rule in rules]
