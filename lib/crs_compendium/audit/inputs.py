"""What the claims audit reads besides the registry: the explicit links between claims, the sentences about
significance, the audit pages' sections, and the registry's quantities and groups, bundled as one
:class:`AuditInputs` that every check family takes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..exceptions import InvalidInputError
from ..files import read_text_csv
from ..paths import PUBLISHED_DIR
from ..printed.registry import load_claims, load_groups, load_quantities, refuse_problems

__all__ = [
    "LINKS_PATH",
    "SIGNIFICANCE_PATH",
    "PAGES_PATH",
    "STRATA_PATH",
    "READINGS_PATH",
    "LINK_KINDS",
    "AuditPages",
    "AuditInputs",
    "load_links",
    "load_significance_statements",
    "load_audit_pages",
    "load_strata",
    "load_readings",
    "load_inputs",
]

LINKS_PATH = PUBLISHED_DIR / "audit_links.csv"
SIGNIFICANCE_PATH = PUBLISHED_DIR / "significance_statements.csv"
PAGES_PATH = PUBLISHED_DIR / "audit_pages.csv"
STRATA_PATH = PUBLISHED_DIR / "strata.csv"
READINGS_PATH = PUBLISHED_DIR / "readings.csv"

_LINK_COLUMNS = ("link_id", "check", "claims", "reference", "anchor", "why", "assumption")
_STATEMENT_COLUMNS = ("statement_id", "location", "statement", "claim_ids", "asserts", "quantity", "strata",
                      "direction")
_PAGE_COLUMNS = ("section", "family", "topic", "anchor", "page")
_STRATA_COLUMNS = ("quantity", "by", "category", "fixed", "at_least", "why")
_READING_COLUMNS = ("quantity", "lower_limit", "assumed", "alternative", "why")

_IDS = r"\S+( \+ \S+)*"
LINK_KINDS = {
    "sum": r"\S+( \+ \S+)+ = \S+",
    "at_most": r"\S+ <= \S+",
    "equal": r"\S+ = \S+",
    "flow": r"\S+",
    "table1": r"\S+",
    "cases_at_most": rf"{_IDS} <= \S+",
    "case_among": rf"{_IDS} in {_IDS}",
    "cases_distinct": rf"{_IDS} != {_IDS}",
    "dose_count": rf"{_IDS} in \S+ \.\. \S+",
    "dosing_hours": rf"{_IDS} in \S+ \.\. \S+",
    "day_order": r"\S+( <= \S+)+",
    "same_strata": rf"{_IDS} ~ {_IDS}",
}
"""Each kind of explicit link and how its ``claims`` read (audit_inputs.md)."""


def load_links(path: str | Path | None = None) -> pd.DataFrame:
    """Read the audit's explicit links (sums, subgroups, Figure 1 flow, Table 1 rows, named cases, dosing
    days, grade labels), refusing bad rows.

    Columns: ``link_id`` (unique), ``check`` (a kind of :data:`LINK_KINDS`), ``claims`` (read as the kind
    says: ``a + b = c`` for a sum, ``a <= b`` for a subgroup, ...), ``reference`` (``node:NAME`` or
    ``statement:ID`` of the flow files; ``location|check`` of the Table 1 comparison; ``counts:QUANTITY``
    for grade labels), ``anchor``, ``why``, ``assumption`` (the reading the link rests on, if the paper does
    not state it).
    """
    path = Path(path) if path is not None else LINKS_PATH
    links = read_text_csv(path, _LINK_COLUMNS)
    problems = []
    for line, row in zip(range(2, len(links) + 2), links.to_dict("records")):
        if row["check"] not in LINK_KINDS:
            problems.append(f"line {line}: check {row['check']!r} is not one of {', '.join(LINK_KINDS)}")
        pattern = LINK_KINDS.get(row["check"], r"\S+")
        if not re.fullmatch(pattern, row["claims"]):
            problems.append(f"line {line}: claims {row['claims']!r} do not read as a {row['check']} link")
        if row["check"] in ("flow", "table1", "same_strata") and not row["reference"]:
            problems.append(f"line {line}: a {row['check']} link needs a reference")
        if not row["anchor"].startswith("audit-"):
            problems.append(f"line {line}: anchor {row['anchor']!r} is not an audit-... label")
    refuse_problems(path, problems, links, "link_id")
    return links


def load_significance_statements(path: str | Path | None = None) -> pd.DataFrame:
    """Read the narrative claims of (no) significance: id, location, our wording, the p claims, what is
    asserted, and for a comparison within strata (CRS durations by grade) the measured quantity, the grade
    label claims that name the strata and the direction claimed for the tocilizumab group."""
    path = Path(path) if path is not None else SIGNIFICANCE_PATH
    statements = read_text_csv(path, _STATEMENT_COLUMNS)
    problems = []
    for line, row in zip(range(2, len(statements) + 2), statements.to_dict("records")):
        if row["asserts"] not in ("significant", "not significant"):
            problems.append(f"line {line}: asserts {row['asserts']!r} is not 'significant' or 'not significant'")
        if row["direction"] not in ("", "lower", "higher"):
            problems.append(f"line {line}: direction {row['direction']!r} is not lower, higher or empty")
        if bool(row["strata"]) != bool(row["quantity"]):
            problems.append(f"line {line}: a comparison within strata needs both quantity and strata")
    refuse_problems(path, problems, statements, "statement_id")
    return statements


def load_strata(path: str | Path | None = None) -> pd.DataFrame:
    """Read ``data/published/strata.csv``: how a measured quantity splits by the categories of another (CRS
    duration by CRS grade), with a value every member of a stratum has (``fixed``) or at least has
    (``at_least``), and why."""
    path = Path(path) if path is not None else STRATA_PATH
    table = read_text_csv(path, _STRATA_COLUMNS)
    problems = [f"line {line}: give fixed or at_least, not both" for line, row in
                zip(range(2, len(table) + 2), table.to_dict("records")) if row["fixed"] and row["at_least"]]
    table = table.assign(key=table["quantity"] + "|" + table["category"])
    refuse_problems(path, problems, table, "key")
    return table.drop(columns="key")


def load_readings(path: str | Path | None = None) -> pd.DataFrame:
    """Read ``data/published/readings.csv``: for a measured quantity, the least value it can take and the
    unstated assumption behind its whole-number reading (quantities.csv ``whole_numbers``), if any, and the
    reading the audit tries instead."""
    path = Path(path) if path is not None else READINGS_PATH
    table = read_text_csv(path, _READING_COLUMNS)
    refuse_problems(path, [], table, "quantity")
    return table.set_index("quantity", drop=False)


@dataclass(frozen=True)
class AuditPages:
    """Which section of which audit page shows a check (``data/published/audit_pages.csv``).

    Each row names a section of the paper, a check family and a quantity topic, each or all (``*``), and
    the MyST label and page that show it. A lookup takes the matching row that is most specific, the family
    counting most, then the section, then the topic: a row for every printing of a number outranks one for
    every check of a Results topic.
    """

    table: pd.DataFrame = field(repr=False)

    def __post_init__(self) -> None:
        # Looked up once per check and claim (hundreds of times): plain tuples, not DataFrame filters.
        rows = tuple(zip(self.table["section"], self.table["family"], self.table["topic"], self.table["anchor"]))
        object.__setattr__(self, "_rows", rows)
        object.__setattr__(self, "_pages", dict(zip(self.table["anchor"], self.table["page"])))

    def anchor(self, section: str, family: str, topic: str) -> str:
        """The label of the section that shows a check of ``family`` on a claim of ``section`` and ``topic``."""
        matching = [(4 * (f != "*") + 2 * (s != "*") + (t != "*"), -index, anchor)
                    for index, (s, f, t, anchor) in enumerate(self._rows)
                    if s in (section, "*") and f in (family, "*") and t in (topic, "*")]
        if not matching:
            raise InvalidInputError(f"no audit page shows a {family} check of a {section} claim on topic "
                                    f"{topic!r}: add a row to {PAGES_PATH.name}")
        return max(matching)[2]

    def page(self, anchor: str) -> str:
        """The page (``notebooks/NN_name``) that holds a label."""
        if anchor not in self._pages:
            raise InvalidInputError(f"label {anchor!r} is on no audit page of {PAGES_PATH.name}")
        return self._pages[anchor]


def load_audit_pages(path: str | Path | None = None) -> AuditPages:
    """Read ``data/published/audit_pages.csv``, refusing a row whose label does not read as ``audit-...`` or
    whose label sits on two pages."""
    path = Path(path) if path is not None else PAGES_PATH
    table = read_text_csv(path, _PAGE_COLUMNS)
    problems = [f"line {line}: anchor {anchor!r} is not an audit-... label"
                for line, anchor in zip(range(2, len(table) + 2), table["anchor"]) if not anchor.startswith("audit-")]
    pages_per_anchor = table.groupby("anchor")["page"].nunique()
    problems += [f"anchor {anchor!r} is on more than one page" for anchor in pages_per_anchor[pages_per_anchor > 1].index]
    if problems:
        raise InvalidInputError(f"{path}:\n  " + "\n  ".join(problems))
    return AuditPages(table)


@dataclass(frozen=True)
class AuditInputs:
    """Everything the audit reads: the registry and the tables that say how its numbers relate."""

    claims: pd.DataFrame = field(repr=False)
    quantities: pd.DataFrame = field(repr=False)
    groups: pd.DataFrame = field(repr=False)
    pages: AuditPages = field(repr=False)
    links: pd.DataFrame = field(repr=False)
    statements: pd.DataFrame = field(repr=False)
    strata: pd.DataFrame = field(repr=False, default=None)
    readings: pd.DataFrame = field(repr=False, default=None)

    def reading(self, quantity: str, column: str) -> str:
        """One column of readings.csv for a quantity ("" when it has no row)."""
        if self.readings is None or quantity not in self.readings.index:
            return ""
        return self.readings.at[quantity, column]

    def topic(self, quantity: str) -> str:
        """The topic of a quantity (quantities.csv), which decides where its Results checks are shown."""
        return self.quantities.at[quantity, "topic"] if quantity in self.quantities.index else ""

    def anchor(self, family: str, section: str, quantity: str) -> str:
        """The audit section that shows a check of ``family`` on a claim of ``section`` and ``quantity``."""
        return self.pages.anchor(section, family, self.topic(quantity))

    def own_page(self, record: dict) -> str:
        """The audit page of a claim's own section of the paper (where it is listed when nothing checks it)."""
        return self.pages.page(self.anchor("not_checkable", record["section"], record["quantity"]))

    def group_size(self, group: str) -> dict | None:
        """The record that prints a group's size (groups.csv), or None."""
        if group not in self.groups.index or not self.groups.at[group, "size_claim"]:
            return None
        claim_id = self.groups.at[group, "size_claim"]
        match = self.claims[self.claims["claim_id"] == claim_id]
        if match.empty:
            raise InvalidInputError(f"groups.csv: the size of {group!r} is claim {claim_id!r}, not in the registry")
        return match.iloc[0].to_dict()

    def quantities_with(self, column: str) -> dict[str, str]:
        """Quantity -> value of one quantities.csv column, for the quantities where it is not empty."""
        values = self.quantities[column]
        return dict(values[values != ""])


def load_inputs(claims: pd.DataFrame | None = None, links: pd.DataFrame | None = None,
                statements: pd.DataFrame | None = None) -> AuditInputs:
    """The audit's inputs, each from data/published/ unless given."""
    claims = load_claims() if claims is None else claims
    return AuditInputs(
        claims=claims,
        quantities=load_quantities(claims=claims),
        groups=load_groups(),
        pages=load_audit_pages(),
        links=load_links() if links is None else links,
        statements=load_significance_statements() if statements is None else statements,
        strata=load_strata(),
        readings=load_readings(),
    )
