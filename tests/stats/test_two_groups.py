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

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.stats.two_groups import (
    CONTINUOUS_TESTS,
    MeasurementComparison,
    compare_measurement,
    counts_by_group,
)


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


def test_compare_measurement_refuses_too_few_values_and_a_third_group():
    data = pd.DataFrame({"group": ["Toci", "Non-toci", "Non-toci"], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(InvalidInputError, match="at least 2 values"):
        compare_measurement(data, "x")
    with pytest.raises(InvalidInputError, match="two groups"):
        compare_measurement(data, "x", order=("a", "b", "c"))
    with pytest.raises(InvalidInputError, match="no column"):
        compare_measurement(data, "y")


def test_counts_by_group_keeps_empty_categories_in_order():
    labels = pd.Series(["MRD-CR", "MRD-CR", "PR"], name="response")
    groups = pd.Series(["Toci", "Non-toci", "Non-toci"])
    table = counts_by_group(labels, groups, ["MRD-CR", "MRD+CR", "PR", "NR"])
    assert table.to_dict("index") == {"Toci": {"MRD-CR": 1, "MRD+CR": 0, "PR": 0, "NR": 0},
                                      "Non-toci": {"MRD-CR": 1, "MRD+CR": 0, "PR": 1, "NR": 0}}
    with pytest.raises(InvalidInputError, match="not among"):
        counts_by_group(labels, groups, ["MRD-CR"])
