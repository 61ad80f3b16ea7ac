"""Sentences of the paper that call a difference between the groups significant or not
(``data/published/significance_statements.csv``), each against the p-values it rests on."""
from __future__ import annotations

import pandas as pd

from collections.abc import Sequence

from ..formatting import format_p_bound
from ..printed.agreement import check_significance
from ..printed.measured import TEST_SHORT, TESTS
from ..printed.registry import claim_record, first_claim
from ..vocab import CONSISTENT, INCONSISTENT, NOT_CHECKABLE
from .checks import AuditCheck, StratifiedP
from .inputs import AuditInputs

__all__ = ["significance_checks"]


def _within_strata(statement: dict, check: AuditCheck, anchor: str) -> dict:
    """A statement about strata (printed only as a figure mark) judged by its stratified check: can its
    comparison meet the mark, on its own and together with the figure's other comparisons?"""
    result: StratifiedP = check.result
    comparison = result.comparison_of(statement["statement_id"])
    deciding = [(words, audit) for words, audit in result.readings if words in result.deciding and audit.feasible]
    alone, together, extremes = set(), set(), []
    for words, audit in deciding:
        for reach in audit.reaches:
            if reach.comparison == comparison and reach.attainable:
                alone.add(reach.test)
        together |= set(audit.jointly_attainable)
        extremes += [(reach.extreme.p, reach.test, reach.extreme.proved, words) for reach in audit.reaches
                     if reach.comparison == comparison]
    attainable = [test for test in TESTS if test in alone]
    if together & alone:
        word = CONSISTENT
    elif deciding and not alone:
        word = INCONSISTENT if all(r.proved for _, a in deciding for r in a.reaches if r.comparison == comparison) \
            else NOT_CHECKABLE
    else:
        word = NOT_CHECKABLE
    small = comparison.wants_small
    by_test = {}
    for value, test, proved, _ in extremes:  # the most favourable p of each test over the deciding readings
        if test not in by_test or (value < by_test[test][0] if small else value > by_test[test][0]):
            by_test[test] = (value, proved)
    shown = ", ".join(f"{TEST_SHORT[test]} {format_p_bound(by_test[test][0])}"
                      + ("" if by_test[test][1] else " (search result)") for test in TESTS if test in by_test)
    note = f"{'smallest' if small else 'largest'} p the printed numbers allow: {shown}; " if by_test else ""
    note += (f"meets {comparison.printed} under {', '.join(TEST_SHORT[t] for t in attainable)}"
             if attainable else f"meets {comparison.printed} under no allowed test")
    note += ("; holds together with the figure's other comparisons under "
             f"{', '.join(TEST_SHORT[t] for t in TESTS if t in together & alone)}" if together & alone else "")
    unfit = [words for words, audit in result.readings if not audit.feasible]
    if unfit:
        note += f"; no data set at all if {' or '.join(unfit)}"
    return {
        "statement_id": statement["statement_id"], "location": statement["location"],
        "statement": statement["statement"], "asserts": statement["asserts"],
        "p": f"{comparison.printed} (figure mark)", "against p": word, "adjusted p": "", "against adjusted p": "",
        "verdict": word, "assumption": check.assumption if word != NOT_CHECKABLE else "", "note": note,
        "anchor": check.anchor,
    }


def significance_checks(inputs: AuditInputs, checks: Sequence[AuditCheck] = ()) -> pd.DataFrame:
    """Each narrative claim of (no) significance against its printed p-values and against the table's own
    Bonferroni-adjusted values where the table prints them (alpha 0.05); a claim about strata printed only
    as a figure mark (``strata`` in significance_statements.csv) against its stratified check in ``checks``.

    Verdict: inconsistent if the printed or the adjusted p says otherwise, not checkable when the paper
    prints no p for the claim and no check reaches it, consistent otherwise.
    """
    claims = inputs.claims
    anchor = inputs.pages.anchor("*", "significance", "*")
    stratified = {check.result.quantity: check for check in checks if isinstance(check.result, StratifiedP)}
    rows = []
    for statement in inputs.statements.to_dict("records"):
        if statement["strata"] and statement["quantity"] in stratified:
            rows.append(_within_strata(statement, stratified[statement["quantity"]], anchor))
            continue
        p_ids = [claim_id for claim_id in statement["claim_ids"].split(";") if claim_id]
        ps = [claim_record(claims, claim_id) for claim_id in p_ids]
        adjusted = [first_claim(claims, p["section"], quantity=p["quantity"], group=p["group"], stat="p_bonferroni")
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
            "verdict": word, "assumption": "", "note": "; ".join(notes), "anchor": anchor,
        })
    return pd.DataFrame(rows)
