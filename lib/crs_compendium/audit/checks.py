"""The audit's checks: every check of the published level applied to the registry, each as an
:class:`AuditCheck` that names the claims it judges, the claims it takes as given, and the section of an
audit page that shows it.

Most checks are found from the registry's own keys (``quantity``, ``category``, ``group``, ``stat``): a
percentage with its count and denominator, the toci and non-toci counts of a category with its total, the
categories of a partition with the group size, a "median (range)" summary, a Table 2 p-value with its
count table, a Bonferroni value with its p, every number printed more than once. What the keys cannot
express is data: which quantities partition the patients, are whole-numbered or bin a measurement
(``quantities.csv``), which claim prints each group's size (``groups.csv``), and the explicit links of
``audit_links.csv``.
"""
from __future__ import annotations

import dataclasses
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd

from ..exceptions import InvalidInputError
from ..files import computed_once
from ..formatting import format_p, format_p_bound
from ..paths import build_dir
from ..printed import cases, flow
from ..printed import measured as measured_module
from ..printed.measured import (
    TEST_SHORT,
    TESTS,
    GroupSummary,
    MeasuredRowAudit,
    Scale,
    StratifiedClaimAudit,
    Stratum,
    StratumComparison,
    audit_measured_row,
    audit_stratified_claim,
)
from ..printed.strata import check_same_patients, grade_occupancy, grades_of
from ..printed.agreement import check_printings_agree
from ..printed.contingency import TEST_NAMES, count_table_tests, splits_reproducing_p, test_name
from ..printed.multiplicity import check_bonferroni
from ..printed.percentages import check_percentage, percentage_denominator_candidates, percentage_n_candidates
from ..printed.registry import claim_record, claims_for, cross_references, first_claim
from ..printed.summaries import check_in_interval, check_median_range, check_pooled_median_range, median_bounds
from ..printed.sums import check_at_most, check_sum
from ..printed.table1 import compare_with_printed_table1, load_printed_table1
from ..vocab import (BLAST_BINS, CONSISTENT, GROUP_KEYS, NOT_CHECKABLE, PROVED, SEARCHED, audit_verdict,
                     conditional_verdict)
from .inputs import AuditInputs

__all__ = [
    "AuditCheck",
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
    "measured_p_checks",
    "stratified_checks",
    "MeasuredP",
    "StratifiedP",
    "all_checks",
    "format_tests",
    "table_text",
    "tested_tables",
]

_SAME_DOSE = "reading Table 2's corticosteroid dose and the text's cumulative dose as one quantity"
_SAME_DOSE_ASSUMPTION = "Table 2's corticosteroid dose is the text's cumulative dose"
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
    assumption : str
        The reading the outcome rests on when the paper does not state it and another reading would change
        it ("durations are whole days"); empty when the outcome holds under every reading tried.
    repair_ids : tuple of str
        For a failed check, its conflict set: every claim (judged or given) whose change alone would let the
        check pass (default: the charged claims). :func:`combine_verdicts` charges those a passing exact
        check does not hold in place.
    conflict_sets : tuple of tuples of str
        When one check finds separate conflicts (two broken rules of one summary), one conflict set each;
        their union is ``repair_ids``. Default: the one set ``repair_ids``.
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
    assumption: str = ""
    repair_ids: tuple[str, ...] = ()
    conflict_sets: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        if not self.claim_ids:
            raise InvalidInputError(f"{self.check_id}: a check must judge at least one claim")
        if not set(self.charged_ids) <= set(self.claim_ids):
            raise InvalidInputError(f"{self.check_id}: charged claims must be among the judged claims")
        if not set(self.repair_ids) <= set(self.claim_ids) | set(self.given_ids):
            raise InvalidInputError(f"{self.check_id}: a conflict set holds judged or given claims only")
        if not self.consistent and not self.charged_ids:
            object.__setattr__(self, "charged_ids", self.claim_ids)
        if self.conflict_sets and not self.repair_ids:
            object.__setattr__(self, "repair_ids", tuple(c for group in self.conflict_sets for c in group))
        if not self.consistent and not self.repair_ids:
            object.__setattr__(self, "repair_ids", self.charged_ids)
        object.__setattr__(self, "repair_ids", tuple(dict.fromkeys(self.repair_ids)))
        if not self.consistent and not self.conflict_sets:
            object.__setattr__(self, "conflict_sets", (self.repair_ids,))

    @property
    def verdict(self) -> str:
        """The verdict word of the check itself, with the assumption it rests on if any."""
        return conditional_verdict(audit_verdict(self.consistent), self.assumption)

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
            "assumption": self.assumption,
            "conflict set": "" if self.consistent else "; ".join(self.repair_ids),
        }


def _from_result(check_id, family, anchor, claim_ids, given_ids, result, **overrides) -> AuditCheck:
    """An AuditCheck from a :class:`crs_compendium.printed.result.CheckResult`."""
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


def _partitions(inputs: AuditInputs) -> dict[str, tuple[str, ...]]:
    """Quantities whose categories cover every patient, with the categories in printed order."""
    return {quantity: tuple(categories.split(";")) for quantity, categories in inputs.quantities_with("partition").items()}


