"""Individual patient data (IPD): the schema, its validation, and loading the folder the book reads.

The paper publishes aggregates only. The compendium ships a synthetic reconstruction in the schema of
``data/ipd_schema.md`` (`patients.csv`, `daily.csv`), and any folder in that schema, the authors' real data
included, runs through every patient-level page unchanged: :func:`data_dir` says which folder the book
reads, :func:`validate_folder` lists every way a folder breaks the schema, :func:`load_cohort` returns
validated, typed tables (or refuses with that list) and :func:`banner_text` the line each patient-level
page shows, so nobody mistakes the reconstruction for the study's patients.

Validation runs in three steps, so each problem is reported once, in the terms of the data dictionary:
the file itself (present, UTF-8 without a byte-order mark, comma-separated, one field per header column),
then the spelling of each cell (a whole number, a number, true/false; pandera, on the text as written),
then the rules on the typed values (ranges, categories, uniqueness, non-empty cells, rules across
columns and between the files; pandera again). pandera's lazy mode collects every failure of a step.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .exceptions import InvalidInputError
from .paths import DATA_DIR, ROOT

__all__ = [
    "SYNTHETIC_DIR",
    "SCHEMA_DOC",
    "DATA_ENV",
    "SYNTHETIC_MARKER",
    "PATIENTS_FILE",
    "DAILY_FILE",
    "COLUMN_KINDS",
    "ColumnRule",
    "RowRule",
    "PATIENT_COLUMNS",
    "DAILY_COLUMNS",
    "PATIENT_ROW_RULES",
    "DAILY_ROW_RULES",
    "DataViolation",
    "ValidationReport",
    "Cohort",
    "data_dir",
    "validate_folder",
    "load_cohort",
    "banner_text",
    "case_patient_ids",
]

SYNTHETIC_DIR = DATA_DIR / "synthetic_reconstruction"
SCHEMA_DOC = DATA_DIR / "ipd_schema.md"
DATA_ENV = "COMPENDIUM_DATA"
SYNTHETIC_MARKER = "SYNTHETIC"
PATIENTS_FILE = "patients.csv"
DAILY_FILE = "daily.csv"
COLUMN_KINDS = ("string", "integer", "float", "boolean", "category")

_INTEGER_TEXT = r"^[+-]?[0-9]+(\.0*)?$"
_NUMBER_TEXT = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_BOOLEAN_TEXT = r"^(?i:true|false)$"
_TEXT_RULES = {
    "integer": (_INTEGER_TEXT, "a whole number"),
    "float": (_NUMBER_TEXT, "a number (decimal point, no units)"),
    "boolean": (_BOOLEAN_TEXT, "true or false"),
}
_TYPED_DTYPES = {"string": "string", "category": "string", "integer": "Int64", "float": "Float64",
                 "boolean": "boolean"}
_PANDERA_RULE_NAMES = {"not_nullable": "non-empty", "field_uniqueness": "unique",
                       "column_in_dataframe": "required column"}
_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_SHOWN_LINES = 8


# --------------------------------------------------------------------------------------------------------
# The schema, as code (data/ipd_schema.md is its documentation; a test keeps the two in step)
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ColumnRule:
    """One column of the data dictionary: its type and the values it allows.

    ``low``/``high`` bound numbers (``low_open`` makes the lower bound strict, "> 0"); ``categories`` lists
    the allowed words; ``nullable`` is the dictionary's "or empty"; ``references`` names the file whose
    ``patient_id`` column must list every value.
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
            text = _TEXT_RULES[self.kind][1].split(" (")[0]
            if self.low is not None and self.high is not None:
                text += f" {self.low:g}-{self.high:g}"
            elif self.low is not None:
                text += f" {'>' if self.low_open else '>='} {self.low:g}"
        else:
            text = _TEXT_RULES.get(self.kind, ("", "text"))[1]
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
)
"""The columns of patients.csv, in the order of the data dictionary."""

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
)
"""Rules across the columns of patients.csv (data/ipd_schema.md, "How the compendium applies this schema")."""

DAILY_ROW_RULES = (
    RowRule("one row per patient and day", ("patient_id", "day"),
            lambda t: ~t.duplicated(["patient_id", "day"], keep=False)),
    RowRule("o2_flow_l_min above 0 only with o2_support other than none", ("o2_support", "o2_flow_l_min"),
            lambda t: _holds_where_known(~((t["o2_flow_l_min"] > 0) & t["o2_support"].fillna("none").eq("none")))),
)
"""Rules across the columns of daily.csv; a flow without oxygen support would also stop the ASTCT grader."""

