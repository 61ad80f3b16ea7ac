"""Loading a patient-data folder: validation against the schema, and the typed tables every patient-level
page starts from.

The paper publishes aggregates only. The compendium ships a synthetic reconstruction in the schema of
``data/ipd_schema.md`` (`patients.csv`, `daily.csv`), and any folder in that schema, the authors' real data
included, runs through every patient-level page unchanged: :func:`data_dir` says which folder the book
reads, :func:`validate_folder` lists every way a folder breaks the schema, and :func:`load_cohort` returns
validated, typed tables (or refuses with that list).

Validation runs in three steps, so each problem is reported once, in the terms of the data dictionary:
the file itself (present, UTF-8 with or without a byte-order mark, comma-separated, one field per header
column, every schema column named exactly: a near miss is refused with "did you mean"), then the spelling of each cell (a whole number, a number, true/false; pandera, on the text as written),
then the rules on the typed values (ranges, categories, uniqueness, non-empty cells, rules across
columns and between the files; pandera again). pandera's lazy mode collects every failure of a step.
"""
from __future__ import annotations

import codecs
import csv
import difflib
import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ..exceptions import InvalidInputError
from ..files import read_text_csv
from ..paths import ROOT
from .disclosure import Disclosure, disclosure_for
from .schema import (CLAIM_NOTES_COLUMNS, CLAIM_NOTES_FILE, DAILY_COLUMNS, DAILY_FILE, LABEL_FILE, PATIENT_COLUMNS,
                     PATIENTS_FILE, PROVENANCE_COLUMNS, PROVENANCE_FILE, SCHEMA_DOC, SCHEMA_FILES, SYNTHETIC_DIR,
                     SYNTHETIC_MARKER, TEXT_RULES, ColumnRule)

__all__ = [
    "DATA_ENV",
    "DataViolation",
    "ValidationReport",
    "Cohort",
    "data_dir",
    "shown_path",
    "data_label",
    "read_csv_text",
    "validate_folder",
    "load_cohort",
]

DATA_ENV = "COMPENDIUM_DATA"
"""The environment variable that points the book at a data folder (``make book DATA=...`` sets it)."""

_TYPED_DTYPES = {"string": "string", "category": "string", "integer": "Int64", "float": "Float64",
                 "boolean": "boolean"}
_PANDERA_RULE_NAMES = {"not_nullable": "non-empty", "field_uniqueness": "unique",
                       "column_in_dataframe": "required column"}
_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_SHOWN_LINES = 8


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
                    f"schema {shown_path(SCHEMA_DOC)})")
        listing = "\n".join(f"  {violation}" for violation in self.violations)
        return (f"{self.folder}: {len(self.violations)} violation(s) of the IPD schema "
                f"({shown_path(SCHEMA_DOC)}):\n{listing}")

    __repr__ = __str__

    def raise_if_invalid(self) -> None:
        """Raise InvalidInputError listing every violation, if there is any."""
        if not self.valid:
            raise InvalidInputError(str(self))


@dataclass(frozen=True, repr=False)
class Cohort:
    """Validated patient data: typed ``patients`` and ``daily`` tables, where they came from, and whether
    they are the synthetic reconstruction (a folder holding a ``SYNTHETIC`` marker file).

    A synthetic folder also says where each column's values come from (``provenance``: file, column,
    level, basis) and why some printed numbers cannot be met (``claim_notes``: claim_id, kind, note); both
    are empty for real data. ``marker`` holds the marker file's text (the generator and seed);
    ``validation`` the report of the validation the data passed.
    """

    patients: pd.DataFrame
    daily: pd.DataFrame
    source: Path
    synthetic: bool
    marker: str = ""
    provenance: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(PROVENANCE_COLUMNS)))
    claim_notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(CLAIM_NOTES_COLUMNS)))
    validation: ValidationReport | None = None

    @property
    def label(self) -> str:
        """"synthetic reconstruction" or "data loaded from <data label>" (:func:`data_label`), for captions
        and table titles; never an absolute path."""
        return "synthetic reconstruction" if self.synthetic else f"data loaded from {data_label(self.source)}"

    @property
    def disclosure(self) -> Disclosure:
        """What pages may show about these patients (:func:`crs_compendium.patients.disclosure.disclosure_for`)."""
        return disclosure_for(self.synthetic)

    def notes(self, kind: str | None = None) -> dict[str, str]:
        """Claim id -> note of the folder's claim notes (one kind, e.g. "decision", or all)."""
        rows = self.claim_notes if kind is None else self.claim_notes[self.claim_notes["kind"] == kind]
        return dict(zip(rows["claim_id"], rows["note"]))

    def __repr__(self) -> str:
        toci = int(self.patients["tocilizumab"].sum())
        where = f" ({data_label(self.source)})" if self.synthetic else ""
        return (f"Cohort: {len(self.patients)} patients ({toci} with tocilizumab, {len(self.patients) - toci} "
                f"without), {len(self.daily)} daily rows; {self.label}{where}")


