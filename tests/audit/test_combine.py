"""One verdict per claim from all the checks that judge it (crs_compendium.audit.combine): the charge of a
failed check, the peer rule, and what data would settle a claim no check reaches.

Outside source: Zhou et al., Front Immunol 2025;16:1530623 (Table 2 and Results): 84.8 % in the text
against 84.4 % in Table 2 for 38 of 45 patients; non-toci lines of therapy "2.5 (1.5-3.5)" against a pooled
maximum of 3; corticosteroid dose maxima 800 (pooled) against 201 and 80.
"""
from dataclasses import replace

import pandas as pd
import pytest

from crs_compendium.audit.checks import AuditCheck
from crs_compendium.audit.combine import combine_verdicts, not_checkable_note
from crs_compendium.printed.registry import load_quantities
from crs_compendium.vocab import CONSISTENT, INCONSISTENT, NOT_CHECKABLE


@pytest.fixture(scope="module")
def quantities(claims):
    return load_quantities(claims=claims)


def _synthetic(*rows):
    columns = ["claim_id", "section", "location", "printed", "quantity", "category", "group", "stat", "statement"]
    return pd.DataFrame([dict(zip(columns, row)) for row in rows])


def _peer(check_id, ids, consistent):
    return AuditCheck(check_id, "printings", "audit-results-cross-references", tuple(ids), (), consistent,
                      "x", "y", "z", peer=True)


def test_combine_charges_a_failed_peer_check_to_the_peer_that_fails_alone(inputs):
    claims = _synthetic(
        ("res.a", "results", "text", "84.8", "q", "", "total", "percent", "a"),
        ("t2.a", "table2", "table", "84.4", "q", "", "total", "percent", "a"),
        ("res.b", "results", "text", "7", "guess", "", "study", "value", "b"),
    )
    own = AuditCheck("percentage:res.a", "percentage", "audit-results-baseline", ("res.a",), (), False,
                     "84.8", "84.4", "n/N")
    table = AuditCheck("percentage:t2.a", "percentage", "audit-table2-percentages", ("t2.a",), (), True,
                       "84.4", "84.4", "n/N")
    rows = combine_verdicts(replace(inputs, claims=claims),
                            [own, table, _peer("printings:a", ["res.a", "t2.a"], False)])
    verdicts = dict(zip(rows["claim_id"], rows["verdict"]))
    assert verdicts == {"res.a": INCONSISTENT, "t2.a": CONSISTENT, "res.b": NOT_CHECKABLE}
    assert rows.set_index("claim_id").loc["res.a", "anchor"] == "audit-results-baseline"
    assert "also checked by: printings:a" in rows.set_index("claim_id").loc["res.a", "note"]
    both = combine_verdicts(replace(inputs, claims=claims), [table, _peer("printings:a", ["res.a", "t2.a"], False)])
    assert set(both.loc[both["claim_id"] != "res.b", "verdict"]) == {INCONSISTENT}  # nobody fails alone


def test_the_peer_rule_charges_lines_to_the_half_and_steroids_to_both(result):
    verdicts = result.verdicts.set_index("claim_id")["verdict"]
    assert verdicts["t2.prior_lines.total.max"] == CONSISTENT  # 3, also printed in the text
    assert verdicts["t2.prior_lines.non_toci.max"] == INCONSISTENT  # 3.5 fails on its own
    assert verdicts["t2.steroid_mpe_mg.total.max"] == verdicts["t2.steroid_mpe_mg.toci.max"] == INCONSISTENT


@pytest.mark.parametrize(
    "group, stat, quantity, fragment",
    [
        ("toci_vs_non_toci", "p", "pfs", "survival"),
        ("toci_vs_non_toci", "p", "age", "measured values"),
        ("literature", "value", "fda_approved_cart_products", "cited literature"),
        ("guideline", "value", "dexamethasone_dose", "guideline"),
        ("study", "value", "spss_version", "protocol"),
        ("pt4", "value", "toci_administration_day", "named patient"),
        ("toci", "max", "toci_doses", "treatment records"),
        ("non_toci_steroid_only", "count", "icans", "patient-level records"),
    ],
)
def test_not_checkable_notes_go_by_kind_of_number(quantities, group, stat, quantity, fragment):
    """Whether a quantity is a survival endpoint is data (quantities.csv, rule "survival")."""
    survival = quantities.at[quantity, "rule"] == "survival"
    assert fragment in not_checkable_note({"group": group, "stat": stat, "quantity": quantity}, survival=survival)


def test_the_note_of_a_claim_no_check_reaches_says_what_would_settle_it(result):
    rows = result.verdicts.set_index("claim_id")
    unchecked = rows[rows["verdict"] == NOT_CHECKABLE]
    assert (unchecked["note"] != "").all() and (unchecked["n_checks"] == 0).sum() > 0
    assert rows.loc["res.pfs.p", "verdict"] == NOT_CHECKABLE and "survival comparison" in rows.loc["res.pfs.p", "note"]
    assert list(result.verdicts.columns) == ["claim_id", "section", "location", "printed", "recomputed", "method",
                                             "verdict", "assumption", "note", "check_id", "anchor", "page", "link",
                                             "n_checks"]


