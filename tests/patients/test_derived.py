"""Measures derived from the patient tables (crs_compendium.patients.derived): groups and categories,
the registry's expressions over the patient table, and the kinetics around treatment.

Outside sources: Zhou et al., Front Immunol 2025;16:1530623 (Results: IL-6 fell in 10 of 17 tocilizumab
patients and rose in Pt 3, 4, 5, 6, 9, 10 and 11; Table 2's blast and CRS grade categories); the
trapezoid rule for the area under a curve (numpy.trapezoid).
"""
import math

import numpy as np
import pandas as pd
import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.computable import NotComputable
from crs_compendium.patients.derived import (
    GRADING_AGREEMENT,
    align_to_first_dose,
    blast_category,
    case_mapping_gap,
    case_patient_ids,
    category_labels,
    category_mask,
    crs_category,
    crs_severity,
    duration_check_by_grade,
    expansion_summary,
    grade_range,
    group_labels,
    il6_after_tocilizumab,
    named_case_table,
    organ_peaks,
    patient_mask,
    recorded_against_graded,
    steroid_exposure,
    with_derived_columns,
)
from crs_compendium.vocab import GROUP_ORDER


# --------------------------------------------------------------------------------------------------------
# Groups and categories
# --------------------------------------------------------------------------------------------------------
def test_group_labels_follow_the_tocilizumab_column_in_book_order():
    labels = group_labels(pd.DataFrame({"tocilizumab": [False, True, False]}, index=[5, 6, 7]))
    assert labels.tolist() == ["Non-toci", "Toci", "Non-toci"]
    assert list(labels.cat.categories) == list(GROUP_ORDER)
    assert labels.index.tolist() == [5, 6, 7]
    with pytest.raises(InvalidInputError, match="tocilizumab"):
        group_labels(pd.DataFrame({"x": [1]}))


def test_table2_categories_of_blasts_and_crs_grades():
    """Table 2: blasts <30, 30-50 (both ends), >50; CRS grades 0, 1, 2 and 3-5 pooled."""
    assert blast_category(pd.Series([29.99, 30.0, 50.0, 50.01, np.nan])).tolist() == ["<30", "30-50", "30-50", ">50",
                                                                                     None]
    assert crs_category(pd.Series([0, 1, 2, 3, 4, 5])).tolist() == ["0", "1", "2", "3-5", "3-5", "3-5"]
    assert crs_severity(pd.Series([0, 2, 3])).tolist() == ["no CRS", "grade 1-2", "grade 3-5"]
    assert grade_range("3-5") == (3, 5) and grade_range("0") == (0, 0)
    with pytest.raises(InvalidInputError, match="not a grade category"):
        grade_range("3-five")


def test_steroid_exposure():
    patients = pd.DataFrame({"patient_id": ["a", "b", "c"], "tocilizumab": [False, True, True],
                             "steroid_mpe_mg": [0.0, 60.0, 0.0]})
    assert steroid_exposure(patients).tolist() == ["No corticosteroid", "Corticosteroid", "No corticosteroid"]


def test_case_numbers_come_from_the_paper_case_column_never_from_row_order():
    patients = pd.DataFrame({"patient_id": ["a", "b", "c"], "tocilizumab": [False, True, True],
                             "paper_case": pd.array([None, 4, 1], dtype="Int64")})
    assert case_patient_ids(patients) == {1: "c", 4: "b"}
    assert case_patient_ids(patients.iloc[::-1]) == {1: "c", 4: "b"}
    assert case_patient_ids(patients.drop(columns="paper_case")) == {}
    assert case_mapping_gap(patients, [3]) == "no patient has paper_case 3 in patients.csv"
    assert "optional column 'paper_case' absent or empty" in case_mapping_gap(patients.drop(columns="paper_case"), [4])


def test_the_shipped_cohort_numbers_its_tocilizumab_patients_1_to_17(shipped):
    cases = case_patient_ids(shipped.patients)
    assert list(cases) == list(range(1, 18)) and cases[4] == "SYN-T04"
    assert set(cases.values()) == set(shipped.patients.loc[shipped.patients["tocilizumab"], "patient_id"])


def test_named_cases_are_not_computable_without_a_mapping(shipped):
    named = pd.DataFrame({"case": [4, 11], "reason in the paper": ["expansion", "expansion"]})
    table = named_case_table(shipped.patients, shipped.daily, named)
    assert table["patient_id"].tolist() == ["SYN-T04", "SYN-T11"] and table["il6_after"].tolist() == ["rose", "rose"]
    unmapped = named_case_table(shipped.patients.drop(columns="paper_case"), shipped.daily, named)
    assert isinstance(unmapped, NotComputable) and "paper_case" in unmapped.reason


def test_recorded_and_graded_crs_agree_or_the_patient_has_no_daily_rows(shipped):
    """A patient without daily rows is counted as such, never as a disagreement (data/ipd_schema.md)."""
    daily = shipped.daily[shipped.daily["patient_id"] != "SYN-N01"]
    checked = recorded_against_graded(shipped.patients, daily).set_index("patient_id")
    assert checked.loc["SYN-N01", "duration"] == GRADING_AGREEMENT[2] and pd.isna(checked.loc["SYN-N01", "graded_grade"])
    assert checked["grade_and_duration"].value_counts(sort=False).tolist() == [44, 0, 1]
    longer = shipped.patients.assign(crs_duration_days=shipped.patients["crs_duration_days"] + 1)
    assert (recorded_against_graded(longer, shipped.daily)["duration"] == GRADING_AGREEMENT[1]).sum() == 45
    by_grade = duration_check_by_grade(shipped.patients, daily)
    assert list(by_grade.columns) == list(GRADING_AGREEMENT) and by_grade.to_numpy().sum() == (
        shipped.patients["crs_grade"] >= 1).sum()
    no_crs = duration_check_by_grade(shipped.patients.assign(crs_grade=0), shipped.daily)
    assert isinstance(no_crs, NotComputable) and no_crs.reason == "no patient has CRS (crs_grade 0 for everyone)"


