"""Tests of crs_compendium.printed.measured: which tests can give a printed p from n, median and range.

Outside sources: SciPy's ``mannwhitneyu`` (methods "exact" and "asymptotic", with and without continuity
correction), ``ttest_ind`` (Student and Welch) and ``permutation_test`` (exact enumeration of splits) are the
references every p-value and witness is re-tested against; brute-force enumeration of every consistent data
set (small whole-number cases) is the reference for bounds and attainability; the paper's Table 2 and
Figure 2B numbers (Zhou et al., Front Immunol 2025;16:1530623) are typed in from the paper.
"""
from __future__ import annotations

import doctest
import itertools
import math
import random
import time
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.numbers import reproduces_p, rounds_to
from crs_compendium.printed import measured
from crs_compendium.printed.measured import (
    TESTS,
    GroupSummary,
    Scale,
    Stratum,
    StratumComparison,
    audit_measured_row,
    audit_stratified_claim,
    consistent_sets,
    mann_whitney_exact_ties_p,
)

from sample_data import sample_data_set


# --------------------------------------------------------------------------------------------------------
# Helpers: brute force, SciPy references, samplers
# --------------------------------------------------------------------------------------------------------
def scipy_p(x, y, test):
    """The reference p of each test: SciPy for all but the conditional exact test (checked separately)."""
    x, y = [float(v) for v in x], [float(v) for v in y]
    if test == "mw_exact":
        return stats.mannwhitneyu(x, y, method="exact").pvalue
    if test == "mw_asymptotic":
        return stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=False).pvalue
    if test == "mw_asymptotic_cc":
        return stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=True).pvalue
    if test in ("student", "welch"):
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return stats.ttest_ind(x, y, equal_var=test == "student").pvalue
    return mann_whitney_exact_ties_p(x, y)


def brute_conditional_p(x, y):
    """Exact conditional Mann-Whitney p by listing every split of the pooled values (independent of the module)."""
    pooled = [float(v) for v in list(x) + list(y)]
    ranks = stats.rankdata(pooled)
    observed = sum(ranks[: len(x)])
    sums = [sum(ranks[list(c)]) for c in itertools.combinations(range(len(pooled)), len(x))]
    at_most = sum(1 for s in sums if s <= observed + 1e-9)
    at_least = sum(1 for s in sums if s >= observed - 1e-9)
    return min(1.0, 2 * min(at_most, at_least) / len(sums))


def all_data_sets(sets):
    """Every data set of a group on a grid, by listing every multiset of grid points."""
    points = measured._grid_points(sets.lows[0], sets.highs[-1], sets.scale.step)
    return [c for c in itertools.combinations_with_replacement(points, sets.n) if sets.contains(c)]