# --------------------------------------------------------------------------------------------------------
# Where the data are
# --------------------------------------------------------------------------------------------------------
def data_dir() -> Path:
    """The patient data folder the book reads: ``$COMPENDIUM_DATA`` when set, else the synthetic cohort."""
    configured = os.environ.get(DATA_ENV, "").strip()
    return Path(configured) if configured else SYNTHETIC_DIR


def shown_path(path: Path) -> str:
    """A path as pages and messages print it: relative to the compendium when inside it (outputs stay
    reproducible), else only its last part, the file's or folder's own name: a built page never shows where
    a data holder keeps their files."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(ROOT).as_posix()
    except ValueError:
        return resolved.name


_LABEL_LENGTH = 80


def data_label(folder: Path) -> str:
    """How pages name a data folder: the first line of its ``label.txt`` (the data holder's words, at most
    80 characters), else its path inside the compendium or its own name (:func:`shown_path`)."""
    label_file = Path(folder) / LABEL_FILE
    if label_file.is_file():
        lines = [line.strip() for line in label_file.read_text(encoding="utf-8-sig", errors="replace").splitlines()]
        first = next((line for line in lines if line), "")
        if first:
            return first[:_LABEL_LENGTH]
    return shown_path(folder)


# --------------------------------------------------------------------------------------------------------
# Step 1: the file
# --------------------------------------------------------------------------------------------------------
def _file_problem(file: str, rule: str, column: str = "") -> DataViolation:
    return DataViolation(file=file, column=column, rule=rule)


_RESAVE = ("re-save it as UTF-8: in Excel, File > Save As > 'CSV UTF-8 (Comma delimited)'; in LibreOffice, "
           "Save As > Text CSV with character set 'Unicode (UTF-8)'; or convert it, e.g. "
           "iconv -f {encoding} -t UTF-8 {file} > utf8-{file}")


def _likely_encoding(raw: bytes) -> tuple[str, str]:
    """The encoding a file that is not UTF-8 most likely has, as (iconv name, who writes it).

    A Chinese-locale Excel ("CSV (comma delimited)") writes GB18030 (GBK): every non-ASCII character is two
    or four bytes, all above 0x80 in Chinese text. Text in Windows-1252 or Latin-1 has single accented
    bytes between ASCII letters, which GB18030 reads, if at all, as pairs with an ASCII second byte.
    """
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    wide = [character for character in text if ord(character) > 127]
    if wide and all(min(character.encode("gb18030")) >= 0x80 for character in wide):
        return "GB18030", "as Excel writes 'CSV (comma delimited)' on a Chinese-locale Windows"
    return "WINDOWS-1252", "Windows-1252 or Latin-1, as Excel writes 'CSV (comma delimited)' on a Western-locale Windows"


def _decode(raw: bytes, file: str) -> tuple[str | None, list[DataViolation]]:
    """The file's text; a UTF-8 byte-order mark (Excel's "CSV UTF-8") is dropped. Another encoding is
    refused with the encoding it most likely is and how to re-save the file."""
    raw = raw.removeprefix(codecs.BOM_UTF8)
    if not raw.strip():
        return None, [_file_problem(file, "file is empty (a header line and at least one row are needed)")]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, [_file_problem(file, "file is UTF-16 text (Excel's 'Unicode Text'); "
                                          + _RESAVE.format(encoding="UTF-16", file=file))]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start: error.start + 1].hex()
        encoding, writer = _likely_encoding(raw)
        return None, [_file_problem(file, f"file is not UTF-8 text: byte 0x{byte} on line {line} cannot be decoded; "
                                          f"it reads as {encoding} ({writer}); "
                                          + _RESAVE.format(encoding=encoding, file=file))]


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
            # A blank line is not a record, nor a row of empty fields (a spreadsheet writes ",,,," for a row
            # that once held something).
            if any(field.strip() for field in fields):
                records.append((last_line + 1, fields))
            last_line = reader.line_num
    except csv.Error as error:
        return None, [_file_problem(file, f"not readable as CSV near line {reader.line_num}: {error}")]
    if not records:
        return None, [_file_problem(file, "file is empty (a header line and at least one row are needed)")]
    records = _without_empty_unnamed_columns(records)
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


def _without_empty_unnamed_columns(records: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Drop trailing columns with no name and no value in any row (a spreadsheet writes them for cells that
    were once formatted); a column with a value but no name stays, to be refused."""
    header = records[0][1]
    keep = len(header)
    while keep > 1 and not header[keep - 1].strip() and all(
            not "".join(fields[keep - 1:]).strip() for _, fields in records[1:] if len(fields) == len(header)):
        keep -= 1
    if keep == len(header):
        return records
    return [(line, fields[:keep] if len(fields) == len(header) else fields) for line, fields in records]