_FILES = ((PATIENTS_FILE, PATIENT_COLUMNS, PATIENT_ROW_RULES), (DAILY_FILE, DAILY_COLUMNS, DAILY_ROW_RULES))


# --------------------------------------------------------------------------------------------------------
# Result objects
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DataViolation:
    """One broken rule: the file, the column(s), the rule, and the lines and values that break it.

    ``lines`` are line numbers of the file (the header is line 1); empty for a rule about the whole file
    or its header. ``values`` are the offending cells as written, in the order of ``lines``.
    """

    file: str
    column: str
    rule: str
    lines: tuple[int, ...] = ()
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = self.file
        if self.column:
            where += f", {'columns' if ', ' in self.column else 'column'} {self.column!r}"
        if not self.lines:
            return f"{where}: {self.rule}"
        shown = ", ".join(
            f"{line} ({value})" if value else str(line)
            for line, value in zip(self.lines[:_SHOWN_LINES], self.values[:_SHOWN_LINES])
        )
        more = f" and {len(self.lines) - _SHOWN_LINES} more" if len(self.lines) > _SHOWN_LINES else ""
        return f"{where}, rule {self.rule!r}: {'line' if len(self.lines) == 1 else 'lines'} {shown}{more}"


@dataclass(frozen=True)
class ValidationReport:
    """Every violation found in a data folder; empty means the folder is valid.

    Its display is the verdict: "valid" with the table sizes, or one line per violation.
    """

    folder: str
    violations: tuple[DataViolation, ...]
    n_patients: int | None = None
    n_daily_rows: int | None = None

    @property
    def valid(self) -> bool:
        return not self.violations

    def frame(self) -> pd.DataFrame:
        """One row per violation: file, column, rule, lines (as text), values."""
        return pd.DataFrame(
            [{"file": v.file, "column": v.column, "rule": v.rule, "lines": ", ".join(map(str, v.lines)),
              "values": ", ".join(v.values)} for v in self.violations],
            columns=["file", "column", "rule", "lines", "values"],
        )

    def __str__(self) -> str:
        if self.valid:
            return (f"{self.folder}: valid ({self.n_patients} patients, {self.n_daily_rows} daily rows; "
                    f"schema {_shown_path(SCHEMA_DOC)})")
        listing = "\n".join(f"  {violation}" for violation in self.violations)
        return (f"{self.folder}: {len(self.violations)} violation(s) of the IPD schema "
                f"({_shown_path(SCHEMA_DOC)}):\n{listing}")

    __repr__ = __str__

    def raise_if_invalid(self) -> None:
        """Raise InvalidInputError listing every violation, if there is any."""
        if not self.valid:
            raise InvalidInputError(str(self))


@dataclass(frozen=True, repr=False)
class Cohort:
    """Validated patient data: typed ``patients`` and ``daily`` tables, where they came from, and whether
    they are the synthetic reconstruction (a folder holding a ``SYNTHETIC`` marker file).

    ``marker`` holds the marker file's text (the generator and seed), empty for real data.
    """

    patients: pd.DataFrame
    daily: pd.DataFrame
    source: Path
    synthetic: bool
    marker: str = ""

    @property
    def label(self) -> str:
        """"synthetic reconstruction" or "data loaded from <folder>", for captions and table titles."""
        return "synthetic reconstruction" if self.synthetic else f"data loaded from {_shown_path(self.source)}"

    def __repr__(self) -> str:
        toci = int(self.patients["tocilizumab"].sum())
        return (f"Cohort: {len(self.patients)} patients ({toci} with tocilizumab, {len(self.patients) - toci} "
                f"without), {len(self.daily)} daily rows; {self.label} ({_shown_path(self.source)})")


# --------------------------------------------------------------------------------------------------------
# Where the data are
# --------------------------------------------------------------------------------------------------------
def data_dir() -> Path:
    """The patient data folder the book reads: ``$COMPENDIUM_DATA`` when set, else the synthetic cohort."""
    configured = os.environ.get(DATA_ENV, "").strip()
    return Path(configured) if configured else SYNTHETIC_DIR


