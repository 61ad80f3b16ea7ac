"""Multiplicity (crs_compendium.printed.multiplicity): Bonferroni's adjustment, and printed adjusted p-values
checked against it.

Outside sources: Zhou et al., Front Immunol 2025;16:1530623, Table 2 (ten p-values and their "P#"
column), and statsmodels' ``multipletests(method="bonferroni")`` as a second implementation of the
adjustment (min(1, m p) for each p).
"""
import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.numbers import rounds_to
from crs_compendium.printed.multiplicity import bonferroni, check_bonferroni


# --------------------------------------------------------------------------------------------------------
# Bonferroni
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "adjusted, p, consistent",
    [
        ("0.33", "0.033", True),  # Table 2, age
        ("0.42", "0.042", True),
        ("0.19", "0.019", True),
        ("0.04", "0.004", True),
        ("1.00", "0.511", True),  # what it should have printed
        ("1", "1.000", True),
        ("5.11", "0.511", False),  # Table 2 prints m*p without the cap
        ("10", "1.000", False),
        ("3.95", "0.395", False),
        ("1.06", "0.106", False),
        ("2.67", "0.267", False),
        ("0.30", "0.033", False),
        ("0.01", "<0.001", True),
    ],
)
def test_bonferroni_with_ten_tests(adjusted, p, consistent):
    """Table 2 has ten p-values; Bonferroni-adjusted p = min(1, 10 p)."""
    assert check_bonferroni(adjusted, p, 10).consistent is consistent


def test_bonferroni_above_one_is_explained_as_the_uncapped_product():
    result = check_bonferroni("5.11", "0.511", 10)
    assert result.recomputed == "1.00"
    assert "exceeds 1" in result.note and "uncapped m*p" in result.note
    assert "uncapped" not in check_bonferroni("7.5", "0.511", 10).note


def test_bonferroni_arguments_are_validated():
    with pytest.raises(InvalidInputError, match="at least 1"):
        check_bonferroni("0.1", "0.1", 0)
    with pytest.raises(InvalidInputError, match="string"):
        check_bonferroni(0.33, "0.033", 10)


def test_bonferroni_is_m_times_p_capped_at_one():
    assert bonferroni(0.033, 10) == pytest.approx(0.33)
    assert bonferroni(0.511, 10) == 1.0
    with pytest.raises(InvalidInputError, match="positive number of tests"):
        bonferroni(0.5, 0)


# --------------------------------------------------------------------------------------------------------
# Against statsmodels
# --------------------------------------------------------------------------------------------------------
# Table 2's ten printed p-values (age, male, high risk, lines, SCT, blasts, CAR-T dose, CRS, ICANS, steroid)
TABLE2_P = ["0.033", "0.511", "1.000", "0.395", "1.000", "0.042", "0.106", "0.019", "0.267", "0.004"]


def test_bonferroni_equals_statsmodels_multipletests():
    p = np.array([float(value) for value in TABLE2_P] + [0.0, 0.2, 0.09999])
    _, adjusted, _, alpha_bonferroni = multipletests(p, alpha=0.05, method="bonferroni")
    assert [bonferroni(value, len(p)) for value in p] == pytest.approx(adjusted.tolist(), rel=1e-15)
    assert alpha_bonferroni == pytest.approx(0.05 / len(p))


def test_check_bonferroni_accepts_statsmodels_adjustment_of_each_printed_p():
    """Each printed p adjusted by statsmodels and printed at two decimals is consistent; printing the
    uncapped product instead is not, exactly where statsmodels caps at 1."""
    p = np.array([float(value) for value in TABLE2_P])
    _, adjusted, _, _ = multipletests(p, method="bonferroni")
    for printed_p, value, raw in zip(TABLE2_P, adjusted, p):
        shown = f"{value:.2f}"
        assert check_bonferroni(shown, printed_p, len(p)).consistent, (printed_p, shown)
        uncapped = f"{len(p) * raw:.2f}"
        assert check_bonferroni(uncapped, printed_p, len(p)).consistent is bool(len(p) * raw <= 1)
        assert rounds_to(float(value), check_bonferroni(shown, printed_p, len(p)).recomputed)
