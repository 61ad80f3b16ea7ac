"""The audit's families that reason beyond single numbers (crs_compendium.audit.checks): the p-values of Table
2's measured rows (``measured_p``), the claims within strata of Figure 2B (``stratified``), and the links about
named patients, dosing days and grade labels.

Outside sources: Zhou et al., Front Immunol 2025;16:1530623 (Table 2 medians and ranges with their p-values;
Results and Figure 2B on CRS durations by grade; the named cases and dosing days); SciPy's ``mannwhitneyu``
and ``ttest_ind``, against which every witness is re-tested here (a second time: the pages do it too), and
random consistent data sets, which must fall inside every proved bound or proved outer limit. The bounds
themselves are tested against brute-force enumeration in tests/printed/test_measured.py.
"""
import math
import random
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from crs_compendium.audit.checks import measured_p_checks
from crs_compendium.audit.inputs import load_inputs
from crs_compendium.printed import measured
from crs_compendium.printed.measured import consistent_sets
from crs_compendium.vocab import CONSISTENT, INCONSISTENT, NOT_CHECKABLE

from sample_data import sample_data_set


def scipy_reference(x, y, test):
    """SciPy directly (not the library's scipy_p): the conditional exact test has no SciPy form at n = 17, 28."""
    if test == "mw_exact":
        return stats.mannwhitneyu(x, y, method="exact").pvalue
    if test in ("mw_asymptotic", "mw_asymptotic_cc"):
        return stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=test.endswith("cc")).pvalue
    if test in ("student", "welch"):
        return stats.ttest_ind(x, y, equal_var=test == "student").pvalue
    return measured.mann_whitney_exact_ties_p(x, y)


@pytest.fixture(scope="module")
def rows(result):
    return {check.claim_ids[0]: check for check in result.checks if check.family == "measured_p"}


def test_every_measured_row_with_printed_summaries_gets_a_verdict(rows, result):
    assert set(rows) == {"t2.age.p", "t2.prior_lines.p", "t2.cart_dose.p", "t2.steroid_mpe_mg.p"}
    assert all(check.consistent for check in rows.values())
    assert rows["t2.age.p"].result.shown.scale.step == 1 and not rows["t2.age.p"].assumption
    # half lines of therapy admit no data set of whole lines: the verdict is the half-line grid's, and says so
    lines = rows["t2.prior_lines.p"]
    assert lines.result.shown.scale.step == Fraction(1, 2) and "multiples of 0.5" in lines.assumption
    assert [audit.feasible for _, audit in lines.result.readings] == [False, True]
    # the exact test's p-values jump over 0.106 and 0.395: proved, not a failed search
    for claim_id in ("t2.cart_dose.p", "t2.prior_lines.p"):
        exact = next(r for r in rows[claim_id].result.shown.tests if r.test == "mw_exact")
        assert exact.attainable is False and exact.proved
        assert rows[claim_id].recomputed.startswith("can be given by MW exact (ties), MW normal")
    assert "what the printed summaries allow: MW exact" in rows["t2.age.p"].note
    verdicts = result.verdicts.set_index("claim_id")
    assert verdicts.loc["t2.cart_dose.p", "verdict"] == CONSISTENT
    assert verdicts.loc["res.gcsf_dose.p", "verdict"] == NOT_CHECKABLE  # no median or range printed
    assert "printed without the groups' n, median and range" in verdicts.loc["res.gcsf_dose.p", "note"]


def test_every_witness_fits_the_printed_summaries_and_scipy_gives_its_p(rows):
    for claim_id, check in rows.items():
        audit = check.result.shown
        first, second = (consistent_sets(group, audit.scale) for group in audit.groups)
        for reach in audit.tests:
            found = [(reach.low.witness, reach.low.p), (reach.high.witness, reach.high.p)]
            if reach.witness is not None:
                found.append((reach.witness, reach.witness_p))
                assert reach.low.p <= reach.witness_p <= reach.high.p
            for (x, y), p in found:
                assert first.contains(x) and second.contains(y), (claim_id, reach.test)
                assert math.isclose(scipy_reference(x, y, reach.test), p, rel_tol=1e-7, abs_tol=1e-12)


def test_sampled_consistent_data_sets_never_leave_a_proved_interval(rows):
    """Property: random data sets consistent with the printed summaries (under the reading that decides the
    verdict) fall inside every proved bound and every proved outer limit of a search result."""
    rng = random.Random(13)
    for claim_id, check in rows.items():
        audit = check.result.shown
        first, second = (consistent_sets(group, audit.scale) for group in audit.groups)
        samples = [(sample_data_set(first, rng), sample_data_set(second, rng)) for _ in range(12)]
        for reach in audit.tests:
            low = reach.low.limit if reach.low.limit is not None else (reach.low.p if reach.low.proved else 0.0)
            high = reach.high.limit if reach.high.limit is not None else (reach.high.p if reach.high.proved else 1.0)
            for x, y in samples[: 3 if reach.test == "mw_exact_ties" else None]:
                p = scipy_reference([float(v) for v in x], [float(v) for v in y], reach.test)
                assert low * (1 - 1e-9) - 1e-15 <= p <= high * (1 + 1e-9) + 1e-15, (claim_id, reach.test, p)


