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

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from ..exceptions import InvalidInputError
from ..formatting import format_p
from ..printed import flow
from ..printed.agreement import check_printings_agree
from ..printed.contingency import TEST_NAMES, count_table_tests, splits_reproducing_p, test_name
from ..printed.multiplicity import check_bonferroni
from ..printed.percentages import check_percentage, percentage_denominator_candidates, percentage_n_candidates
from ..printed.registry import claim_record, cross_references, first_claim
from ..printed.summaries import check_in_interval, check_median_range, check_pooled_median_range, median_bounds
from ..printed.sums import check_at_most, check_sum
from ..printed.table1 import compare_with_printed_table1, load_printed_table1
from ..vocab import BLAST_BINS, CONSISTENT, audit_verdict
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
    "all_checks",
    "format_tests",
    "table_text",
    "tested_tables",
]

_SAME_DOSE = "reading Table 2's corticosteroid dose and the text's cumulative dose as one quantity"
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
        return audit_verdict(self.consistent)

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
        block = claims[(claims["quantity"] == quantity) & claims["category"].isin(categories)]
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
        result = check_median_range(cells["median"]["printed"], cells["min"]["printed"], cells["max"]["printed"],
                                    n=None if size is None else size["printed"], integer_valued=integer)
        ids = [cells[stat]["claim_id"] for stat in ("median", "min", "max")]
        note, recomputed = result.note, result.recomputed
        if integer:
            note = f"{note}; whole numbers because {whole_numbers[quantity]}" if note else whole_numbers[quantity]
        if result.failures:
            recomputed = "no sample of whole numbers fits" if integer else "no sample fits"
        checks.append(_from_result(
            f"summary:{section}.{quantity}.{group}", "summary", inputs.anchor("summary", section, quantity), ids,
            [] if size is None else [size["claim_id"]], result, note=note, recomputed=recomputed,
            charged_ids=tuple(_charged_cells(result.failures, cells)),
        ))
    return checks


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
                anchor=inputs.anchor("pooled", section, quantity),
                claim_ids=(pooled[stat]["claim_id"], *(cell["claim_id"] for cell in group_cells)),
                given_ids=tuple(size["claim_id"] for _, size in groups),
                consistent=not failures, printed=f"{pooled[stat]['printed']} (total) vs {shown}", recomputed=recomputed,
                method=f"pooled {word} from the toci and non-toci summaries: {result.method}",
                note="; ".join(failures), peer=True, result=result,
            ))
    return checks


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
    if search.consistent:
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
        note=note, result=search,
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
    for record in _records(claims[(claims["stat"] == "p") & (claims["group"] == "toci_vs_non_toci")]):
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
                comparison = compare_with_printed_table1(*load_printed_table1()).checks
            checks.append(_table1_check(link, records[0], comparison))
    return checks


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
_FAMILIES = (percentage_checks, denominator_checks, group_sum_checks, partition_checks, summary_checks,
             pooled_checks, binned_median_checks, bonferroni_checks, count_table_checks, steroid_user_checks,
             link_checks, printing_checks)
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

