"""The shared vocabulary (crs_compendium.vocab): the groups, the verdict words of the three questions, the
printed categories, and one colour-blind-safe palette for every figure.

Outside sources: seaborn's "colorblind" palette (seaborn 0.13 documentation, "Choosing color palettes";
its first colours are #0173b2 and #de8f05), compared here with seaborn itself; Zhou et al. 2025, Table 2
(group columns, blast and CRS grade categories).
"""
import pytest
import seaborn as sns
from matplotlib.colors import to_hex

from crs_compendium import vocab
from crs_compendium.vocab import (
    AUDIT_VERDICTS,
    BLAST_BINS,
    CHANGE_COLOURS,
    CRS_GRADE_CATEGORIES,
    CRS_GRADE_COLOURS,
    FIT_STATUSES,
    GROUP_COLOURS,
    GROUP_KEYS,
    GROUP_ORDER,
    INFECTION_COLOURS,
    PAGE_VERDICTS,
    PALETTE,
    RESPONSE_COLOURS,
    RESPONSE_ORDER,
    STEROID_COLOURS,
    VERDICT_COLOURS,
    audit_verdict,
)


def test_palette_is_seaborns_colorblind_palette_as_hex():
    assert [colour.lower() for colour in PALETTE] == sns.color_palette("colorblind").as_hex()
    assert len(PALETTE) == 10


def test_the_groups_have_one_order_and_the_first_two_colorblind_colours():
    assert GROUP_ORDER == ("Toci", "Non-toci")
    assert GROUP_KEYS == {"total": "Total", "toci": "Toci", "non_toci": "Non-toci"}
    assert [to_hex(GROUP_COLOURS[group]) for group in GROUP_ORDER] == ["#0173b2", "#de8f05"]


@pytest.mark.parametrize("colours", [GROUP_COLOURS, RESPONSE_COLOURS, CHANGE_COLOURS, STEROID_COLOURS,
                                     INFECTION_COLOURS])
def test_every_colour_comes_from_the_one_palette_and_differs_within_a_figure(colours):
    palette = {to_hex(colour) for colour in PALETTE}
    used = [to_hex(colour) for colour in colours.values()]
    assert set(used) <= palette
    assert len(set(used)) == len(used)


def test_categories_have_a_colour_each_in_their_order():
    assert list(RESPONSE_COLOURS) == list(RESPONSE_ORDER)
    assert len(CRS_GRADE_COLOURS) == 6 and len(set(CRS_GRADE_COLOURS)) == 6  # grades 0 to 5
    assert set(CRS_GRADE_COLOURS[1:]) <= set(PALETTE)
    assert set(VERDICT_COLOURS) == set(AUDIT_VERDICTS)


def test_the_three_families_of_verdict_words_are_distinct():
    families = (AUDIT_VERDICTS, PAGE_VERDICTS, FIT_STATUSES)
    words = [word for family in families for word in family]
    # The fit report's "not computable from these data" is the page verdict of the same number.
    assert len(set(words)) == 3 + 5 + 4 and len(words) == 3 + 5 + 5
    assert set(PAGE_VERDICTS) & set(FIT_STATUSES) == {vocab.NOT_COMPUTABLE}
    assert audit_verdict(True) == vocab.CONSISTENT and audit_verdict(False) == vocab.INCONSISTENT


def test_table2_categories():
    assert [bin_.label for bin_ in BLAST_BINS] == ["<30", "30-50", ">50"]
    assert [(bin_.low, bin_.high) for bin_ in BLAST_BINS] == [(0, 30), (30, 50), (50, 100)]
    assert CRS_GRADE_CATEGORIES == ("0", "1", "2", "3-5")
    assert set(vocab.__all__) <= set(dir(vocab))