def _bin_limits(quantity: str, categories: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Each bin of a binned quantity with its closed limits; the bins must be the printed categories."""
    limits = {bin_.label: (bin_.low, bin_.high) for bin_ in BLAST_BINS}
    if list(limits) != list(categories):
        raise InvalidInputError(f"{quantity}: the printed categories {list(categories)} are not the bins "
                                f"{list(limits)} of crs_compendium.vocab.BLAST_BINS")
    return limits


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
def percentage_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """Every printed percentage against its count and denominator (GRIM when no count is printed).

    The count is the record with the same quantity, category and group (printed in the same section if
    possible); the denominator is the printed N of that quantity and group, else the group's size.
    """
    claims = inputs.claims
    checks = []
    for record in _records(claims[claims["stat"] == "percent"]):
        key = {"quantity": record["quantity"], "group": record["group"]}
        count = first_claim(claims, record["section"], category=record["category"], stat="count", **key)
        denominator = (
            first_claim(claims, record["section"], category=record["category"], stat="denominator", **key)
            or first_claim(claims, record["section"], category="", stat="denominator", **key)
            or inputs.group_size(record["group"])
        )
        if denominator is None:
            continue
        anchor = inputs.anchor("percentage", record["section"], record["quantity"])
        N = denominator["printed"]
        if count is None:
            result = percentage_n_candidates(record["printed"], N)
            checks.append(_from_result(f"percentage:{record['claim_id']}", "percentage", anchor,
                                       [record["claim_id"]], [denominator["claim_id"]], result,
                                       method=f"counts n of N = {N} that print as the percentage"))
            continue
        result = check_percentage(record["printed"], count["printed"], N)
        note = result.note
        repairs = [record["claim_id"]]
        if not result.consistent:
            fits = percentage_denominator_candidates(record["printed"], count["printed"], int(N) + 5)
            near = [str(d) for d in fits if abs(d - int(N)) <= 5]
            note += f"; denominators near {N} that fit n = {count['printed']}: {', '.join(near) or 'none'}"
            counts = percentage_n_candidates(record["printed"], N)
            if counts.candidates:
                repairs.append(count["claim_id"])
            if near:
                repairs.append(denominator["claim_id"])
        checks.append(_from_result(
            f"percentage:{record['claim_id']}", "percentage", anchor, [record["claim_id"], count["claim_id"]],
            [denominator["claim_id"]], result,
            recomputed=f"{count['printed']}/{N} = {result.recomputed}",
            method=f"percentage of n/N: {result.method}", note=note, charged_ids=(record["claim_id"],),
            repair_ids=tuple(repairs) if not result.consistent else (),
        ))
    return checks


def denominator_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """Every N printed under a percentage of a whole group ("(24/45)") against that group's size."""
    claims = inputs.claims
    checks = []
    rows = claims[(claims["stat"] == "denominator") & (claims["quantity"] != "patients")]
    for record in _records(rows):
        size = inputs.group_size(record["group"])
        if size is None:
            continue
        result = check_printings_agree({record["claim_id"]: record["printed"], size["claim_id"]: size["printed"]})
        checks.append(_from_result(
            f"denominator:{record['claim_id']}", "denominator",
            inputs.anchor("percentage", record["section"], record["quantity"]), [record["claim_id"]], [size["claim_id"]],
            result, printed=record["printed"], recomputed=f"group size {size['printed']}",
            method="the N of a group's percentage is the group's size",
        ))
    return checks


def group_sum_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """For every category printed for the toci, non-toci and total groups: toci + non-toci = total."""
    claims = inputs.claims
    counts = claims_for(claims, stat="count", group=["total", "toci", "non_toci"])
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
            f"group_sum:{name}", "group_sum", inputs.anchor("group_sum", section, quantity), ids, [], result,
            printed=f"{parts['toci']} + {parts['non-toci']} = {first['total']['printed']}",
            recomputed=f"{parts['toci']} + {parts['non-toci']} = {result.recomputed}",
            method=f"toci + non-toci = total: {result.method}", peer=True,
        ))
    return checks


def partition_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """The categories of a variable that covers every patient (``partition`` in quantities.csv): counts add
    up to the group size, and percentages to 100 within their rounding."""
    claims = inputs.claims
    checks = []
    for quantity, categories in _partitions(inputs).items():
        block = claims_for(claims, quantity=quantity, category=categories)
        for (section, group), rows in block.groupby(["section", "group"], sort=False):
            size = (first_claim(claims, section, quantity=quantity, category="", group=group, stat="denominator")
                    or inputs.group_size(group))
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
                    inputs.anchor("partition", section, quantity), ids, [], result,
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


def summary_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """Every printed "median (min-max)" on its own: the median lies in its range and, for a whole-number
    quantity (``whole_numbers`` in quantities.csv, with the reason), the range ends are whole and the median
    whole or half (whole for an odd n)."""
    claims = inputs.claims
    whole_numbers = inputs.quantities_with("whole_numbers")
    checks = []
    for (section, quantity, group), cells in _summaries(claims).items():
        size = inputs.group_size(group)
        integer = quantity in whole_numbers
        printed = [cells[stat]["printed"] for stat in ("median", "min", "max")]
        n = None if size is None else size["printed"]
        result = check_median_range(*printed, n=n, integer_valued=integer)
        ids = [cells[stat]["claim_id"] for stat in ("median", "min", "max")]
        given = [] if size is None else [size["claim_id"]]
        note, recomputed = result.note, result.recomputed
        if integer:
            note = f"{note}; whole numbers because {whole_numbers[quantity]}" if note else whole_numbers[quantity]
        anchor = inputs.anchor("summary", section, quantity)
        check_id = f"summary:{section}.{quantity}.{group}"
        if not result.failures:
            checks.append(_from_result(check_id, "summary", anchor, ids, given, result, note=note))
            continue
        charged = _charged_cells(result.failures, cells)
        assumption = ""
        if integer and inputs.reading(quantity, "assumed") and check_median_range(*printed, n=n).consistent:
            assumption = inputs.reading(quantity, "assumed")
            note += f"; read as real numbers ({inputs.reading(quantity, 'alternative')}) the summary passes"
        recomputed = "no sample of whole numbers fits" if integer else "no sample fits"
        cleared = [cells[stat] for stat in ("median", "min", "max") if cells[stat]["claim_id"] not in charged]
        separate = tuple(dict.fromkeys(tuple(_charged_cells([failure], cells)) for failure in result.failures))
        checks.append(_from_result(
            check_id, "summary", anchor, charged, [cell["claim_id"] for cell in cleared] + given, result, note=note,
            recomputed=recomputed, charged_ids=tuple(charged), assumption=assumption, conflict_sets=separate,
        ))
        if cleared:
            checks.append(_cleared_summary_cells(check_id, anchor, cells, cleared, charged, given, integer))
    return checks


def _cleared_summary_cells(check_id, anchor, cells, cleared, charged, given, integer) -> AuditCheck:
    """The cells of a failed "median (min-max)" summary that its broken rules do not concern: every rule
    about them holds (a whole range end when the quantity is whole-numbered; the median inside the range)."""
    median, low, high = (cells[stat]["printed"] for stat in ("median", "min", "max"))
    whole = "a whole number, " if integer else ""
    text = {"min": f"{whole}at most the median {median}", "max": f"{whole}at least the median {median}",
            "median": f"inside {low}-{high}" + (", whole or half as a median of whole numbers can be" if integer else "")}
    printed = {cell["claim_id"]: cell["printed"] for cell in cells.values()}
    shown = "; ".join(f"{cell['stat']} {cell['printed']}: {text[cell['stat']]}" for cell in cleared)
    return AuditCheck(
        check_id=f"{check_id}.cleared", family="summary", anchor=anchor,
        claim_ids=tuple(cell["claim_id"] for cell in cleared), given_ids=tuple(charged) + tuple(given),
        consistent=True, printed=", ".join(cell["printed"] for cell in cleared), recomputed=shown,
        method="the rules of a median (range) summary that concern these cells",
        note=f"the failure of {check_id} concerns {', '.join(printed[c] for c in charged)} only",
    )


