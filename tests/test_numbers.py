"""The one printed-number parser and exact rounding (crs_compendium.numbers).

Outside sources: scrutiny's "up_or_down" rounding (a tie rounds either way; vignette "rounding-options",
CRAN scrutiny), SPSS's RND rounding half away from zero (same vignette), Python's round() to even (Python
docs, "Floating-Point Arithmetic: Issues and Limitations"), and Zhou et al., Front Immunol
2025;16:1530623 for the printed numbers used as examples.
"""
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.numbers import (
    ROUNDING_MODES,
    PrintedNumber,
    as_count,
    as_printed,
    check_rounding_mode,
    decimals,
    matches_printed,
    p_value_bounds,
    parse_printed,
    printed_decimal,
    reproduces_p,
    round_fraction,
    rounded_strings,
    rounding_bounds,
    rounds_to,
    to_fraction,
)


# --------------------------------------------------------------------------------------------------------
# Parsing a printed number
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("printed, expected", [
    ("84.8", PrintedNumber("", Decimal("84.8"), 1)),
    ("1.000", PrintedNumber("", Decimal("1.000"), 3)),
    ("10", PrintedNumber("", Decimal("10"), 0)),
    ("<0.05", PrintedNumber("<", Decimal("0.05"), 2)),
    ("≥38", PrintedNumber("≥", Decimal("38"), 0)),
])
def test_parse_printed_keeps_precision(printed, expected):
    assert parse_printed(printed) == expected


def test_two_character_relation_signs_are_read_whole():
    assert parse_printed("<=0.05") == PrintedNumber("<=", Decimal("0.05"), 2)
    assert str(parse_printed(">=6")) == ">=6"


# The registry schema refuses ".5" and "5." (its pattern); the parser itself reads any decimal a paper
# prints, so only what is not a number at all is refused here.
@pytest.mark.parametrize("bad", ["", "abc", "1,000", "-", "<", "nan", "inf", 84.8])
def test_parse_printed_refuses_what_is_not_a_printed_number(bad):
    with pytest.raises(InvalidInputError):
        parse_printed(bad)


@pytest.mark.parametrize(
    "printed, places", [("0.040", 3), ("84.8", 1), ("10", 0), (".042", 3), ("1.000", 3), (" 5.0 ", 1)]
)
def test_decimals_count_trailing_zeros(printed, places):
    assert decimals(printed) == places


@pytest.mark.parametrize("bad", ["", "abc", "nan", "inf", "1,5"])
def test_decimals_refuse_non_numbers(bad):
    with pytest.raises(InvalidInputError):
        decimals(bad)


def test_decimals_refuse_a_float_because_it_has_no_printed_precision():
    with pytest.raises(InvalidInputError, match="printed string"):
        decimals(0.04)
    with pytest.raises(InvalidInputError, match="as a string"):
        printed_decimal(0.04)


# --------------------------------------------------------------------------------------------------------
# Exact values and counts
# --------------------------------------------------------------------------------------------------------
def test_to_fraction_reads_every_number_exactly_and_floats_as_printed():
    assert to_fraction(3) == 3 and to_fraction("0.125") == Fraction(1, 8)
    assert to_fraction(Decimal("2.675")) == Fraction(2675, 1000)
    assert to_fraction(0.1) == Fraction(1, 10)  # not the binary 0.1000000000000000055...
    assert to_fraction(Fraction(2, 3)) == Fraction(2, 3)
    for bad, message in ((True, "bool"), (float("nan"), "not finite"), (Decimal("inf"), "not finite"),
                         (object(), "must be a number")):
        with pytest.raises(InvalidInputError, match=message):
            to_fraction(bad)


def test_numpy_scalars_are_read_like_floats():
    """to_fraction's own branch for NumPy scalars: SciPy returns p-values as numpy.float64, a float subclass
    whose repr under NumPy 2 is "np.float64(0.25)", not a number."""
    assert to_fraction(np.float32(0.25)) == Fraction(1, 4)
    assert to_fraction(np.float64(0.25)) == Fraction(1, 4)
    assert reproduces_p(np.float64(0.0425), "0.042") and rounds_to(np.float64(2.675), "2.68")


def test_counts_and_printed_parts():
    assert as_count("17", name="n") == 17 and as_count(np.int64(3), name="n") == 3
    assert as_printed(" 8.0 ", name="part") == "8.0" and as_printed(24, name="part") == "24"
    for bad in ("1.5", "<3", -1, True, 2.0):
        with pytest.raises(InvalidInputError):
            as_count(bad, name="n")
    with pytest.raises(InvalidInputError, match="printed number"):
        as_printed(1.5, name="part")


# --------------------------------------------------------------------------------------------------------
# Exact rounding
# --------------------------------------------------------------------------------------------------------
def test_a_tie_rounds_either_way_under_up_or_down():
    """scrutiny's default "up_or_down": 0.0425 is consistent with both 0.042 and 0.043."""
    assert rounds_to("0.0425", "0.042") and rounds_to("0.0425", "0.043")
    assert not rounds_to("0.0425", "0.044")


