"""Counts and totals (crs_compendium.printed.sums): printed parts that add up to a printed total, and a
subgroup within its group.

Outside source: Zhou et al., Front Immunol 2025;16:1530623 (Table 2, Results, Figure 1), derived by hand
from the printed counts.
"""
import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.printed.sums import check_at_most, check_sum
from crs_compendium.vocab import CONSISTENT


# --------------------------------------------------------------------------------------------------------
# Sums
# --------------------------------------------------------------------------------------------------------
def test_counts_add_up_in_table_2_and_the_flow():
    """Table 2: 8 + 16 = 24 men; blasts 31 + 5 + 9 = 45; CRS 4 + 7 + 19 + 15 = 45; flow 1 + 4 + 11 + 45 = 61."""
    assert check_sum([8, 16], 24).consistent
    assert check_sum(["31", "5", "9"], "45").consistent
    assert check_sum({"grade 0": 4, "grade 1": 7, "grade 2": 19, "grade 3-5": 15}, 45).consistent
    assert check_sum([1, 4, 11, 45], 61, label="flow").consistent


def test_a_sum_that_misses_is_flagged_with_the_difference():
    result = check_sum({"toci": 8, "non-toci": 15}, 24, label="male")
    assert not result.consistent and result.recomputed == "23"
    assert "off the total by -1" in result.note and "toci 8" in result.note


def test_rounded_percentages_may_miss_the_total_by_their_rounding():
    """Table 2 blasts 68.9 + 11.1 + 20.0 = 100.0; CRS 8.9 + 15.6 + 42.2 + 33.3 = 100.0; 33.3 x 3 = 99.9."""
    assert check_sum(["68.9", "11.1", "20.0"], "100.0", rounded=True).consistent
    assert check_sum(["8.9", "15.6", "42.2", "33.3"], "100.0", rounded=True).consistent
    assert check_sum(["33.3", "33.3", "33.3"], "100.0", rounded=True).consistent
    assert not check_sum(["33.3", "33.3", "33.3"], "100.0").consistent
    assert not check_sum(["68.9", "11.1", "21.0"], "100.0", rounded=True).consistent


def test_sum_arguments_are_validated():
    with pytest.raises(InvalidInputError, match="empty"):
        check_sum([], 1)
    with pytest.raises(InvalidInputError, match="printed number"):
        check_sum([1.5, 2], 3)


def test_results_are_frozen_and_flatten_to_records():
    result = check_sum([8, 16], 24)
    with pytest.raises(AttributeError):
        result.consistent = False
    record = result.to_record()
    assert record["parts"] == "8; 16" and record["verdict"] == CONSISTENT


# --------------------------------------------------------------------------------------------------------
# Subgroups
# --------------------------------------------------------------------------------------------------------
def test_a_subgroup_count_cannot_exceed_its_group():
    assert check_at_most("1", "2").consistent
    assert check_at_most(6, 6).consistent  # all of the group
    failed = check_at_most("3", "2", label="grade 3 ICANS within ICANS")
    assert not failed.consistent and failed.note == "3 patients cannot be a subgroup of 2"
    assert repr(failed).startswith("inconsistent: grade 3 ICANS within ICANS: 3 <= 2")


@pytest.mark.parametrize("part, whole", [("1.5", "2"), (-1, 2), ("<3", "4"), (True, 2)])
def test_at_most_takes_whole_counts_only(part, whole):
    with pytest.raises(InvalidInputError):
        check_at_most(part, whole)