def summary_of(values, label):
    """The printed n, median and range of a whole-number sample (the median printed as "2.5" when halfway)."""
    ordered = sorted(values)
    n = len(ordered)
    median = ordered[n // 2] if n % 2 else Fraction(ordered[n // 2 - 1] + ordered[n // 2], 2)
    shown = str(median) if median.denominator == 1 else str(float(median))
    return GroupSummary(label, n, str(ordered[0]), shown, str(ordered[-1]))


def small_cases(seed, count, low=0, high=5, max_n=6):
    rng = random.Random(seed)
    for _ in range(count):
        n1, n2 = rng.randint(2, max_n), rng.randint(2, max_n)
        x = [Fraction(rng.randint(low, high)) for _ in range(n1)]
        y = [Fraction(rng.randint(low, high)) for _ in range(n2)]
        yield rng, summary_of(x, "a"), summary_of(y, "b")


def brute_p_values(s1, s2):
    sets1, sets2 = all_data_sets(s1), all_data_sets(s2)
    table = {test: [] for test in TESTS}
    for a in sets1:
        for b in sets2:
            fa, fb = [float(v) for v in a], [float(v) for v in b]
            for test in TESTS:
                table[test].append(measured._p_from_summary(test, fa, fb))
    return {test: np.array([p for p in values if not math.isnan(p)]) for test, values in table.items()}


def check_reach_against_brute(reach, p_values, printed):
    true_low, true_high = p_values.min(), p_values.max()
    close = dict(rel_tol=1e-9, abs_tol=1e-14)
    if reach.low.proved:
        assert math.isclose(reach.low.p, true_low, **close), (reach.test, reach.low, true_low)
    if reach.high.proved:
        assert math.isclose(reach.high.p, true_high, **close), (reach.test, reach.high, true_high)
    # every bound is attained by its witness, so it lies inside the true range
    assert true_low * (1 - 1e-9) - 1e-15 <= reach.low.p <= reach.high.p <= true_high * (1 + 1e-9) + 1e-15
    if reach.low.limit is not None:
        assert reach.low.limit <= true_low * (1 + 1e-9) + 1e-15
    if reach.high.limit is not None:
        assert reach.high.limit >= true_high * (1 - 1e-9) - 1e-15
    hit = any(reproduces_p(float(p), printed) for p in p_values)
    if reach.attainable is True:
        assert hit
    if reach.attainable is False:
        assert not hit and reach.proved


# --------------------------------------------------------------------------------------------------------
# Readings
# --------------------------------------------------------------------------------------------------------
def test_scale_readings_and_errors():
    assert Scale.whole().describe() == "whole numbers; printed summaries are exact values"
    assert Scale.real(lower=0).describe().startswith("real numbers >= 0; a printed summary stands for")
    assert Scale.whole().halved().step == Fraction(1, 2)
    assert Scale.grid("0.5", rounded=True).rounded
    with pytest.raises(InvalidInputError):
        Scale.grid("0")
    with pytest.raises(InvalidInputError):
        Scale.real().halved()
    with pytest.raises(InvalidInputError):
        Scale(step=None, rounded=False)
    with pytest.raises(InvalidInputError):
        GroupSummary("a", 3, "<1", "2", "3")
    with pytest.raises(InvalidInputError):
        GroupSummary("a", 3, 1, "2", "3")


def test_consistent_sets_of_the_paper_rows():
    lines = GroupSummary("Non-toci", 28, "1.5", "2.5", "3.5")
    whole = consistent_sets(lines, Scale.whole())
    assert not whole.feasible and "'1.5'" in whole.reason
    half = consistent_sets(lines, Scale.grid("0.5"))
    assert half.feasible and half.pair_sum == (5, 5)
    toci_crs = consistent_sets(GroupSummary("Toci", 17, "2", "6.1", "14"), Scale.whole())
    assert not toci_crs.feasible and "odd" in toci_crs.reason
    dose = consistent_sets(GroupSummary("Toci", 17, "0.3", "1.5", "3.37"), Scale.real(lower=0))
    assert dose.maximum == (Fraction("3.365"), Fraction("3.375"))
    assert dose.minimum == (Fraction("0.25"), Fraction("0.35"))
    steroid = consistent_sets(GroupSummary("Non-toci", 28, "0", "0", "80"), Scale.real(lower=0))
    assert steroid.minimum == (0, Fraction(1, 2)) and steroid.pair_sum == (0, 1)
    age = consistent_sets(GroupSummary("Non-toci", 28, "8", "32", "61"), Scale.whole())
    assert age.pair_sum == (64, 64) and len(age.split_options(limit=100)) == 25


@pytest.mark.parametrize("seed", range(2))
def test_contains_agrees_with_rounding_the_sample_summaries(seed):
    rng = random.Random(seed)
    for _ in range(200):
        n = rng.randint(1, 7)
        values = sorted(Fraction(rng.randint(0, 400), 100) for _ in range(n))
        median = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
        places = rng.choice([0, 1, 2])
        printed = [f"{float(v):.{places}f}" for v in (values[0], median, values[-1])]
        sets = consistent_sets(GroupSummary("g", n, *printed), Scale.real(lower=0))
        assert sets.contains(values)
        # move one value: contains must agree with re-rounding the sample's min, median and max
        moved = sorted(values[:-1] + [values[-1] + Fraction(rng.randint(-50, 50), 100)])
        if moved[0] < 0:
            continue
        m = moved[n // 2] if n % 2 else (moved[n // 2 - 1] + moved[n // 2]) / 2
        expected = all(rounds_to(v, p) for v, p in zip((moved[0], m, moved[-1]), printed))
        assert sets.contains(moved) == expected


# --------------------------------------------------------------------------------------------------------
# The six p-values
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(1))
def test_module_formulas_match_scipy_on_tied_samples(seed):
    rng = np.random.default_rng(seed)
    for _ in range(30):
        n1, n2 = rng.integers(2, 9, 2)
        x = list(rng.integers(0, 5, n1).astype(float))
        y = list(rng.integers(0, 5, n2).astype(float))
        for test in TESTS:
            reference = scipy_p(x, y, test)
            ours = measured._p_from_summary(test, x, y)
            assert (math.isnan(reference) and math.isnan(ours)) or math.isclose(ours, reference, rel_tol=1e-9,
                                                                               abs_tol=1e-14)
            assert math.isclose(measured.scipy_p(x, y, test), ours, rel_tol=1e-9, abs_tol=1e-14) or math.isnan(ours)


def test_exact_test_on_tied_data_is_scipys_floor_of_u():
    # U1 = 2.5, so max(U1, U2) = 17.5 and SciPy uses 2 P(U >= 17) of the tie-free null
    x, y = [1, 2, 2, 3], [2, 3, 4, 5, 5]
    tail, total = measured._tie_free_upper_tail(4, 5)
    assert math.isclose(measured.scipy_p(x, y, "mw_exact"), 2 * tail[17] / total)
    assert math.isclose(stats.mannwhitneyu(x, y, method="exact").pvalue, 2 * tail[17] / total)


@pytest.mark.parametrize("seed", range(5))
def test_conditional_exact_matches_permutation_test_and_enumeration(seed):
    rng = np.random.default_rng(100 + seed)
    for _ in range(12):
        n1, n2 = rng.integers(2, 6, 2)
        x = list(rng.integers(0, 4, n1).astype(float))
        y = list(rng.integers(0, 4, n2).astype(float))
        ours = mann_whitney_exact_ties_p(x, y)
        assert math.isclose(ours, brute_conditional_p(x, y), rel_tol=1e-12)

        def statistic(a, b, axis):
            return stats.mannwhitneyu(a, b, axis=axis, method="asymptotic").statistic

        reference = stats.permutation_test((np.array(x), np.array(y)), statistic, n_resamples=np.inf,
                                           vectorized=True).pvalue
        assert math.isclose(ours, reference, rel_tol=1e-9)


def test_conditional_exact_without_ties_is_the_tie_free_exact_test_by_symmetry():
    x, y = [0.5, 1.5, 4, 7], [2, 3, 5, 6, 8, 9]
    assert math.isclose(mann_whitney_exact_ties_p(x, y), stats.mannwhitneyu(x, y, method="exact").pvalue)


# --------------------------------------------------------------------------------------------------------
# The exact engines against brute force
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(2))
def test_atom_programme_gives_the_exact_set_of_u_and_lexicographic_extremes(seed):
    for _, a, b in small_cases(seed, 12):
        s1, s2 = consistent_sets(a, Scale.whole()), consistent_sets(b, Scale.whole())
        pairs = [(x, y) for x in all_data_sets(s1) for y in all_data_sets(s2)]
        summaries = [measured._rank_summary([float(v) for v in x], [float(v) for v in y]) for x, y in pairs]
        lattice = measured._RankLattice(s1, s2)
        bits = lattice.reachable_u()
        assert {u for u in range(bits.bit_length()) if bits >> u & 1} == {int(2 * u) for u, _, _ in summaries}
        for u_sign, tie_sign in ((1, 1), (-1, 1), (0, 1), (0, -1), (1, -1)):
            best = max((u_sign * 2 * u, tie_sign * t) for u, t, _ in summaries)
            u2, ties, (x, y) = lattice.lexicographic(u_sign, tie_sign)
            assert (u_sign * u2, tie_sign * ties) == best
            assert s1.contains(x) and s2.contains(y)
        lowest, highest, proved = measured._u_extremes(s1, s2)
        assert proved and (lowest[0], highest[0]) == (min(u for u, _, _ in summaries), max(u for u, _, _ in summaries))


