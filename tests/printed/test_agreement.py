"""Printings of one number, and sentences about significance against their p-values
(crs_compendium.printed.agreement).

Outside sources:
* The 0.05 significance level the paper's Figure 2 caption uses (* p < 0.05; ns, p > 0.05).
* Zhou et al., Front Immunol 2025;16:1530623: 84.8 % (Results) vs 84.4 % (Table 2) for 38 of 45 patients;
  Table 2's p-values and Bonferroni column.
"""
import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.printed.agreement import check_printings_agree, check_significance, classify_p
from crs_compendium.vocab import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, NOT_SIGNIFICANT, SIGNIFICANT, UNDETERMINED


# --------------------------------------------------------------------------------------------------------
# Printings of one number
# --------------------------------------------------------------------------------------------------------
def test_the_papers_two_high_risk_percentages_disagree():
    result = check_printings_agree({"res.high_risk.total.pct": "84.8", "t2.high_risk.total.pct": "84.4"})
    assert not result.consistent and result.verdict == INCONSISTENT
    assert result.note == "printed differently: 84.4 vs 84.8"
    assert repr(result).startswith("inconsistent: 84.8 (res.high_risk.total.pct) vs 84.4")


@pytest.mark.parametrize(
    "values, agree",
    [
        (("45", "45", "45"), True),
        (("45", "46"), False),  # same decimals: identical or not, even though 45.5 rounds to either
        (("0.35", "0.350"), True),  # different decimals: rounding intervals meet
        (("0.35", "0.356"), False),
        (("<0.05", "0.05"), False),  # a bound is not a value
        (("<0.05", "<0.05"), True),
    ],
)
def test_printings_agree_up_to_rounding(values, agree):
    result = check_printings_agree({f"place {i}": value for i, value in enumerate(values)})
    assert result.consistent is agree


@pytest.mark.parametrize("printings", [{"only one": "45"}, {"a": "45", "b": 45}, {"a": "45", "b": "4 5"}, ["45", "45"]])
def test_printings_arguments_are_validated(printings):
    with pytest.raises(InvalidInputError):
        check_printings_agree(printings)


# --------------------------------------------------------------------------------------------------------
# Narrative significance
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "printed, finding",
    [
        ("0.042", SIGNIFICANT),
        ("0.049", SIGNIFICANT),  # stands for [0.0485, 0.0495]
        ("0.04", SIGNIFICANT),  # [0.035, 0.045]
        ("0.05", UNDETERMINED),  # [0.045, 0.055] holds the level
        ("0.050", UNDETERMINED),  # a tie at the level: p might be 0.0499
        ("0.0505", NOT_SIGNIFICANT),
        ("0.42", NOT_SIGNIFICANT),
        ("<0.05", SIGNIFICANT),
        ("<0.1", UNDETERMINED),
        (">0.05", NOT_SIGNIFICANT),
        ("5.11", NOT_SIGNIFICANT),  # an uncapped Bonferroni product is a probability of 1
        ("1.000", NOT_SIGNIFICANT),
    ],
)
def test_what_a_printed_p_says_at_alpha_005(printed, finding):
    assert classify_p(printed) == finding


def test_a_significance_claim_against_printed_and_adjusted_p():
    """Zhou et al. Table 2: blasts p = 0.042 (significant) but its own Bonferroni value 0.42 is not."""
    assert check_significance("significant", {"t2.blasts_bin.p": "0.042"}).verdict == CONSISTENT
    adjusted = check_significance("significant", {"t2.blasts_bin.p_bonf": "0.42"})
    assert adjusted.verdict == INCONSISTENT and adjusted.consistent is False
    assert adjusted.note == "p = 0.42 (t2.blasts_bin.p_bonf) is not significant at alpha = 0.05"
    several = check_significance("not significant", {"male": "0.511", "risk": "1.000", "age": "0.033"})
    assert several.verdict == INCONSISTENT and "p = 0.033 (age) is significant" in several.note


def test_no_p_or_a_p_at_the_level_is_not_checkable():
    none = check_significance("significant", {})
    assert none.verdict == NOT_CHECKABLE and none.consistent is None
    assert none.note == "no p-value is printed for this statement"
    tie = check_significance("significant", {"x": "0.05"})
    assert tie.verdict == NOT_CHECKABLE and "straddles" in tie.note
    assert "not checkable" in tie._repr_html_()


@pytest.mark.parametrize(
    "asserts, ps, alpha",
    [("maybe", {"x": "0.1"}, "0.05"), ("significant", ["0.1"], "0.05"), ("significant", {"x": 0.1}, "0.05"),
     ("significant", {"x": "0.1"}, "1.5"), ("significant", {"x": "0.1"}, "<0.05")],
)
def test_significance_arguments_are_validated(asserts, ps, alpha):
    with pytest.raises(InvalidInputError):
        check_significance(asserts, ps, alpha=alpha)
