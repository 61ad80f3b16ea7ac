"""Figure 1, the patient flow: load it as data and check that its boxes add up (the diagram is drawn from
the same data by :func:`crs_compendium.figures.draw_flow`).

The flow is a tree (data/published/patient_flow.csv): every node but the root names its parent, and the
children of a node partition it, so each parent's count must equal the sum of its children's. Statements
in the text about the flow (data/published/patient_flow_statements.csv) are sums and differences of nodes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..exceptions import InvalidInputError
from ..paths import PUBLISHED_DIR
from ..vocab import audit_verdict
from ..files import read_text_csv
from .registry import refuse_problems

__all__ = [
    "FLOW_ROLES",
    "load_flow",
    "load_flow_statements",
    "check_partitions",
    "check_statements",
]

FLOW_ROLES = ("start", "retained", "excluded", "group")
_FLOW_COLUMNS = ("node", "parent", "role", "label", "n", "printed_at")
_STATEMENT_COLUMNS = ("statement_id", "location", "statement", "printed", "nodes")
_COUNT = re.compile(r"^(0|[1-9][0-9]*)$")
_TERM = re.compile(r"^\s*([+-]?)\s*([a-z_]+)\s*")


def load_flow(path: Path | None = None) -> pd.DataFrame:
    """Read the flow tree, keeping printed counts as strings, and refuse a malformed tree.

    Every problem is reported at once, each with its CSV line number (header = line 1).
    """
    path = Path(path) if path is not None else PUBLISHED_DIR / "patient_flow.csv"
    flow = read_text_csv(path, _FLOW_COLUMNS)
    problems = []
    nodes = set(flow["node"])
    for line, row in zip(range(2, len(flow) + 2), flow.itertuples(index=False)):
        if not _COUNT.match(row.n):
            problems.append(f"line {line}, column n: {row.n!r} is not a whole number as printed")
        if row.role not in FLOW_ROLES:
            problems.append(f"line {line}, column role: {row.role!r} is not one of {', '.join(FLOW_ROLES)}")
        if row.parent and row.parent not in nodes:
            problems.append(f"line {line}, column parent: {row.parent!r} is not a node of the flow")
    roots = flow.loc[flow["parent"] == "", "node"].tolist()
    if len(roots) != 1:
        problems.append(f"column parent: the flow needs exactly one root (no parent), found {roots}")
    refuse_problems(path, problems, flow, "node")
    return flow


def load_flow_statements(path: Path | None = None) -> pd.DataFrame:
    """Read the text's statements about the flow (printed value and the nodes it refers to)."""
    path = Path(path) if path is not None else PUBLISHED_DIR / "patient_flow_statements.csv"
    return read_text_csv(path, _STATEMENT_COLUMNS)


@dataclass(frozen=True)
class PartitionCheck:
    """Whether a box of the flow equals the sum of the boxes it splits into."""

    parent: str
    printed: int
    children: tuple[str, ...]
    children_sum: int

    @property
    def verdict(self) -> str:
        return audit_verdict(self.printed == self.children_sum)

    def __repr__(self) -> str:
        terms = " + ".join(self.children)
        return f"{self.parent} = {self.printed}; {terms} = {self.children_sum}: {self.verdict}"


def check_partitions(flow: pd.DataFrame) -> pd.DataFrame:
    """One row per box that has children: its printed count, the children's sum and the verdict."""
    counts = dict(zip(flow["node"], flow["n"].astype(int)))
    checks = []
    for parent, children in flow[flow["parent"] != ""].groupby("parent", sort=False)["node"]:
        checks.append(
            PartitionCheck(parent, counts[parent], tuple(children), sum(counts[c] for c in children))
        )
    return pd.DataFrame(
        {
            "box": [c.parent for c in checks],
            "printed": [c.printed for c in checks],
            "split into": [" + ".join(c.children) for c in checks],
            "sum of parts": [c.children_sum for c in checks],
            "verdict": [c.verdict for c in checks],
        }
    )


def _evaluate(expression: str, counts: dict[str, int]) -> int:
    """Value of a sum/difference of node names such as "eligible - progressed"."""
    total, rest = 0, expression
    while rest.strip():
        match = _TERM.match(rest)
        if not match or match.group(2) not in counts:
            raise InvalidInputError(f"cannot read {expression!r}: expected node names joined by + or -")
        sign = -1 if match.group(1) == "-" else 1
        total += sign * counts[match.group(2)]
        rest = rest[match.end():]
    return total


def check_statements(flow: pd.DataFrame, statements: pd.DataFrame) -> pd.DataFrame:
    """Recompute each flow statement of the text from the flow boxes and compare with the printed value."""
    counts = dict(zip(flow["node"], flow["n"].astype(int)))
    recomputed = [_evaluate(expression, counts) for expression in statements["nodes"]]
    printed = statements["printed"].astype(int)
    return pd.DataFrame(
        {
            "statement": statements["statement_id"],
            "location": statements["location"],
            "printed": statements["printed"],
            "recomputed as": statements["nodes"],
            "recomputed": recomputed,
            "verdict": [audit_verdict(p == r) for p, r in zip(printed, recomputed)],
        }
    )
