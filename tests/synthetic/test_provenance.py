"""What the generator says about its cohort (crs_compendium.synthetic.provenance): the provenance of every
column of the schema, and a note for every printed number it cannot meet or had to read; the shipped folder
carries both as files, exactly as the tables say."""
import pandas as pd

from crs_compendium.files import read_text_csv
from crs_compendium.patients.schema import (
    CLAIM_NOTES_FILE,
    DAILY_COLUMNS,
    PATIENT_COLUMNS,
    PROVENANCE_FILE,
    SYNTHETIC_DIR,
)
from crs_compendium.synthetic.provenance import (
    DECISIONS,
    PROVENANCE_LEVELS,
    READINGS,
    claim_notes_table,
    provenance_table,
)


def test_provenance_covers_every_schema_column_with_a_known_level():
    table = provenance_table()
    assert set(table["level"]) == set(PROVENANCE_LEVELS)
    for file, rules in (("patients.csv", PATIENT_COLUMNS), ("daily.csv", DAILY_COLUMNS)):
        assert table.loc[table["file"] == file, "column"].tolist() == [rule.name for rule in rules]


def test_claim_notes_name_registry_claims_once_per_kind(claims):
    notes = claim_notes_table()
    assert set(notes["kind"]) == {"decision", "reading"}
    assert len(notes) == sum(len(decision.claim_ids) for decision in DECISIONS) + len(READINGS)
    assert set(notes["claim_id"]) <= set(claims["claim_id"])
    assert not notes.duplicated(["claim_id", "kind"]).any()


def test_the_shipped_folder_carries_the_tables_as_files():
    for name, table in ((PROVENANCE_FILE, provenance_table()), (CLAIM_NOTES_FILE, claim_notes_table())):
        written = read_text_csv(SYNTHETIC_DIR / name, table.columns)
        pd.testing.assert_frame_equal(written, table.astype(str), check_dtype=False)