def pooled_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """A pooled "median (min-max)" against the two group summaries: the pooled minimum and maximum are the
    extreme group ends, the pooled median lies between the group medians (three peer checks per row)."""
    claims = inputs.claims
    summaries = _summaries(claims)
    checks = []
    for (section, quantity, group), pooled in summaries.items():
        toci, non_toci = summaries.get((section, quantity, "toci")), summaries.get((section, quantity, "non_toci"))
        if group != "total" or toci is None or non_toci is None:
            continue
        groups = [(cells, inputs.group_size(name)) for cells, name in ((toci, "toci"), (non_toci, "non_toci"))]
        result = check_pooled_median_range(
            tuple(pooled[stat]["printed"] for stat in ("median", "min", "max")),
            [tuple(cells[stat]["printed"] for stat in ("median", "min", "max")) + (size["printed"],)
             for cells, size in groups],
            integer_valued=quantity in inputs.quantities_with("whole_numbers"),
        )
        for stat, word, pick in (("min", "minimum", min), ("max", "maximum", max), ("median", "median", None)):
            all_cells = [cells[stat] for cells, _ in groups]
            group_cells = all_cells
            if pick is not None:
                extreme = pick(Decimal(cell["printed"]) for cell in group_cells)
                group_cells = [cell for cell in group_cells if Decimal(cell["printed"]) == extreme]
                recomputed = f"{'smallest' if stat == 'min' else 'largest'} group {word} {group_cells[0]['printed']}"
            else:
                medians = sorted((cell["printed"] for cell in group_cells), key=Decimal)
                recomputed = f"between the group medians {medians[0]} and {medians[-1]}"
            failures = [failure for failure in result.failures if failure.startswith(f"pooled {word} ")]
            shown = ", ".join(f"{cell['printed']} ({cell['group'].replace('_', '-')})" for cell in group_cells)
            others = [cell for cell in all_cells if cell not in group_cells]
            repairs = [pooled[stat]["claim_id"]] + _pooled_end_repairs(pooled[stat], all_cells, stat) if failures \
                else []
            checks.append(AuditCheck(
                check_id=f"pooled_{stat}:{section}.{quantity}", family="pooled",
                anchor=inputs.anchor("pooled", section, quantity),
                claim_ids=(pooled[stat]["claim_id"], *(cell["claim_id"] for cell in group_cells)),
                given_ids=tuple(size["claim_id"] for _, size in groups) + tuple(cell["claim_id"] for cell in others),
                consistent=not failures, printed=f"{pooled[stat]['printed']} (total) vs {shown}", recomputed=recomputed,
                method=f"pooled {word} from the toci and non-toci summaries: {result.method}",
                note="; ".join(failures), peer=True, result=result, repair_ids=tuple(repairs),
            ))
    return checks


def _pooled_end_repairs(pooled: dict, group_cells: Sequence[dict], stat: str) -> list[str]:
    """The group cells whose change alone lets a pooled range end (or median) agree with the groups'.

    A pooled maximum beyond every group maximum is reached by raising any one group's; one below some group
    maximum needs that group lowered, which one change does only when a single group exceeds it (the same
    mirrored for minima). A pooled median outside the group medians' span is reached by moving the nearer
    group median to it.
    """
    value = Decimal(pooled["printed"])
    values = [(Decimal(cell["printed"]), cell["claim_id"]) for cell in group_cells]
    if stat == "median":
        nearest = min(values, key=lambda item: abs(item[0] - value))
        return [nearest[1]]
    beyond = (lambda v: v < value) if stat == "max" else (lambda v: v > value)
    if all(beyond(v) for v, _ in values):
        return [claim_id for _, claim_id in values]
    over = [claim_id for v, claim_id in values if not beyond(v) and v != value]
    return over if len(over) == 1 else []


def binned_median_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """A measured variable's median and range against the counts of its binned version (``binned_from`` in
    quantities.csv; the bins' limits are :data:`crs_compendium.vocab.BLAST_BINS`).

    The median must lie where the middle patients fall (:func:`crs_compendium.printed.summaries.median_bounds`),
    the minimum in the lowest and the maximum in the highest non-empty bin.
    """
    claims = inputs.claims
    checks = []
    summaries = _summaries(claims)
    for binned, measured in inputs.quantities_with("binned_from").items():
        limits = _bin_limits(binned, _partitions(inputs)[binned])
        bins = list(limits)
        block = claims_for(claims, quantity=binned, stat="count")
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
                                           inputs.anchor("binned", section, measured), [record["claim_id"]], given,
                                           result))
    return checks


def bonferroni_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """Every printed Bonferroni-adjusted p against min(1, m * p), m = the number of p-values its table prints."""
    claims = inputs.claims
    checks = []
    for record in _records(claims[claims["stat"] == "p_bonferroni"]):
        p = first_claim(claims, record["section"], quantity=record["quantity"], group=record["group"], stat="p")
        if p is None:
            continue
        m = int(((claims["section"] == record["section"]) & (claims["stat"] == "p")).sum())
        result = check_bonferroni(record["printed"], p["printed"], m)
        checks.append(_from_result(
            f"bonferroni:{record['claim_id']}", "bonferroni",
            inputs.anchor("bonferroni", record["section"], record["quantity"]), [record["claim_id"]], [p["claim_id"]], result,
            recomputed=f"min(1, {m} x {p['printed']}) = {result.recomputed}",
            method=f"Bonferroni over the {m} p-values of the table: {result.method}",
        ))
    return checks


def format_tests(p_values: Mapping[str, float], tests: Iterable[str]) -> str:
    """Tests with their p-values; Fisher's exact test of a larger than 2 x 2 table is Fisher-Freeman-Halton
    (the one-sided Fisher and Yates exist only for 2 x 2, so their absence marks a larger table)."""
    two_by_two = "yates" in p_values
    return "; ".join(f"{test_name(test, two_by_two)} {format_p(p_values[test], 4)}" for test in tests)


