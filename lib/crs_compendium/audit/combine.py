"""One verdict per claim from all the checks that judge it.

* A check that fails is **charged** to the claims it judges (for a "median (range)" summary, only to the
  cells the broken rule concerns: a median that cannot be a median of whole numbers, a range end that is
  not whole).
* A check between peers (two printings of one number, a pooled range against the group ranges, counts
  that must add up) cannot say on its own which printing is wrong. When it fails it is charged to the
  peers that also fail a check of their own (the rounding of 84.8 % fails, so the text's 84.8 is charged,
  not Table 2's 84.4); when none does, to all of them.
* A claim is *inconsistent* if a check charged to it fails, *consistent* if at least one check judging it
  passes and none charged to it fails, and *not checkable from the published numbers* when no check
  judges it; its ``note`` then says, by kind of number, what data would settle it.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import pandas as pd

from ..vocab import CONSISTENT, INCONSISTENT, NOT_CHECKABLE
from .checks import AuditCheck
from .inputs import AuditInputs

__all__ = ["combine_verdicts", "not_checkable_note", "claim_anchor"]


def claim_anchor(claim_id: str) -> str:
    """The HTML id of a claim's row on the audit page that decides it: its permalink is ``page.html#id``."""
    return f"claim-{claim_id}"


def not_checkable_note(record: Mapping[str, str], survival: bool = False) -> str:
    """What data would settle a claim no check reaches, by kind of number (group, stat, and whether the
    quantity is a survival endpoint)."""
    group, stat = record["group"], record["stat"]
    if stat == "p" and survival:
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


def _pick(checks: Sequence[AuditCheck], page: str, order: Mapping[str, int], inputs: AuditInputs) -> AuditCheck:
    """The check a claim's row shows: one on the claim's own audit page first, then the earliest."""
    return min(checks, key=lambda check: (inputs.pages.page(check.anchor) != page, order[check.check_id]))


def combine_verdicts(inputs: AuditInputs, checks: Sequence[AuditCheck]) -> pd.DataFrame:
    """One row per claim with its combined verdict (rules in the module docstring).

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, section, location, printed, recomputed, method, verdict, note, anchor, page,
        link, n_checks`` in registry order: ``anchor`` is the section that shows the deciding check, ``page``
        the audit page it is on, ``link`` the claim's permalink relative to the site root; ``recomputed``, ``method`` and ``note`` are those of the check that
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

    survival = {quantity for quantity, rule in inputs.quantities_with("rule").items() if rule == "survival"}
    rows = []
    for record in inputs.claims.to_dict("records"):
        claim_id, page = record["claim_id"], inputs.own_page(record)
        touching = sorted({c.check_id for c in (*failing[claim_id], *passing[claim_id], *cleared[claim_id])},
                          key=order.get)
        if failing[claim_id]:
            chosen, word = _pick(failing[claim_id], page, order, inputs), INCONSISTENT
        elif passing[claim_id]:
            chosen, word = _pick(passing[claim_id], page, order, inputs), CONSISTENT
        else:
            chosen, word = None, NOT_CHECKABLE
        if chosen is None:
            anchor = inputs.anchor("not_checkable", record["section"], record["quantity"])
            note = not_checkable_note(record, survival=record["quantity"] in survival)
            if cleared[claim_id]:
                note += f" (a failed comparison with it is charged to the other printing: {', '.join(touching)})"
            rows.append({**_claim_fields(record), "recomputed": "", "method": "", "verdict": word,
                         "note": note, **_where(inputs, claim_id, anchor), "n_checks": len(touching)})
            continue
        cleared_ids = {check.check_id for check in cleared[claim_id]}
        others = [check_id for check_id in touching if check_id != chosen.check_id and check_id not in cleared_ids]
        remarks = [f"also checked by: {', '.join(others)}"] if others else []
        if cleared_ids:
            remarks.append(f"failed, charged to the other printing: {', '.join(sorted(cleared_ids, key=order.get))}")
        note = f"{chosen.note} [{'; '.join(remarks)}]".strip() if remarks else chosen.note
        rows.append({**_claim_fields(record), "recomputed": chosen.recomputed,
                     "method": f"{chosen.check_id}: {chosen.method}", "verdict": word, "note": note,
                     **_where(inputs, claim_id, chosen.anchor), "n_checks": len(touching)})
    return pd.DataFrame(rows)


def _claim_fields(record: Mapping[str, str]) -> dict[str, str]:
    return {"claim_id": record["claim_id"], "section": record["section"], "location": record["location"],
            "printed": record["printed"]}


def _where(inputs: AuditInputs, claim_id: str, anchor: str) -> dict[str, str]:
    page = inputs.pages.page(anchor)
    return {"anchor": anchor, "page": page, "link": f"{page}.html#{claim_anchor(claim_id)}"}

