"""The claims registry: every number the paper prints, loaded as strings and validated against its schema.

The registry (``data/published/claims.csv``) is the single place the audit reads published numbers from.
Numbers stay strings as printed, because precision and trailing zeros are part of what the paper claims
("1.000" is not "1"); :func:`parse_printed` turns one into a relation, an exact decimal and its number of
decimals when a check needs to compute with it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd
import yaml

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.paths import PUBLISHED_DIR

__all__ = [
    "REGISTRY_PATH",
    "SCHEMA_PATH",
    "CROSS_REFERENCE_KEY",
    "Violation",
    "PrintedNumber",
    "read_printed_csv",
    "refuse_problems",
    "load_schema",
    "find_violations",
    "load_claims",
    "claims_for",
    "printed_value",
    "parse_printed",
    "cross_references",
]

REGISTRY_PATH = PUBLISHED_DIR / "claims.csv"
SCHEMA_PATH = PUBLISHED_DIR / "claims.schema.yaml"

#: Records that agree on these columns state the same number, so the audit can compare their printings.
CROSS_REFERENCE_KEY = ("quantity", "category", "group", "stat")

_SCHEMA_KEYS = ("columns", "printed_relation", "id_prefix_by_section", "rules")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")
_RELATION_SIGNS = ("<", ">", "≤", "≥")


@dataclass(frozen=True)
class Violation:
    """One broken schema rule: where (1-based data row, column) and which rule.

    ``row`` is None for a rule about the whole file (e.g. a missing column). Row 1 is the first record,
    which is line 2 of the file.
    """

    row: int | None
    column: str
    rule: str
    detail: str

    def __str__(self) -> str:
        where = "header" if self.row is None else f"row {self.row} (line {self.row + 1})"
        return f"{where}, column {self.column!r}: {self.rule}: {self.detail}"


@dataclass(frozen=True)
class PrintedNumber:
    """A printed number taken apart: relation sign ("" when none), exact value, digits after the point."""

    relation: str
    value: Decimal
    decimals: int

    def __str__(self) -> str:
        return f"{self.relation}{self.value}"


def read_printed_csv(path: str | Path, required: Iterable[str]) -> pd.DataFrame:
    """Read a CSV of transcribed numbers with every cell a string as printed ("" stays "", "NA" is text),
    refusing a missing file or missing columns by name."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"{path}: file not found")
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise InvalidInputError(f"{path}: missing column(s) {', '.join(missing)}")
    return table


def refuse_problems(path: str | Path, problems: list[str], table: pd.DataFrame, id_column: str) -> None:
    """Raise one InvalidInputError listing every problem of a small data file, plus duplicated ids, if any."""
    duplicated = sorted(set(table.loc[table[id_column].duplicated(), id_column]))
    if duplicated:
        problems = [*problems, f"column {id_column}: duplicated {id_column}(s) {', '.join(duplicated)}"]
    if problems:
        raise InvalidInputError(f"{path}:\n  " + "\n  ".join(problems))


def load_schema(path: str | Path | None = None) -> dict:
    """Read the registry schema (YAML) and check it has the sections the validator needs.

    Parameters
    ----------
    path : str or Path, optional
        Defaults to ``data/published/claims.schema.yaml``.

    Returns
    -------
    dict
        The parsed schema.
    """
    path = Path(path) if path is not None else SCHEMA_PATH
    if not path.is_file():
        raise InvalidInputError(f"{path}: schema file not found")
    schema = yaml.safe_load(path.read_text(encoding="utf-8"))
    missing = [key for key in _SCHEMA_KEYS if not isinstance(schema, dict) or key not in schema]
    if missing:
        raise InvalidInputError(f"{path}: schema lacks the section(s) {', '.join(missing)}")
    return schema


