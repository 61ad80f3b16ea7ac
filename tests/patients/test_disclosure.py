"""What pages may publish about a folder's patients (crs_compendium.patients.disclosure): the synthetic
reconstruction everything, real data aggregates over at least MIN_PATIENTS, an internal build of real data
everything again, marked as not for publication."""
import pytest

from crs_compendium.patients.disclosure import (INTERNAL_ENV, MIN_PATIENTS, Disclosure, disclosure_for,
                                                internal_requested)


@pytest.fixture(autouse=True)
def no_internal_build(monkeypatch):
    monkeypatch.delenv(INTERNAL_ENV, raising=False)


def test_the_synthetic_reconstruction_shows_everything():
    synthetic = disclosure_for(synthetic=True)
    assert synthetic.row_level and not synthetic.internal
    assert synthetic.withheld(1, "a median") is None and synthetic.rows_withheld("a table") is None


def test_real_data_show_aggregates_over_at_least_five_patients():
    real = disclosure_for(synthetic=False)
    assert MIN_PATIENTS == 5 and not real.row_level and real.min_patients == 5
    assert real.withheld(5, "the median of group Toci") is None
    assert real.withheld(4, "the median of group Toci") == (
        "withheld: the median of group Toci would rest on 4 patients, fewer than 5 (privacy rule for real data)")
    assert "1 patient," in real.withheld(1, "a count")
    assert real.rows_withheld("the expansion of each patient").startswith("withheld: the expansion of each patient "
                                                                          "has one row per patient")
    assert real.about_one_patient("a claim about case 4").startswith("withheld: a claim about case 4 is about one")
    assert disclosure_for(synthetic=True).about_one_patient("a claim about case 4") is None


@pytest.mark.parametrize("value, internal", [("1", True), ("0", False), ("", False), ("yes", False)])
def test_only_an_explicit_internal_request_shows_real_data_row_by_row(monkeypatch, value, internal):
    monkeypatch.setenv(INTERNAL_ENV, value)
    assert internal_requested() is internal
    real = disclosure_for(synthetic=False)
    assert real == (Disclosure(row_level=True, min_patients=0, internal=True) if internal
                    else Disclosure(row_level=False, min_patients=MIN_PATIENTS))
    assert disclosure_for(synthetic=True) == Disclosure(row_level=True, min_patients=0)
