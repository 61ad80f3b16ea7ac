"""One verdict per claim from all the checks that judge it.

* A failed check names its **conflict set**: every printed number, judged or given, whose change alone
  would let the check pass (a summary's broken cell; the text's 25 corticosteroid users, the 10 given a
  corticosteroid only or Table 2's smallest tocilizumab-group dose). It is **charged** to the members of
  that set that no passing *exact* check holds in place (a sum, an agreement of printings, a group size, a
  Figure 1 box, :data:`EXACT_FAMILIES`: changing such a number would only move the conflict); when every
  member is held in place, to all of them.
* A check between peers (two printings of one number, a pooled range against the group ranges, counts
  that must add up) cannot say on its own which printing is wrong. When it fails it is charged to the
  members of its conflict set that also fail a check of their own, alone (the rounding of 84.8 % fails,
  so the text's 84.8 is charged, not Table 2's 84.4); when none does, as above.
* A claim is *inconsistent* if a failed check is charged to it, *consistent* if at least one check judging
  it passes and no failed check is charged to it (a failed check charged elsewhere counts for it neither
  way), and *not checkable from the published numbers* when no check decides it; its ``note`` then says,
  by kind of number, what data would settle it.
* A verdict **rests on an assumption** when every check that decides it does (the check's ``assumption``,
  a reading the paper does not state): an inconsistent claim whose every charged failure holds only under
  that reading ("inconsistent if durations are whole days"), a consistent claim none of whose passing
  checks holds without one.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import pandas as pd

from ..vocab import CONSISTENT, INCONSISTENT, NOT_CHECKABLE
from .checks import AuditCheck
from .inputs import AuditInputs

__all__ = ["EXACT_FAMILIES", "combine_verdicts", "charges", "held_in_place", "conflict_text", "not_checkable_note",
           "claim_anchor"]


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
        return ("a comparison of measured values (t or Mann-Whitney test, per the methods) printed without the "
                "groups' n, median and range: needs those summaries, or the values, of both groups")
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


EXACT_FAMILIES = ("sum", "group_sum", "partition", "printings", "denominator", "flow", "equal")
"""Families whose passing checks hold every number they judge in place: change one and the check fails."""


def _pick(checks: Sequence[AuditCheck], page: str, order: Mapping[str, int], inputs: AuditInputs) -> AuditCheck:
    """The check a claim's row shows: one on the claim's own audit page first, then the earliest."""
    return min(checks, key=lambda check: (inputs.pages.page(check.anchor) != page, order[check.check_id]))


def held_in_place(checks: Sequence[AuditCheck]) -> set[str]:
    """Claims judged by a passing check of an exact family (:data:`EXACT_FAMILIES`)."""
    return {claim_id for check in checks if check.consistent and check.family in EXACT_FAMILIES
            for claim_id in check.claim_ids}


def charges(checks: Sequence[AuditCheck]) -> dict[str, tuple[str, ...]]:
    """For every failed check, the claims it is charged to (rules in the module docstring)."""
    held = held_in_place(checks)

    def free(ids: Sequence[str]) -> tuple[str, ...]:
        unheld = tuple(claim_id for claim_id in ids if claim_id not in held)
        return unheld or tuple(ids)

    charged: dict[str, tuple[str, ...]] = {}
    sole: set[str] = set()  # claims that alone carry one conflict of a check of their own
    for check in checks:
        if not check.consistent and not check.peer:
            parts = [free(group) for group in check.conflict_sets]
            charged[check.check_id] = tuple(dict.fromkeys(c for part in parts for c in part))
            sole |= {part[0] for part in parts if len(part) == 1}
    for check in checks:
        if not check.consistent and check.peer:
            parts = []
            for group in check.conflict_sets:
                failing_alone = tuple(claim_id for claim_id in group if claim_id in sole)
                parts.append(failing_alone or free(group))
            charged[check.check_id] = tuple(dict.fromkeys(c for part in parts for c in part))
    return charged


def conflict_text(check: AuditCheck, charged: Sequence[str], held: set[str], printed: Mapping[str, str]) -> str:
    """The conflict set(s) of a failed check in words: each member with its printed value, which are charged
    and which other checks hold in place."""
    texts = []
    for group in check.conflict_sets:
        members = []
        for claim_id in group:
            state = "charged" if claim_id in charged else "held in place by other checks" if claim_id in held \
                else "not charged: another member fails a check of its own"
            members.append(f"{claim_id} ({printed[claim_id]}, {state})")
        lead = ("changing this number alone would resolve it" if len(group) == 1
                else "changing any one of these alone would resolve it")
        texts.append(f"{'; '.join(members)} ({lead})")
    name = "conflict set" if len(texts) == 1 else f"{len(texts)} separate conflicts"
    return f"{name} of {check.check_id}: {' / '.join(texts)}"


def combine_verdicts(inputs: AuditInputs, checks: Sequence[AuditCheck]) -> pd.DataFrame:
    """One row per claim with its combined verdict (rules in the module docstring).

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, section, location, printed, recomputed, method, verdict, assumption, note,
        check_id, anchor, page, link, n_checks`` in registry order: ``check_id`` is the check that decides
        the verdict (a failed one for an inconsistent claim, a passing one for a consistent claim, empty when
        not checkable) and ``recomputed``, ``method`` and ``note`` are its own; ``assumption`` is the reading
        the verdict rests on ("" when none); ``anchor`` is the section that shows the deciding check, ``page``
        the audit page it is on, ``link`` the claim's permalink relative to the site root; ``note`` lists the
        other checks and, for an inconsistent claim, the conflict set of each failed check charged to it.
    """
    order = {check.check_id: index for index, check in enumerate(checks)}
    charged = charges(checks)
    held = held_in_place(checks)
    printed = dict(zip(inputs.claims["claim_id"], inputs.claims["printed"]))
    failing: dict[str, list[AuditCheck]] = defaultdict(list)
    passing: dict[str, list[AuditCheck]] = defaultdict(list)
    cleared: dict[str, list[AuditCheck]] = defaultdict(list)
    for check in checks:
        if check.consistent:
            for claim_id in check.claim_ids:
                passing[claim_id].append(check)
            continue
        for claim_id in charged[check.check_id]:
            failing[claim_id].append(check)
        for claim_id in (*check.claim_ids, *check.repair_ids):
            if claim_id not in charged[check.check_id] and check not in cleared[claim_id]:
                cleared[claim_id].append(check)

    survival = {quantity for quantity, rule in inputs.quantities_with("rule").items() if rule == "survival"}
    rows = []
    for record in inputs.claims.to_dict("records"):
        claim_id, page = record["claim_id"], inputs.own_page(record)
        touching = sorted({c.check_id for c in (*failing[claim_id], *passing[claim_id], *cleared[claim_id])},
                          key=order.get)
        if failing[claim_id]:
            chosen, word = _pick(failing[claim_id], page, order, inputs), INCONSISTENT
            conditional = all(check.assumption for check in failing[claim_id])
        elif passing[claim_id]:
            chosen, word = _pick(passing[claim_id], page, order, inputs), CONSISTENT
            conditional = all(check.assumption for check in passing[claim_id])
        else:
            chosen, word, conditional = None, NOT_CHECKABLE, False
        if chosen is None:
            anchor = inputs.anchor("not_checkable", record["section"], record["quantity"])
            note = not_checkable_note(record, survival=record["quantity"] in survival)
            if cleared[claim_id]:
                note += (f" (a failed check that reads it is charged to other numbers: "
                         f"{', '.join(c.check_id for c in cleared[claim_id])})")
            rows.append({**_claim_fields(record), "recomputed": "", "method": "", "verdict": word, "assumption": "",
                         "note": note, "check_id": "", **_where(inputs, claim_id, anchor), "n_checks": len(touching)})
            continue
        deciding = failing[claim_id] if word == INCONSISTENT else passing[claim_id]
        assumption = ""
        if conditional:
            assumption = " and ".join(dict.fromkeys([chosen.assumption] + [c.assumption for c in deciding]))
        cleared_ids = {check.check_id for check in cleared[claim_id]}
        others = [check_id for check_id in touching if check_id != chosen.check_id and check_id not in cleared_ids]
        remarks = [f"also checked by: {', '.join(others)}"] if others else []
        if cleared_ids:
            remarks.append(f"failed, charged to other numbers: {', '.join(sorted(cleared_ids, key=order.get))}")
        if word == INCONSISTENT:
            remarks += [conflict_text(check, charged[check.check_id], held, printed) for check in failing[claim_id]]
        note = f"{chosen.note} [{'; '.join(remarks)}]".strip() if remarks else chosen.note
        rows.append({**_claim_fields(record), "recomputed": chosen.recomputed,
                     "method": f"{chosen.check_id}: {chosen.method}", "verdict": word, "assumption": assumption,
                     "note": note, "check_id": chosen.check_id, **_where(inputs, claim_id, chosen.anchor),
                     "n_checks": len(touching)})
    return pd.DataFrame(rows)


def _claim_fields(record: Mapping[str, str]) -> dict[str, str]:
    return {"claim_id": record["claim_id"], "section": record["section"], "location": record["location"],
            "printed": record["printed"]}


def _where(inputs: AuditInputs, claim_id: str, anchor: str) -> dict[str, str]:
    page = inputs.pages.page(anchor)
    return {"anchor": anchor, "page": page, "link": f"{page}.html#{claim_anchor(claim_id)}"}
