"""The claims audit: every check of the compendium applied to the registry, one verdict per printed number.

The registry (``data/published/claims.csv``) holds every number the paper prints; the checks live in
:mod:`crs_compendium.reported`, :mod:`crs_compendium.count_tables`, :mod:`crs_compendium.cross_checks`,
:mod:`crs_compendium.flow` and :mod:`crs_compendium.astct`. This module wires them to the registry:

* most checks are found from the registry's own keys (``quantity``, ``category``, ``group``, ``stat``):
  a percentage with its count and denominator, the toci and non-toci counts of a category with its total,
  the categories of a variable with the group size, a "median (range)" summary, a Table 2 p-value with
  its count table, a Bonferroni value with its p, every number printed more than once;
* the links the keys cannot express (sums and subgroups across sections, the flow of Figure 1, the rows
  of Table 1) are data, in ``data/published/audit_links.csv``;
* narrative claims of (no) significance are data too, in ``data/published/significance_statements.csv``.

Each check becomes an :class:`AuditCheck` that names the claims it judges, the claims it takes as given,
and the notebook section (a MyST label) that shows it. :func:`combine_verdicts` turns the checks into one
row per claim:

* a check that fails is **charged** to the claims it judges (for a "median (range)" summary, only to the
  cells the broken rule concerns: a median that cannot be a median of whole numbers, a range end that is
  not whole);
* a check between peers (two printings of one number, a pooled range against the group ranges, counts
  that must add up) cannot say on its own which printing is wrong. When it fails it is charged to the
  peers that also fail a check of their own (the rounding of 84.8 % fails, so the text's 84.8 is charged,
  not Table 2's 84.4); when none does, to all of them;
* a claim is *inconsistent* if a check charged to it fails, *consistent* if at least one check judging it
  passes and none charged to it fails, and *not checkable from the published numbers* when no check
  judges it; its ``note`` then says, by kind of number, what data would settle it.
"""
from __future__ import annotations

import math
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd

from crs_compendium import astct, flow
from crs_compendium.count_tables import count_table_tests, splits_reproducing_p
from crs_compendium.cross_checks import (
    check_at_most,
    check_in_interval,
    check_printings_agree,
    check_significance,
    median_bounds,
)
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.paths import PUBLISHED_DIR
from crs_compendium.registry import cross_references, load_claims, read_printed_csv, refuse_problems
from crs_compendium.reported import (
    check_bonferroni,
    check_median_range,
    check_percentage,
    check_pooled_median_range,
    check_sum,
    percentage_denominator_candidates,
    percentage_n_candidates,
)
from crs_compendium.verdicts import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, VERDICTS, verdict

__all__ = [
    "LINKS_PATH",
    "SIGNIFICANCE_PATH",
    "EXPORT_COLUMNS",
    "SECTION_ORDER",
    "GROUP_SIZE_CLAIMS",
    "PARTITIONS",
    "INTEGER_VALUED",
    "BINNED",
    "AuditCheck",
    "Audit",
    "load_links",
    "load_significance_statements",
    "percentage_checks",
    "denominator_checks",
    "group_sum_checks",
    "partition_checks",
    "summary_checks",
    "pooled_checks",
    "binned_median_checks",
    "bonferroni_checks",
    "count_table_checks",
    "printing_checks",
    "link_checks",
    "steroid_user_checks",
    "all_checks",
    "combine_verdicts",
    "not_checkable_note",
    "significance_checks",
    "run_audit",
    "write_csv_atomic",
]

LINKS_PATH = PUBLISHED_DIR / "audit_links.csv"
SIGNIFICANCE_PATH = PUBLISHED_DIR / "significance_statements.csv"

EXPORT_COLUMNS = ("claim_id", "location", "printed", "recomputed", "method", "verdict", "note")
"""Columns of ``_build/audit/claims.csv``, the export a reviewer diffs."""

SECTION_ORDER = ("abstract", "introduction", "methods", "table1", "results", "table2", "figure2", "discussion")
"""The paper's sections that print numbers, in reading order."""

GROUP_SIZE_CLAIMS = {
    "total": "t2.header.total.n",
    "toci": "t2.header.toci.n",
    "non_toci": "t2.header.non_toci.n",
    "steroid_users": "res.steroid_use.total.count",
}
"""Where the size of each analysed group is printed (Table 2's header; the text's corticosteroid users)."""

PARTITIONS = {
    "blasts_bin": ("<30", "30-50", ">50"),
    "crs_grade": ("0", "1", "2", "3-5"),
    "response_d28": ("MRD-CR", "MRD+CR", "PR"),
}
"""Categorical variables whose categories, as Table 2 and the text print them, cover every patient."""

INTEGER_VALUED = {
    "prior_lines": "lines of therapy are counted in whole lines",
    "crs_duration": (
        "CRS duration is read as whole days: all four printed range ends (2, 14, 0 and 12 days) are whole "
        "numbers; if durations were recorded in fractions of a day this rule would not apply"
    ),
}
"""Quantities that take whole values only, with the reason (adds the whole-number rules of medians)."""

BINNED = {"blasts_bin": ("blasts_pct", {"<30": (0, 30), "30-50": (30, 50), ">50": (50, 100)})}
"""A binned variable, the measured variable it bins, and each bin's closed limits (in its unit)."""

_ANCHOR = {
    "table2": {
        "percentage": "audit-table2-percentages",
        "group_sum": "audit-table2-sums",
        "partition": "audit-table2-sums",
        "summary": "audit-table2-summaries",
        "pooled": "audit-table2-summaries",
        "binned": "audit-table2-summaries",
        "count_table": "audit-table2-p-values",
        "bonferroni": "audit-table2-bonferroni",
        "not_checkable": "audit-table2-not-checkable",
    },
}
_RESULTS_TOPIC = {
    "patients": "baseline", "male": "baseline", "high_risk": "baseline", "age": "baseline",
    "prior_lines": "baseline",
    "response_d28": "response", "pfs": "response", "os": "response",
    "crs_any": "crs", "crs_grade": "crs", "crs_duration": "crs", "icans": "crs", "icans_grade": "crs",
    "toci_total_mg": "treatment", "toci_doses": "treatment", "steroid_mpe_mg": "treatment",
    "steroid_use": "treatment", "steroid_without_toci": "treatment",
    "cytokine_decrease": "cytokines", "il6_elevated": "cytokines", "cytokine_monitored": "cytokines",
    "serious_infection": "safety", "gcsf_dose": "safety",
}
PRINTINGS_ANCHOR = "audit-results-cross-references"
SIGNIFICANCE_ANCHOR = "audit-results-significance"

_SURVIVAL = {"pfs", "os"}
_SAME_DOSE = "reading Table 2's corticosteroid dose and the text's cumulative dose as one quantity"
_TEST_NAMES = {
    "pearson": "Pearson chi-squared",
    "yates": "Yates-corrected chi-squared",
    "likelihood_ratio": "G test",
    "fisher": "Fisher exact",
    "fisher_one_sided": "one-sided Fisher",
    "linear_by_linear": "linear-by-linear",
}
_LINK_COLUMNS = ("link_id", "check", "claims", "reference", "anchor", "why")
_STATEMENT_COLUMNS = ("statement_id", "location", "statement", "claim_ids", "asserts")
_CLAIM_ID = re.compile(r"[a-z][a-z0-9]*(?:\.[a-z0-9_]+)+")


