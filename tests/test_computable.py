"""The result of an analysis the data do not allow (crs_compendium.computable): it names what and why,
shows itself as the verdict word, and cannot be made without a reason."""
import pytest

from crs_compendium.computable import NotComputable, computed
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.vocab import NOT_COMPUTABLE


def test_a_not_computable_result_says_what_and_why_in_text_and_html():
    result = NotComputable("G-CSF dose by group", "every value of gcsf_total_ug is 0 <in both groups>")
    assert result.verdict == NOT_COMPUTABLE
    assert str(result) == repr(result) == (
        "G-CSF dose by group: not computable from these data (every value of gcsf_total_ug is 0 <in both groups>)")
    assert "&lt;in both groups&gt;" in result._repr_html_() and f"<em>{NOT_COMPUTABLE}</em>" in result._repr_html_()
    assert not computed(result) and computed(0.5)


def test_a_reason_is_required():
    with pytest.raises(InvalidInputError, match="needs a reason"):
        NotComputable("anything", " ")
