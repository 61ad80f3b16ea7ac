"""The claims audit: every check of the published level applied to the registry, one verdict per printed
number, and the sentences about significance against their p-values.

``inputs`` reads what the audit needs besides the registry; ``checks`` holds one function per family of
checks; ``combine`` turns the checks into one verdict per claim; ``statements`` judges the sentences about
significance; ``render`` writes the plain-language lists the summary page shows. :func:`run_audit` runs
everything and returns an :class:`Audit`, whose methods give each audit page its tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from IPython.display import HTML

from ..exceptions import InvalidInputError
from ..formatting import format_p_bound
from ..vocab import ATTAINABILITY_WORDS, AUDIT_VERDICTS, INCONSISTENT, SECTION_ORDER, bound_kind
from ..printed.measured import TEST_SHORT
from .checks import AuditCheck, StratifiedP, all_checks, format_tests, table_text, tested_tables
from .combine import charges, combine_verdicts
from .inputs import AuditInputs, load_inputs
from .render import claims_table_html, inconsistencies_markdown, linked_claims_html, statements_markdown
from .statements import significance_checks

__all__ = ["EXPORT_COLUMNS", "Audit", "AuditCheck", "AuditInputs", "run_audit"]

EXPORT_COLUMNS = ("claim_id", "location", "printed", "recomputed", "method", "verdict", "assumption", "note", "link")
"""Columns of ``_build/audit/claims.csv``, the export a reviewer diffs (``assumption``: the reading the
verdict rests on when the paper does not state it, empty otherwise; ``link``: the claim's permalink on the
site, relative to its root)."""


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
            tested = tested_tables(check.result)
            table = "unprinted cells searched" if hasattr(check.result, "candidates") else table_text(tested[0].table)
            rows.append({
                "claim_id": check.claim_ids[0], "printed p": check.printed, "table (toci / non-toci)": table,
                "reproduced by": check.recomputed,
                "methods' rule": "; ".join(dict.fromkeys(format_tests(t.p_values, t.rule_tests) for t in tested)),
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
            tested = tested_tables(check.result)
            if all(t.rule_tests == ("fisher",) and "fisher" not in t.reproducing for t in tested):
                departures.append(check.claim_ids[0])
        return departures

    def claims_at(self, anchor: str) -> pd.DataFrame:
        """The claims whose row points at a notebook section."""
        rows = self.verdicts[self.verdicts["anchor"] == anchor]
        return rows[["claim_id", "printed", "verdict", "note"]].set_index("claim_id")

    def claims_on_page(self, page: str) -> HTML:
        """Every claim an audit page decides (``notebooks/NN_name``), as a table whose rows are the claims'
        permalinks (:func:`crs_compendium.audit.render.claims_table_html`)."""
        rows = self.verdicts[self.verdicts["page"] == page]
        if rows.empty:
            raise InvalidInputError(f"no claim is decided on {page!r}")
        return HTML(claims_table_html(rows))

    def claims_in(self, section: str) -> pd.DataFrame:
        """The claims printed in one section of the paper, with their verdicts and anchors."""
        rows = self.verdicts[self.verdicts["section"] == section]
        return rows[["claim_id", "location", "printed", "verdict", "anchor"]].set_index("claim_id")

    def counts(self, rows: pd.DataFrame | None = None) -> dict[str, int]:
        """Verdict counts (every verdict word present, zero when absent), over all claims or ``rows``."""
        rows = self.verdicts if rows is None else rows
        return {word: int((rows["verdict"] == word).sum()) for word in AUDIT_VERDICTS}

    def counts_by_section(self) -> pd.DataFrame:
        """Claims by section of the paper (reading order) and verdict, with totals."""
        table = pd.crosstab(self.verdicts["section"], self.verdicts["verdict"])
        sections = [section for section in SECTION_ORDER if section in table.index]
        table = table.reindex(index=sections, columns=list(AUDIT_VERDICTS), fill_value=0)
        table.loc["all sections"] = table.sum()
        table["claims"] = table.sum(axis=1)
        table.index.name, table.columns.name = "section", None
        return table

    def counts_with_assumptions(self, rows: pd.DataFrame | None = None) -> pd.DataFrame:
        """Verdict counts split by whether the verdict rests on a stated assumption (a reading the paper
        does not state): one row per verdict word, columns ``unconditional``, ``on an assumption``, ``all``."""
        rows = self.verdicts if rows is None else rows
        table = pd.DataFrame({
            "unconditional": [int(((rows["verdict"] == w) & (rows["assumption"] == "")).sum()) for w in AUDIT_VERDICTS],
            "on an assumption": [int(((rows["verdict"] == w) & (rows["assumption"] != "")).sum())
                                 for w in AUDIT_VERDICTS],
        }, index=pd.Index(AUDIT_VERDICTS, name="verdict"))
        table["all"] = table.sum(axis=1)
        return table

    def assumptions(self) -> pd.DataFrame:
        """Every claim whose verdict rests on a stated assumption, with the verdict and the assumption."""
        rows = self.verdicts[self.verdicts["assumption"] != ""]
        return rows[["claim_id", "printed", "verdict", "assumption", "anchor"]].set_index("claim_id")

    def inconsistencies(self) -> pd.DataFrame:
        """Every failing check with the claims it is charged to and its whole conflict set, in check order."""
        charged_ids = set(self.verdicts.loc[self.verdicts["verdict"] == INCONSISTENT, "claim_id"])
        statements = dict(zip(self.claims["claim_id"], self.claims["statement"]))
        locations = dict(zip(self.claims["claim_id"], self.claims["location"]))
        printed = dict(zip(self.claims["claim_id"], self.claims["printed"]))
        charged = charges(self.checks)
        rows = []
        for check in self.checks:
            if check.consistent:
                continue
            ids = [claim_id for claim_id in charged[check.check_id] if claim_id in charged_ids]
            if not ids:
                continue
            rows.append({
                "check_id": check.check_id, "claims": ", ".join(ids),
                "what": "; ".join(dict.fromkeys(statements[claim_id] for claim_id in ids)),
                "where": "; ".join(dict.fromkeys(locations[claim_id] for claim_id in ids)),
                "printed": check.printed, "recomputed": check.recomputed, "why": check.note,
                "conflict set": " / ".join(", ".join(f"{claim_id} ({printed[claim_id]})" for claim_id in group)
                                           for group in check.conflict_sets),
                "assumption": check.assumption, "anchor": check.anchor,
            })
        return pd.DataFrame(rows)

    # ---- the measured-value p-values and the claims within strata ----------------------------------------
    def measured_p_tests(self, anchor: str) -> pd.DataFrame:
        """The p-values of measured rows a section shows, one row per p and test: whether the test can give
        the printed p, and the smallest and largest p the printed summaries allow, each marked proved or
        search result (the reading of each row is in its check's method)."""
        rows = []
        for check in self.checks:
            if check.family != "measured_p" or check.anchor != anchor:
                continue
            audit = check.result.shown
            for reach in audit.tests:
                rows.append({
                    "claim_id": check.claim_ids[0], "test": TEST_SHORT[reach.test],
                    "can give the printed p": ATTAINABILITY_WORDS[reach.attainable],
                    "smallest p allowed": f"{format_p_bound(reach.low.p)}, {bound_kind(reach.low.proved)}",
                    "largest p allowed": f"{format_p_bound(reach.high.p)}, {bound_kind(reach.high.proved)}",
                })
        if not rows:
            raise InvalidInputError(f"no measured-value p is shown at {anchor!r}")
        return pd.DataFrame(rows).set_index(["claim_id", "test"])

    def measured_witnesses(self, claim_id: str) -> list[dict]:
        """The witness data sets behind one measured-value p: for each test the data set giving the smallest
        and the largest p the summaries allow and, when the test can give it, one giving the printed p. Each
        entry: ``test`` (key of :data:`crs_compendium.printed.measured.TESTS`), ``end`` ("smallest", "largest",
        "printed p"), ``p`` (as the audit computed it), ``toci`` and ``non_toci`` (the values)."""
        check = self.check(f"measured_p:{claim_id}")
        entries = []
        for reach in check.result.shown.tests:
            found = [("smallest", reach.low.p, reach.low.witness), ("largest", reach.high.p, reach.high.witness)]
            if reach.witness is not None:
                found.append(("printed p", reach.witness_p, reach.witness))
            entries += [{"test": reach.test, "end": end, "p": p, "toci": list(witness[0]), "non_toci": list(witness[1])}
                        for end, p, witness in found]
        return entries

    def stratified(self, quantity: str) -> StratifiedP:
        """The result behind the claims about ``quantity`` within strata (Figure 2B's durations by grade)."""
        return self.check(f"stratified:{quantity}").result

    def stratified_table(self, quantity: str) -> pd.DataFrame:
        """One row per reading and test, one column per comparison: whether the printed mark can be met, with
        the most favourable p the printed numbers allow (smallest for "p < ...", largest for "p > ...") and
        how it is known; and whether every comparison can hold at once."""
        result = self.stratified(quantity)
        rows = []
        for words, audit in result.readings:
            labels = [c.describe() for c in audit.comparisons]
            if not audit.feasible:
                rows.append({"reading": words, "test": "any", **dict.fromkeys(labels, "no data set fits"),
                             "all at once": "no data set fits"})
                continue
            joint = {j.test: j for j in audit.joint}
            for test in dict.fromkeys(reach.test for reach in audit.reaches):
                row = {"reading": words, "test": TEST_SHORT[test]}
                for reach in audit.reaches:
                    if reach.test == test:
                        end = "smallest" if reach.comparison.wants_small else "largest"
                        row[reach.comparison.describe()] = (
                            f"{ATTAINABILITY_WORDS[reach.attainable]}; {end} p {format_p_bound(reach.extreme.p)} "
                            f"({bound_kind(reach.extreme.proved)})")
                row["all at once"] = ATTAINABILITY_WORDS[joint[test].attainable]
                rows.append(row)
        return pd.DataFrame(rows).set_index(["reading", "test"])

    def stratified_witnesses(self, quantity: str) -> list[dict]:
        """The witness assignments behind the stratified check: per feasible reading and test, the assignment
        meeting every comparison at once (``values``: (group, stratum) -> values) with the p of each
        comparison as the audit computed it, and the compared samples of each comparison."""
        result = self.stratified(quantity)
        entries = []
        for words, audit in result.readings:
            for joint in audit.joint:
                if not joint.attainable:
                    continue
                values = {(group, stratum): list(v) for group, stratum, v in joint.assignment}
                samples = []
                for comparison, p in zip(audit.comparisons, joint.p_values):
                    first = [x for s in comparison.first_strata for x in values[(comparison.first_group, s)]]
                    second = [x for s in comparison.second_strata for x in values[(comparison.second_group, s)]]
                    samples.append({"comparison": comparison.describe(), "p": p, "first": first, "second": second,
                                    "printed": comparison.printed, "direction": comparison.direction})
                entries.append({"reading": words, "test": joint.test, "values": values, "comparisons": samples})
        return entries

    @property
    def links(self) -> dict[str, str]:
        """Claim id -> its permalink, relative to the site root (the export's ``link`` column)."""
        return dict(zip(self.verdicts["claim_id"], self.verdicts["link"]))

    def inconsistencies_markdown(self) -> str:
        """The inconsistencies as a MyST bullet list in plain words, each linked to the section that checks it."""
        return inconsistencies_markdown(self.inconsistencies(), self.links)

    def linked(self, rows: pd.DataFrame) -> HTML:
        """A table of claims indexed by claim id (such as :meth:`assumptions`), each id linked to its
        permalink on the page that checks it."""
        return HTML(linked_claims_html(rows, self.links))

    def statements_markdown(self, word: str = INCONSISTENT) -> str:
        """The significance statements with one verdict as a MyST bullet list, linked to their section."""
        return statements_markdown(self.statements[self.statements["verdict"] == word])

    def export(self) -> pd.DataFrame:
        """The machine-readable export: one row per claim, :data:`EXPORT_COLUMNS`, sorted by claim id."""
        return self.verdicts[list(EXPORT_COLUMNS)].sort_values("claim_id", kind="stable").reset_index(drop=True)


def run_audit(claims: pd.DataFrame | None = None, links: pd.DataFrame | None = None,
              statements: pd.DataFrame | None = None) -> Audit:
    """Run every check on the registry and combine the verdicts (defaults: the files in data/published/)."""
    inputs = load_inputs(claims, links, statements)
    checks = all_checks(inputs)
    return Audit(claims=inputs.claims, checks=checks, verdicts=combine_verdicts(inputs, checks),
                 statements=significance_checks(inputs, checks))
