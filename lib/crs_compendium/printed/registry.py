"""The claims registry: every number the paper prints, loaded as strings and validated against its schema.

The registry (``data/published/claims.csv``) is the single place the audit reads published numbers from.
Numbers stay strings as printed, because precision and trailing zeros are part of what the paper claims
("1.000" is not "1"); :func:`crs_compendium.numbers.parse_printed` turns one into a relation, an exact
decimal and its number of decimals when a check needs to compute with it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ..exceptions import InvalidInputError
from ..files import read_text_csv
from ..paths import PUBLISHED_DIR

__all__ = [
    "REGISTRY_PATH",
    "SCHEMA_PATH",
    "CROSS_REFERENCE_KEY",
    "Violation",
    "refuse_problems",
    "load_schema",
    "find_violations",
    "load_claims",
    "claims_for",
    "claim_record",
    "first_claim",
    "printed_value",
    "printed_categories",
    "cross_references",
    "QUANTITIES_PATH",
    "GROUPS_PATH",
    "QUANTITY_RULES",
    "load_quantities",
    "load_groups",
]

REGISTRY_PATH = PUBLISHED_DIR / "claims.csv"
SCHEMA_PATH = PUBLISHED_DIR / "claims.schema.yaml"
QUANTITIES_PATH = PUBLISHED_DIR / "quantities.csv"
GROUPS_PATH = PUBLISHED_DIR / "groups.csv"

QUANTITY_RULES = ("flag", "value", "equals", "grade_range", "blast_bin", "survival", "case", "dosing_interval",
                  "significance", "not_in_schema", "")
"""How a quantity is computed from patient data (data/published/README.md, "quantities.csv"): a yes/no
``flag`` (an expression over the patient table), a measured ``value`` column, a category that ``equals``
the patient's value, a printed grade range (``grade_range``, "3-5"), a marrow-blast bin (``blast_bin``),
a ``survival`` time and event, a named ``case`` or the ``dosing_interval`` between doses (computed by the
fit report from the daily rows), Figure 2B's ``significance`` marks, ``not_in_schema`` (with the reason
as the expression), or empty for a number that is not about the patients."""
_QUANTITY_COLUMNS = ("quantity", "topic", "rule", "expression", "data_columns", "p_kind", "whole_numbers",
                     "partition", "binned_from")
_GROUP_COLUMNS = ("group", "kind", "members", "size_claim", "description")

#: Records that agree on these columns state the same number, so the audit can compare their printings.
CROSS_REFERENCE_KEY = ("quantity", "category", "group", "stat")

_SCHEMA_KEYS = ("columns", "printed_relation", "id_prefix_by_section", "rules")


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


def claim_record(claims: pd.DataFrame, claim_id: str) -> dict:
    """The registry record of one claim id, as a dict of strings; an unknown id is an input error."""
    match = claims[claims["claim_id"] == claim_id]
    if match.empty:
        raise InvalidInputError(f"no claim with id {claim_id!r} in the registry")
    return match.iloc[0].to_dict()


def first_claim(claims: pd.DataFrame, section: str | None = None, **criteria: str) -> dict | None:
    """The first record (registry order) matching every criterion, preferring one printed in ``section``;
    None when nothing matches (absence is an answer, not an error)."""
    matches = claims_for(claims, **criteria)
    if section is not None and (matches["section"] == section).any():
        matches = matches[matches["section"] == section]
    return None if matches.empty else matches.iloc[0].to_dict()


def printed_value(claims: pd.DataFrame, claim_id: str) -> str:
    """Return the number printed for one claim id, as the exact string of the paper."""
    return claim_record(claims, claim_id)["printed"]


def printed_categories(claims: pd.DataFrame, quantity: str, group: str = "total") -> list[str]:
    """The categories the paper prints a count for, for one quantity and group, in registry order."""
    rows = claims_for(claims, quantity=quantity, group=group, stat="count")
    return list(dict.fromkeys(rows["category"]))


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


def load_quantities(path: str | Path | None = None, claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read ``data/published/quantities.csv``: for every quantity of the registry, its topic, how it is
    computed from patient data, the data columns it rests on, the kind of its p-value, and whether it is
    whole-numbered, a partition of the patients or a binned measurement.

    Every problem is reported at once; ``claims`` (default: the registry) must name only listed quantities.
    """
    path = Path(path) if path is not None else QUANTITIES_PATH
    table = read_text_csv(path, _QUANTITY_COLUMNS)
    claims = load_claims() if claims is None else claims
    problems = [f"line {line}: rule {rule!r} is not one of {', '.join(r for r in QUANTITY_RULES if r)}"
                for line, rule in zip(range(2, len(table) + 2), table["rule"]) if rule not in QUANTITY_RULES]
    problems += [f"line {line}: p_kind {kind!r} is not count or distribution"
                 for line, kind in zip(range(2, len(table) + 2), table["p_kind"])
                 if kind not in ("", "count", "distribution")]
    unlisted = sorted(set(claims["quantity"]) - set(table["quantity"]))
    if unlisted:
        problems.append(f"column quantity: the registry's quantities {', '.join(unlisted)} are not listed")
    refuse_problems(path, problems, table, "quantity")
    return table.set_index("quantity", drop=False)


def load_groups(path: str | Path | None = None) -> pd.DataFrame:
    """Read ``data/published/groups.csv``: each group of the registry, which patients it holds (an expression
    over the patient table, ``all``, or empty when it is not a set of analysed patients) and the claim that
    prints its size."""
    path = Path(path) if path is not None else GROUPS_PATH
    table = read_text_csv(path, _GROUP_COLUMNS)
    refuse_problems(path, [], table, "group")
    return table.set_index("group", drop=False)