def read_csv_text(path: str | Path) -> pd.DataFrame:
    """Read one CSV file of a data folder as text cells (an empty cell is missing), indexed by its line
    number (the header is line 1), or raise InvalidInputError naming every problem of the file itself.

    The command line's ``grade`` reads a lone ``daily.csv`` through this, so a file is read the same way
    wherever it is read.
    """
    table, problems = _read_text_table(Path(path))
    if table is None:
        raise InvalidInputError("; ".join(str(problem) for problem in problems))
    return table


# --------------------------------------------------------------------------------------------------------
# Steps 2 and 3: the cells as written, then the typed values (pandera)
# --------------------------------------------------------------------------------------------------------
def _text_schema(rules: tuple[ColumnRule, ...]) -> pa.DataFrameSchema:
    columns = {}
    for rule in rules:
        if rule.kind in TEXT_RULES:
            pattern, words = TEXT_RULES[rule.kind]
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
            valid = text.str.fullmatch(TEXT_RULES[rule.kind][0]).fillna(False).astype(bool)
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
                                       unique=rule.unique, required=not rule.optional)
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


def _near_misses(header: list[str], rules: tuple[ColumnRule, ...], file: str) -> list[DataViolation]:
    """A schema column missing from the header next to a name that is almost it ("age_years " with a space,
    "Age_Years", "age_year"): refused with the name the header has and the one it should have."""
    present = set(header)
    problems = []
    for rule in rules:
        if rule.name in present:
            continue
        unknown = [name for name in header if name not in {r.name for r in rules}]
        same = [name for name in unknown if " ".join(name.split()).casefold() == rule.name]
        close = same or difflib.get_close_matches(rule.name, unknown, n=1, cutoff=0.85)
        if close:
            problems.append(_file_problem(file, f"no column {rule.name!r}, but the header has {close[0]!r}: did you "
                                                f"mean {rule.name!r}? (column names are spelt exactly as in "
                                                "data/ipd_schema.md, without spaces, in lower case)",
                                          column=rule.name))
    return problems


def _check_table(table: pd.DataFrame, file: str, rules, row_rules, known_ids) -> tuple[pd.DataFrame, list]:
    near_misses = _near_misses(list(table.columns), rules, file)
    if near_misses:  # the cells cannot be checked against columns the file does not name
        return table, near_misses
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
    for file, rules, row_rules in SCHEMA_FILES:
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
        folder=data_label(folder),
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
    rules = tuple(rule for rule in rules if rule.name in converted.columns)  # an optional column may be absent
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
    synthetic = marker.is_file()
    described = {}  # what a synthetic folder says about itself, by Cohort field
    if synthetic:
        for field_name, name, columns in (("provenance", PROVENANCE_FILE, PROVENANCE_COLUMNS),
                                          ("claim_notes", CLAIM_NOTES_FILE, CLAIM_NOTES_COLUMNS)):
            if (folder / name).is_file():
                described[field_name] = read_text_csv(folder / name, columns)[list(columns)]
    return Cohort(
        patients=_plain_dtypes(tables[PATIENTS_FILE], PATIENT_COLUMNS),
        daily=_plain_dtypes(tables[DAILY_FILE], DAILY_COLUMNS),
        source=folder,
        synthetic=synthetic,
        marker=marker.read_text(encoding="utf-8").strip() if synthetic else "",
        validation=report,
        **described,
    )