def find_violations(claims: pd.DataFrame, schema: dict) -> list[Violation]:
    """List every way a registry table breaks the schema (empty list when it is valid).

    Parameters
    ----------
    claims : pandas.DataFrame
        The registry as read from CSV, every column a string (see :func:`load_claims`).
    schema : dict
        As returned by :func:`load_schema`.

    Returns
    -------
    list of Violation
        Header problems first, then per-row problems in row order.
    """
    columns = {spec["name"]: spec for spec in schema["columns"]}
    violations = [Violation(None, name, "required column", "missing from the header")
                  for name, spec in columns.items() if spec.get("required") and name not in claims.columns]
    violations += [Violation(None, name, "known columns", f"not in the schema ({', '.join(columns)})")
                   for name in claims.columns if name not in columns]
    present = [name for name in columns if name in claims.columns]

    for index, record in enumerate(claims[present].to_dict("records"), start=1):
        for name in present:
            violations += _cell_violations(index, name, record[name], columns[name])
        violations += _printed_violations(index, record, schema["printed_relation"], columns["printed"])
        violations += _prefix_violations(index, record, schema["id_prefix_by_section"])
        for rule in schema["rules"]:
            violations += _rule_violations(index, record, rule)

    for name in present:
        if columns[name].get("unique"):
            violations += _duplicate_violations(claims[name], name)
    return sorted(violations, key=lambda v: (-1 if v.row is None else v.row, v.column))


def load_claims(path: str | Path | None = None, schema_path: str | Path | None = None) -> pd.DataFrame:
    """Load the claims registry with every field a string, refusing it if any schema rule is broken.

    Parameters
    ----------
    path : str or Path, optional
        Defaults to ``data/published/claims.csv``.
    schema_path : str or Path, optional
        Defaults to ``data/published/claims.schema.yaml``.

    Returns
    -------
    pandas.DataFrame
        One row per printed number, columns as in the schema (``note`` added empty when absent). Empty
        fields are "" and never NaN; "NA" stays the string "NA".

    Raises
    ------
    InvalidInputError
        When the file is missing or unreadable, or breaks the schema; the message lists every violation
        (row, column, rule) at once, so one run shows everything to fix.
    """
    path = Path(path) if path is not None else REGISTRY_PATH
    schema = load_schema(schema_path)
    if not path.is_file():
        raise InvalidInputError(f"{path}: claims registry not found")
    try:
        claims = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InvalidInputError(f"{path}: not a readable UTF-8 CSV file ({error})") from error

    violations = find_violations(claims, schema)
    if violations:
        listing = "\n".join(f"  {violation}" for violation in violations)
        raise InvalidInputError(f"{path}: {len(violations)} schema violation(s):\n{listing}")
    if "note" not in claims.columns:
        claims["note"] = ""
    return claims


def claims_for(claims: pd.DataFrame, **criteria: str | Iterable[str]) -> pd.DataFrame:
    """Select the records matching every criterion, e.g. ``claims_for(df, quantity="male", stat="percent")``.

    Each keyword names a registry column; its value is one string or several (any of them matches).
    An empty result is returned as an empty table, not an error, so callers can test for absence.
    """
    unknown = [name for name in criteria if name not in claims.columns]
    if unknown:
        raise InvalidInputError(f"claims_for: no column(s) {', '.join(unknown)} in the registry")
    mask = pd.Series(True, index=claims.index)
    for name, wanted in criteria.items():
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        mask &= claims[name].isin(values)
    return claims[mask]


def printed_value(claims: pd.DataFrame, claim_id: str) -> str:
    """Return the number printed for one claim id, as the exact string of the paper."""
    match = claims.loc[claims["claim_id"] == claim_id, "printed"]
    if match.empty:
        raise InvalidInputError(f"printed_value: no claim with id {claim_id!r} in the registry")
    return match.iloc[0]


def parse_printed(printed: str) -> PrintedNumber:
    """Split a printed number into relation sign, exact decimal value and number of decimals.

    ``crs_compendium.reported.decimals`` counts the decimals of a bare number; this also accepts, and
    keeps, the relation sign a threshold is printed with ("<0.05", "≥38").

    Examples
    --------
    >>> parse_printed("<0.05")
    PrintedNumber(relation='<', value=Decimal('0.05'), decimals=2)
    >>> parse_printed("1.000").decimals
    3
    """
    if not isinstance(printed, str):
        raise InvalidInputError(f"parse_printed: expected the printed string, got {type(printed).__name__}")
    relation = printed[0] if printed.startswith(_RELATION_SIGNS) else ""
    digits = printed[len(relation):]
    if not _NUMBER.fullmatch(digits):
        raise InvalidInputError(f"parse_printed: {printed!r} is not a printed number such as '84.8' or '<0.05'")
    _, _, fraction = digits.partition(".")
    return PrintedNumber(relation, Decimal(digits), len(fraction))