def test_a_float_tie_is_read_as_printed_not_as_its_binary_value():
    """The double nearest 2.675 lies just below it, so Python's round(2.675, 2) gives 2.67 (Python docs,
    "Floating-Point Arithmetic: Issues and Limitations"); read as printed, 2.675 is a tie."""
    assert Decimal(2.675) < Decimal("2.675") and round(2.675, 2) == 2.67
    assert rounds_to(2.675, "2.68") and rounds_to(2.675, "2.67")
    assert round_fraction(2.675, 2, "half_up") == Decimal("2.68")
    assert rounds_to(0.0425, "0.043") and rounds_to(0.0425, "0.042")


def test_single_tie_rules_match_spss_and_python():
    """SPSS RND rounds half away from zero; Python's round() (and R's) rounds half to even."""
    assert round_fraction("0.0425", 3, "half_up") == Decimal("0.043")
    assert round_fraction("0.0425", 3, "half_down") == Decimal("0.042")
    assert round_fraction("0.0425", 3, "half_even") == Decimal("0.042")
    assert round_fraction("0.0435", 3, "half_even") == Decimal("0.044")
    assert str(round_fraction(Fraction(5, 2), 0, "half_even")) == str(round(2.5)) == "2"
    assert round_fraction("-2.5", 0, "half_up") == Decimal("-3")
    assert str(round_fraction(0, 3)) == "0.000"
    assert not rounds_to("0.0425", "0.042", rounding="half_up")
    assert rounds_to("0.0425", "0.042", rounding="half_even")


def test_rounding_bounds_are_the_closed_half_unit_interval():
    assert rounding_bounds("84.8") == (Fraction("84.75"), Fraction("84.85"))
    assert rounding_bounds("10") == (Fraction("9.5"), Fraction("10.5"))


def test_rounded_strings_give_both_printings_of_a_tie():
    assert rounded_strings(Fraction(1, 8) * 100, 0, "up_or_down") == ("12", "13")
    assert rounded_strings(Fraction(1, 8) * 100, 0, "half_up") == ("13",)
    assert rounded_strings(Fraction(38, 45) * 100, 1, "up_or_down") == ("84.4",)


def test_rounding_arguments_are_validated():
    assert set(ROUNDING_MODES) == {"up_or_down", "half_up", "half_down", "half_even"}
    check_rounding_mode("half_even")
    with pytest.raises(InvalidInputError, match="rounding must be one of"):
        rounds_to("1", "1", rounding="nearest")
    with pytest.raises(InvalidInputError, match="rounding must be one of"):
        check_rounding_mode("nearest")
    with pytest.raises(InvalidInputError, match="single tie rule"):
        round_fraction("1.5", 0, "up_or_down")
    with pytest.raises(InvalidInputError, match="places"):
        round_fraction("1.5", -1)
    with pytest.raises(InvalidInputError, match="bool"):
        rounds_to(True, "1")
    with pytest.raises(InvalidInputError, match="not finite"):
        rounds_to(float("inf"), "1")


# --------------------------------------------------------------------------------------------------------
# p-values as printed
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, printed, expected",
    [
        (0.04154, "0.042", True),  # FFH p of the blasts table
        (0.0465, "0.042", False),  # its Pearson p
        (0.0425, "0.042", True),  # a tie, either way
        (0.9995, "1.000", True),  # "1.000" means p >= 0.9995
        (0.99949, "1.000", False),
        (1.0, "1.000", True),
        (0.0004, "0.000", True),  # SPSS prints p < 0.0005 as .000
        (0.0006, "0.000", False),
        (0.0009, "<0.001", True),
        (0.001, "<0.001", False),
        (0.05, "≤0.05", True),
        (0.2, ">0.05", True),
        (float("nan"), "0.042", False),
    ],
)
def test_reproduces_p_at_printed_precision(value, printed, expected):
    assert reproduces_p(value, printed) is expected


def test_reproduces_p_refuses_a_printed_float():
    with pytest.raises(InvalidInputError, match="string"):
        reproduces_p(0.04, 0.04)


def test_p_value_bounds_of_values_and_thresholds():
    assert p_value_bounds("0.042") == (Fraction("0.0415"), Fraction("0.0425"))
    assert p_value_bounds("<0.001") == (0, Fraction("0.001"))
    assert p_value_bounds(">0.05") == (Fraction("0.05"), 1)
    assert p_value_bounds("1.00") == (Fraction("0.995"), 1)  # a probability never exceeds 1
    assert p_value_bounds("0.000") == (0, Fraction("0.0005"))


def test_matches_printed_reads_a_threshold_as_a_bound_and_a_number_as_its_rounding():
    assert matches_printed(0.03, "<0.05") and not matches_printed(0.06, "<0.05")
    assert matches_printed(24.04, "24.0") and not matches_printed(24.06, "24.0")
    assert matches_printed(np.float64(34.15), "34.15")