def _shown_path(path: Path) -> str:
    """A path as pages print it: relative to the compendium when inside it (outputs stay reproducible)."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(ROOT).as_posix()
    except ValueError:
        return str(resolved)


# --------------------------------------------------------------------------------------------------------
# Step 1: the file
# --------------------------------------------------------------------------------------------------------
def _file_problem(file: str, rule: str, column: str = "") -> DataViolation:
    return DataViolation(file=file, column=column, rule=rule)


def _decode(raw: bytes, file: str) -> tuple[str | None, list[DataViolation]]:
    if not raw.strip():
        return None, [_file_problem(file, "file is empty (a header line and at least one row are needed)")]
    if raw.startswith(codecs.BOM_UTF8):
        return None, [_file_problem(file, "file starts with a UTF-8 byte-order mark (as Excel's 'CSV UTF-8' "
                                          "writes); save it as plain UTF-8 CSV without BOM")]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, [_file_problem(file, "file is UTF-16 text; save it as UTF-8")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start: error.start + 1].hex()
        return None, [_file_problem(file, f"file is not UTF-8 text: byte 0x{byte} on line {line} cannot be "
                                          "decoded (saved as Latin-1 or Windows-1252?); save it as UTF-8")]


def _read_text_table(path: Path) -> tuple[pd.DataFrame | None, list[DataViolation]]:
    """Read a CSV file as text cells (empty cell = missing), indexed by line number; or say why not."""
    file = path.name
    if not path.is_file():
        return None, [_file_problem(file, "file not found")]
    text, problems = _decode(path.read_bytes(), file)
    if text is None:
        return None, problems
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        last_line = 0
        for fields in reader:
            if fields:  # a blank line is not a record
                records.append((last_line + 1, fields))
            last_line = reader.line_num
    except csv.Error as error:
        return None, [_file_problem(file, f"not readable as CSV near line {reader.line_num}: {error}")]
    header = records[0][1]
    if len(header) == 1:
        for delimiter, name in _OTHER_DELIMITERS.items():
            if delimiter in header[0]:
                return None, [_file_problem(file, f"the header is separated by {name}, not commas; save the "
                                                  "file as comma-separated CSV")]
    problems += [_file_problem(file, "column names must be non-empty", column=f"(position {i + 1})")
                 for i, name in enumerate(header) if not name.strip()]
    seen = set()
    for name in header:
        if name in seen and name.strip():
            problems.append(_file_problem(file, "column name appears more than once in the header", column=name))
        seen.add(name)
    ragged = [(line, len(fields)) for line, fields in records[1:] if len(fields) != len(header)]
    if ragged:
        problems.append(DataViolation(file, "", f"have {len(header)} fields, like the header",
                                      tuple(line for line, _ in ragged), tuple(f"{n} fields" for _, n in ragged)))
    if len(records) == 1:
        problems.append(_file_problem(file, "file has a header but no data rows"))
    if problems:
        return None, problems
    table = pd.DataFrame([fields for _, fields in records[1:]], columns=header, dtype="string")
    table.index = pd.Index([line for line, _ in records[1:]], name="line")
    return table.replace("", pd.NA), []


# --------------------------------------------------------------------------------------------------------
# Steps 2 and 3: the cells as written, then the typed values (pandera)
# --------------------------------------------------------------------------------------------------------
def _text_schema(rules: tuple[ColumnRule, ...]) -> pa.DataFrameSchema:
    columns = {}
    for rule in rules:
        if rule.kind in _TEXT_RULES:
            pattern, words = _TEXT_RULES[rule.kind]
            columns[rule.name] = pa.Column("string", pa.Check.str_matches(pattern, error=words),
                                           nullable=True, required=False)
    return pa.DataFrameSchema(columns, strict=False)


def _typed(table: pd.DataFrame, rules: tuple[ColumnRule, ...]) -> pd.DataFrame:
    """Text cells converted to the dictionary's types; cells that are not spelled as that type become NA."""
    typed = table.copy()
    for rule in rules:
        if rule.name not in table.columns:
            continue
        text = table[rule.name]
        if rule.kind in ("integer", "float"):
            valid = text.str.fullmatch(_TEXT_RULES[rule.kind][0]).fillna(False).astype(bool)
            numbers = pd.to_numeric(text.where(valid), errors="coerce").astype("Float64")
            typed[rule.name] = numbers.astype("Int64") if rule.kind == "integer" else numbers
        elif rule.kind == "boolean":
            typed[rule.name] = text.str.lower().map({"true": True, "false": False}).astype("boolean")
    return typed


def _value_check(rule: ColumnRule) -> list[pa.Check]:
    words = rule.describe().removesuffix(" or empty")
    if rule.kind == "category":
        return [pa.Check.isin(list(rule.categories), error=words)]
    if rule.kind in ("integer", "float") and rule.low is not None:
        low, high = rule.low, rule.high
        above = (lambda s: s > low) if rule.low_open else (lambda s: s >= low)
        within = above if high is None else (lambda s: above(s) & (s <= high))
        return [pa.Check(within, error=words)]
    return []