# --------------------------------------------------------------------------------------------------------
# One check, as the audit sees it
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditCheck:
    """One check applied to the registry: what it judges, what it takes as given, where it is shown.

    Attributes
    ----------
    check_id : str
        Stable id, ``family:subject`` (e.g. ``percentage:res.high_risk.total.pct``).
    family : str
        Kind of check (percentage, denominator, group_sum, partition, summary, pooled, binned, bonferroni,
        count_table, printings, sum, at_most, flow, table1, steroid_users).
    anchor : str
        MyST label of the notebook section that shows the check.
    claim_ids : tuple of str
        The claims the check judges.
    given_ids : tuple of str
        The claims it takes as given (shown for traceability, never charged).
    consistent : bool
        The check's outcome.
    printed, recomputed, method, note : str
        What is compared, what the check recomputes, how, and why it failed (or what else is worth knowing).
    charged_ids : tuple of str
        The judged claims a failure would concern (all of them unless the check can say which); the
        others count as passing even when the check fails.
    peer : bool
        Whether the judged claims are peers, so that a failure is charged by :func:`combine_verdicts`.
    result : object
        The underlying result object (its display is the detailed verdict).
    """

    check_id: str
    family: str
    anchor: str
    claim_ids: tuple[str, ...]
    given_ids: tuple[str, ...]
    consistent: bool
    printed: str
    recomputed: str
    method: str
    note: str = ""
    charged_ids: tuple[str, ...] = ()
    peer: bool = False
    result: object = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.claim_ids:
            raise InvalidInputError(f"{self.check_id}: a check must judge at least one claim")
        if not set(self.charged_ids) <= set(self.claim_ids):
            raise InvalidInputError(f"{self.check_id}: charged claims must be among the judged claims")
        if not self.consistent and not self.charged_ids:
            object.__setattr__(self, "charged_ids", self.claim_ids)

    @property
    def verdict(self) -> str:
        """The verdict word of the check itself."""
        return verdict(self.consistent)

    def __repr__(self) -> str:
        line = f"{self.verdict}: {self.check_id}: {self.printed} -> {self.recomputed} [{self.method}]"
        return f"{line}\n  note: {self.note}" if self.note else line

    def to_record(self) -> dict[str, object]:
        """A flat row for a table: ids joined with '; ', the verdict, no result object."""
        return {
            "check_id": self.check_id,
            "family": self.family,
            "claims": "; ".join(self.claim_ids),
            "printed": self.printed,
            "recomputed": self.recomputed,
            "method": self.method,
            "verdict": self.verdict,
            "note": self.note,
            "given": "; ".join(self.given_ids),
            "anchor": self.anchor,
        }


def _from_result(check_id, family, anchor, claim_ids, given_ids, result, **overrides) -> AuditCheck:
    """An AuditCheck from a CheckResult of :mod:`crs_compendium.reported` or :mod:`~.cross_checks`."""
    fields = {
        "consistent": bool(result.consistent),
        "printed": result.printed,
        "recomputed": result.recomputed,
        "method": result.method,
        "note": result.note,
    }
    fields.update(overrides)
    return AuditCheck(check_id=check_id, family=family, anchor=anchor, claim_ids=tuple(claim_ids),
                      given_ids=tuple(given_ids), result=result, **fields)


# --------------------------------------------------------------------------------------------------------
# Reading the registry
# --------------------------------------------------------------------------------------------------------
def _records(claims: pd.DataFrame) -> list[dict]:
    return claims.to_dict("records")


def _find(claims: pd.DataFrame, section: str | None = None, **criteria: str) -> dict | None:
    """The first record (registry order) matching ``criteria``, preferring one printed in ``section``."""
    mask = pd.Series(True, index=claims.index)
    for column, value in criteria.items():
        mask &= claims[column] == value
    matches = claims[mask]
    if section is not None and (matches["section"] == section).any():
        matches = matches[matches["section"] == section]
    return None if matches.empty else matches.iloc[0].to_dict()


def _by_id(claims: pd.DataFrame, claim_id: str) -> dict:
    match = claims[claims["claim_id"] == claim_id]
    if match.empty:
        raise InvalidInputError(f"no claim {claim_id!r} in the registry")
    return match.iloc[0].to_dict()


def _group_size(claims: pd.DataFrame, group: str) -> dict | None:
    claim_id = GROUP_SIZE_CLAIMS.get(group)
    return None if claim_id is None else _by_id(claims, claim_id)


def _anchor(family: str, section: str, quantity: str) -> str:
    """The notebook section that shows a check of ``family`` on a claim of ``section``."""
    if section == "table2":
        return _ANCHOR["table2"][family]
    if section == "results":
        if quantity not in _RESULTS_TOPIC:
            raise InvalidInputError(f"no results topic for quantity {quantity!r}: add it to _RESULTS_TOPIC")
        return f"audit-results-{_RESULTS_TOPIC[quantity]}"
    return f"audit-other-{section}"


def _notebook_of(anchor: str) -> str:
    return anchor.split("-")[1]


def _notebook_of_section(section: str) -> str:
    return section if section in ("table2", "results") else "other"


def _summaries(claims: pd.DataFrame) -> dict[tuple[str, str, str], dict[str, dict]]:
    """Every printed "median (min-max)": (section, quantity, group) -> {stat: record}."""
    found: dict[tuple[str, str, str], dict[str, dict]] = defaultdict(dict)
    for record in _records(claims):
        if record["stat"] in ("median", "min", "max") and record["category"] == "":
            found[(record["section"], record["quantity"], record["group"])].setdefault(record["stat"], record)
    return {key: cells for key, cells in found.items() if set(cells) == {"median", "min", "max"}}


# --------------------------------------------------------------------------------------------------------
# Checks found from the registry's keys
# --------------------------------------------------------------------------------------------------------
def percentage_checks(claims: pd.DataFrame) -> list[AuditCheck]:
    """Every printed percentage against its count and denominator (GRIM when no count is printed).

    The count is the record with the same quantity, category and group (printed in the same section if
    possible); the denominator is the printed N of that quantity and group, else the group's size.
    """
    checks = []
    for record in _records(claims[claims["stat"] == "percent"]):
        key = {"quantity": record["quantity"], "group": record["group"]}
        count = _find(claims, record["section"], category=record["category"], stat="count", **key)
        denominator = (
            _find(claims, record["section"], category=record["category"], stat="denominator", **key)
            or _find(claims, record["section"], category="", stat="denominator", **key)
            or _group_size(claims, record["group"])
        )
        if denominator is None:
            continue
        anchor = _anchor("percentage", record["section"], record["quantity"])
        N = denominator["printed"]
        if count is None:
            result = percentage_n_candidates(record["printed"], N)
            checks.append(_from_result(f"percentage:{record['claim_id']}", "percentage", anchor,
                                       [record["claim_id"]], [denominator["claim_id"]], result,
                                       method=f"counts n of N = {N} that print as the percentage"))
            continue
        result = check_percentage(record["printed"], count["printed"], N)
        note = result.note
        if not result.consistent:
            fits = percentage_denominator_candidates(record["printed"], count["printed"], int(N) + 5)
            near = [str(d) for d in fits if abs(d - int(N)) <= 5]
            note += f"; denominators near {N} that fit n = {count['printed']}: {', '.join(near) or 'none'}"
        checks.append(_from_result(
            f"percentage:{record['claim_id']}", "percentage", anchor, [record["claim_id"], count["claim_id"]],
            [denominator["claim_id"]], result,
            recomputed=f"{count['printed']}/{N} = {result.recomputed}",
            method=f"percentage of n/N: {result.method}", note=note, charged_ids=(record["claim_id"],),
        ))
    return checks


