"""Two groups compared on counts (crs_compendium.reproduce.comparisons): the tests of a count table, or why
the data allow none; small groups of real data withheld; summaries of several comparisons in one export.

Outside source: Zhou et al. 2025, Table 2: 8 of 17 and 16 of 28 men, Pearson's chi-squared p = 0.511."""
import pandas as pd
import pytest

from crs_compendium.computable import NotComputable
from crs_compendium.patients.disclosure import Disclosure
from crs_compendium.reproduce.comparisons import compare_counts, comparison_summaries, shown_counts
from crs_compendium.stats.two_groups import compare_measurement

PUBLIC = Disclosure(row_level=False, min_patients=5)


def sex_by_group(toci=(8, 9), non_toci=(16, 12)):
    return pd.DataFrame([toci, non_toci], index=["Toci", "Non-toci"], columns=["M", "F"]).rename_axis(columns="sex")


def test_a_count_table_is_tested_as_the_paper_did():
    result = compare_counts(sex_by_group(), "Sex by group", printed_p="0.511")
    assert result.p_values["pearson"] == pytest.approx(0.5109, abs=1e-4) and "pearson" in result.reproducing


@pytest.mark.parametrize("counts, reason", [
    (sex_by_group(toci=(0, 0)), "no patient in group Toci"),
    (sex_by_group(toci=(3, 0), non_toci=(5, 0)), "every patient is in category 'M' of sex: there is no association"),
])
def test_a_table_without_two_groups_and_two_categories_is_not_computable(counts, reason):
    result = compare_counts(counts, "Sex by group")
    assert isinstance(result, NotComputable) and result.reason.startswith(reason)


def test_a_small_group_of_real_data_is_withheld_and_its_counts_hidden():
    counts = sex_by_group(toci=(2, 1))
    result = compare_counts(counts, "Sex by group", disclosure=PUBLIC)
    assert isinstance(result, NotComputable) and result.reason.startswith("withheld: a test with group Toci")
    shown = shown_counts(counts, PUBLIC)
    assert shown.loc["Toci"].tolist() == ["withheld (fewer than 5 patients)"] * 2
    assert shown.loc["Non-toci"].tolist() == [16, 12]
    assert shown_counts(counts, Disclosure(row_level=True, min_patients=0)) is counts


def test_summaries_of_several_comparisons_keep_each_reason():
    data = pd.DataFrame({"group": ["Toci"] * 3 + ["Non-toci"] * 3, "a": [1.0, 2, 3, 4, 5, 6], "b": [0.0] * 6})
    table = comparison_summaries({"a": compare_measurement(data, "a"), "b": compare_measurement(data, "b"),
                                  "c": NotComputable("c", "no value of c in either group")}, "measure")
    assert table.index.names == ["measure", "group"]
    assert table.loc[("a", "Toci"), "median"] == 2.0 and table.loc[("a", "Toci"), "note"] == ""
    assert table.loc[("b", "Toci"), "note"].startswith("tests: every value of b is 0")
    assert table.loc[("c", ""), "note"] == "no value of c in either group"