def test_every_claim_links_to_its_row_on_the_audit_page_that_decides_it(result):
    rows = result.verdicts
    assert (rows["link"] == rows["page"] + ".html#claim-" + rows["claim_id"]).all()
    assert set(rows["page"]) == {"notebooks/11_audit_table2", "notebooks/12_audit_results_text",
                                 "notebooks/13_audit_other_sections"}
    male = rows.set_index("claim_id").loc["t2.male.p_bonf"]
    assert male["link"] == "notebooks/11_audit_table2.html#claim-t2.male.p_bonf"


def test_an_audit_page_lists_each_claim_it_decides_as_a_row_with_the_claims_permalink_id(result):
    shown = result.claims_on_page("notebooks/11_audit_table2").data
    on_page = result.verdicts[result.verdicts["page"] == "notebooks/11_audit_table2"]["claim_id"]
    assert shown.count('<tr id="claim-') == len(on_page) > 100
    assert '<tr id="claim-t2.male.p_bonf">' in shown and 'href="#claim-t2.male.p_bonf"' in shown


def test_a_conflict_is_charged_to_every_member_no_exact_check_holds_in_place(inputs):
    """Three numbers take part in one failure (any one could be wrong); one of them is also in a passing sum,
    which changing it would break, so the other two are charged. With every member held, all are."""
    claims = _synthetic(
        ("res.a", "results", "text", "25", "q", "", "total", "count", "a"),
        ("res.b", "results", "text", "10", "q", "", "total", "count", "b"),
        ("t2.c", "table2", "table", "30", "q", "", "toci", "min", "c"),
        ("res.d", "results", "text", "10", "q", "", "total", "count", "d"),
    )
    failed = AuditCheck("users:x", "steroid_users", "audit-results-treatment", ("res.a",), ("res.b", "t2.c"), False,
                        "25", "27", "sum", repair_ids=("res.a", "res.b", "t2.c"))
    held = AuditCheck("sum:x", "sum", "audit-results-treatment", ("res.b", "res.d"), (), True, "10", "10", "sum",
                      peer=True)
    rows = combine_verdicts(replace(inputs, claims=claims), [failed, held]).set_index("claim_id")
    assert list(rows["verdict"]) == [INCONSISTENT, CONSISTENT, INCONSISTENT, CONSISTENT]
    assert rows.loc["t2.c", "check_id"] == "users:x" and "res.b (10, held in place by other checks)" in rows.loc[
        "t2.c", "note"]
    everything_held = AuditCheck("sum:y", "sum", "audit-results-treatment", ("res.a", "t2.c"), (), True, "", "", "",
                                 peer=True)
    rows = combine_verdicts(replace(inputs, claims=claims), [failed, held, everything_held]).set_index("claim_id")
    assert set(rows.loc[["res.a", "res.b", "t2.c"], "verdict"]) == {INCONSISTENT}


def test_a_peer_failure_goes_to_the_member_that_alone_fails_a_check_of_its_own(inputs):
    """84.8 fails its own percentage check alone, so the failed comparison with 84.4 is charged to it; a member
    charged together with others elsewhere does not count as failing on its own."""
    claims = _synthetic(
        ("res.a", "results", "text", "84.8", "q", "", "total", "percent", "a"),
        ("t2.a", "table2", "table", "84.4", "q", "", "total", "percent", "a"),
        ("t2.b", "table2", "table", "7", "r", "", "total", "count", "b"),
    )
    own = AuditCheck("percentage:res.a", "percentage", "audit-results-baseline", ("res.a",), (), False, "", "", "")
    shared = AuditCheck("x:shared", "steroid_users", "audit-results-treatment", ("t2.a",), ("t2.b",), False,
                        "", "", "", repair_ids=("t2.a", "t2.b"))
    rows = combine_verdicts(replace(inputs, claims=claims), [own, shared, _peer("printings:a", ["res.a", "t2.a"], False)])
    charged = dict(zip(rows["claim_id"], rows["verdict"]))
    assert charged == {"res.a": INCONSISTENT, "t2.a": INCONSISTENT, "t2.b": INCONSISTENT}
    peer_rows = rows.set_index("claim_id")
    assert "printings:a" not in peer_rows.loc["t2.a", "note"].split("[")[0]  # decided by its shared failure


def test_a_verdict_rests_on_an_assumption_only_when_every_deciding_check_does(inputs):
    claims = _synthetic(
        ("res.a", "results", "text", "6.1", "q", "", "toci", "median", "a"),
        ("res.b", "results", "text", "5", "q", "", "toci", "median", "b"),
    )
    conditional = AuditCheck("summary:a", "summary", "audit-results-crs", ("res.a",), (), False, "", "", "",
                             assumption="durations are whole days")
    passing_if = AuditCheck("x:b", "summary", "audit-results-crs", ("res.b",), (), True, "", "", "",
                            assumption="the p tests the 2 x 3 table")
    plain = AuditCheck("y:b", "summary", "audit-results-crs", ("res.b",), (), True, "", "", "")
    rows = combine_verdicts(replace(inputs, claims=claims), [conditional, passing_if]).set_index("claim_id")
    assert rows.loc["res.a", "assumption"] == "durations are whole days" and rows.loc["res.a", "verdict"] == INCONSISTENT
    assert rows.loc["res.b", "assumption"] == "the p tests the 2 x 3 table"
    rows = combine_verdicts(replace(inputs, claims=claims), [conditional, passing_if, plain]).set_index("claim_id")
    assert rows.loc["res.b", "assumption"] == ""  # one check reaches it without the assumption