def denominator_checks(claims: pd.DataFrame) -> list[AuditCheck]:
    """Every N printed under a percentage of a whole group ("(24/45)") against that group's size."""
    checks = []
    rows = claims[(claims["stat"] == "denominator") & (claims["quantity"] != "patients")]
    for record in _records(rows):
        size = _group_size(claims, record["group"])
        if size is None:
            continue
        result = check_printings_agree({record["claim_id"]: record["printed"], size["claim_id"]: size["printed"]})
        checks.append(_from_result(
            f"denominator:{record['claim_id']}", "denominator",
            _anchor("percentage", record["section"], record["quantity"]), [record["claim_id"]], [size["claim_id"]],
            result, printed=record["printed"], recomputed=f"group size {size['printed']}",
            method="the N of a group's percentage is the group's size",
        ))
    return checks


def group_sum_checks(claims: pd.DataFrame) -> list[AuditCheck]:
    """For every category printed for the toci, non-toci and total groups: toci + non-toci = total."""
    counts = claims[(claims["stat"] == "count") & claims["group"].isin(["total", "toci", "non_toci"])]
    checks = []
    for (section, quantity, category), block in counts.groupby(["section", "quantity", "category"], sort=False):
        first = {group: rows.iloc[0].to_dict() for group, rows in block.groupby("group", sort=False)}
        if set(first) != {"total", "toci", "non_toci"}:
            continue
        parts = {"toci": first["toci"]["printed"], "non-toci": first["non_toci"]["printed"]}
        result = check_sum(parts, first["total"]["printed"], label=f"{quantity} {category}".strip())
        ids = [first[group]["claim_id"] for group in ("toci", "non_toci", "total")]
        name = f"{section}.{quantity}" + (f".{category}" if category else "")
        checks.append(_from_result(
            f"group_sum:{name}", "group_sum", _anchor("group_sum", section, quantity), ids, [], result,
            printed=f"{parts['toci']} + {parts['non-toci']} = {first['total']['printed']}",
            recomputed=f"{parts['toci']} + {parts['non-toci']} = {result.recomputed}",
            method=f"toci + non-toci = total: {result.method}", peer=True,
        ))
    return checks


def partition_checks(claims: pd.DataFrame) -> list[AuditCheck]:
    """The categories of a variable that covers every patient (:data:`PARTITIONS`): counts add up to
    the group size, and percentages to 100 within their rounding."""
    checks = []
    for quantity, categories in PARTITIONS.items():
        block = claims[(claims["quantity"] == quantity) & claims["category"].isin(categories)]
        for (section, group), rows in block.groupby(["section", "group"], sort=False):
            size = (_find(claims, section, quantity=quantity, category="", group=group, stat="denominator")
                    or _group_size(claims, group))
            for stat in ("count", "percent"):
                cells = {}
                for record in _records(rows[rows["stat"] == stat]):
                    cells.setdefault(record["category"], record)
                if set(cells) != set(categories) or (stat == "count" and size is None):
                    continue
                parts = {category: cells[category]["printed"] for category in categories}
                ids = [cells[category]["claim_id"] for category in categories]
                if stat == "count":
                    result = check_sum(parts, size["printed"], label=f"{quantity}, {group}")
                    ids.append(size["claim_id"])
                    method = f"categories add up to the group size: {result.method}"
                else:
                    result = check_sum(parts, "100", rounded=True, label=f"{quantity} %, {group}")
                    method = f"category percentages add up to 100: {result.method}"
                checks.append(_from_result(
                    f"partition:{section}.{quantity}.{group}.{stat}", "partition",
                    _anchor("partition", section, quantity), ids, [], result,
                    printed=f"{' + '.join(parts.values())} = {result.printed}",
                    recomputed=f"{' + '.join(parts.values())} = {result.recomputed}", method=method, peer=True,
                ))
    return checks


_RANGE_END = re.compile(r"^range end (\S+) is not an integer")
_MEDIAN_OF_INTEGERS = re.compile(r"^median \S+ of (integers|an odd number)")


def _charged_cells(failures: Iterable[str], cells: Mapping[str, dict]) -> list[str]:
    """Which cells of one "median (min-max)" summary each broken rule of ``check_median_range`` concerns.

    A range end that is not whole concerns that end; a median that cannot be a median of whole numbers
    concerns the median; a reversed range both ends; any other rule (median outside the range, n = 1 or
    2) the whole summary.
    """
    charged: list[str] = []
    for failure in failures:
        if match := _RANGE_END.match(failure):
            stats = [stat for stat in ("min", "max") if cells[stat]["printed"] == match.group(1)]
        elif _MEDIAN_OF_INTEGERS.match(failure):
            stats = ["median"]
        elif failure.startswith("range is reversed"):
            stats = ["min", "max"]
        else:
            stats = ["median", "min", "max"]
        charged += [cells[stat]["claim_id"] for stat in stats if cells[stat]["claim_id"] not in charged]
    return charged


def summary_checks(claims: pd.DataFrame) -> list[AuditCheck]:
    """Every printed "median (min-max)" on its own: the median lies in its range and, for a whole-number
    quantity (:data:`INTEGER_VALUED`), the range ends are whole and the median whole or half (whole for
    an odd n)."""
    checks = []
    for (section, quantity, group), cells in _summaries(claims).items():
        size = _group_size(claims, group)
        integer = quantity in INTEGER_VALUED
        result = check_median_range(cells["median"]["printed"], cells["min"]["printed"], cells["max"]["printed"],
                                    n=None if size is None else size["printed"], integer_valued=integer)
        ids = [cells[stat]["claim_id"] for stat in ("median", "min", "max")]
        note, recomputed = result.note, result.recomputed
        if integer:
            note = f"{note}; whole numbers because {INTEGER_VALUED[quantity]}" if note else INTEGER_VALUED[quantity]
        if result.failures:
            recomputed = "no sample of whole numbers fits" if integer else "no sample fits"
        checks.append(_from_result(
            f"summary:{section}.{quantity}.{group}", "summary", _anchor("summary", section, quantity), ids,
            [] if size is None else [size["claim_id"]], result, note=note, recomputed=recomputed,
            charged_ids=tuple(_charged_cells(result.failures, cells)),
        ))
    return checks


def pooled_checks(claims: pd.DataFrame) -> list[AuditCheck]:
    """A pooled "median (min-max)" against the two group summaries: the pooled minimum and maximum are the
    extreme group ends, the pooled median lies between the group medians (three peer checks per row)."""
    summaries = _summaries(claims)
    checks = []
    for (section, quantity, group), pooled in summaries.items():
        toci, non_toci = summaries.get((section, quantity, "toci")), summaries.get((section, quantity, "non_toci"))
        if group != "total" or toci is None or non_toci is None:
            continue
        groups = [(cells, _group_size(claims, name)) for cells, name in ((toci, "toci"), (non_toci, "non_toci"))]
        result = check_pooled_median_range(
            tuple(pooled[stat]["printed"] for stat in ("median", "min", "max")),
            [tuple(cells[stat]["printed"] for stat in ("median", "min", "max")) + (size["printed"],)
             for cells, size in groups],
            integer_valued=quantity in INTEGER_VALUED,
        )
        for stat, word, pick in (("min", "minimum", min), ("max", "maximum", max), ("median", "median", None)):
            group_cells = [cells[stat] for cells, _ in groups]
            if pick is not None:
                extreme = pick(Decimal(cell["printed"]) for cell in group_cells)
                group_cells = [cell for cell in group_cells if Decimal(cell["printed"]) == extreme]
                recomputed = f"{'smallest' if stat == 'min' else 'largest'} group {word} {group_cells[0]['printed']}"
            else:
                medians = sorted((cell["printed"] for cell in group_cells), key=Decimal)
                recomputed = f"between the group medians {medians[0]} and {medians[-1]}"
            failures = [failure for failure in result.failures if failure.startswith(f"pooled {word} ")]
            shown = ", ".join(f"{cell['printed']} ({cell['group'].replace('_', '-')})" for cell in group_cells)
            checks.append(AuditCheck(
                check_id=f"pooled_{stat}:{section}.{quantity}", family="pooled",
                anchor=_anchor("pooled", section, quantity),
                claim_ids=(pooled[stat]["claim_id"], *(cell["claim_id"] for cell in group_cells)),
                given_ids=tuple(size["claim_id"] for _, size in groups),
                consistent=not failures, printed=f"{pooled[stat]['printed']} (total) vs {shown}", recomputed=recomputed,
                method=f"pooled {word} from the toci and non-toci summaries: {result.method}",
                note="; ".join(failures), peer=True, result=result,
            ))
    return checks


