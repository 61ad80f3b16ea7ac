"""Sentences of the paper that call a difference between the groups significant or not
(``data/published/significance_statements.csv``), each against the p-values it rests on."""
from __future__ import annotations

import pandas as pd

from ..printed.agreement import check_significance
from ..printed.registry import claim_record, first_claim
from ..vocab import CONSISTENT, INCONSISTENT, NOT_CHECKABLE
from .inputs import AuditInputs

__all__ = ["significance_checks"]


def significance_checks(inputs: AuditInputs) -> pd.DataFrame:
    """Each narrative claim of (no) significance against its printed p-values and against the table's own
    Bonferroni-adjusted values where the table prints them (alpha 0.05).

    Verdict: inconsistent if the printed or the adjusted p says otherwise, not checkable when the paper
    prints no p for the claim, consistent otherwise.
    """
    claims = inputs.claims
    anchor = inputs.pages.anchor("*", "significance", "*")
    rows = []
    for statement in inputs.statements.to_dict("records"):
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
            "verdict": word, "note": "; ".join(notes), "anchor": anchor,
        })
    return pd.DataFrame(rows)
