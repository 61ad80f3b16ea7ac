"""Percentages against their counts (crs_compendium.printed.percentages): GRIM for percentages.

Outside sources: scrutiny's "up_or_down" rounding (vignette "rounding-options", CRAN scrutiny) and Zhou et
al., Front Immunol 2025;16:1530623 (Table 2 and Results) for the paper's own numbers, derived by hand from
the printed counts.
"""
import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.printed.percentages import (
    check_percentage,
    percentage_denominator_candidates,
    percentage_n_candidates,
)
from crs_compendium.vocab import CONSISTENT, INCONSISTENT


# --------------------------------------------------------------------------------------------------------
# Percentages
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "printed, n, N",
    [
        ("53.3", 24, 45),  # Results, male
        ("84.4", 38, 45),  # Table 2, high risk
        ("88.9", 40, 45),  # Results, MRD-CR
        ("8.9", 4, 45),
        ("2.2", 1, 45),
        ("91.1", 41, 45),  # any CRS
        ("94.12", 16, 17),  # Safety section, two decimals
        ("85.71", 24, 28),
        ("58.8", 10, 17),
        ("41.2", 7, 17),
        ("52.9", 9, 17),
        ("35.7", 10, 28),
        ("17.6", 3, 17),
        ("0", 0, 17),
    ],
)
def test_the_papers_consistent_percentages(printed, n, N):
    result = check_percentage(printed, n, N)
    assert result.consistent and result.verdict == CONSISTENT


def test_high_risk_848_is_not_38_of_45():
    """Results print 84.8% (38/45); 38/45 = 84.44%, Table 2 prints 84.4; no n out of 45 gives 84.8."""
    result = check_percentage("84.8", 38, 45)
    assert not result.consistent and result.verdict == INCONSISTENT
    assert result.recomputed == "84.4"
    assert "none (38/45 = 84.4%, 39/45 = 86.7%)" in result.note
    assert repr(result).startswith("inconsistent: 84.8% of N=45 with n=38")
    assert "inconsistent" in result._repr_html_()


def test_icans_45_percent_fits_44_not_45():
    """Results print ICANS in two patients as 4.5%: 2/45 = 4.44%, but 2/44 = 4.55%."""
    assert not check_percentage("4.5", 2, 45).consistent
    assert percentage_denominator_candidates("4.5", 2, 60) == (44,)


def test_percentage_ties_and_exact_halves():
    """1/8 = 12.5% exactly: a tie prints as 12 or 13; 1/2 = 50% prints as 50.0 exactly."""
    assert check_percentage("12", 1, 8).consistent and check_percentage("13", 1, 8).consistent
    assert check_percentage("12", 1, 8).recomputed == "12 or 13"
    assert not check_percentage("12", 1, 8, rounding="half_up").consistent
    assert check_percentage("50.0", 1, 2).consistent and not check_percentage("50.1", 1, 2).consistent


def test_percentage_n_candidates_list_every_count():
    assert percentage_n_candidates("53.3", 45).candidates == (24,)
    assert percentage_n_candidates("84.8", 45).candidates == ()
    assert not percentage_n_candidates("84.8", 45).consistent
    assert percentage_n_candidates("12", 8).candidates == (1,)  # 12.5 rounds down at the tie
    assert percentage_n_candidates("33", 100).candidates == (33,)
    assert percentage_n_candidates("0", 3).candidates == (0,)


@pytest.mark.parametrize(
    "n, N, message",
    [
        (5, 4, "cannot exceed"),
        (1, 0, "N must be positive"),
        (-1, 4, "non-negative"),
        ("1.5", 4, "whole"),
        (True, 4, "bool"),
    ],
)
def test_percentage_arguments_are_validated(n, N, message):
    with pytest.raises(InvalidInputError, match=message):
        check_percentage("10.0", n, N)


def test_percentage_accepts_counts_as_strings():
    assert check_percentage("53.3", "24", "45").consistent