def binned_median_checks(claims: pd.DataFrame) -> list[AuditCheck]:
    """A measured variable's median and range against the counts of its binned version (:data:`BINNED`).

    The median must lie where the middle patients fall (:func:`crs_compendium.cross_checks.median_bounds`),
    the minimum in the lowest and the maximum in the highest non-empty bin.
    """
    checks = []
    summaries = _summaries(claims)
    for binned, (measured, limits) in BINNED.items():
        bins = list(limits)
        block = claims[(claims["quantity"] == binned) & (claims["stat"] == "count")]
        for (section, group), rows in block.groupby(["section", "group"], sort=False):
            cells = {record["category"]: record for record in reversed(_records(rows))}
            summary = summaries.get((section, measured, group))
            if set(cells) != set(bins) or summary is None:
                continue
            counts = [int(cells[name]["printed"]) for name in bins]
            n = sum(counts)
            below = [sum(counts[: i + 1]) for i in range(len(bins))]
            at_most = {limits[name][1]: below[i] for i, name in enumerate(bins)}
            at_least = {limits[name][0]: n - (below[i - 1] if i else 0) for i, name in enumerate(bins)}
            occupied = [name for name, count in zip(bins, counts) if count]
            low, high = median_bounds(n, at_most=at_most, at_least=at_least)
            given = [cells[name]["claim_id"] for name in bins]
            split = ", ".join(f"{cells[name]['printed']} {name}" for name in bins)
            targets = (
                ("median", (low, high), f"the middle of {n} patients ({split}) lies in [{low}, {high}]"),
                ("min", limits[occupied[0]], f"the lowest non-empty bin is {occupied[0]}"),
                ("max", limits[occupied[-1]], f"the highest non-empty bin is {occupied[-1]}"),
            )
            for stat, (bound_low, bound_high), why in targets:
                record = summary[stat]
                result = check_in_interval(record["printed"], bound_low, bound_high, what=stat, why=why)
                checks.append(_from_result(f"binned_{stat}:{section}.{measured}.{group}", "binned",
                                           _anchor("binned", section, measured), [record["claim_id"]], given,
                                           result))
    return checks


def bonferroni_checks(claims: pd.DataFrame) -> list[AuditCheck]:
    """Every printed Bonferroni-adjusted p against min(1, m * p), m = the number of p-values its table prints."""
    checks = []
    for record in _records(claims[claims["stat"] == "p_bonferroni"]):
        p = _find(claims, record["section"], quantity=record["quantity"], group=record["group"], stat="p")
        if p is None:
            continue
        m = int(((claims["section"] == record["section"]) & (claims["stat"] == "p")).sum())
        result = check_bonferroni(record["printed"], p["printed"], m)
        checks.append(_from_result(
            f"bonferroni:{record['claim_id']}", "bonferroni",
            _anchor("bonferroni", record["section"], record["quantity"]), [record["claim_id"]], [p["claim_id"]], result,
            recomputed=f"min(1, {m} x {p['printed']}) = {result.recomputed}",
            method=f"Bonferroni over the {m} p-values of the table: {result.method}",
        ))
    return checks


def _format_tests(p_values: Mapping[str, float], tests: Iterable[str]) -> str:
    """Tests with their p-values; Fisher's exact test of a larger than 2 x 2 table is Fisher-Freeman-Halton
    (the one-sided Fisher and Yates exist only for 2 x 2, so their absence marks a larger table)."""
    larger = "yates" not in p_values
    names = {**_TEST_NAMES, "fisher": "Fisher-Freeman-Halton exact" if larger else _TEST_NAMES["fisher"]}
    return "; ".join(f"{names[test]} {p_values[test]:.4f}" for test in tests)


def _table_text(table: Sequence[Sequence[int]]) -> str:
    return " / ".join("-".join(str(cell) for cell in row) for row in table)


def _tests_check(record, table, given, anchor) -> AuditCheck:
    result = count_table_tests(table, record["printed"])
    shape = f"{len(table)}x{len(table[0])}"
    rule = ", ".join(_TEST_NAMES[test] for test in result.rule_tests)
    rule_p = _format_tests(result.p_values, result.rule_tests)
    if result.consistent:
        followed = "follows" if result.follows_rule else "does not follow"
        note = (f"reproduced by {_format_tests(result.p_values, result.reproducing)}; the choice {followed} "
                f"the methods' rule ({result.rule_reason}; {rule_p})")
        recomputed = _format_tests(result.p_values, result.reproducing)
    else:
        note = f"no test reproduces {record['printed']}; the methods' rule would give {rule_p}"
        recomputed = _format_tests(result.p_values, result.p_values)
    return AuditCheck(
        check_id=f"count_table:{record['claim_id']}", family="count_table", anchor=anchor,
        claim_ids=(record["claim_id"],), given_ids=tuple(given), consistent=bool(result.consistent),
        printed=record["printed"], recomputed=recomputed,
        method=f"tests of the {shape} table toci {_table_text(table)} (non-toci second): rule allows {rule}",
        note=note, result=result,
    )


def _tested_tables(result) -> list:
    """The reproducing count tables behind a count-table check: the table itself, or the candidates of a
    search over unprinted cells that reproduce the p."""
    if hasattr(result, "candidates"):
        return [candidate.tests for candidate in result.reproducing]
    return [result]


def _split_check(record, row_totals, col_totals, fixed, categories, given, anchor) -> AuditCheck:
    groupings = {"as printed": None}
    for index, category in enumerate(categories):
        rest = [other for other in range(len(categories)) if other != index]
        groupings[f"{category} vs the rest"] = [[index], rest]
    search = splits_reproducing_p(record["printed"], row_totals, col_totals, fixed, column_groupings=groupings)
    tables = sorted({candidate.table for candidate in search.candidates})
    if search.consistent:
        found = [f"{_table_text(c.table)} tested {c.grouping}: {_format_tests(c.tests.p_values, c.tests.reproducing)}"
                 for c in search.reproducing]
        rules = sorted({_format_tests(c.tests.p_values, c.tests.rule_tests) for c in search.reproducing})
        note = (f"of the {len(tables)} tables that fit the printed margins, only {'; '.join(found)} reproduces "
                f"the p, which pins the unprinted cells; the methods' rule would use {', '.join(rules)}")
        recomputed = "; ".join(found)
    else:
        note = f"none of the {len(tables)} tables that fit the printed margins reproduces the p under any test"
        recomputed = "no table"
    return AuditCheck(
        check_id=f"count_table:{record['claim_id']}", family="count_table", anchor=anchor,
        claim_ids=(record["claim_id"],), given_ids=tuple(given), consistent=search.consistent,
        printed=record["printed"], recomputed=recomputed,
        method=(f"every table with rows {list(row_totals)} and columns {list(col_totals)} ({', '.join(categories)}), "
                "as printed and collapsed to one category against the rest, under every test"),
        note=note, result=search,
    )


