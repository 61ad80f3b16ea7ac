"""The patient-data schema as code: the columns of ``patients.csv`` and ``daily.csv``, their types and
allowed values, and the rules across columns. ``data/ipd_schema.md`` is the authority and documents each
of them; a test keeps the two in step.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..exceptions import InvalidInputError
from ..paths import DATA_DIR

__all__ = [
    "SYNTHETIC_DIR",
    "SCHEMA_DOC",
    "SYNTHETIC_MARKER",
    "PROVENANCE_FILE",
    "CLAIM_NOTES_FILE",
    "PROVENANCE_COLUMNS",
    "CLAIM_NOTES_COLUMNS",
    "LABEL_FILE",
    "CASE_COLUMN",
    "PATIENTS_FILE",
    "DAILY_FILE",
    "COLUMN_KINDS",
    "TEXT_RULES",
    "ColumnRule",
    "RowRule",
    "PATIENT_COLUMNS",
    "DAILY_COLUMNS",
    "PATIENT_ROW_RULES",
    "DAILY_ROW_RULES",
    "SCHEMA_FILES",
    "daily_rule",
]

SYNTHETIC_DIR = DATA_DIR / "synthetic_reconstruction"
SCHEMA_DOC = DATA_DIR / "ipd_schema.md"
SYNTHETIC_MARKER = "SYNTHETIC"
"""A folder holding a file of this name is a synthetic reconstruction, never patient data."""
PROVENANCE_FILE = "provenance.csv"
CLAIM_NOTES_FILE = "claim_notes.csv"
"""Files a synthetic folder carries about itself: where each column's values come from, and why a printed
number cannot be met (read only together with the marker)."""
PROVENANCE_COLUMNS = ("file", "column", "level", "basis")
CLAIM_NOTES_COLUMNS = ("claim_id", "kind", "note")
LABEL_FILE = "label.txt"
"""An optional file whose first line names the data on every page ("Centre A, data cut 2024-06"); without it
pages name the folder."""
PATIENTS_FILE = "patients.csv"
DAILY_FILE = "daily.csv"
COLUMN_KINDS = ("string", "integer", "float", "boolean", "category")

TEXT_RULES = {
    "integer": (r"^[+-]?[0-9]+(\.0*)?$", "a whole number"),
    "float": (r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$", "a number (decimal point, no units)"),
    "boolean": (r"^(?i:true|false)$", "true or false"),
}
"""How a cell of each type is spelt (a regular expression on the text as written) and the rule in words."""


@dataclass(frozen=True)
class ColumnRule:
    """One column of the data dictionary: its type and the values it allows.

    ``low``/``high`` bound numbers (``low_open`` makes the lower bound strict, "> 0"); ``categories`` lists
    the allowed words; ``nullable`` is the dictionary's "or empty"; ``references`` names the file whose
    ``patient_id`` column must list every value; ``optional`` columns may be left out of the file.
    """

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    categories: tuple[str, ...] = ()
    nullable: bool = False
    unique: bool = False
    references: str | None = None
    optional: bool = False

    def __post_init__(self):
        if self.kind not in COLUMN_KINDS:
            raise InvalidInputError(f"column {self.name!r}: kind must be one of {COLUMN_KINDS}, got {self.kind!r}")

    def describe(self) -> str:
        """The rule in words, as error messages quote it.

        Examples
        --------
        >>> ColumnRule("age_years", "integer", low=0, high=100).describe()
        'a whole number 0-100'
        >>> ColumnRule("pfs_days", "float", low=0, low_open=True).describe()
        'a number > 0'
        >>> ColumnRule("o2_support", "category", categories=("none", "low_flow"), nullable=True).describe()
        'one of none, low_flow or empty'
        """
        if self.kind == "category":
            text = f"one of {', '.join(self.categories)}"
        elif self.kind in ("integer", "float"):
            text = TEXT_RULES[self.kind][1].split(" (")[0]
            if self.low is not None and self.high is not None:
                text += f" {self.low:g}-{self.high:g}"
            elif self.low is not None:
                text += f" {'>' if self.low_open else '>='} {self.low:g}"
        else:
            text = TEXT_RULES.get(self.kind, ("", "text"))[1]
        return text + (" or empty" if self.nullable else "")


@dataclass(frozen=True)
class RowRule:
    """A rule across the columns of one row (or across rows, for ``duplicates``).

    ``holds`` takes the typed table and returns, per row, whether the rule holds; rows where a value it
    needs is missing count as holding (the missing value is reported by its own column's rule).
    """

    description: str
    columns: tuple[str, ...]
    holds: object = field(repr=False)


def _num(kind, low=None, high=None, *, low_open=False, nullable=False):
    return dict(kind=kind, low=low, high=high, low_open=low_open, nullable=nullable)


PATIENT_COLUMNS = (
    ColumnRule("patient_id", "string", unique=True),
    ColumnRule("age_years", **_num("integer", 0, 100)),
    ColumnRule("sex", "category", categories=("M", "F")),
    ColumnRule("high_risk", "boolean"),
    ColumnRule("prior_lines", **_num("integer", 0, 15)),
    ColumnRule("prior_allo_sct", "boolean"),
    ColumnRule("marrow_blasts_pct", **_num("float", 0, 100)),
    ColumnRule("cart_dose_1e6_per_kg", **_num("float", 0, low_open=True)),
    ColumnRule("tocilizumab", "boolean"),
    ColumnRule("toci_doses", **_num("integer", 0, 10)),
    ColumnRule("toci_total_mg", **_num("float", 0)),
    ColumnRule("steroid_mpe_mg", **_num("float", 0)),
    ColumnRule("crs_grade", **_num("integer", 0, 5)),
    ColumnRule("crs_duration_days", **_num("float", 0)),
    ColumnRule("icans_grade", **_num("integer", 0, 5)),
    ColumnRule("response_d28", "category", categories=("MRD-CR", "MRD+CR", "PR", "NR")),
    ColumnRule("serious_infection", "boolean"),
    ColumnRule("gcsf_total_ug", **_num("float", 0)),
    ColumnRule("pfs_days", **_num("float", 0, low_open=True)),
    ColumnRule("pfs_event", "boolean"),
    ColumnRule("os_days", **_num("float", 0, low_open=True)),
    ColumnRule("os_event", "boolean"),
    ColumnRule("paper_case", **_num("integer", 1, nullable=True), optional=True),
)
"""The columns of patients.csv, in the order of the data dictionary (``paper_case`` may be left out)."""

CASE_COLUMN = "paper_case"
"""The optional column that maps the paper's case numbers ("Pt 4") to patients (data/ipd_schema.md, "Case
numbers"); without it, claims about named cases are not computable."""

_CYTOKINES_AND_LABS = ("il6_pg_ml", "il10_pg_ml", "ifng_pg_ml", "tnfa_pg_ml", "crp_mg_l", "ferritin_ng_ml",
                       "car_copies_per_ug_dna", "alt_u_l", "ast_u_l", "creatinine_umol_l", "toci_mg",
                       "steroid_mpe_mg")
DAILY_COLUMNS = (
    ColumnRule("patient_id", "string", references=PATIENTS_FILE),
    ColumnRule("day", **_num("integer", -7, 400)),
    ColumnRule("tmax_c", **_num("float", 34, 43, nullable=True)),
    ColumnRule("vasopressors", **_num("integer", 0, 5, nullable=True)),
    ColumnRule("hypotension", "boolean", nullable=True),
    ColumnRule("o2_support", "category", nullable=True,
               categories=("none", "low_flow", "high_flow", "facemask", "positive_pressure")),
    ColumnRule("o2_flow_l_min", **_num("float", 0, 80, nullable=True)),
    *(ColumnRule(name, **_num("float", 0, nullable=True)) for name in _CYTOKINES_AND_LABS),
)
"""The columns of daily.csv, in the order of the data dictionary."""


def _holds_where_known(condition: pd.Series) -> pd.Series:
    return condition.fillna(True).astype(bool)


PATIENT_ROW_RULES = (
    RowRule("os_days >= pfs_days", ("pfs_days", "os_days"),
            lambda t: _holds_where_known(t["os_days"] >= t["pfs_days"])),
    RowRule("pfs_event is true when os_event is true", ("os_event", "pfs_event"),
            lambda t: _holds_where_known(~t["os_event"] | t["pfs_event"])),
    RowRule("toci_doses and toci_total_mg are 0 when tocilizumab is false",
            ("tocilizumab", "toci_doses", "toci_total_mg"),
            lambda t: _holds_where_known(t["tocilizumab"] | ((t["toci_doses"] == 0) & (t["toci_total_mg"] == 0)))),
    RowRule("toci_doses >= 1 and toci_total_mg > 0 when tocilizumab is true",
            ("tocilizumab", "toci_doses", "toci_total_mg"),
            lambda t: _holds_where_known(~t["tocilizumab"] | ((t["toci_doses"] >= 1) & (t["toci_total_mg"] > 0)))),
    RowRule("crs_duration_days is 0 when crs_grade is 0", ("crs_grade", "crs_duration_days"),
            lambda t: _holds_where_known((t["crs_grade"] != 0) | (t["crs_duration_days"] == 0))),
    RowRule("paper_case given only to patients with tocilizumab", ("tocilizumab", "paper_case"),
            lambda t: _holds_where_known(t["paper_case"].isna() | t["tocilizumab"])),
    RowRule("each paper_case number given to one patient", ("paper_case",),
            lambda t: t["paper_case"].isna() | ~t["paper_case"].duplicated(keep=False)),
)
"""Rules across the columns of patients.csv (data/ipd_schema.md, "How the compendium applies this schema")."""

DAILY_ROW_RULES = (
    RowRule("one row per patient and day", ("patient_id", "day"),
            lambda t: ~t.duplicated(["patient_id", "day"], keep=False)),
    RowRule("o2_flow_l_min above 0 only with o2_support other than none", ("o2_support", "o2_flow_l_min"),
            lambda t: _holds_where_known(~((t["o2_flow_l_min"] > 0) & t["o2_support"].fillna("none").eq("none")))),
)
"""Rules across the columns of daily.csv; a flow without oxygen support would also stop the ASTCT grader."""


SCHEMA_FILES = ((PATIENTS_FILE, PATIENT_COLUMNS, PATIENT_ROW_RULES), (DAILY_FILE, DAILY_COLUMNS, DAILY_ROW_RULES))
"""Each file of a data folder with its columns and its rules across columns."""


def daily_rule(name: str) -> ColumnRule:
    """The rule of one daily.csv column, e.g. ``daily_rule("tmax_c").low``."""
    for rule in DAILY_COLUMNS:
        if rule.name == name:
            return rule
    raise InvalidInputError(f"daily.csv has no column {name!r} in the schema")