def _value_schema(rules, row_rules, present: set[str], known_ids: pd.Series | None) -> pa.DataFrameSchema:
    columns = {}
    for rule in rules:
        checks = _value_check(rule)
        if rule.references and known_ids is not None:
            checks.append(pa.Check.isin(set(known_ids.dropna()), error=f"listed in {rule.references}"))
        columns[rule.name] = pa.Column(_TYPED_DTYPES[rule.kind], checks, nullable=rule.nullable,
                                       unique=rule.unique)
    wide = [pa.Check(row_rule.holds, error=row_rule.description) for row_rule in row_rules
            if set(row_rule.columns) <= present]
    return pa.DataFrameSchema(columns, checks=wide, strict=False)


def _failures(schema: pa.DataFrameSchema, table: pd.DataFrame) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            # pandera concatenates failure tables with all-NA columns; pandas warns about a future change.
            warnings.simplefilter("ignore", FutureWarning)
            schema.validate(table, lazy=True)
    except SchemaErrors as errors:
        return errors.failure_cases
    return pd.DataFrame(columns=["schema_context", "column", "check", "failure_case", "index"])


def _shown_value(value: object) -> str:
    """A cell as written in the file, quoted; "empty" for an empty cell."""
    return "empty" if value is None or value is pd.NA else repr(str(value))


def _violations_from(failures: pd.DataFrame, file: str, table: pd.DataFrame, row_rules,
                     skip: set[tuple[str, int]]) -> list[DataViolation]:
    """Group pandera's failure cases into one violation per column and rule, lines in file order."""
    by_description = {rule.description: rule for rule in row_rules}
    grouped: dict[tuple[str, str], dict[int, str]] = {}
    for case in failures.itertuples(index=False):
        rule = _PANDERA_RULE_NAMES.get(case.check, case.check)
        if case.check == "column_in_dataframe":
            grouped.setdefault((str(case.failure_case), rule), {})
            continue
        if case.check in by_description:  # a rule across columns: pandera repeats it for every column
            columns = by_description[case.check].columns
            line = int(case.index)
            shown = " ".join(f"{name}={_shown_value(table.at[line, name])}" for name in columns)
            grouped.setdefault((", ".join(columns), rule), {})[line] = shown
            continue
        line = int(case.index)
        if rule == "non-empty" and (case.column, line) in skip:
            continue  # the cell is not empty but misspelt, and that is already reported
        grouped.setdefault((case.column, rule), {})[line] = _shown_value(table.at[line, case.column])
    return [DataViolation(file, column, rule, tuple(sorted(cells)), tuple(cells[line] for line in sorted(cells)))
            for (column, rule), cells in grouped.items()]


def _check_table(table: pd.DataFrame, file: str, rules, row_rules, known_ids) -> tuple[pd.DataFrame, list]:
    spelling = _failures(_text_schema(rules), table)
    violations = _violations_from(spelling, file, table, row_rules, set())
    misspelt = {(case.column, int(case.index)) for case in spelling.itertuples(index=False)}
    typed = _typed(table, rules)
    schema = _value_schema(rules, row_rules, set(table.columns), known_ids)
    violations += _violations_from(_failures(schema, typed), file, table, row_rules, misspelt)
    return typed, violations


def _order(violation: DataViolation, columns: list[str]) -> tuple:
    first_column = violation.column.split(", ")[0]
    position = columns.index(first_column) if first_column in columns else len(columns)
    return (bool(violation.lines), violation.lines[:1], position, violation.rule)


def _validate(folder: Path) -> tuple[dict[str, pd.DataFrame], ValidationReport]:
    if not folder.is_dir():
        raise InvalidInputError(f"{folder}: not a folder (expected one holding {PATIENTS_FILE} and {DAILY_FILE})")
    tables: dict[str, pd.DataFrame] = {}
    violations: list[DataViolation] = []
    for file, rules, row_rules in _FILES:
        table, problems = _read_text_table(folder / file)
        if table is None:
            violations += problems
            continue
        patients = tables.get(PATIENTS_FILE)
        known_ids = patients["patient_id"] if patients is not None and "patient_id" in patients else None
        typed, problems = _check_table(table, file, rules, row_rules, known_ids)
        order = [rule.name for rule in rules]
        violations += sorted(problems, key=lambda v: _order(v, order))
        tables[file] = typed
    report = ValidationReport(
        folder=_shown_path(folder),
        violations=tuple(violations),
        n_patients=len(tables[PATIENTS_FILE]) if PATIENTS_FILE in tables else None,
        n_daily_rows=len(tables[DAILY_FILE]) if DAILY_FILE in tables else None,
    )
    return tables, report