def count_table_checks(claims: pd.DataFrame) -> list[AuditCheck]:
    """Every p-value comparing the groups that has a count table: which tests reproduce it.

    A binary variable gives the 2 x 2 table (count, size - count) per group; a variable of
    :data:`PARTITIONS` the groups x categories table. When the paper prints only some cells, every table
    consistent with the printed margins is searched (:func:`~crs_compendium.count_tables.splits_reproducing_p`).
    P-values of measured variables and survival have no count table and are left to
    :func:`not_checkable_note`.
    """
    checks = []
    sizes = [_group_size(claims, group) for group in ("toci", "non_toci")]
    for record in _records(claims[(claims["stat"] == "p") & (claims["group"] == "toci_vs_non_toci")]):
        section, quantity = record["section"], record["quantity"]
        anchor = _anchor("count_table", section, quantity)
        size_ids = [size["claim_id"] for size in sizes]
        if quantity in PARTITIONS:
            categories = PARTITIONS[quantity]
            cells = {(group, category): _find(claims, section, quantity=quantity, category=category,
                                              group=group, stat="count")
                     for group in ("toci", "non_toci", "total") for category in categories}
            if all(cells[(group, category)] for group in ("toci", "non_toci") for category in categories):
                table = [[int(cells[(group, category)]["printed"]) for category in categories]
                         for group in ("toci", "non_toci")]
                given = [cells[(group, category)]["claim_id"]
                         for group in ("toci", "non_toci") for category in categories]
                checks.append(_tests_check(record, table, given + size_ids, anchor))
            elif all(cells[("total", category)] for category in categories):
                fixed = {(row, column): int(cells[(group, category)]["printed"])
                         for row, group in enumerate(("toci", "non_toci"))
                         for column, category in enumerate(categories) if cells[(group, category)]}
                col_totals = [int(cells[("total", category)]["printed"]) for category in categories]
                given = [cell["claim_id"] for cell in cells.values() if cell] + size_ids
                checks.append(_split_check(record, [int(size["printed"]) for size in sizes], col_totals, fixed,
                                           categories, given, anchor))
            continue
        counts = [_find(claims, section, quantity=quantity, category="", group=group, stat="count")
                  for group in ("toci", "non_toci")]
        if all(counts):
            table = [[int(count["printed"]), int(size["printed"]) - int(count["printed"])]
                     for count, size in zip(counts, sizes)]
            checks.append(_tests_check(record, table, [count["claim_id"] for count in counts] + size_ids, anchor))
    return checks


def printing_checks(claims: pd.DataFrame) -> list[AuditCheck]:
    """Every number printed more than once (:func:`crs_compendium.registry.cross_references`): do the
    printings agree?"""
    checks = []
    repeated = cross_references(claims)
    for key, block in repeated.groupby("key", sort=False):
        printings = dict(zip(block["claim_id"], block["printed"]))
        result = check_printings_agree(printings)
        checks.append(_from_result(f"printings:{key}", "printings", PRINTINGS_ANCHOR, list(printings), [], result,
                                   peer=True))
    return checks


# --------------------------------------------------------------------------------------------------------
# Checks the keys cannot express: data/published/audit_links.csv
# --------------------------------------------------------------------------------------------------------
def load_links(path: str | Path | None = None) -> pd.DataFrame:
    """Read the audit's explicit links (sums, subgroups, Figure 1 flow, Table 1 rows), refusing bad rows.

    Columns: ``link_id`` (unique), ``check`` (sum, at_most, flow, table1), ``claims`` (``a + b = c`` for a
    sum, ``a <= b`` for a subgroup, one claim id otherwise), ``reference`` (``node:NAME`` or
    ``statement:ID`` of the flow files; ``location|check`` of the Table 1 comparison), ``anchor``, ``why``.
    """
    path = Path(path) if path is not None else LINKS_PATH
    links = read_printed_csv(path, _LINK_COLUMNS)
    problems = []
    for line, row in zip(range(2, len(links) + 2), links.to_dict("records")):
        if row["check"] not in ("sum", "at_most", "flow", "table1"):
            problems.append(f"line {line}: check {row['check']!r} is not sum, at_most, flow or table1")
        pattern = {"sum": r"\S+( \+ \S+)+ = \S+", "at_most": r"\S+ <= \S+"}.get(row["check"], r"\S+")
        if not re.fullmatch(pattern, row["claims"]):
            problems.append(f"line {line}: claims {row['claims']!r} do not read as a {row['check']} link")
        if row["check"] in ("flow", "table1") and not row["reference"]:
            problems.append(f"line {line}: a {row['check']} link needs a reference")
        if not row["anchor"].startswith("audit-"):
            problems.append(f"line {line}: anchor {row['anchor']!r} is not an audit-... label")
    refuse_problems(path, problems, links, "link_id")
    return links


def _flow_check(link: dict, record: dict, flow_table: pd.DataFrame, statements: pd.DataFrame,
                partitions: pd.DataFrame) -> AuditCheck:
    kind, _, name = link["reference"].partition(":")
    if kind == "statement":
        rows = statements[statements["statement"] == name]
        if rows.empty:
            raise InvalidInputError(f"link {link['link_id']}: no flow statement {name!r}")
        row = rows.iloc[0]
        value, recomputed = str(row["recomputed"]), f"{row['recomputed as']} = {row['recomputed']}"
        agrees = row["verdict"] == CONSISTENT
        detail = f"flow statement {name}: printed {row['printed']}, boxes give {row['recomputed']}"
    elif kind == "node":
        rows = flow_table[flow_table["node"] == name]
        if rows.empty:
            raise InvalidInputError(f"link {link['link_id']}: no flow box {name!r}")
        value = rows.iloc[0]["n"]
        involved = partitions[(partitions["box"] == name) | partitions["split into"].str.split(" + ", regex=False)
                              .apply(lambda parts: name in parts)]
        agrees = bool((involved["verdict"] == CONSISTENT).all())
        recomputed = f"box {name} = {value}"
        detail = "; ".join(f"{r['box']} = {r['split into']} ({r['verdict']})" for r in involved.to_dict("records"))
    else:
        raise InvalidInputError(
            f"link {link['link_id']}: reference {link['reference']!r} is not node:... or statement:...")
    consistent = agrees and record["printed"] == value
    note = "" if consistent else f"printed {record['printed']}; {detail}"
    return AuditCheck(
        check_id=f"flow:{link['link_id']}", family="flow", anchor=link["anchor"], claim_ids=(record["claim_id"],),
        given_ids=(), consistent=consistent, printed=record["printed"], recomputed=recomputed,
        method=f"Figure 1 flow (data/published/patient_flow.csv): {link['why']}", note=note or detail,
    )


def _table1_check(link: dict, record: dict, comparison: pd.DataFrame) -> AuditCheck:
    location, _, check = link["reference"].partition("|")
    rows = comparison[(comparison["location"] == location) & (comparison["check"] == check)]
    if rows.empty:
        raise InvalidInputError(
            f"link {link['link_id']}: the Table 1 comparison has no check {check!r} at {location!r}")
    row = rows.iloc[0]
    consistent = row["verdict"] == CONSISTENT
    return AuditCheck(
        check_id=f"table1:{link['link_id']}", family="table1", anchor=link["anchor"], claim_ids=(record["claim_id"],),
        given_ids=(), consistent=consistent, printed=record["printed"], recomputed=row["code (Lee et al. 2019)"],
        method=f"ASTCT consensus as coded in crs_compendium.astct ({check}, {location}): {link['why']}",
        note="" if consistent else row["consequence"],
    )