# --------------------------------------------------------------------------------------------------------
# The registry's expressions over the patient table (quantities.csv, groups.csv)
# --------------------------------------------------------------------------------------------------------
def test_patient_mask_evaluates_expressions_and_never_selects_a_missing_value():
    patients = pd.DataFrame({"sex": ["M", "F", None], "tocilizumab": [True, False, True],
                             "steroid_mpe_mg": [0.0, 40.0, np.nan]})
    assert patient_mask(patients, 'sex == "M"').tolist() == [True, False, False]
    assert patient_mask(patients, "(steroid_mpe_mg > 0) & ~tocilizumab").tolist() == [False, True, False]
    assert patient_mask(patients, "tocilizumab").tolist() == [True, False, True]
    assert patient_mask(patients, "all").tolist() == [True, True, True]
    with pytest.raises(InvalidInputError, match="cannot evaluate 'weight > 3'"):
        patient_mask(patients, "weight > 3")


def test_category_masks_by_rule(shipped):
    """On the shipped cohort, which Table 2 prints in full: 45 patients, 24 men, 4 without CRS, 15 of grade 3-5."""
    patients = shipped.patients
    assert int(category_mask(patients, "flag", 'sex == "M"').sum()) == 24
    assert int(category_mask(patients, "grade_range", "crs_grade", "0").sum()) == 4
    assert int(category_mask(patients, "grade_range", "crs_grade", "3-5").sum()) == 15
    assert int(category_mask(patients, "blast_bin", "marrow_blasts_pct", "<30").sum()) == 31
    assert int(category_mask(patients, "equals", "response_d28", "MRD-CR").sum()) == 40
    assert category_mask(patients, "value", "age_years") is None
    labels = category_labels(patients, "equals", "response_d28", ["MRD-CR", "MRD+CR"])
    assert labels.value_counts().to_dict() == {"MRD-CR": 40, "MRD+CR": 4, "other": 1}


def test_derived_columns_add_the_il6_change(shipped):
    table = with_derived_columns(shipped.patients, shipped.daily)
    assert list(table.columns) == [*shipped.patients.columns, "il6_after"]
    assert table.loc[table["tocilizumab"], "il6_after"].value_counts().to_dict() == {"fell": 10, "rose": 7}
    assert table.loc[~table["tocilizumab"], "il6_after"].isna().all()
    assert int(patient_mask(table, 'il6_after == "rose"').sum()) == 7


# --------------------------------------------------------------------------------------------------------
# Kinetics
# --------------------------------------------------------------------------------------------------------
def test_il6_after_tocilizumab_falls_in_10_and_rises_in_the_7_named_cases(shipped):
    """Results: 10 of 17 fell; IL-6 rose in Pt 3, 4, 5, 6, 9, 10 and 11."""
    result = il6_after_tocilizumab(shipped.patients, shipped.daily)
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
    result = il6_after_tocilizumab(patients, daily).set_index("patient_id")["il6_after"]
    assert result.to_dict() == {"a": "fell", "b": "rose", "c": "not monitored"}


def test_expansion_summary_takes_peak_day_and_trapezoid_area_within_days_0_to_28():
    daily = pd.DataFrame({"patient_id": "P1", "day": [-1, 0, 7, 14, 35],
                          "car_copies_per_ug_dna": [50.0, 0.0, 10.0, 0.0, 99.0]})
    summary = expansion_summary(daily)
    assert summary.iloc[0].to_dict() == {"patient_id": "P1", "peak": 10.0, "day_of_peak": 7, "auc_0_28": 70.0}
    single = expansion_summary(daily.iloc[[2]])
    assert math.isnan(single.loc[0, "auc_0_28"])
    with pytest.raises(InvalidInputError, match="lacks column"):
        expansion_summary(daily.drop(columns="day"))


def test_align_to_first_dose_counts_days_from_each_patients_first_dose():
    patients = pd.DataFrame({"patient_id": ["A", "B", "C"], "tocilizumab": [True, True, False]})
    daily = pd.DataFrame({"patient_id": ["A"] * 3 + ["B"] * 3 + ["C"] * 3, "day": [1, 2, 3] * 3,
                          "toci_mg": [np.nan, 480, 480, 320, np.nan, np.nan, 400, np.nan, np.nan],
                          "il6_pg_ml": range(9)})
    aligned = align_to_first_dose(patients, daily, ["il6_pg_ml"])
    assert aligned.groupby("patient_id")["days_from_first_dose"].apply(list).to_dict() == {"A": [-1, 0, 1],
                                                                                            "B": [0, 1, 2]}
    with pytest.raises(InvalidInputError, match="lacks column"):
        align_to_first_dose(patients, daily, ["crp_mg_l"])


def test_organ_peaks_take_the_highest_value_from_the_first_day_on():
    daily = pd.DataFrame({"patient_id": ["A"] * 3 + ["B"] * 2, "day": [-1, 0, 5, 1, 2],
                          "alt_u_l": [300.0, 40.0, 80.0, np.nan, np.nan]})
    peaks = organ_peaks(daily, ["alt_u_l"]).set_index("patient_id")["alt_u_l"]
    assert peaks["A"] == 80.0 and math.isnan(peaks["B"])
    with pytest.raises(InvalidInputError, match="lacks column"):
        organ_peaks(daily, ["ast_u_l"])