def table_text(table: Sequence[Sequence[int]]) -> str:
    return " / ".join("-".join(str(cell) for cell in row) for row in table)


def _tests_check(record, table, given, anchor) -> AuditCheck:
    result = count_table_tests(table, record["printed"])
    shape = f"{len(table)}x{len(table[0])}"
    rule = ", ".join(TEST_NAMES[test] for test in result.rule_tests)
    rule_p = format_tests(result.p_values, result.rule_tests)
    if result.consistent:
        followed = "follows" if result.follows_rule else "does not follow"
        note = (f"reproduced by {format_tests(result.p_values, result.reproducing)}; the choice {followed} "
                f"the methods' rule ({result.rule_reason}; {rule_p})")
        recomputed = format_tests(result.p_values, result.reproducing)
    else:
        note = f"no test reproduces {record['printed']}; the methods' rule would give {rule_p}"
        recomputed = format_tests(result.p_values, result.p_values)
    return AuditCheck(
        check_id=f"count_table:{record['claim_id']}", family="count_table", anchor=anchor,
        claim_ids=(record["claim_id"],), given_ids=tuple(given), consistent=bool(result.consistent),
        printed=record["printed"], recomputed=recomputed,
        method=f"tests of the {shape} table toci {table_text(table)} (non-toci second): rule allows {rule}",
        note=note, result=result,
    )


def tested_tables(result) -> list:
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
    assumption = ""
    if search.consistent:
        readings = sorted({c.grouping for c in search.reproducing})
        if len(readings) < len(groupings):
            assumption = "the p tests " + " or ".join(
                f"the {len(row_totals)} x {len(categories)} table as printed" if reading == "as printed"
                else f"{reading} (a 2 x 2 table)" for reading in readings)
        found = [f"{table_text(c.table)} tested {c.grouping}: {format_tests(c.tests.p_values, c.tests.reproducing)}"
                 for c in search.reproducing]
        rules = sorted({format_tests(c.tests.p_values, c.tests.rule_tests) for c in search.reproducing})
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
        note=note, result=search, assumption=assumption,
    )


