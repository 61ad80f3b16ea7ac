"""What every patient-level page shows first (crs_compendium.reproduce.page): a banner naming the data it
runs on, synthetic or real (by its label, never its path), with the class the browser test looks for; and
a table with one row per patient only where the data's disclosure allows it."""
import pandas as pd
from sample_data import make_folder

from crs_compendium.computable import NotComputable
from crs_compendium.patients.disclosure import INTERNAL_ENV
from crs_compendium.vocab import INTERNAL_MARK
from crs_compendium.patients.load import load_cohort
from crs_compendium.reproduce.page import BANNER_CLASS, banner_text, data_level_banner, patient_rows


def test_the_synthetic_cohort_says_it_is_not_the_studys_patients(shipped):
    cohort = shipped
    assert banner_text(cohort).startswith("Synthetic reconstruction")
    assert "not the study's patients" in banner_text(cohort)
    assert "(seed 20250314, folder data/synthetic_reconstruction)" in banner_text(cohort)
    banner = data_level_banner(cohort).data
    assert banner.startswith(":::{admonition} Synthetic reconstruction, not patient data\n")
    assert f":class: warning {BANNER_CLASS}" in banner and banner.rstrip().endswith(":::")


def test_real_data_are_named_by_their_label_never_their_path(monkeypatch, tmp_path):
    folder = make_folder(tmp_path)
    monkeypatch.setenv("COMPENDIUM_DATA", str(folder))
    monkeypatch.delenv(INTERNAL_ENV, raising=False)
    cohort = load_cohort()
    assert banner_text(cohort).startswith("Data loaded from data: 2 patients, 4 daily rows")
    assert str(tmp_path) not in banner_text(cohort)
    assert "aggregates only" in banner_text(cohort) and "fewer than 5 patients" in banner_text(cohort)
    assert f":class: note {BANNER_CLASS}" in data_level_banner(cohort).data
    (folder / "label.txt").write_text("\ufeffCentre A, data cut 2024-06\nsecond line ignored\n", encoding="utf-8")
    assert banner_text(load_cohort()).startswith("Data loaded from Centre A, data cut 2024-06: 2 patients")


def test_an_internal_build_says_on_the_page_it_is_not_for_publication(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPENDIUM_DATA", str(make_folder(tmp_path)))
    monkeypatch.setenv(INTERNAL_ENV, "1")
    cohort = load_cohort()
    assert cohort.disclosure.row_level and cohort.disclosure.internal
    banner = data_level_banner(cohort).data
    assert banner.startswith(f":::{{admonition}} {INTERNAL_MARK}") and f":class: danger {BANNER_CLASS}" in banner


def test_a_per_patient_table_is_shown_only_where_rows_may_be(monkeypatch, tmp_path, shipped):
    table = pd.DataFrame({"patient_id": ["A1", "A2"], "value": [1, 2]})
    assert patient_rows(table, shipped, "the values") is table
    monkeypatch.delenv(INTERNAL_ENV, raising=False)
    real = load_cohort(make_folder(tmp_path))
    withheld = patient_rows(table, real, "the values")
    assert isinstance(withheld, NotComputable) and "A1" not in repr(withheld)
    assert withheld.reason == ("withheld: the values has one row per patient, and pages on real data show "
                               "aggregates only")
