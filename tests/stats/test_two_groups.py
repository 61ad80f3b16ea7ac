"""Two-group comparisons of a measurement and counts by group (crs_compendium.stats.two_groups).

Outside sources: R 4.x on Student's sleep data (``t.test(extra ~ group, sleep)``: Welch p = 0.07939, with
``var.equal = TRUE`` p = 0.07919); the normal approximation of the Mann-Whitney test without continuity
correction, z = (U - n1 n2 / 2) / sqrt(n1 n2 (n1 + n2 + 1) / 12), on the example of SciPy's
``mannwhitneyu`` documentation (U = 17, n = 5 and 4: p = 0.0864).
"""
import math

import pandas as pd
import pytest
from sample_data import sleep

from crs_compendium.computable import NotComputable
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.patients.disclosure import Disclosure
from crs_compendium.stats.two_groups import (
    CONTINUOUS_TESTS,
    MeasurementComparison,
    compare_measurement,
    counts_by_group,
    measurement_tests,
)
from crs_compendium.vocab import NOT_COMPUTABLE


def test_t_tests_match_r_on_students_sleep_data():
    result = compare_measurement(sleep(), "extra", printed_p="0.079")
    assert isinstance(result, MeasurementComparison)
    assert result.p_values["Welch t"] == pytest.approx(0.07939, abs=1e-5)
    assert result.p_values["Student t"] == pytest.approx(0.07919, abs=1e-5)
    assert set(result.reproducing) == {"Welch t", "Student t"}
    assert result.summary.loc["Toci", "median"] == pytest.approx(0.35)
    assert list(result.summary.index) == ["Toci", "Non-toci"]
    assert set(result.p_values) == set(CONTINUOUS_TESTS)


def test_mann_whitney_is_the_normal_approximation_without_continuity_correction():
    data = pd.DataFrame({"group": ["Toci"] * 5 + ["Non-toci"] * 4, "age": [19, 22, 16, 29, 24, 20, 11, 17, 12]})
    z = (17 - 5 * 4 / 2) / math.sqrt(5 * 4 * 10 / 12)
    assert compare_measurement(data, "age").p_values["Mann-Whitney U"] == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert compare_measurement(data, "age").p_values["Mann-Whitney U"] == pytest.approx(0.0864, abs=1e-4)


def test_a_printed_significance_mark_is_a_bound():
    assert compare_measurement(sleep(), "extra", printed_p=">0.05").reproducing
    assert not compare_measurement(sleep(), "extra", printed_p="<0.05").reproducing
    assert "reproduced by no test" in repr(compare_measurement(sleep(), "extra", printed_p="<0.05"))


def test_compare_measurement_refuses_a_third_group_and_a_missing_column():
    data = pd.DataFrame({"group": ["Toci", "Non-toci", "Non-toci"], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(InvalidInputError, match="two groups"):
        compare_measurement(data, "x", order=("a", "b", "c"))
    with pytest.raises(InvalidInputError, match="no column"):
        compare_measurement(data, "y")


@pytest.mark.parametrize("values, reason", [
    ([1.0, 2.0, 3.0], "group Toci has 1 value(s) of x; comparing the groups needs at least 2 in each"),
    ([None, 2.0, 3.0], "group Toci has 0 value(s) of x; comparing the groups needs at least 2 in each"),
    ([None, None, None], "no value of x in either group"),
])
def test_too_few_values_in_a_group_are_not_computable_with_the_count(values, reason):
    data = pd.DataFrame({"group": ["Toci", "Non-toci", "Non-toci"], "x": values})
    result = compare_measurement(data, "x", name="x by group")
    assert isinstance(result, NotComputable) and result.what == "x by group" and result.reason == reason
    assert result.verdict == NOT_COMPUTABLE and "not computable from these data" in repr(result)


def test_identical_values_keep_the_summary_and_give_no_test():
    """No G-CSF for anyone: the groups' summaries are 0 and no test can tell them apart (never p = 1)."""
    data = pd.DataFrame({"group": ["Toci"] * 3 + ["Non-toci"] * 4, "gcsf": [0.0] * 7})
    result = compare_measurement(data, "gcsf", printed_p="0.227")
    assert isinstance(result, MeasurementComparison) and result.p_values == {} and result.reproducing == ()
    assert result.summary["median"].tolist() == [0.0, 0.0] and result.summary["n"].tolist() == [3, 4]
    assert result.tests_note == "every value of gcsf is 0 in both groups: no test can tell them apart"
    assert "tests: not computable from these data" in repr(result)


def test_groups_without_spread_keep_the_tests_that_are_defined():
    tests = measurement_tests({"Toci": pd.Series([1.0, 1.0, 1.0]), "Non-toci": pd.Series([2.0, 2.0])}, "x")
    # U = 0 against a mean of 3; tie-corrected variance 6/12 * (6 - 30/20) = 2.25, so z = 2 and p = erfc(2/sqrt 2).
    assert tests["Mann-Whitney U"] == pytest.approx(math.erfc(2 / math.sqrt(2)))
    assert all(0 <= p <= 1 for p in tests.values())


def test_a_group_below_the_disclosure_threshold_is_withheld():
    public = Disclosure(row_level=False, min_patients=5)
    result = compare_measurement(sleep().iloc[6:], "extra", disclosure=public)  # 4 values in group Toci
    assert isinstance(result, NotComputable)
    assert result.reason == ("withheld: the summary of group Toci would rest on 4 patients, fewer than 5 "
                             "(privacy rule for real data)")
    assert isinstance(compare_measurement(sleep(), "extra", disclosure=public), MeasurementComparison)


def test_counts_by_group_keeps_empty_categories_in_order():
    labels = pd.Series(["MRD-CR", "MRD-CR", "PR"], name="response")
    groups = pd.Series(["Toci", "Non-toci", "Non-toci"])
    table = counts_by_group(labels, groups, ["MRD-CR", "MRD+CR", "PR", "NR"])
    assert table.to_dict("index") == {"Toci": {"MRD-CR": 1, "MRD+CR": 0, "PR": 0, "NR": 0},
                                      "Non-toci": {"MRD-CR": 1, "MRD+CR": 0, "PR": 1, "NR": 0}}
    with pytest.raises(InvalidInputError, match="not among"):
        counts_by_group(labels, groups, ["MRD-CR"])