def link_checks(claims: pd.DataFrame, links: pd.DataFrame | None = None) -> list[AuditCheck]:
    """The checks of ``audit_links.csv``: sums and subgroups across sections, Figure 1, Table 1.

    Flow links reuse :func:`crs_compendium.flow.check_statements` and :func:`~crs_compendium.flow.check_partitions`:
    a printed flow count is consistent when it equals its box (or statement) and the boxes add up. Table 1
    links reuse :func:`crs_compendium.astct.compare_with_printed_table1`, the row-by-row comparison of the
    printed table with the consensus as coded.
    """
    links = load_links() if links is None else links
    flow_table = flow.load_flow()
    statements = flow.check_statements(flow_table, flow.load_flow_statements())
    partitions = flow.check_partitions(flow_table)
    comparison = None
    checks = []
    for link in links.to_dict("records"):
        ids = _CLAIM_ID.findall(link["claims"])
        records = [_by_id(claims, claim_id) for claim_id in ids]
        if link["check"] == "sum":
            *parts, total = records
            result = check_sum({part["claim_id"]: part["printed"] for part in parts}, total["printed"],
                               label=link["why"])
            printed_parts = " + ".join(part["printed"] for part in parts)
            checks.append(_from_result(
                f"sum:{link['link_id']}", "sum", link["anchor"], ids, [], result,
                printed=f"{printed_parts} = {total['printed']}", recomputed=f"{printed_parts} = {result.recomputed}",
                method=f"{link['why']}: {result.method}", peer=True,
            ))
        elif link["check"] == "at_most":
            part, whole = records
            result = check_at_most(part["printed"], whole["printed"], label=link["why"])
            checks.append(_from_result(f"at_most:{link['link_id']}", "at_most", link["anchor"], ids, [], result,
                                       method=f"{link['why']}: {result.method}", peer=True))
        elif link["check"] == "flow":
            checks.append(_flow_check(link, records[0], flow_table, statements, partitions))
        else:
            if comparison is None:
                comparison = astct.compare_with_printed_table1(*astct.load_printed_table1()).checks
            checks.append(_table1_check(link, records[0], comparison))
    return checks


# --------------------------------------------------------------------------------------------------------
# Corticosteroid users: the text against Table 2
# --------------------------------------------------------------------------------------------------------
def steroid_user_checks(claims: pd.DataFrame) -> list[AuditCheck]:
    """The text's corticosteroid users (count, and their dose "median (range)") against Table 2.

    Table 2's smallest dose in the tocilizumab group is above 0 mg, so all of that group received a
    corticosteroid; the text counts the non-toci patients given one ("corticosteroid only"). The users
    are these two sets, so their number is the sum, their doses are Table 2's toci doses plus non-toci
    doses between 0 and the non-toci maximum, and their median and range are bounded accordingly.
    Table 2's row and the text's "cumulative" dose are read as the same quantity (the registry files both
    under ``steroid_mpe_mg``).
    """
    users = _find(claims, "results", quantity="steroid_use", group="total", stat="count")
    steroid_only = _find(claims, "results", quantity="steroid_without_toci", group="non_toci", stat="count")
    summaries = _summaries(claims)
    toci = summaries.get(("table2", "steroid_mpe_mg", "toci"))
    non_toci = summaries.get(("table2", "steroid_mpe_mg", "non_toci"))
    text = summaries.get(("results", "steroid_mpe_mg", "steroid_users"))
    toci_size = _group_size(claims, "toci")
    if None in (users, steroid_only, toci, non_toci, toci_size) or Decimal(toci["min"]["printed"]) <= 0:
        return []
    n_toci, n_only = int(toci_size["printed"]), int(steroid_only["printed"])
    anchor = _anchor("summary", "results", "steroid_use")
    toci_ids = [toci_size["claim_id"], toci["min"]["claim_id"]]
    count = check_sum(
        {f"toci group (all {n_toci}: Table 2's smallest dose is {toci['min']['printed']} mg)": str(n_toci),
         "non-toci given a corticosteroid only": str(n_only)},
        users["printed"], label="corticosteroid users",
    )
    checks = [_from_result(
        "steroid_users:count", "steroid_users", anchor, [users["claim_id"]], toci_ids + [steroid_only["claim_id"]],
        count, printed=users["printed"], recomputed=f"{n_toci} + {n_only} = {count.recomputed}",
        method=("users = all of the toci group (Table 2 minimum dose above 0) + the non-toci "
                "corticosteroid-only patients"),
    )]
    if text is None:
        return checks
    n_users = n_toci + n_only
    toci_half = math.ceil(n_toci / 2)  # at least this many toci doses lie at or below (above) the toci median
    non_toci_max, toci_max = Fraction(non_toci["max"]["printed"]), Fraction(toci["max"]["printed"])
    upper = max(Fraction(toci["median"]["printed"]), non_toci_max)
    low, high = median_bounds(
        n_users,
        at_most={upper: toci_half + n_only, max(toci_max, non_toci_max): n_users},
        at_least={0: n_users, Fraction(toci["min"]["printed"]): n_toci},
    )
    given = [cells[stat]["claim_id"] for cells in (toci, non_toci) for stat in ("median", "min", "max")]
    given += [toci_size["claim_id"], steroid_only["claim_id"]]
    why = {
        "median": (low, high, f"of {n_users} users, at least {toci_half + n_only} have doses <= {upper} mg (half the "
                              f"toci group <= its median, every non-toci user <= its maximum) and {n_toci} >= "
                              f"{toci['min']['printed']} mg"),
        "min": (0, Fraction(toci["min"]["printed"]), "the smallest user dose is at most the toci minimum"),
        "max": (max(toci_max, non_toci_max), max(toci_max, non_toci_max),
                "the largest user dose is the larger of the toci and non-toci maxima"),
    }
    for stat, (bound_low, bound_high, method) in why.items():
        result = check_in_interval(text[stat]["printed"], bound_low, bound_high, what=stat, why=method)
        note = f"{result.note}; {_SAME_DOSE}" if result.note else ""
        checks.append(_from_result(f"steroid_users:{stat}", "steroid_users", anchor, [text[stat]["claim_id"]],
                                   given, result, note=note))
    return checks


# --------------------------------------------------------------------------------------------------------
# All checks, and one verdict per claim
# --------------------------------------------------------------------------------------------------------
def all_checks(claims: pd.DataFrame, links: pd.DataFrame | None = None) -> tuple[AuditCheck, ...]:
    """Every check of the audit, in a fixed order (the order decides which check a claim's row shows)."""
    checks = (
        percentage_checks(claims) + denominator_checks(claims) + group_sum_checks(claims)
        + partition_checks(claims) + summary_checks(claims) + pooled_checks(claims)
        + binned_median_checks(claims) + bonferroni_checks(claims)
        + count_table_checks(claims) + steroid_user_checks(claims) + link_checks(claims, links)
        + printing_checks(claims)
    )
    ids = [check.check_id for check in checks]
    duplicated = sorted({check_id for check_id in ids if ids.count(check_id) > 1})
    if duplicated:
        raise InvalidInputError(f"duplicated check id(s): {', '.join(duplicated)}")
    known = set(claims["claim_id"])
    unknown = sorted({claim for check in checks for claim in (*check.claim_ids, *check.given_ids)} - known)
    if unknown:
        raise InvalidInputError(f"checks name claim(s) not in the registry: {', '.join(unknown)}")
    return tuple(checks)


