"""Grade labels that qualify a statement (crs_compendium.printed.strata): do two printings name the same
patients?

Outside source: Zhou et al., Front Immunol 2025;16:1530623: Figure 2 caption and Results compare "grade 1-2"
with "grade 3"; the Discussion says "grade 2" and "grade 3"; the Methods define mild CRS as grade 1-2 and
severe as grade 3-4; Table 2 counts 7 patients with grade 1 and pools grades 3-5; the Results print no grade 4
CRS.
"""
import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.printed.strata import check_same_patients, grade_occupancy, grades_of

PAPER = [("0", "4"), ("1", "7"), ("2", "19"), ("3-5", "15"), ("4", "0")]


def test_grades_and_occupancy_from_the_printed_counts():
    assert grades_of("1-2") == (1, 2) and grades_of("3") == (3,)
    with pytest.raises(InvalidInputError):
        grades_of("3-1")
    occupancy = grade_occupancy(PAPER)
    assert occupancy == {0: True, 1: True, 2: True, 3: None, 4: False, 5: None}
    # with grade 5 emptied too, the pooled 15 are all grade 3
    assert grade_occupancy(PAPER + [("5", "0")])[3] is True


def test_labels_name_the_same_patients_only_when_their_difference_is_empty():
    occupancy = grade_occupancy(PAPER)
    assert check_same_patients((3,), (3, 4), occupancy).consistent  # severe 3-4: no grade 4
    discussion = check_same_patients((2,), (1, 2), occupancy)
    assert not discussion.consistent and discussion.differing == (1,) and "grade 1 holds patients" in discussion.note
    assert check_same_patients((1, 2), (1, 2), occupancy).recomputed.endswith("the labels name the same grades")
    with pytest.raises(InvalidInputError, match="grade 5"):
        check_same_patients((3,), (3, 4, 5), occupancy)  # the counts do not say whether grade 5 holds anyone