def cross_references(claims: pd.DataFrame) -> pd.DataFrame:
    """Records whose number is printed more than once (same quantity, category, group and stat).

    The result keeps the registry's columns, adds ``key`` ("quantity|category|group|stat") and is sorted
    by key, so each block lists every printing of one number for the audit to compare. Nothing is judged
    here: printings that differ are listed side by side.
    """
    key = claims[list(CROSS_REFERENCE_KEY)].agg("|".join, axis=1)
    repeated = key.map(key.value_counts()) > 1
    return claims[repeated].assign(key=key[repeated]).sort_values(["key", "claim_id"], kind="stable")


def _cell_violations(row: int, column: str, value: str, spec: dict) -> list[Violation]:
    # Every rule that can be judged on a single cell, so an empty value is reported once, as empty.
    if value != value.strip():
        return [Violation(row, column, "no surrounding whitespace", f"{value!r}")]
    if value == "":
        return [Violation(row, column, "nonempty", "empty value")] if spec.get("nonempty") else []
    found = []
    if "allowed" in spec and value not in spec["allowed"]:
        extra = spec.get("also_allowed_pattern")
        if not (extra and re.fullmatch(extra, value)):
            found.append(Violation(row, column, "allowed values", f"{value!r} is not one of {spec['allowed']}"))
    # `printed` is matched after its relation sign is set aside, in _printed_violations.
    if "pattern" in spec and column != "printed" and not re.fullmatch(spec["pattern"], value):
        found.append(Violation(row, column, "pattern", f"{value!r} does not match {spec['pattern']}"))
    return found


def _printed_violations(row: int, record: dict, relation_spec: dict, printed_spec: dict) -> list[Violation]:
    # `printed` may carry a relation sign, but only for the stats that allow one; the digits must parse.
    printed, stat = record.get("printed", ""), record.get("stat", "")
    if not printed or printed != printed.strip():
        return []  # already reported as empty or padded
    sign = printed[0] if printed.startswith(tuple(relation_spec["signs"])) else ""
    found = []
    if sign and stat not in relation_spec["stats"]:
        found.append(Violation(row, "printed", "relation sign",
                               f"{printed!r}: a sign is allowed only for stat {relation_spec['stats']}"))
    if not re.fullmatch(printed_spec["pattern"], printed[len(sign):]):
        found.append(Violation(row, "printed", "pattern",
                               f"{printed!r} is not a printed number ({printed_spec['pattern']} after any sign)"))
    return found


def _prefix_violations(row: int, record: dict, prefixes: dict) -> list[Violation]:
    claim_id, section = record.get("claim_id", ""), record.get("section", "")
    expected = prefixes.get(section)
    if expected is None or not claim_id or claim_id.split(".")[0] == expected:
        return []
    return [Violation(row, "claim_id", "id prefix",
                      f"{claim_id!r} is in section {section!r}, so it must start with {expected + '.'!r}")]


def _rule_violations(row: int, record: dict, rule: dict) -> list[Violation]:
    if not all(record.get(column) in values for column, values in rule["when"].items()):
        return []
    found = []
    for column, condition in rule["then"].items():
        value = record.get(column)
        if value is None:
            continue  # a missing column is already reported once, in the header
        if "allowed" in condition and value not in condition["allowed"]:
            found.append(Violation(row, column, rule["name"], f"{value!r} is not one of {condition['allowed']}"))
        # As for columns, a pattern judges non-empty values; an empty one is reported once, as empty.
        if "pattern" in condition and value and not re.fullmatch(condition["pattern"], value):
            found.append(Violation(row, column, rule["name"], f"{value!r} does not match {condition['pattern']}"))
    return found


def _duplicate_violations(values: pd.Series, column: str) -> list[Violation]:
    first_row: dict[str, int] = {}
    found = []
    for row, value in enumerate(values, start=1):
        if value == "":
            continue  # reported as empty, not as a duplicate
        if value in first_row:
            found.append(Violation(row, column, "unique", f"{value!r} already used in row {first_row[value]}"))
        else:
            first_row[value] = row
    return found
