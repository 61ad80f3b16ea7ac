"""Numbers as pages show them (crs_compendium.formatting): the one p-value formatter, and counts,
percentages and values printed the way the paper prints them.

Outside source: Zhou et al., Front Immunol 2025;16:1530623, Table 2 ("n (%)" cells, three-decimal p).
"""
from fractions import Fraction

import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.formatting import format_count, format_like, format_number, format_p, format_percent, p_text


@pytest.mark.parametrize(
    "n, total, printed",
    [(24, 45, "24 (53.3)"), (38, 45, "38 (84.4)"), (0, 17, "0 (0)"), (7, 28, "7 (25.0)"), (2, 17, "2 (11.8)")],
)
def test_counts_are_printed_as_in_table_2(n, total, printed):
    assert format_count(n, total) == printed


def test_format_like_takes_the_printed_decimals_and_rounds_half_up():
    assert format_like(24.0, "24.0") == "24.0"
    assert format_like(2.1, "2.38") == "2.10"
    assert format_like(0.0425, "0.042") == "0.043"
    assert format_like(float("nan"), "1") == "NA"
    assert format_like(3.14159, None) == "3.1" and format_like(3.14159, None, default_places=2) == "3.14"


def test_p_values_are_printed_at_three_decimals():
    assert format_p(0.0330276) == "0.033"
    assert format_p(0.0004) == "<0.001"
    assert p_text(0.227) == "p = 0.227"
    assert p_text(1e-5) == "p < 0.001"
    assert format_p(None) == "NA" and format_p(0.00004, 4) == "<0.0001"


def test_numbers_and_percentages_round_exactly_half_up():
    assert format_number(Fraction(1, 8), 2) == "0.13"  # 0.125, a tie, half up as SPSS
    assert format_number(2.675, 2) == "2.68"  # read as printed, not as the binary double below 2.675
    assert format_number(None, 1) == "NA"
    assert format_percent(1, 8) == "12.5" and format_percent(1, 8, places=0) == "13"
    assert format_percent(16, 17, places=2) == "94.12" and format_percent(0, 17) == "0"


def test_a_percentage_of_nobody_is_refused():
    with pytest.raises(InvalidInputError):
        format_percent(1, 0)