def not_checkable_note(record: Mapping[str, str]) -> str:
    """What data would settle a claim no check reaches, by kind of number (group, stat, quantity)."""
    group, stat, quantity = record["group"], record["stat"], record["quantity"]
    if stat == "p" and quantity in _SURVIVAL:
        return ("a survival comparison: needs each patient's follow-up time and event (or the Figure 4 "
                "curves' numbers at risk)")
    if stat == "p" and group == "toci_vs_non_toci":
        return ("a comparison of measured values (t or Mann-Whitney test, per the methods): needs the values of "
                "both groups, which medians and ranges do not fix")
    if group == "literature":
        return "quoted from the cited literature: settled by the cited source, not by this paper's numbers"
    if group == "guideline":
        return "quoted from a guideline: settled by the guideline's text"
    if group in ("study", "definition"):
        return ("a fact of the study's design or a definition it chose: settled by the protocol (trial "
                "registrations) or the study records, not by other printed numbers")
    if group.startswith("pt"):
        return "about a named patient: settled by that patient's records (the data behind Figure 3)"
    if stat in ("min", "max", "median", "value"):
        return "a dose, time or span of treatment: needs the patient-level treatment records"
    return "a count no other printed number constrains: needs the patient-level records"


def _pick(checks: Sequence[AuditCheck], notebook: str, order: Mapping[str, int]) -> AuditCheck:
    """The check a claim's row shows: one in the claim's own notebook first, then the earliest."""
    return min(checks, key=lambda check: (_notebook_of(check.anchor) != notebook, order[check.check_id]))


def combine_verdicts(claims: pd.DataFrame, checks: Sequence[AuditCheck]) -> pd.DataFrame:
    """One row per claim with its combined verdict (rules in the module docstring).

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, section, location, printed, recomputed, method, verdict, note, anchor,
        n_checks`` in registry order; ``recomputed``, ``method`` and ``note`` are those of the check that
        decides the verdict (a failing one for an inconsistent claim), and ``note`` lists the other checks.
    """
    order = {check.check_id: index for index, check in enumerate(checks)}
    failing: dict[str, list[AuditCheck]] = defaultdict(list)
    passing: dict[str, list[AuditCheck]] = defaultdict(list)
    for check in checks:
        if check.peer:
            continue
        for claim_id in check.claim_ids:
            charged = not check.consistent and claim_id in check.charged_ids
            (failing if charged else passing)[claim_id].append(check)
    own_failures = set(failing)
    cleared: dict[str, list[AuditCheck]] = defaultdict(list)
    for check in checks:
        if not check.peer:
            continue
        if check.consistent:
            for claim_id in check.claim_ids:
                passing[claim_id].append(check)
            continue
        charged = [claim_id for claim_id in check.claim_ids if claim_id in own_failures] or list(check.claim_ids)
        for claim_id in check.claim_ids:
            (failing if claim_id in charged else cleared)[claim_id].append(check)

    rows = []
    for record in _records(claims):
        claim_id, notebook = record["claim_id"], _notebook_of_section(record["section"])
        touching = sorted({c.check_id for c in (*failing[claim_id], *passing[claim_id], *cleared[claim_id])},
                          key=order.get)
        if failing[claim_id]:
            chosen, word = _pick(failing[claim_id], notebook, order), INCONSISTENT
        elif passing[claim_id]:
            chosen, word = _pick(passing[claim_id], notebook, order), CONSISTENT
        else:
            chosen, word = None, NOT_CHECKABLE
        if chosen is None:
            anchor = _ANCHOR["table2"]["not_checkable"] if notebook == "table2" else (
                "audit-results-not-checkable" if notebook == "results" else f"audit-other-{record['section']}")
            note = not_checkable_note(record)
            if cleared[claim_id]:
                note += f" (a failed comparison with it is charged to the other printing: {', '.join(touching)})"
            rows.append({**_claim_fields(record), "recomputed": "", "method": "", "verdict": word,
                         "note": note, "anchor": anchor, "n_checks": len(touching)})
            continue
        cleared_ids = {check.check_id for check in cleared[claim_id]}
        others = [check_id for check_id in touching if check_id != chosen.check_id and check_id not in cleared_ids]
        remarks = [f"also checked by: {', '.join(others)}"] if others else []
        if cleared_ids:
            remarks.append(f"failed, charged to the other printing: {', '.join(sorted(cleared_ids, key=order.get))}")
        note = f"{chosen.note} [{'; '.join(remarks)}]".strip() if remarks else chosen.note
        rows.append({**_claim_fields(record), "recomputed": chosen.recomputed,
                     "method": f"{chosen.check_id}: {chosen.method}", "verdict": word, "note": note,
                     "anchor": chosen.anchor, "n_checks": len(touching)})
    return pd.DataFrame(rows)


def _claim_fields(record: Mapping[str, str]) -> dict[str, str]:
    return {"claim_id": record["claim_id"], "section": record["section"], "location": record["location"],
            "printed": record["printed"]}


# --------------------------------------------------------------------------------------------------------
# Narrative significance: data/published/significance_statements.csv
# --------------------------------------------------------------------------------------------------------
def load_significance_statements(path: str | Path | None = None) -> pd.DataFrame:
    """Read the narrative claims of (no) significance: id, location, our wording, the p claims, what is asserted."""
    path = Path(path) if path is not None else SIGNIFICANCE_PATH
    statements = read_printed_csv(path, _STATEMENT_COLUMNS)
    problems = [f"line {line}: asserts {value!r} is not 'significant' or 'not significant'"
                for line, value in zip(range(2, len(statements) + 2), statements["asserts"])
                if value not in ("significant", "not significant")]
    refuse_problems(path, problems, statements, "statement_id")
    return statements