def count_table_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """Every p-value comparing the groups that has a count table: which tests reproduce it.

    A binary variable gives the 2 x 2 table (count, size - count) per group; a variable of
    partition (quantities.csv) the groups x categories table. When the paper prints only some cells, every table
    consistent with the printed margins is searched (:func:`~crs_compendium.printed.contingency.splits_reproducing_p`).
    P-values of measured variables and survival have no count table and are left to
    :func:`not_checkable_note`.
    """
    claims = inputs.claims
    checks = []
    sizes = [inputs.group_size(group) for group in ("toci", "non_toci")]
    partitions = _partitions(inputs)
    for record in _records(claims_for(claims, stat="p", group="toci_vs_non_toci")):
        section, quantity = record["section"], record["quantity"]
        anchor = inputs.anchor("count_table", section, quantity)
        size_ids = [size["claim_id"] for size in sizes]
        if quantity in partitions:
            categories = partitions[quantity]
            cells = {(group, category): first_claim(claims, section, quantity=quantity, category=category,
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
        counts = [first_claim(claims, section, quantity=quantity, category="", group=group, stat="count")
                  for group in ("toci", "non_toci")]
        if all(counts):
            table = [[int(count["printed"]), int(size["printed"]) - int(count["printed"])]
                     for count, size in zip(counts, sizes)]
            checks.append(_tests_check(record, table, [count["claim_id"] for count in counts] + size_ids, anchor))
    return checks


def printing_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """Every number printed more than once (:func:`crs_compendium.printed.registry.cross_references`): do the
    printings agree?"""
    claims = inputs.claims
    checks = []
    repeated = cross_references(claims)
    for key, block in repeated.groupby("key", sort=False):
        printings = dict(zip(block["claim_id"], block["printed"]))
        result = check_printings_agree(printings)
        first = block.iloc[0]
        anchor = inputs.anchor("printings", first["section"], first["quantity"])
        checks.append(_from_result(f"printings:{key}", "printings", anchor, list(printings), [], result, peer=True))
    return checks


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
        method=f"ASTCT consensus as coded in crs_compendium.patients.grading ({check}, {location}): {link['why']}",
        note="" if consistent else row["consequence"],
    )


def link_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """The checks of ``audit_links.csv``: sums and subgroups across sections, Figure 1, Table 1.

    Flow links reuse :func:`crs_compendium.printed.flow.check_statements` and :func:`~crs_compendium.printed.flow.check_partitions`:
    a printed flow count is consistent when it equals its box (or statement) and the boxes add up. Table 1
    links reuse :func:`crs_compendium.printed.table1.compare_with_printed_table1`, the row-by-row comparison of the
    printed table with the consensus as coded.
    """
    claims, links = inputs.claims, inputs.links
    flow_table = flow.load_flow()
    statements = flow.check_statements(flow_table, flow.load_flow_statements())
    partitions = flow.check_partitions(flow_table)
    comparison = None
    checks = []
    for link in links.to_dict("records"):
        ids = _CLAIM_ID.findall(link["claims"])
        records = [claim_record(claims, claim_id) for claim_id in ids]
        if link["check"] in _CASE_KINDS:
            checks.append(_case_link_check(link, records, inputs))
            continue
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
        elif link["check"] == "equal":
            result = check_printings_agree({record["claim_id"]: record["printed"] for record in records})
            checks.append(_from_result(f"equal:{link['link_id']}", "equal", link["anchor"], ids, [], result,
                                       method=f"{link['why']}: {result.method}", peer=True))
        elif link["check"] == "flow":
            checks.append(_flow_check(link, records[0], flow_table, statements, partitions))
        else:
            if comparison is None:
                comparison = compare_with_printed_table1(*load_printed_table1()).checks
            checks.append(_table1_check(link, records[0], comparison))
    return checks


_CASE_KINDS = ("cases_at_most", "case_among", "cases_distinct", "dose_count", "dosing_hours", "day_order",
               "same_strata")
"""Link kinds about named patients, their treatment and grade labels (printed.cases, printed.strata)."""


def _split_claims(text: str, separator: str) -> tuple[list[str], list[str]]:
    left, right = text.split(f" {separator} ", 1)
    return _CLAIM_ID.findall(left), _CLAIM_ID.findall(right)


def _case_link_check(link: dict, records: Sequence[dict], inputs: AuditInputs) -> AuditCheck:
    """One link of a kind about named patients, dosing days or grade labels (audit_inputs.md)."""
    claims = inputs.claims
    kind, why = link["check"], link["why"]
    printed = {record["claim_id"]: record["printed"] for record in records}
    given: list[str] = []
    repairs: list[str] = []
    if kind == "cases_at_most":
        named, (count,) = _split_claims(link["claims"], "<=")
        result = cases.check_cases_at_most({c: printed[c] for c in named}, printed[count])
        judged = named + [count]
    elif kind in ("case_among", "cases_distinct"):
        named, others = _split_claims(link["claims"], "in" if kind == "case_among" else "!=")
        check = cases.check_cases_among if kind == "case_among" else cases.check_cases_distinct
        result = check({c: printed[c] for c in named}, {c: printed[c] for c in others})
        judged = named + others
    elif kind in ("dose_count", "dosing_hours"):
        days, ends = _split_claims(link["claims"], "in")
        low, high = ends[0], ends[-1]
        day_values = {c: printed[c] for c in days}
        if kind == "dose_count":
            result = cases.check_dose_count(day_values, printed[low], printed[high])
        else:
            result = cases.check_dosing_hours(day_values, printed[low], printed[high])
        judged = days + [low, high]
        if not result.consistent:
            repairs = days + [low, high]
    elif kind == "day_order":
        judged = [record["claim_id"] for record in records]
        result = cases.check_day_order([(record["statement"], record["printed"]) for record in records])
    else:  # same_strata
        first, second = _split_claims(link["claims"], "~")
        by = link["reference"].partition(":")[2]
        counts = _records(claims_for(claims, quantity=by, group="total", stat="count"))
        given = [record["claim_id"] for record in counts]
        result = check_same_patients(_label_grades([claim_record(claims, c) for c in first]),
                                     _label_grades([claim_record(claims, c) for c in second]),
                                     grade_occupancy([(record["category"], record["printed"]) for record in counts]))
        judged = first + second
        if not result.consistent:
            repairs = first + second + [record["claim_id"] for record in counts
                                        if set(grades_of(record["category"])) & set(result.differing)]
    assumption = link["assumption"]
    if kind == "dosing_hours" and result.consistent and len(result.fitting) < len(cases.DOSING_READINGS):
        assumption = f"the dosing range is the time {result.fitting[0].replace('from ', '', 1)}" \
            if result.fitting[0].startswith("from") else f"the dosing range is the interval {result.fitting[0]}"
    return _from_result(
        f"{kind}:{link['link_id']}", kind, link["anchor"], judged, given, result,
        method=f"{why}: {result.method}", peer=kind not in ("dosing_hours",), repair_ids=tuple(repairs),
        assumption=assumption,
    )


# --------------------------------------------------------------------------------------------------------
# Corticosteroid users: the text against Table 2
# --------------------------------------------------------------------------------------------------------
def steroid_user_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """The text's corticosteroid users (count, and their dose "median (range)") against Table 2.

    Table 2's smallest dose in the tocilizumab group is above 0 mg, so all of that group received a
    corticosteroid; the text counts the non-toci patients given one ("corticosteroid only"). The users
    are these two sets, so their number is the sum, their doses are Table 2's toci doses plus non-toci
    doses between 0 and the non-toci maximum, and their median and range are bounded accordingly.
    Table 2's row and the text's "cumulative" dose are read as the same quantity (the registry files both
    under ``steroid_mpe_mg``).
    """
    claims = inputs.claims
    users = first_claim(claims, "results", quantity="steroid_use", group="total", stat="count")
    steroid_only = first_claim(claims, "results", quantity="steroid_without_toci", group="non_toci", stat="count")
    summaries = _summaries(claims)
    toci = summaries.get(("table2", "steroid_mpe_mg", "toci"))
    non_toci = summaries.get(("table2", "steroid_mpe_mg", "non_toci"))
    text = summaries.get(("results", "steroid_mpe_mg", "steroid_users"))
    toci_size = inputs.group_size("toci")
    if None in (users, steroid_only, toci, non_toci, toci_size) or Decimal(toci["min"]["printed"]) <= 0:
        return []
    n_toci, n_only = int(toci_size["printed"]), int(steroid_only["printed"])
    anchor = inputs.anchor("summary", "results", "steroid_use")
    toci_ids = [toci_size["claim_id"], toci["min"]["claim_id"]]
    count = check_sum(
        {f"toci group (all {n_toci}: Table 2's smallest dose is {toci['min']['printed']} mg)": str(n_toci),
         "non-toci given a corticosteroid only": str(n_only)},
        users["printed"], label="corticosteroid users",
    )
    # the conflict set: 25 users, 10 corticosteroid-only, the 17 of the toci group, or its minimum dose (at 0
    # mg some of the group would have had none): changing any one of them alone can make the count add up
    checks = [_from_result(
        "steroid_users:count", "steroid_users", anchor, [users["claim_id"]], toci_ids + [steroid_only["claim_id"]],
        count, printed=users["printed"], recomputed=f"{n_toci} + {n_only} = {count.recomputed}",
        method=("users = all of the toci group (Table 2 minimum dose above 0) + the non-toci "
                "corticosteroid-only patients"),
        repair_ids=(users["claim_id"], steroid_only["claim_id"], *toci_ids) if not count.consistent else (),
    )]
    if text is None:
        return checks
    given = [cells[stat]["claim_id"] for cells in (toci, non_toci) for stat in ("median", "min", "max")]
    given += [toci_size["claim_id"], steroid_only["claim_id"]]
    values = {cells[stat]["claim_id"]: Fraction(cells[stat]["printed"]) for cells in (toci, non_toci)
              for stat in ("median", "min", "max")}
    keys = {"toci_median": toci["median"]["claim_id"], "toci_min": toci["min"]["claim_id"],
            "toci_max": toci["max"]["claim_id"], "non_toci_max": non_toci["max"]["claim_id"]}
    bounds = _steroid_user_bounds({name: values[claim_id] for name, claim_id in keys.items()}, n_toci, n_only)
    for stat in ("median", "min", "max"):
        bound_low, bound_high, method = bounds[stat]
        printed = text[stat]["printed"]
        result = check_in_interval(printed, bound_low, bound_high, what=stat, why=method)
        repairs = []
        if not result.consistent:  # which single Table 2 cell, set to the text's value, would admit it
            repairs = [text[stat]["claim_id"]]
            for name, claim_id in keys.items():
                changed = {key: values[other] for key, other in keys.items()}
                changed[name] = Fraction(printed)
                low, high, _ = _steroid_user_bounds(changed, n_toci, n_only)[stat]
                if low <= Fraction(printed) <= high:
                    repairs.append(claim_id)
        note = f"{result.note}; {_SAME_DOSE}" if result.note else ""
        checks.append(_from_result(f"steroid_users:{stat}", "steroid_users", anchor, [text[stat]["claim_id"]],
                                   given, result, note=note, repair_ids=tuple(repairs),
                                   assumption="" if result.consistent else _SAME_DOSE_ASSUMPTION))
    return checks


def _steroid_user_bounds(values: Mapping[str, Fraction], n_toci: int, n_only: int) -> dict[str, tuple]:
    """Bounds of the users' median, minimum and maximum dose from Table 2's toci median, minimum, maximum and
    non-toci maximum (all of the toci group and ``n_only`` non-toci patients are users)."""
    n_users = n_toci + n_only
    toci_half = math.ceil(n_toci / 2)  # at least this many toci doses lie at or below (above) the toci median
    top = max(values["toci_max"], values["non_toci_max"])
    upper = max(values["toci_median"], values["non_toci_max"])
    low, high = median_bounds(n_users, at_most={upper: toci_half + n_only, top: n_users},
                              at_least={0: n_users, values["toci_min"]: n_toci})
    return {
        "median": (low, high, f"of {n_users} users, at least {toci_half + n_only} have doses <= {_plain(upper)} mg "
                              f"(half the toci group <= its median, every non-toci user <= its maximum) and {n_toci} "
                              f">= {_plain(values['toci_min'])} mg"),
        "min": (0, values["toci_min"], "the smallest user dose is at most the toci minimum"),
        "max": (top, top, "the largest user dose is the larger of the toci and non-toci maxima"),
    }


def _plain(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else format(float(value), "g")


# --------------------------------------------------------------------------------------------------------
# P-values of measured values: which allowed test can give them (printed.measured)
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MeasuredP:
    """What the audit computed for the printed p of one measured value: the audit under the reading that
    decides the verdict (``shown``) and every reading tried, in order, each with its description."""

    shown: MeasuredRowAudit
    readings: tuple[tuple[str, MeasuredRowAudit], ...]

    def __repr__(self) -> str:
        return "\n".join(f"reading: {words}\n{audit!r}" for words, audit in self.readings)


def _cached(key: tuple, compute):
    """Run one of the printed level's searches once per inputs and code version (:func:`files.computed_once`)."""
    import numpy
    import scipy

    source = Path(measured_module.__file__)
    return computed_once(build_dir("cache", "printed"), key, compute,
                         depends_on=(source, source.parents[1] / "numbers.py"),
                         versions=(numpy.__version__, scipy.__version__))


def _measured_row(first: GroupSummary, second: GroupSummary, printed: str, scale: Scale, label: str,
                  relax: bool = True) -> MeasuredRowAudit:
    return _cached(("audit_measured_row", first, second, printed, scale, label, relax),
                   lambda: audit_measured_row(first, second, printed, scale, label=label, relax=relax))


def _group_summary(cells: Mapping[str, dict], size: dict, group: str) -> GroupSummary:
    return GroupSummary(GROUP_KEYS.get(group, group), int(size["printed"]), cells["min"]["printed"],
                        cells["median"]["printed"], cells["max"]["printed"])


def _scale(inputs: AuditInputs, quantity: str, whole: bool) -> Scale:
    lower = inputs.reading(quantity, "lower_limit") or None
    return Scale.whole(lower=lower) if whole else Scale.real(lower=lower)


def _interval_text(reach) -> str:
    kinds = {reach.low.proved, reach.high.proved}
    how = PROVED if kinds == {True} else SEARCHED if kinds == {False} else (
        f"{'smallest ' + PROVED if reach.low.proved else 'smallest a ' + SEARCHED}, "
        f"{'largest ' + PROVED if reach.high.proved else 'largest a ' + SEARCHED}")
    return f"{TEST_SHORT[reach.test]} {format_p_bound(reach.low.p)} to {format_p_bound(reach.high.p)} ({how})"


def measured_p_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """Every p comparing the groups on a measured value (quantities.csv rule ``value``) whose section prints n,
    median and range of both groups: which of the six tests the methods allow can give it, and the interval
    of p-values the printed summaries allow under each (:func:`crs_compendium.printed.measured.audit_measured_row`).

    The values are read as whole numbers when quantities.csv says so (``whole_numbers``), else as real
    numbers, never below the least value of readings.csv. When the whole-number reading admits no data set
    (half lines of therapy), the verdict comes from the grid of half the step and says so; when that reading
    is an assumption (readings.csv ``assumed``) and the verdict is not *consistent*, the real-valued reading is
    tried too and the verdict names the assumption if the two differ (a consistent verdict on whole numbers
    holds for real numbers too: whole-number data sets are among them).
    """
    claims = inputs.claims
    summaries = _summaries(claims)
    rules = inputs.quantities_with("rule")
    whole_numbers = inputs.quantities_with("whole_numbers")
    checks = []
    for record in _records(claims_for(claims, stat="p", group="toci_vs_non_toci")):
        section, quantity = record["section"], record["quantity"]
        if rules.get(quantity) != "value":
            continue
        cells = [summaries.get((section, quantity, group)) for group in ("toci", "non_toci")]
        sizes = [inputs.group_size(group) for group in ("toci", "non_toci")]
        if None in cells or None in sizes:
            continue
        first, second = (_group_summary(c, size, group) for c, size, group in zip(cells, sizes, ("toci", "non_toci")))
        whole = quantity in whole_numbers
        assumed = inputs.reading(quantity, "assumed") if whole else ""
        scale = _scale(inputs, quantity, whole)
        primary = _measured_row(first, second, record["printed"], scale, quantity, relax=not assumed)
        readings = [(scale.describe(), primary)]
        shown, assumption = primary, ""
        if assumed and primary.verdict != CONSISTENT:
            alternative = _measured_row(first, second, record["printed"], _scale(inputs, quantity, False), quantity,
                                        relax=False)
            readings.append((inputs.reading(quantity, "alternative") or alternative.scale.describe(), alternative))
            if not primary.feasible:  # no data set at all under the assumption: only the other reading can judge
                shown = alternative
                assumption = readings[-1][0]
            elif alternative.verdict != primary.verdict:
                assumption = assumed
        elif not primary.feasible and primary.relaxed is not None:
            shown = primary.relaxed
            readings.append((shown.scale.describe(), shown))
            assumption = (f"values may be multiples of {_plain(shown.scale.step)} as printed (on whole numbers no "
                          "data set fits the printed summaries)")
        if shown.consistent is None:
            continue  # undecided: left to not_checkable_note
        given = [cell[stat]["claim_id"] for cell in cells for stat in ("median", "min", "max")]
        given += [size["claim_id"] for size in sizes]
        reproducing = [TEST_SHORT[test] for test in shown.reproducing]
        recomputed = (f"can be given by {', '.join(reproducing)}" if reproducing
                      else "no allowed test can give it")
        missing = [f"{TEST_SHORT[r.test]} cannot ({r.how})" for r in shown.tests if r.attainable is False]
        undecided = [TEST_SHORT[r.test] for r in shown.tests if r.attainable is None]
        note = "what the printed summaries allow: " + "; ".join(_interval_text(r) for r in shown.tests)
        if missing:
            note += "; " + "; ".join(missing)
        if undecided:
            note += f"; undecided for {', '.join(undecided)}"
        if len(readings) > 1:
            note += "; readings tried: " + "; ".join(f"{words}: {audit.verdict}" for words, audit in readings)
        checks.append(AuditCheck(
            check_id=f"measured_p:{record['claim_id']}", family="measured_p",
            anchor=inputs.anchor("measured_p", section, quantity), claim_ids=(record["claim_id"],),
            given_ids=tuple(given), consistent=bool(shown.consistent), printed=record["printed"],
            recomputed=recomputed,
            method=("which of the six tests the methods allow (t or Mann-Whitney) can give the printed p on some "
                    f"data set with the printed n, median and range of each group, read as {shown.scale.describe()}"),
            note=note, result=MeasuredP(shown, tuple(readings)), assumption=assumption,
        ))
    return checks


# --------------------------------------------------------------------------------------------------------
# Claims within strata printed only as marks (Figure 2B): can they hold, one by one and together?
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StratifiedP:
    """What the audit computed for the claims about one measured quantity within strata: the comparisons
    (each with the statements that make it), every reading tried with its result, and which readings
    decide the verdict."""

    quantity: str
    comparisons: tuple[tuple[StratumComparison, tuple[str, ...]], ...]
    readings: tuple[tuple[str, StratifiedClaimAudit], ...]
    deciding: tuple[str, ...]

    def comparison_of(self, statement_id: str) -> StratumComparison | None:
        for comparison, statements in self.comparisons:
            if statement_id in statements:
                return comparison
        return None

    def __repr__(self) -> str:
        return "\n".join(f"reading: {words}\n{audit!r}" for words, audit in self.readings)


def _label_grades(records: Sequence[dict]) -> tuple[int, ...]:
    """The grades a printed label names: one value, or a min and a max."""
    stats = {record["stat"]: record["printed"] for record in records}
    if "value" in stats:
        return grades_of(stats["value"])
    return grades_of(f"{stats['min']}-{stats['max']}")


def _nearest_on_grid(summary: GroupSummary, scale: Scale) -> GroupSummary | None:
    """The summary with its median moved to the nearest value a median of ``summary.n`` values on the grid
    can take (a whole value for an odd n, a half for an even n), or None when it already is one."""
    step = scale.step if summary.n % 2 else scale.step / 2
    value = Fraction(summary.median)
    nearest = round(value / step) * step
    if nearest == value:
        return None
    return dataclasses.replace(summary, median=_plain(nearest))


def _stratified_audit(groups, comparisons, scale, label):
    return _cached(("audit_stratified_claim", groups, comparisons, scale, label),
                   lambda: audit_stratified_claim(groups, comparisons, scale, label=label))


def stratified_checks(inputs: AuditInputs) -> list[AuditCheck]:
    """The significance statements about a measured quantity within strata (significance_statements.csv with
    ``strata``), e.g. Figure 2B's CRS durations by grade, printed only as the figure's marks: can any data
    consistent with the printed summaries, group sizes and stratum sizes make them hold, under each allowed
    test, one by one and all at once (:func:`crs_compendium.printed.measured.audit_stratified_claim`)?

    The strata are the categories of strata.csv (with their fixed or least values) and their sizes the
    printed counts of each group; a statement's grade labels (claims) say which strata it compares, its
    ``asserts`` which of the significance marks (quantities.csv rule ``significance``) bounds the p. The
    check judges the marks. Under the quantity's own reading a summary may admit no data at all (a median
    of an odd number of whole days printed with a decimal): the verdict then comes from the alternative
    readings (readings.csv ``alternative``, and the median moved to the nearest value the grid allows) and
    names them as its assumption.
    """
    statements = inputs.statements[inputs.statements["strata"] != ""]
    return [_stratified_check(inputs, quantity, block) for quantity, block in statements.groupby("quantity", sort=False)]


def _stratified_check(inputs: AuditInputs, quantity: str, statements: pd.DataFrame) -> AuditCheck:
    claims = inputs.claims
    strata_rows = inputs.strata[inputs.strata["quantity"] == quantity]
    if strata_rows.empty:
        raise InvalidInputError(f"strata.csv has no strata of {quantity!r}, which significance statements compare")
    by = strata_rows["by"].iloc[0]
    summaries = _summaries(claims)
    sections = [section for (section, q, group) in summaries if q == quantity and group == "toci"
                and (section, q, "non_toci") in summaries]
    if not sections:
        raise InvalidInputError(f"no section prints the toci and non-toci summaries of {quantity!r}")
    given: list[str] = []
    groups = []
    for group in ("toci", "non_toci"):
        cells, size = summaries[(sections[0], quantity, group)], inputs.group_size(group)
        given += [cells[stat]["claim_id"] for stat in ("median", "min", "max")] + [size["claim_id"]]
        strata = []
        for row in strata_rows.to_dict("records"):
            count = first_claim(claims, quantity=by, category=row["category"], group=group, stat="count")
            if count is None:
                raise InvalidInputError(f"no printed count of {by} {row['category']!r} for the {group} group")
            given.append(count["claim_id"])
            if int(count["printed"]):
                strata.append(Stratum(row["category"], int(count["printed"]), fixed=row["fixed"] or None,
                                      at_least=row["at_least"] or None))
        groups.append((_group_summary(cells, size, group), tuple(strata)))
    significance = [q for q, rule in inputs.quantities_with("rule").items() if rule == "significance"]
    marks = {record["category"]: record for record in _records(claims[claims["quantity"].isin(significance)])}
    # (strata of each group, printed mark, direction) -> the comparison and the statements that make it
    comparisons: dict[tuple, tuple[StratumComparison, list[str]]] = {}
    judged: list[str] = []
    for statement in statements.to_dict("records"):
        label_ids = [claim_id for claim_id in statement["strata"].split(";") if claim_id]
        labels = [claim_record(claims, claim_id) for claim_id in label_ids]
        given += label_ids
        grades = set(_label_grades(labels))
        mark = marks.get(statement["asserts"].replace(" ", "_"))
        if mark is None:
            raise InvalidInputError(f"no significance mark for {statement['asserts']!r}")
        judged.append(mark["claim_id"])
        sides = []
        for _, strata in groups:
            sides.append(tuple(s.label for s in strata if set(grades_of(s.label)) & grades))
        if not all(sides):
            raise InvalidInputError(f"{statement['statement_id']}: a group has no patients in the strata named")
        text = "-".join(map(str, sorted(grades))) if len(grades) == 1 else f"{min(grades)}-{max(grades)}"
        key = (sides[0], sides[1], mark["printed"], statement["direction"] or None)
        if key not in comparisons:
            comparisons[key] = (StratumComparison(groups[0][0].label, sides[0], groups[1][0].label, sides[1],
                                                  mark["printed"], statement["direction"] or None, f"grade {text}"), [])
        comparisons[key][1].append(statement["statement_id"])
    compared = tuple(comparison for comparison, _ in comparisons.values())
    whole = quantity in inputs.quantities_with("whole_numbers")
    scale = _scale(inputs, quantity, whole)
    group_args = tuple(groups)
    primary = _stratified_audit(group_args, compared, scale, quantity)
    own_words = (whole and inputs.reading(quantity, "assumed")) or scale.describe()
    readings = [(own_words, primary)]
    deciding = (own_words,)
    assumption = ""
    if not primary.feasible:
        alternatives = []
        if whole and inputs.reading(quantity, "alternative"):
            alternatives.append((inputs.reading(quantity, "alternative"), _scale(inputs, quantity, False), group_args))
        if whole:
            moved = [_nearest_on_grid(summary, scale) for summary, _ in groups]
            if any(moved):
                words = " and ".join(f"the {summary.label.lower()} median {summary.median} read as {new.median}"
                                     for (summary, _), new in zip(groups, moved) if new)
                shifted = tuple((new or summary, strata) for (summary, strata), new in zip(groups, moved))
                head = inputs.reading(quantity, "assumed") or scale.describe().split(";")[0]
                alternatives.append((f"{head} with {words}", scale, shifted))
        for words, alt_scale, alt_groups in alternatives:
            readings.append((words, _stratified_audit(alt_groups, compared, alt_scale, quantity)))
        working = tuple(words for words, audit in readings[1:] if audit.verdict == CONSISTENT)
        deciding = working or tuple(words for words, _ in readings[1:])
        consistent = bool(working)
        if working:
            assumption = ", or ".join(working)
    else:
        if primary.verdict == NOT_CHECKABLE:
            consistent = None
        else:
            consistent = primary.verdict == CONSISTENT
    result = StratifiedP(quantity, tuple((comparison, tuple(ids)) for comparison, ids in comparisons.values()),
                         tuple(readings), deciding)
    shown = [audit for words, audit in readings if words in deciding]
    together = sorted({test for audit in shown for test in audit.jointly_attainable}, key=TESTS.index)
    reason = primary.reason if not primary.feasible else ""
    note = "; ".join(f"{words}: {audit.verdict_line().split(': ', 1)[1]}" for words, audit in readings)
    judged = list(dict.fromkeys(judged))
    anchor = inputs.anchor("stratified", claim_record(claims, judged[0])["section"], quantity)
    return AuditCheck(
        check_id=f"stratified:{quantity}", family="stratified", anchor=anchor, claim_ids=tuple(judged),
        given_ids=tuple(dict.fromkeys(given)), consistent=bool(consistent),
        printed="; ".join(f"{c.label} p {c.printed}" + (f", toci {c.direction}" if c.direction else "")
                          for c in compared),
        recomputed=(f"all hold at once under {', '.join(TEST_SHORT[t] for t in together)}" if together
                    else "no assignment found that meets them all"),
        method=(f"assignments of {quantity} values to the patients of each stratum, consistent with every printed "
                "summary, group and stratum size, tested under the six allowed tests"),
        note=(f"if {own_words}, no data set fits ({reason}); " if reason else "") + note,
        result=result, assumption=assumption,
    )


# --------------------------------------------------------------------------------------------------------
# All checks, and one verdict per claim
# --------------------------------------------------------------------------------------------------------
_FAMILIES = (percentage_checks, denominator_checks, group_sum_checks, partition_checks, summary_checks,
             pooled_checks, binned_median_checks, bonferroni_checks, count_table_checks, measured_p_checks,
             steroid_user_checks, stratified_checks, link_checks, printing_checks)
"""The check families in the order the audit runs them (the order decides which check a claim's row shows)."""


def all_checks(inputs: AuditInputs) -> tuple[AuditCheck, ...]:
    """Every check of the audit, in a fixed order, refusing duplicated ids and ids not in the registry."""
    claims = inputs.claims
    checks = [check for family in _FAMILIES for check in family(inputs)]
    ids = [check.check_id for check in checks]
    duplicated = sorted({check_id for check_id in ids if ids.count(check_id) > 1})
    if duplicated:
        raise InvalidInputError(f"duplicated check id(s): {', '.join(duplicated)}")
    known = set(claims["claim_id"])
    unknown = sorted({claim for check in checks for claim in (*check.claim_ids, *check.given_ids)} - known)
    if unknown:
        raise InvalidInputError(f"checks name claim(s) not in the registry: {', '.join(unknown)}")
    return tuple(checks)