def test_u_extremes_on_real_numbers_match_the_atom_programme():
    rng = random.Random(8)
    checked = 0
    while checked < 25:
        def printed(n):
            values = sorted(round(rng.uniform(0, 5), rng.choice([0, 1, 2])) for _ in range(n))
            median = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
            places = rng.choice([0, 1, 2])
            return [f"{v:.{places}f}" for v in (values[0], median, values[-1])]

        n1, n2 = rng.randint(1, 7), rng.randint(1, 7)
        if n1 % 2 == 0 and n2 % 2 == 0:
            continue  # both even on real numbers: a search (documented), not compared here
        s1 = consistent_sets(GroupSummary("a", n1, *printed(n1)), Scale.real(lower=0))
        s2 = consistent_sets(GroupSummary("b", n2, *printed(n2)), Scale.real(lower=0))
        if not (s1.feasible and s2.feasible):
            continue
        lattice = measured._RankLattice(s1, s2)
        bits = lattice.reachable_u()
        reachable = [u for u in range(bits.bit_length()) if bits >> u & 1]
        lowest, highest, proved = measured._u_extremes(s1, s2)
        assert proved and (2 * lowest[0], 2 * highest[0]) == (reachable[0], reachable[-1])
        for u2 in (reachable[0], reachable[len(reachable) // 2], reachable[-1]):
            x, y = lattice.u_witness(u2)
            assert s1.contains(x) and s2.contains(y) and 2 * measured._u1_exact(x, y) == u2
        checked += 1


@pytest.mark.parametrize("seed", range(2))
def test_student_grid_tables_give_the_exact_extremes(seed):
    for _, a, b in small_cases(50 + seed, 8):
        s1, s2 = consistent_sets(a, Scale.whole()), consistent_sets(b, Scale.whole())
        p_values = brute_p_values(s1, s2)["student"]
        tables = measured._t_extremes_on_grid(s1, s2)
        for key, expected in ((("student", "least"), p_values.min()), (("student", "largest"), p_values.max())):
            x, y = tables[key][1]
            assert s1.contains(x) and s2.contains(y)
            assert math.isclose(scipy_p(x, y, "student"), expected, rel_tol=1e-9, abs_tol=1e-15)


# --------------------------------------------------------------------------------------------------------
# audit_measured_row against brute force
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("exhaustive_limit", [0, 4000])
def test_audit_matches_brute_force_on_small_whole_number_rows(exhaustive_limit):
    for rng, a, b in small_cases(11, 6):
        s1, s2 = consistent_sets(a, Scale.whole()), consistent_sets(b, Scale.whole())
        p_values = brute_p_values(s1, s2)
        test = rng.choice(TESTS)
        printed = f"{rng.choice(list(p_values[test])):.3f}" if rng.random() < 0.7 else f"{rng.uniform(0, 1):.3f}"
        audit = audit_measured_row(a, b, printed, Scale.whole(), exhaustive_limit=exhaustive_limit)
        for reach in audit.tests:
            check_reach_against_brute(reach, p_values[reach.test], printed)
            if exhaustive_limit:
                assert reach.low.proved and reach.high.proved and reach.proved


def test_mw_exact_attainable_set_is_exact_and_gaps_are_reported():
    # every p the exact test can give on these summaries, from brute force
    a, b = GroupSummary("a", 5, "1", "3", "5"), GroupSummary("b", 4, "0", "2", "4")
    s1, s2 = consistent_sets(a, Scale.whole()), consistent_sets(b, Scale.whole())
    values = sorted({float(v) for v in np.round(brute_p_values(s1, s2)["mw_exact"], 12)})
    inside = f"{values[len(values) // 2]:.4f}"
    assert audit_measured_row(a, b, inside, Scale.whole(), tests=["mw_exact"], exhaustive_limit=0).tests[0].attainable
    gap = next(f"{(lo + hi) / 2:.4f}" for lo, hi in zip(values, values[1:])
               if not any(reproduces_p(v, f"{(lo + hi) / 2:.4f}") for v in values))
    reach = audit_measured_row(a, b, gap, Scale.whole(), tests=["mw_exact"], exhaustive_limit=0).tests[0]
    assert reach.attainable is False and reach.proved
    below, above = reach.neighbours
    assert below in [pytest.approx(v) for v in values] and above in [pytest.approx(v) for v in values]


# --------------------------------------------------------------------------------------------------------
# The paper's Table 2 rows
# --------------------------------------------------------------------------------------------------------
TABLE2 = {
    "age": (GroupSummary("Toci", 17, "14", "42", "67"), GroupSummary("Non-toci", 28, "8", "32", "61"), "0.033",
            Scale.whole()),
    "lines of therapy": (GroupSummary("Toci", 17, "1", "2", "3"), GroupSummary("Non-toci", 28, "1.5", "2.5", "3.5"),
                         "0.395", Scale.whole()),
    "CAR-T dose": (GroupSummary("Toci", 17, "0.3", "1.5", "3.37"),
                   GroupSummary("Non-toci", 28, "0.15", "2.38", "5.06"), "0.106", Scale.real(lower=0)),
    "corticosteroid dose": (GroupSummary("Toci", 17, "30", "60", "201"), GroupSummary("Non-toci", 28, "0", "0", "80"),
                            "0.004", Scale.real(lower=0)),
}


@pytest.fixture(scope="module")
def table2():
    audits = {}
    for name, (toci, non_toci, printed, scale) in TABLE2.items():
        started = time.perf_counter()
        audits[name] = audit_measured_row(toci, non_toci, printed, scale, label=name)
        audits[name] = (audits[name], time.perf_counter() - started)
    return audits


def test_table2_verdicts(table2):
    age = table2["age"][0]
    assert age.verdict == "consistent" and set(age.reproducing) == set(TESTS)
    lines = table2["lines of therapy"][0]
    assert not lines.feasible and lines.verdict == "inconsistent" and "1.5" in lines.infeasible_reason
    relaxed = lines.relaxed
    assert relaxed.feasible and relaxed.scale.step == Fraction(1, 2)
    assert dict((r.test, r.attainable) for r in relaxed.tests)["mw_exact"] is False
    dose = table2["CAR-T dose"][0]
    assert dict((r.test, (r.attainable, r.proved)) for r in dose.tests)["mw_exact"] == (False, True)
    assert table2["corticosteroid dose"][0].verdict == "consistent"


def test_mw_exact_cannot_give_a_printed_p_its_exact_values_jump_over(table2):
    for name in ("CAR-T dose",):
        reach = dict((r.test, r) for r in table2[name][0].tests)["mw_exact"]
        tail, total = measured._tie_free_upper_tail(17, 28)
        values = {min(1.0, 2 * tail[u] / total) for u in range(17 * 28 + 1)}
        assert not any(reproduces_p(v, "0.106") for v in values)
        assert reach.attainable is False and reach.proved and "no value of U" in reach.how
        below, above = reach.neighbours
        assert below < 0.1055 and above > 0.1065


def test_every_witness_of_the_table2_rows_is_consistent_and_rescored_by_scipy(table2):
    for name, (audit, _) in table2.items():
        for current in [audit] + ([audit.relaxed] if audit.relaxed else []):
            if not current.feasible:
                continue
            first, second = (consistent_sets(g, current.scale) for g in current.groups)
            for reach in current.tests:
                witnesses = [(reach.low.witness, reach.low.p), (reach.high.witness, reach.high.p)]
                if reach.witness is not None:
                    witnesses.append((reach.witness, reach.witness_p))
                    assert reproduces_p(float(scipy_p(*reach.witness, reach.test)), current.printed_p)
                for (x, y), p in witnesses:
                    assert first.contains(x) and second.contains(y), (name, reach.test)
                    assert math.isclose(scipy_p(x, y, reach.test), p, rel_tol=1e-7, abs_tol=1e-12)
                assert reach.low.p <= reach.high.p


def test_table2_bounds_hold_for_sampled_data_sets(table2):
    """Property: randomly sampled consistent data sets never fall outside a proved bound or outer limit."""
    rng = random.Random(2025)
    for name, (audit, _) in table2.items():
        current = audit if audit.feasible else audit.relaxed
        first, second = (consistent_sets(g, current.scale) for g in current.groups)
        samples = [(sample_data_set(first, rng), sample_data_set(second, rng)) for _ in range(25)]
        for reach in current.tests:
            low = reach.low.limit if reach.low.limit is not None else (reach.low.p if reach.low.proved else 0.0)
            high = reach.high.limit if reach.high.limit is not None else (reach.high.p if reach.high.proved else 1.0)
            for x, y in samples[: 6 if reach.test == "mw_exact_ties" else None]:
                assert first.contains(x) and second.contains(y)
                p = measured._p_from_summary(reach.test, [float(v) for v in x], [float(v) for v in y])
                assert low * (1 - 1e-9) - 1e-15 <= p <= high * (1 + 1e-9) + 1e-15, (name, reach.test, p, low, high)


def test_table2_rows_run_in_well_under_a_second(table2):
    for name, (_, seconds) in table2.items():
        assert seconds < 2.0, (name, seconds)  # typically 0.3-0.7 s on 2 cores; slack for a loaded machine


def test_row_repr_and_record(table2):
    audit = table2["age"][0]
    first_line = repr(audit).splitlines()[0]
    assert first_line.startswith("age: printed p = 0.033 is consistent")
    record = audit.to_record()
    assert record["verdict"] == "consistent" and record["mw_exact_attainable"] is True
    assert all(not isinstance(v, (list, tuple, dict)) for v in record.values())
    reach = audit.tests[0]
    assert reach.to_record()["test"] == "mw_exact" and "witness n=17+28" in repr(reach.low)
    lines = table2["lines of therapy"][0]
    assert "relaxed_verdict" in lines.to_record() and "relaxed reading" in repr(lines)
    bound = reach.low.to_record()
    assert bound["proved"] is True and len(bound["witness_first"].split(", ")) == 17
    sets = consistent_sets(TABLE2["CAR-T dose"][1], Scale.real(lower=0)).to_record()
    assert sets["maximum"] == "[5.055, 5.065]" and sets["feasible"] is True


# --------------------------------------------------------------------------------------------------------
# Stratified claims: Figure 2B
# --------------------------------------------------------------------------------------------------------
def figure_2b(toci_median, scale, tests=TESTS):
    toci = (GroupSummary("Toci", 17, "2", toci_median, "14"), [Stratum("2", 8), Stratum("3", 9)])
    non_toci = (GroupSummary("Non-toci", 28, "0", "5.5", "12"),
                [Stratum("0", 4, fixed="0"), Stratum("1", 7), Stratum("2", 11), Stratum("3", 6)])
    shorter = StratumComparison("Toci", ("3",), "Non-toci", ("3",), "<0.05", "lower", "grade 3")
    same = StratumComparison("Toci", ("2",), "Non-toci", ("1", "2"), ">0.05", None, "grade 1-2")
    return audit_stratified_claim([toci, non_toci], [shorter, same], scale, tests=tests, label="Figure 2B")


def check_assignment(audit, assignment, tests_p):
    """The witness assignment: strata sizes, fixed values, printed summaries per group."""
    by_group = {}
    for group, stratum, values in assignment:
        by_group.setdefault(group, []).extend(values)
        strata = dict((s.label, s) for summary, strata in audit.groups if summary.label == group for s in strata)
        assert len(values) == strata[stratum].size
        if strata[stratum].fixed is not None:
            assert all(v == float(strata[stratum].fixed) for v in values)
    for summary, _ in audit.groups:
        assert consistent_sets(summary, audit.scale).contains(by_group[summary.label])
    values = {(g, s): v for g, s, v in assignment}
    return values


def shorter(x, y, test):
    """The claimed direction: ranks (U1 below its centre) for Mann-Whitney, means for t tests."""
    if test.startswith("mw"):
        return stats.mannwhitneyu(x, y).statistic < len(x) * len(y) / 2
    return np.mean(x) < np.mean(y)


def test_figure_2b_real_valued_durations():
    tests = ("mw_exact", "mw_asymptotic", "welch")
    audit = figure_2b("6.1", Scale.real(lower=0), tests=tests)
    assert audit.feasible and audit.verdict == "consistent"
    assert set(audit.jointly_attainable) == set(tests)
    for joint in audit.joint:
        values = check_assignment(audit, joint.assignment, joint.p_values)
        grade3 = values[("Toci", "3")], values[("Non-toci", "3")]
        p3 = scipy_p(*grade3, joint.test)
        p12 = scipy_p(values[("Toci", "2")], values[("Non-toci", "1")] + values[("Non-toci", "2")], joint.test)
        assert p3 < 0.05 and p12 > 0.05 and shorter(*grade3, joint.test)
    for reach in audit.reaches:
        x, y = reach.extreme.witness
        assert math.isclose(scipy_p(x, y, reach.test), reach.extreme.p, rel_tol=1e-7, abs_tol=1e-12)
        if reach.comparison.wants_small and reach.test in ("mw_exact", "mw_exact_ties"):
            assert reach.extreme.proved and math.isclose(reach.extreme.p, 2 / math.comb(15, 6))
        if reach.comparison.wants_small and reach.test == "mw_asymptotic":
            assert reach.extreme.proved and math.isclose(reach.extreme.p, measured._asymptotic_floor(9, 6, False,
                                                                                                    "lower"))
        if reach.comparison.wants_small and reach.test == "welch":
            assert reach.extreme.p == 0.0 and reach.extreme.proved  # both samples constant
        if not reach.comparison.wants_small:
            assert reach.extreme.p == pytest.approx(1.0, abs=1e-12) and reach.extreme.proved


def test_figure_2b_whole_days():
    impossible = figure_2b("6.1", Scale.whole(lower=0))
    assert not impossible.feasible and impossible.verdict == "inconsistent" and "odd" in impossible.reason
    audit = figure_2b("6", Scale.whole(lower=0), tests=("mw_exact_ties", "mw_asymptotic_cc", "student"))
    assert set(audit.jointly_attainable) == {"mw_exact_ties", "mw_asymptotic_cc", "student"}
    for joint in audit.joint:
        values = check_assignment(audit, joint.assignment, joint.p_values)
        assert all(float(v).is_integer() for group in values.values() for v in group)
    assert "every claim can hold at once" in repr(audit).splitlines()[0]
    assert audit.to_record()["joint_student"] is True
    assert audit.joint[0].to_record()["attainable"] is True
    assert audit.reaches[0].to_record()["extreme_proved"] is True


def brute_force_strata(groups, scale):
    """Every assignment of a tiny stratified example: data sets of each group times splits into strata."""
    per_group = []
    for summary, strata in groups:
        sets = consistent_sets(summary, scale)
        options = []
        for values in all_data_sets(sets):
            for chosen in itertools.combinations(range(len(values)), strata[0].size):
                first = tuple(values[i] for i in chosen)
                rest = tuple(v for i, v in enumerate(values) if i not in chosen)
                options.append({strata[0].label: first, strata[1].label: rest})
        per_group.append(options)
    return per_group


def test_stratified_claim_against_brute_force():
    groups = [(GroupSummary("A", 5, "1", "3", "5"), [Stratum("lo", 2), Stratum("hi", 3)]),
              (GroupSummary("B", 4, "0", "3", "4"), [Stratum("lo", 2), Stratum("hi", 2)])]
    small = StratumComparison("A", ("lo",), "B", ("hi",), "<0.3", "lower", "small")
    large = StratumComparison("A", ("hi",), "B", ("lo",), ">0.5", None, "large")
    tests = ("mw_exact", "mw_asymptotic", "student")
    audit = audit_stratified_claim(groups, [small, large], Scale.whole(), tests=tests)
    options_a, options_b = brute_force_strata(groups, Scale.whole())
    for test in tests:
        best_small, best_large, joint = math.inf, -math.inf, False
        for a in options_a:
            for b in options_b:
                x, y = a["lo"], b["hi"]
                p_small = measured._stratum_p(test, x, y)
                direction = measured._direction_ok("lower", x, y, test)
                if direction and not math.isnan(p_small):
                    best_small = min(best_small, p_small)
                p_large = measured._stratum_p(test, a["hi"], b["lo"])
                if not math.isnan(p_large):
                    best_large = max(best_large, p_large)
                joint |= direction and p_small < 0.3 and p_large > 0.5
        reaches = {r.comparison.label: r for r in audit.reaches if r.test == test}
        assert reaches["small"].extreme.p >= best_small * (1 - 1e-9)
        assert reaches["large"].extreme.p <= best_large * (1 + 1e-9)
        if reaches["small"].extreme.proved:
            assert math.isclose(reaches["small"].extreme.p, best_small, rel_tol=1e-9, abs_tol=1e-15)
        if reaches["large"].extreme.proved:
            assert math.isclose(reaches["large"].extreme.p, best_large, rel_tol=1e-9)
        result = next(j for j in audit.joint if j.test == test)
        if result.attainable is not None:
            assert result.attainable == joint


def test_stratified_claim_rejects_bad_input():
    toci = (GroupSummary("Toci", 5, "1", "2", "3"), [Stratum("a", 2), Stratum("b", 2)])
    other = (GroupSummary("Other", 4, "1", "2", "3"), [Stratum("a", 4)])
    claim = StratumComparison("Toci", ("a",), "Other", ("a",), "<0.05")
    with pytest.raises(InvalidInputError, match="add up"):
        audit_stratified_claim([toci, other], [claim], Scale.whole())
    toci = (GroupSummary("Toci", 4, "1", "2", "3"), [Stratum("a", 2), Stratum("b", 2)])
    with pytest.raises(InvalidInputError, match="unknown strata"):
        audit_stratified_claim([toci, other], [StratumComparison("Toci", ("c",), "Other", ("a",), "<0.05")],
                               Scale.whole())
    with pytest.raises(InvalidInputError):
        StratumComparison("Toci", ("a",), "Other", ("a",), "0.05")
    with pytest.raises(InvalidInputError):
        audit_measured_row(toci[0], other[0], "0.05", Scale.whole(), tests=["anova"])
    with pytest.raises(InvalidInputError, match="two values"):
        audit_measured_row(GroupSummary("one", 1, "2", "2", "2"), other[0], "0.05", Scale.whole())


def test_docstring_examples():
    failures, _ = doctest.testmod(measured, optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_least_values_of_strata_against_brute_force():
    """A stratum whose members have at least some value (a CRS episode lasts at least a day): the box is
    tightened, every witness keeps the least values, and proved extremes equal the brute-force ones over
    the assignments that keep them."""
    groups = [(GroupSummary("A", 5, "1", "3", "5"), [Stratum("lo", 2), Stratum("hi", 3, at_least="3")]),
              (GroupSummary("B", 5, "0", "3", "5"), [Stratum("lo", 2, fixed="0"), Stratum("hi", 3, at_least="3")])]
    small = StratumComparison("A", ("lo",), "B", ("hi",), "<0.3", "lower", "small")
    large = StratumComparison("A", ("hi",), "B", ("hi",), ">0.5", None, "large")
    tests = ("mw_exact", "student")
    audit = audit_stratified_claim(groups, [small, large], Scale.whole(), tests=tests)
    assert audit.feasible
    options_a, options_b = brute_force_strata(groups, Scale.whole())
    options_a = [a for a in options_a if min(a["hi"]) >= 3]
    options_b = [b for b in options_b if set(b["lo"]) == {0} and min(b["hi"]) >= 3]
    assert options_a and options_b
    for test in tests:
        best_small, best_large, joint = math.inf, -math.inf, False
        for a in options_a:
            for b in options_b:
                p_small = measured._stratum_p(test, a["lo"], b["hi"])
                direction = measured._direction_ok("lower", a["lo"], b["hi"], test)
                if direction and not math.isnan(p_small):
                    best_small = min(best_small, p_small)
                p_large = measured._stratum_p(test, a["hi"], b["hi"])
                if not math.isnan(p_large):
                    best_large = max(best_large, p_large)
                joint |= direction and p_small < 0.3 and p_large > 0.5
        reaches = {r.comparison.label: r for r in audit.reaches if r.test == test}
        assert best_small * (1 - 1e-9) <= reaches["small"].extreme.p
        assert reaches["large"].extreme.p <= best_large * (1 + 1e-9)
        if reaches["small"].extreme.proved:
            assert math.isclose(reaches["small"].extreme.p, best_small, rel_tol=1e-9, abs_tol=1e-15)
        result = next(j for j in audit.joint if j.test == test)
        if result.attainable is not None:
            assert result.attainable == joint
        for group, stratum, values in result.assignment:
            if stratum == "hi":
                assert min(values) >= 3
    with pytest.raises(InvalidInputError, match="below at_least"):
        Stratum("x", 2, fixed="0", at_least="1")
    too_high = [(GroupSummary("A", 3, "1", "2", "3"), [Stratum("lo", 1), Stratum("hi", 2, at_least="3")]),
                groups[1]]
    impossible = audit_stratified_claim(too_high, [small], Scale.whole(), tests=("mw_exact",))
    assert not impossible.feasible and "least values" in impossible.reason


def test_scipy_p_is_scipy_itself():
    x, y = [1.0, 2.0, 2.0, 5.0], [3.0, 4.0, 4.0, 6.0, 7.0]
    assert measured.scipy_p(x, y, "mw_exact") == stats.mannwhitneyu(x, y, method="exact").pvalue
    assert measured.scipy_p(x, y, "mw_asymptotic_cc") == stats.mannwhitneyu(x, y, method="asymptotic").pvalue
    assert measured.scipy_p(x, y, "welch") == stats.ttest_ind(x, y, equal_var=False).pvalue
    assert measured.scipy_p(x, y, "mw_exact_ties") == mann_whitney_exact_ties_p(x, y)
    with pytest.raises(InvalidInputError):
        measured.scipy_p(x, y, "anova")
