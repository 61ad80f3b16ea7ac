"""What every patient-level page shows first (crs_compendium.reproduce.page): a banner naming the data it
runs on, synthetic or loaded from a folder, with the class the browser test looks for."""
from sample_data import make_folder

from crs_compendium.patients.load import load_cohort
from crs_compendium.reproduce.page import BANNER_CLASS, banner_text, data_level_banner


def test_the_synthetic_cohort_says_it_is_not_the_studys_patients(shipped):
    cohort = shipped
    assert banner_text(cohort).startswith("Synthetic reconstruction")
    assert "not the study's patients" in banner_text(cohort)
    assert "(seed 20250314, folder data/synthetic_reconstruction)" in banner_text(cohort)
    banner = data_level_banner(cohort).data
    assert banner.startswith(":::{admonition} Synthetic reconstruction, not patient data\n")
    assert f":class: warning {BANNER_CLASS}" in banner and banner.rstrip().endswith(":::")


def test_real_data_name_their_folder(monkeypatch, tmp_path):
    folder = make_folder(tmp_path)
    monkeypatch.setenv("COMPENDIUM_DATA", str(folder))
    cohort = load_cohort()
    assert banner_text(cohort).startswith(f"Data loaded from {folder.resolve()}")
    assert "2 patients, 4 daily rows" in banner_text(cohort)
    assert f":class: note {BANNER_CLASS}" in data_level_banner(cohort).data