def validate_folder(path: str | Path | None = None) -> ValidationReport:
    """Check a data folder against the IPD schema; return every violation at once (never raises on bad data).

    Parameters
    ----------
    path : str or Path, optional
        A folder holding ``patients.csv`` and ``daily.csv``; defaults to :func:`data_dir`.

    Returns
    -------
    ValidationReport
        ``valid`` is True when nothing is wrong; otherwise ``violations`` lists each broken rule with its
        file, column, line(s) and offending values. Files that cannot be read as CSV are reported as such
        and their cells are not checked; ``daily.csv`` ids are checked against ``patients.csv`` only when
        the latter could be read.

    Raises
    ------
    InvalidInputError
        When ``path`` is not a folder.

    Notes
    -----
    Nothing is written to the folder. The rules are those of ``data/ipd_schema.md``: :data:`PATIENT_COLUMNS`,
    :data:`DAILY_COLUMNS` and the rules across columns :data:`PATIENT_ROW_RULES`, :data:`DAILY_ROW_RULES`.
    """
    folder = Path(path) if path is not None else data_dir()
    return _validate(folder)[1]


def _plain_dtypes(table: pd.DataFrame, rules: tuple[ColumnRule, ...]) -> pd.DataFrame:
    """Columns without a missing value as plain NumPy types (int, float, bool, str), others nullable."""
    converted = table.reset_index(drop=True)
    plain = {"integer": "int64", "float": "float64", "boolean": "bool", "string": object, "category": object}
    for rule in rules:
        column = converted[rule.name]
        if not column.isna().any():
            converted[rule.name] = column.astype(plain[rule.kind])
        elif rule.kind == "float":
            converted[rule.name] = column.astype("float64")  # NaN for empty cells, as pandas users expect
    extras = [name for name in converted.columns if name not in {rule.name for rule in rules}]
    return converted[[rule.name for rule in rules] + extras]


def load_cohort(path: str | Path | None = None) -> Cohort:
    """Load and validate a patient data folder; every patient-level notebook starts here.

    Parameters
    ----------
    path : str or Path, optional
        The folder; defaults to :func:`data_dir` (``$COMPENDIUM_DATA``, else the synthetic reconstruction).

    Returns
    -------
    Cohort
        ``patients`` and ``daily`` with schema columns first, in dictionary order, then any extra columns
        (kept as text). Complete columns have plain types (int64, float64, bool, str); daily columns with
        empty cells are float64 with NaN (numbers), Int64 (vasopressors), boolean or string.

    Raises
    ------
    InvalidInputError
        When the folder breaks the schema; the message lists every violation (file, column, lines, rule).
    """
    folder = Path(path) if path is not None else data_dir()
    tables, report = _validate(folder)
    report.raise_if_invalid()
    marker = folder / SYNTHETIC_MARKER
    return Cohort(
        patients=_plain_dtypes(tables[PATIENTS_FILE], PATIENT_COLUMNS),
        daily=_plain_dtypes(tables[DAILY_FILE], DAILY_COLUMNS),
        source=folder,
        synthetic=marker.is_file(),
        marker=marker.read_text(encoding="utf-8").strip() if marker.is_file() else "",
    )


def banner_text(cohort: Cohort) -> str:
    """The sentence every patient-level page shows first: synthetic reconstruction, or where real data came from."""
    if cohort.synthetic:
        seed = re.search(r"\bseed ([0-9]+)", cohort.marker)
        detail = f" (seed {seed.group(1)}, folder {_shown_path(cohort.source)})" if seed else \
            f" (folder {_shown_path(cohort.source)})"
        return (f"Synthetic reconstruction: the {len(cohort.patients)} patients on this page were generated from "
                f"the paper's published aggregates{detail}. They are not the study's patients: no individual "
                "data were published. Point COMPENDIUM_DATA (make book DATA=...) at the authors' data to "
                "replace them.")
    return (f"Data loaded from {_shown_path(cohort.source)}: {len(cohort.patients)} patients, {len(cohort.daily)} "
            "daily rows, validated against data/ipd_schema.md. This is not the shipped synthetic reconstruction.")


def case_patient_ids(patients: pd.DataFrame) -> dict[int, str]:
    """The paper's case numbers ("Pt 4") mapped to patient ids: case N is the N-th tocilizumab patient in
    row order (data/ipd_schema.md, "Case numbers").

    Examples
    --------
    >>> case_patient_ids(pd.DataFrame({"patient_id": ["a", "b", "c"], "tocilizumab": [True, False, True]}))
    {1: 'a', 2: 'c'}
    """
    treated = patients.loc[patients["tocilizumab"].astype(bool), "patient_id"].tolist()
    return {number: patient_id for number, patient_id in enumerate(treated, start=1)}