def test_a_whole_number_reading_that_admits_no_data_hands_the_verdict_to_its_alternative(inputs):
    """An age median of 42.5 over 17 patients is no median of whole years: the verdict then comes from exact
    ages (readings.csv), and rests on that reading."""
    claims = inputs.claims.copy()
    claims.loc[claims["claim_id"] == "t2.age.toci.median", "printed"] = "42.5"
    checks = {c.claim_ids[0]: c for c in measured_p_checks(load_inputs(claims))}
    age = checks["t2.age.p"]
    assert [audit.feasible for _, audit in age.result.readings] == [False, True]
    assert age.result.shown.scale.step is None and age.assumption == "ages are exact (fractions of a year)"


def test_the_headline_claim_under_every_reading(result):
    """Figure 2B: no data set under whole days; under fractions of a day and with the median read as 6 whole
    days, grade 3 shorter with tocilizumab at p < 0.05 and grade 1-2 (and 2) not different, at once, under
    every test; the smallest exact Mann-Whitney p of grade 3 is complete separation of 9 and 6, 2 / C(15, 6)."""
    headline = result.stratified("crs_duration")
    (words, primary), *alternatives = headline.readings
    assert not primary.feasible and "odd" in primary.reason
    assert len(alternatives) == 2 and all(audit.verdict == CONSISTENT for _, audit in alternatives)
    for _, audit in alternatives:
        assert set(audit.jointly_attainable) == set(measured.TESTS)
        grade3 = next(r for r in audit.reaches if r.test == "mw_exact" and r.comparison.wants_small)
        assert grade3.extreme.proved and math.isclose(grade3.extreme.p, 2 / math.comb(15, 6))
    check = result.check("stratified:crs_duration")
    assert check.consistent and check.claim_ids == ("fig2.significance.star", "fig2.significance.ns")
    assert "fractions of a day" in check.assumption and "read as 6" in check.assumption


def test_every_witness_assignment_keeps_every_printed_number(result, claims):
    """Stratum sizes are the printed counts by grade, no CRS lasts 0 days and CRS at least one, each group's
    median and range read as printed, and SciPy's p meets each mark in the claimed direction."""
    counts = {(row.group, row.category): int(row.printed) for row in claims.itertuples()
              if row.quantity == "crs_grade" and row.section == "table2" and row.stat == "count"}
    headline = result.stratified("crs_duration")
    for entry in result.stratified_witnesses("crs_duration"):
        audit = dict(headline.readings)[entry["reading"]]
        for summary, strata in audit.groups:
            group = {"Toci": "toci", "Non-toci": "non_toci"}[summary.label]
            values = []
            for stratum in strata:
                these = entry["values"][(summary.label, stratum.label)]
                assert len(these) == counts[(group, stratum.label)]
                assert all(v == 0 for v in these) if stratum.label == "0" else all(v >= 1 for v in these)
                values += these
            assert consistent_sets(summary, audit.scale).contains(values)
            if audit.scale.step == 1:
                assert all(float(v).is_integer() for v in values)
        for comparison in entry["comparisons"]:
            p = scipy_reference(comparison["first"], comparison["second"], entry["test"])
            assert math.isclose(p, comparison["p"], rel_tol=1e-7, abs_tol=1e-12)
            assert p < 0.05 if comparison["printed"] == "<0.05" else p > 0.05
            if comparison["direction"] == "lower":
                shorter = (stats.mannwhitneyu(comparison["first"], comparison["second"]).statistic
                           < len(comparison["first"]) * len(comparison["second"]) / 2
                           if entry["test"].startswith("mw") else np.mean(comparison["first"]) < np.mean(comparison["second"]))
                assert shorter


def test_grade_labels_and_named_patients(result):
    checks = {check.check_id: check for check in result.checks}
    assert not checks["same_strata:disc.mild_stratum_as_figure"].consistent
    assert checks["same_strata:fig2.severe_stratum_as_methods"].consistent  # no grade 4 CRS
    verdicts = result.verdicts.set_index("claim_id")
    assert verdicts.loc["disc.duration_strata.mild.value", "verdict"] == INCONSISTENT
    assert verdicts.loc["fig2.duration_strata.mild.min", "verdict"] == CONSISTENT  # held by the Results' printing
    assert verdicts.loc["meth.crs_severe_grades.max", "verdict"] == CONSISTENT
    assert checks["cases_at_most:res.named_raised_il6_cases"].recomputed == "7 distinct of at most 7"
    hours = checks["dosing_hours:res.pt4_dosing_hours"]
    assert hours.consistent and hours.assumption == "the dosing range is the interval between consecutive doses"
    assert checks["dosing_hours:res.pt11_dosing_hours"].assumption == ""
    for claim_id in ("res.icans.non_toci_steroid_only.count", "res.crs_grade.g4_5.non_toci_steroid_only.count",
                     "res.toci_day.pt4.dose1", "res.toci_dosing_span.toci.max", "meth.treatment_window.value"):
        assert verdicts.loc[claim_id, "verdict"] == CONSISTENT, claim_id