def significance_checks(claims: pd.DataFrame, statements: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each narrative claim of (no) significance against its printed p-values and against the table's own
    Bonferroni-adjusted values where the table prints them (alpha 0.05).

    Verdict: inconsistent if the printed or the adjusted p says otherwise, not checkable when the paper
    prints no p for the claim, consistent otherwise.
    """
    statements = load_significance_statements() if statements is None else statements
    rows = []
    for statement in statements.to_dict("records"):
        p_ids = [claim_id for claim_id in statement["claim_ids"].split(";") if claim_id]
        ps = [_by_id(claims, claim_id) for claim_id in p_ids]
        adjusted = [_find(claims, p["section"], quantity=p["quantity"], group=p["group"], stat="p_bonferroni")
                    for p in ps]
        adjusted = [record for record in adjusted if record is not None]
        against_p = check_significance(statement["asserts"], {p["claim_id"]: p["printed"] for p in ps})
        against_adjusted = (check_significance(statement["asserts"], {a["claim_id"]: a["printed"] for a in adjusted})
                            if adjusted else None)
        verdicts = [against_p.verdict] + ([against_adjusted.verdict] if against_adjusted else [])
        word = next((w for w in (INCONSISTENT, NOT_CHECKABLE) if w in verdicts), CONSISTENT)
        notes = [check.note for check in (against_p, against_adjusted) if check is not None and check.note
                 and check.verdict != CONSISTENT]
        if word == NOT_CHECKABLE and not ps:
            notes = ["no p-value is printed for this claim: needs the test and its p (or the patient-level data)"]
        rows.append({
            "statement_id": statement["statement_id"], "location": statement["location"],
            "statement": statement["statement"], "asserts": statement["asserts"],
            "p": ", ".join(p["printed"] for p in ps), "against p": against_p.verdict,
            "adjusted p": ", ".join(a["printed"] for a in adjusted),
            "against adjusted p": against_adjusted.verdict if against_adjusted else "",
            "verdict": word, "note": "; ".join(notes), "anchor": SIGNIFICANCE_ANCHOR,
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------------
# The whole audit
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Audit:
    """The audit of the whole registry: its checks, one verdict per claim, and the significance statements."""

    claims: pd.DataFrame = field(repr=False)
    checks: tuple[AuditCheck, ...] = field(repr=False)
    verdicts: pd.DataFrame = field(repr=False)
    statements: pd.DataFrame = field(repr=False)

    def check(self, check_id: str) -> AuditCheck:
        """One check by id (its display is the verdict line)."""
        for check in self.checks:
            if check.check_id == check_id:
                return check
        raise InvalidInputError(f"no check {check_id!r} in the audit")

    def checks_at(self, anchor: str, family: str | None = None) -> pd.DataFrame:
        """The checks a notebook section shows, as a small table (optionally one family only)."""
        rows = [check.to_record() for check in self.checks
                if check.anchor == anchor and (family is None or check.family == family)]
        if not rows:
            raise InvalidInputError(f"no check is shown at {anchor!r}" + (f" in family {family!r}" if family else ""))
        columns = ["check_id", "printed", "recomputed", "method", "verdict", "note"]
        return pd.DataFrame(rows)[columns].set_index("check_id")

    def p_value_tests(self, anchor: str) -> pd.DataFrame:
        """The count-table p-values a section shows: the table tested, which tests reproduce the printed p,
        and what the methods' rule (chi-squared, or Fisher's exact test for small expected counts) picks."""
        rows = []
        for check in self.checks:
            if check.family != "count_table" or check.anchor != anchor:
                continue
            tested = _tested_tables(check.result)
            table = "unprinted cells searched" if hasattr(check.result, "candidates") else _table_text(tested[0].table)
            rows.append({
                "claim_id": check.claim_ids[0], "printed p": check.printed, "table (toci / non-toci)": table,
                "reproduced by": check.recomputed,
                "methods' rule": "; ".join(dict.fromkeys(_format_tests(t.p_values, t.rule_tests) for t in tested)),
                "rule followed": ", ".join(dict.fromkeys("yes" if t.follows_rule else "no" for t in tested)),
                "verdict": check.verdict,
            })
        if not rows:
            raise InvalidInputError(f"no count-table p-value is shown at {anchor!r}")
        return pd.DataFrame(rows).set_index("claim_id")

    def exact_test_departures(self) -> list[str]:
        """Claim ids of p-values reproduced only by asymptotic tests where the methods' rule (Fisher's exact
        test when expected counts are small) picks the exact test."""
        departures = []
        for check in self.checks:
            if check.family != "count_table" or not check.consistent:
                continue
            tested = _tested_tables(check.result)
            if all(t.rule_tests == ("fisher",) and "fisher" not in t.reproducing for t in tested):
                departures.append(check.claim_ids[0])
        return departures

    def claims_at(self, anchor: str) -> pd.DataFrame:
        """The claims whose row points at a notebook section."""
        rows = self.verdicts[self.verdicts["anchor"] == anchor]
        return rows[["claim_id", "printed", "verdict", "note"]].set_index("claim_id")

    def claims_in(self, section: str) -> pd.DataFrame:
        """The claims printed in one section of the paper, with their verdicts and anchors."""
        rows = self.verdicts[self.verdicts["section"] == section]
        return rows[["claim_id", "location", "printed", "verdict", "anchor"]].set_index("claim_id")

    def counts(self, rows: pd.DataFrame | None = None) -> dict[str, int]:
        """Verdict counts (every verdict word present, zero when absent), over all claims or ``rows``."""
        rows = self.verdicts if rows is None else rows
        return {word: int((rows["verdict"] == word).sum()) for word in VERDICTS}

    def counts_by_section(self) -> pd.DataFrame:
        """Claims by section of the paper (reading order) and verdict, with totals."""
        table = pd.crosstab(self.verdicts["section"], self.verdicts["verdict"])
        sections = [section for section in SECTION_ORDER if section in table.index]
        table = table.reindex(index=sections, columns=list(VERDICTS), fill_value=0)
        table.loc["all sections"] = table.sum()
        table["claims"] = table.sum(axis=1)
        table.index.name, table.columns.name = "section", None
        return table

    def inconsistencies(self) -> pd.DataFrame:
        """Every failing check with the claims it is charged to (after the peer rule), in check order."""
        charged_ids = set(self.verdicts.loc[self.verdicts["verdict"] == INCONSISTENT, "claim_id"])
        statements = dict(zip(self.claims["claim_id"], self.claims["statement"]))
        locations = dict(zip(self.claims["claim_id"], self.claims["location"]))
        rows = []
        for check in self.checks:
            if check.consistent:
                continue
            pool = check.claim_ids if check.peer else check.charged_ids
            ids = [claim_id for claim_id in pool if claim_id in charged_ids]
            if not ids:
                continue
            rows.append({
                "check_id": check.check_id, "claims": ", ".join(ids),
                "what": "; ".join(dict.fromkeys(statements[claim_id] for claim_id in ids)),
                "where": "; ".join(dict.fromkeys(locations[claim_id] for claim_id in ids)),
                "printed": check.printed, "recomputed": check.recomputed, "why": check.note,
                "anchor": check.anchor,
            })
        return pd.DataFrame(rows)

    def inconsistencies_markdown(self) -> str:
        """The inconsistencies as a MyST bullet list in plain words, each with a ``{ref}`` link to the
        notebook section that checks it (for ``IPython.display.Markdown`` rendered as MyST)."""
        lines = []
        for row in self.inconsistencies().to_dict("records"):
            ids = ", ".join(f"`{claim_id}`" for claim_id in row["claims"].split(", "))
            lines.append(
                f"- **{_markdown_text(row['what'])}** ({_markdown_text(row['where'])}): the paper prints "
                f"{_markdown_text(row['printed'])}; recomputed: {_markdown_text(row['recomputed'])}. "
                f"{_markdown_text(_sentence(row['why']))} Claims {ids}; see {{ref}}`{row['anchor']}`."
            )
        return "\n".join(lines)

    def statements_markdown(self, word: str = INCONSISTENT) -> str:
        """The significance statements with one verdict as a MyST bullet list, linked to their section."""
        rows = self.statements[self.statements["verdict"] == word]
        return "\n".join(
            f"- **{_markdown_text(row['statement'])}** ({_markdown_text(row['location'])}): p = {row['p']}, "
            f"adjusted p = {row['adjusted p'] or 'not printed'}. {_markdown_text(_sentence(row['note']))} "
            f"See {{ref}}`{row['anchor']}`."
            for row in rows.to_dict("records")
        )

    def export(self) -> pd.DataFrame:
        """The machine-readable export: one row per claim, :data:`EXPORT_COLUMNS`, sorted by claim id."""
        return self.verdicts[list(EXPORT_COLUMNS)].sort_values("claim_id", kind="stable").reset_index(drop=True)


def _markdown_text(text: str) -> str:
    """Plain text made safe for Markdown: characters that would start emphasis, links or roles are escaped."""
    return re.sub(r"([\\`*_\[\]{}<>#|])", r"\\\1", text)


def _sentence(text: str) -> str:
    """A note as a sentence: first letter capitalised, a full stop at the end (empty stays empty)."""
    text = text.strip()
    if not text:
        return ""
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def run_audit(claims: pd.DataFrame | None = None, links: pd.DataFrame | None = None,
              statements: pd.DataFrame | None = None) -> Audit:
    """Run every check on the registry and combine the verdicts (defaults: the files in data/published/)."""
    claims = load_claims() if claims is None else claims
    checks = all_checks(claims, links)
    return Audit(claims=claims, checks=checks, verdicts=combine_verdicts(claims, checks),
                 statements=significance_checks(claims, statements))


def write_csv_atomic(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as UTF-8 CSV (LF line ends, no index) through a temporary file and ``os.replace``.

    Two processes writing the same export at once (the book build and nbval) then never leave a half
    written file: each replaces the whole file in one step, and both write the same bytes.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            frame.to_csv(stream, index=False, lineterminator="\n")
        os.chmod(temporary, 0o644)  # mkstemp makes the file private; an export is for reading
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
