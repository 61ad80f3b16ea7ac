"""The claims audit: every check wired to the registry, one verdict per claim, a stable export.

Outside sources: Zhou et al., Front Immunol 2025;16:1530623 (Table 2, Results, Table 1, Figure 1) for
the printed numbers, with the findings derived by hand from them:
* 38/45 = 84.44 %, printed 84.8 % in the Results (84.4 in Table 2); 2/45 = 4.44 %, printed 4.5 % (2/44 =
  4.55 %);
* Table 2's "P#" column is Bonferroni over its 10 p-values: 10 x 0.511 = 5.11 etc. are printed uncapped,
  min(1, m p) is 1;
* non-toci lines of therapy "2.5 (1.5-3.5)": whole-number lines cannot end on halves, and the pooled
  maximum 3 is not the non-toci maximum 3.5; corticosteroid dose: pooled maximum 800 vs group maxima 201
  and 80;
* corticosteroid users: Table 2's smallest toci dose is 30 mg, so all 17 toci patients got one, plus the
  text's 10 non-toci corticosteroid-only patients: 27, not 25; their doses lie at most 201 mg, and at
  least 9 + 10 = 19 of 27 at most 80 mg, so a median of 100 and a maximum of 302.5 cannot be;
* CRS duration "6.1 (2-14)" days in 17 patients: the median of 17 whole numbers is a whole number;
* ASTCT consensus (Lee et al. 2019): low flow is <= 6 L/min, Table 1 prints "is 6 L/min".
"""
import re
from pathlib import Path

import pandas as pd
import pytest

from crs_compendium import audit
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.registry import load_claims
from crs_compendium.reported import check_median_range
from crs_compendium.verdicts import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, VERDICTS

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
AUDIT_NOTEBOOKS = ("11_audit_table2.md", "12_audit_results_text.md", "13_audit_other_sections.md")

EXPECTED_INCONSISTENT = {
    "res.high_risk.total.pct",  # 84.8 % is not 38/45
    "res.icans.total.pct",  # 4.5 % is 2/44, not 2/45
    "t2.male.p_bonf", "t2.high_risk.p_bonf", "t2.prior_lines.p_bonf",  # Bonferroni values above 1
    "t2.prior_allo_sct.p_bonf", "t2.cart_dose.p_bonf", "t2.icans.p_bonf",
    "t2.prior_lines.non_toci.min", "t2.prior_lines.non_toci.max",  # half lines of therapy
    "t2.steroid_mpe_mg.total.max", "t2.steroid_mpe_mg.toci.max",  # pooled max 800 vs group max 201
    "res.steroid_use.total.count",  # 25 users, but 17 + 10 = 27
    "res.steroid_mpe_mg.steroid_users.median", "res.steroid_mpe_mg.steroid_users.max",  # 100 and 302.5 mg
    "res.crs_duration.toci.median",  # 6.1 days as the median of 17 whole days
    "t1.footnote.low_flow",  # "is 6 L/min" where the consensus says <= 6
}


@pytest.fixture(scope="module")
def claims():
    return load_claims()


@pytest.fixture(scope="module")
def result(claims):
    return audit.run_audit(claims)


def _check(result, check_id):
    return result.check(check_id)


# --------------------------------------------------------------------------------------------------------
# The whole audit
# --------------------------------------------------------------------------------------------------------
def test_every_claim_gets_exactly_one_row(result, claims):
    assert len(result.verdicts) == len(claims) == 307
    assert list(result.verdicts["claim_id"]) == list(claims["claim_id"])
    assert set(result.verdicts["verdict"]) <= set(VERDICTS)
    assert sum(result.counts().values()) == 307


def test_the_audit_finds_exactly_the_known_inconsistencies(result):
    found = set(result.verdicts.loc[result.verdicts["verdict"] == INCONSISTENT, "claim_id"])
    assert found == EXPECTED_INCONSISTENT


def test_inconsistencies_list_each_failing_check_with_its_charged_claims(result):
    listed = result.inconsistencies()
    assert set(", ".join(listed["claims"]).split(", ")) == EXPECTED_INCONSISTENT
    row = listed.set_index("check_id").loc["percentage:res.high_risk.total.pct"]
    assert row["printed"] == "84.8" and row["recomputed"] == "38/45 = 84.4"
    assert row["anchor"] == "audit-results-baseline"


def test_counts_by_section_add_up(result):
    table = result.counts_by_section()
    assert list(table.index) == [*audit.SECTION_ORDER, "all sections"]
    assert table.loc["all sections", "claims"] == 307
    assert (table[list(VERDICTS)].sum(axis=1) == table["claims"]).all()


def test_export_has_the_columns_is_sorted_and_byte_stable(result, claims, tmp_path):
    export = result.export()
    assert tuple(export.columns) == audit.EXPORT_COLUMNS
    assert list(export["claim_id"]) == sorted(claims["claim_id"])
    first = audit.write_csv_atomic(export, tmp_path / "a" / "claims.csv").read_bytes()
    second = audit.write_csv_atomic(audit.run_audit(claims).export(), tmp_path / "b" / "claims.csv").read_bytes()
    assert first == second and b"\r\n" not in first
    assert first.decode("utf-8").splitlines()[0] == ",".join(audit.EXPORT_COLUMNS)


def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "claims.csv"
    audit.write_csv_atomic(pd.DataFrame({"x": ["old"]}), path)
    audit.write_csv_atomic(pd.DataFrame({"x": ["new"]}), path)
    assert path.read_text() == "x\nnew\n"
    assert [p.name for p in tmp_path.iterdir()] == ["claims.csv"]


def test_every_anchor_is_a_label_in_the_audit_notebooks(result):
    labels = set()
    for name in AUDIT_NOTEBOOKS:
        labels |= set(re.findall(r"^\((audit-[a-z0-9-]+)\)=$", (NOTEBOOKS / name).read_text(), re.MULTILINE))
    used = {check.anchor for check in result.checks} | set(result.verdicts["anchor"]) | set(result.statements["anchor"])
    assert used <= labels, f"anchors without a label: {sorted(used - labels)}"


def test_check_lookup_and_tables(result):
    check = result.check("bonferroni:t2.male.p_bonf")
    assert repr(check).startswith("inconsistent: bonferroni:t2.male.p_bonf: 5.11 -> min(1, 10 x 0.511) = 1.00")
    assert list(result.checks_at("audit-table2-bonferroni").columns) == [
        "printed", "recomputed", "method", "verdict", "note"]
    assert result.claims_in("table1").shape[0] == 11
    with pytest.raises(InvalidInputError, match="no check"):
        result.check("nothing:here")
    with pytest.raises(InvalidInputError, match="no check is shown"):
        result.checks_at("audit-nowhere")


# --------------------------------------------------------------------------------------------------------
# Each wiring function
# --------------------------------------------------------------------------------------------------------
def test_percentages_find_their_count_and_denominator(claims):
    checks = {check.check_id: check for check in audit.percentage_checks(claims)}
    assert len(checks) == len(claims[claims["stat"] == "percent"])
    text = checks["percentage:res.high_risk.total.pct"]
    assert text.claim_ids == ("res.high_risk.total.pct", "res.high_risk.total.count")
    assert text.charged_ids == ("res.high_risk.total.pct",) and text.given_ids == ("res.high_risk.total.n",)
    assert checks["percentage:t2.male.toci.pct"].given_ids == ("t2.header.toci.n",)
    assert checks["percentage:t2.male.toci.pct"].recomputed == "8/17 = 47.1"
    assert "denominators near 45 that fit n = 2: 44" in checks["percentage:res.icans.total.pct"].note
    # two decimals are checked at two decimals: 16/17 = 94.1176..., 24/28 = 85.714...
    assert checks["percentage:res.response_d28.mrd_neg_cr.toci.pct"].recomputed == "16/17 = 94.12"
    assert checks["percentage:res.response_d28.mrd_neg_cr.non_toci.pct"].consistent


def test_printed_denominators_are_the_group_sizes(claims):
    checks = {check.check_id: check for check in audit.denominator_checks(claims)}
    assert checks["denominator:res.male.total.n"].given_ids == ("t2.header.total.n",)
    assert all(check.consistent for check in checks.values())


def test_group_sums_cover_every_table2_category_and_the_text_response(claims):
    checks = {check.check_id: check for check in audit.group_sum_checks(claims)}
    assert len([c for c in checks if c.startswith("group_sum:table2.")]) == 11
    male = checks["group_sum:table2.male"]
    assert male.claim_ids == ("t2.male.toci.count", "t2.male.non_toci.count", "t2.male.total.count")
    assert male.printed == "8 + 16 = 24" and male.peer
    assert checks["group_sum:results.response_d28.MRD-CR"].recomputed == "16 + 24 = 40"
    assert all(check.consistent for check in checks.values())


def test_partitions_add_up_to_group_sizes_and_100_percent(claims):
    checks = {check.check_id: check for check in audit.partition_checks(claims)}
    assert checks["partition:table2.crs_grade.toci.count"].printed == "0 + 0 + 8 + 9 = 17"
    assert checks["partition:table2.blasts_bin.non_toci.percent"].recomputed == "82.1 + 7.1 + 10.7 = 99.9"
    assert checks["partition:results.response_d28.total.count"].claim_ids[-1] == "res.response_d28.total.n"
    assert len(checks) == 2 * 6 + 2 and all(check.consistent for check in checks.values())


def test_failed_summary_rules_are_charged_to_the_cells_they_concern(claims):
    checks = {check.check_id: check for check in audit.summary_checks(claims)}
    lines = checks["summary:table2.prior_lines.non_toci"]
    assert not lines.consistent
    assert lines.charged_ids == ("t2.prior_lines.non_toci.min", "t2.prior_lines.non_toci.max")
    duration = checks["summary:results.crs_duration.toci"]
    assert duration.charged_ids == ("res.crs_duration.toci.median",) and "whole days" in duration.note
    assert checks["summary:results.crs_duration.non_toci"].consistent  # 5.5 of 28 whole days is fine


@pytest.mark.parametrize(
    "median, low, high, n, integer, charged",
    [
        ("2", "3", "1", None, False, {"median", "min", "max"}),  # reversed range, median outside it
        ("5", "1", "3", None, False, {"median", "min", "max"}),  # median outside its range
        ("2", "1.5", "3", 28, True, {"min"}),  # a half range end
        ("2.25", "1", "3", None, True, {"median"}),  # not a whole or half number
        ("2.5", "1", "3", 17, True, {"median"}),  # odd n needs a whole median
        ("2", "1", "3", 1, False, {"median", "min", "max"}),  # n = 1: all three coincide
    ],
)
def test_every_median_rule_message_maps_to_its_cells(median, low, high, n, integer, charged):
    """The charge follows the sentences check_median_range writes; a new wording falls back to all cells."""
    cells = {"median": {"claim_id": "m", "printed": median}, "min": {"claim_id": "min", "printed": low},
             "max": {"claim_id": "max", "printed": high}}
    result = check_median_range(median, low, high, n=n, integer_valued=integer)
    assert not result.consistent
    names = {"m": "median", "min": "min", "max": "max"}
    assert {names[c] for c in audit._charged_cells(result.failures, cells)} == charged
    assert set(audit._charged_cells(["a rule nobody has written yet"], cells)) == {"m", "min", "max"}


def test_pooled_ranges_are_peer_checks_of_the_extreme_group_end(claims):
    checks = {check.check_id: check for check in audit.pooled_checks(claims)}
    assert len(checks) == 3 * 5
    steroid = checks["pooled_max:table2.steroid_mpe_mg"]
    assert steroid.claim_ids == ("t2.steroid_mpe_mg.total.max", "t2.steroid_mpe_mg.toci.max")
    assert not steroid.consistent and steroid.recomputed == "largest group maximum 201" and steroid.peer
    lines = checks["pooled_max:table2.prior_lines"]
    assert lines.claim_ids == ("t2.prior_lines.total.max", "t2.prior_lines.non_toci.max")
    assert checks["pooled_median:table2.age"].recomputed == "between the group medians 32 and 42"
    assert checks["pooled_min:table2.prior_lines"].consistent


def test_the_peer_rule_charges_lines_to_the_half_and_steroids_to_both(result):
    verdicts = result.verdicts.set_index("claim_id")["verdict"]
    assert verdicts["t2.prior_lines.total.max"] == CONSISTENT  # 3, also printed in the text
    assert verdicts["t2.prior_lines.non_toci.max"] == INCONSISTENT  # 3.5 fails on its own
    assert verdicts["t2.steroid_mpe_mg.total.max"] == verdicts["t2.steroid_mpe_mg.toci.max"] == INCONSISTENT


def test_blast_medians_lie_in_the_median_category(claims):
    checks = {check.check_id: check for check in audit.binned_median_checks(claims)}
    assert checks["binned_median:table2.blasts_pct.toci"].recomputed == "[30, 50]"
    assert checks["binned_median:table2.blasts_pct.total"].recomputed == "[0, 30]"
    assert checks["binned_max:table2.blasts_pct.toci"].recomputed == "[50, 100]"
    assert len(checks) == 9 and all(check.consistent for check in checks.values())


def test_bonferroni_uses_the_ten_p_values_of_table2(claims):
    checks = audit.bonferroni_checks(claims)
    assert len(checks) == 10 and all("the 10 p-values" in check.method for check in checks)
    failing = {check.claim_ids[0]: check.recomputed for check in checks if not check.consistent}
    assert failing == {
        "t2.male.p_bonf": "min(1, 10 x 0.511) = 1.00", "t2.high_risk.p_bonf": "min(1, 10 x 1.000) = 1",
        "t2.prior_lines.p_bonf": "min(1, 10 x 0.395) = 1.00", "t2.prior_allo_sct.p_bonf": "min(1, 10 x 1.000) = 1",
        "t2.cart_dose.p_bonf": "min(1, 10 x 0.106) = 1.00", "t2.icans.p_bonf": "min(1, 10 x 0.267) = 1.00",
    }


def test_count_tables_say_which_test_reproduces_each_p(claims):
    checks = {check.claim_ids[0]: check for check in audit.count_table_checks(claims)}
    assert set(checks) == {"t2.male.p", "t2.high_risk.p", "t2.prior_allo_sct.p", "t2.blasts_bin.p", "t2.crs_grade.p",
                           "t2.icans.p", "res.serious_infection.p", "res.response_d28.p"}
    assert all(check.consistent for check in checks.values())
    assert checks["t2.male.p"].result.reproducing == ("pearson", "likelihood_ratio")
    assert checks["t2.male.p"].result.table == ((8, 9), (16, 12))
    crs = checks["t2.crs_grade.p"]
    assert crs.result.reproducing == ("pearson",) and not crs.result.follows_rule
    assert "Fisher-Freeman-Halton exact 0.0130" in crs.note and "does not follow" in crs.note
    assert checks["t2.blasts_bin.p"].result.reproducing == ("fisher",) and checks["t2.blasts_bin.p"].result.follows_rule
    assert checks["t2.icans.p"].result.reproducing == ("yates",)
    assert checks["res.serious_infection.p"].result.reproducing == ("fisher",)
    response = checks["res.response_d28.p"]
    assert [c.table for c in response.result.reproducing] == [((16, 1, 0), (24, 3, 1))]
    assert "pins the unprinted cells" in response.note


def test_numbers_printed_twice_are_compared(claims):
    checks = audit.printing_checks(claims)
    assert len(checks) == 31
    assert {check.check_id for check in checks if not check.consistent} == {
        "printings:high_risk||total|percent", "printings:icans||total|percent"}


def test_link_file_is_read_and_bad_rows_are_refused(tmp_path):
    links = audit.load_links()
    assert set(links["check"]) == {"sum", "at_most", "flow", "table1"}
    bad = links.copy()
    bad.loc[0, "check"] = "guess"
    bad.loc[1, "claims"] = "a.b + c.d"
    bad.loc[2, "anchor"] = "somewhere"
    bad.loc[3, "link_id"] = bad.loc[4, "link_id"]
    path = tmp_path / "links.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(InvalidInputError) as error:
        audit.load_links(path)
    for fragment in ("check 'guess'", "do not read as a sum link", "is not an audit-", "duplicated link_id"):
        assert fragment in str(error.value)


def test_flow_and_table1_links_reuse_their_modules(claims):
    checks = {check.check_id: check for check in audit.link_checks(claims)}
    assert checks["flow:meth.flow.excluded"].recomputed == "progressed + short_follow_up + data_lost = 16"
    assert checks["flow:res.flow.progressed"].recomputed == "box progressed = 1"
    assert checks["table1:t1.grade1.fever"].consistent
    low_flow = checks["table1:t1.footnote.low_flow"]
    assert not low_flow.consistent and low_flow.recomputed == "low flow ≤ 6 L/min"
    edited = claims.copy()
    edited.loc[edited["claim_id"] == "meth.flow.excluded.count", "printed"] = "15"
    failed = {check.check_id: check for check in audit.link_checks(edited)}["flow:meth.flow.excluded"]
    assert not failed.consistent and failed.note.startswith("printed 15; flow statement methods.excluded_total")


def test_steroid_users_are_derived_from_table2(claims):
    checks = {check.check_id: check for check in audit.steroid_user_checks(claims)}
    assert checks["steroid_users:count"].recomputed == "17 + 10 = 27"
    assert checks["steroid_users:median"].recomputed == "[30, 80]"
    assert checks["steroid_users:min"].consistent and checks["steroid_users:min"].recomputed == "[0, 30]"
    assert checks["steroid_users:max"].recomputed == "201"
    edited = claims.copy()
    edited.loc[edited["claim_id"] == "t2.steroid_mpe_mg.toci.min", "printed"] = "0"
    assert audit.steroid_user_checks(edited) == []  # no longer follows that every toci patient had one


def _synthetic(*rows):
    columns = ["claim_id", "section", "location", "printed", "quantity", "category", "group", "stat", "statement"]
    return pd.DataFrame([dict(zip(columns, row)) for row in rows])


def _peer(check_id, ids, consistent):
    return audit.AuditCheck(check_id, "printings", "audit-results-cross-references", tuple(ids), (), consistent,
                            "x", "y", "z", peer=True)


def test_combine_charges_a_failed_peer_check_to_the_peer_that_fails_alone():
    claims = _synthetic(
        ("res.a", "results", "text", "84.8", "q", "", "total", "percent", "a"),
        ("t2.a", "table2", "table", "84.4", "q", "", "total", "percent", "a"),
        ("res.b", "results", "text", "7", "guess", "", "study", "value", "b"),
    )
    own = audit.AuditCheck("percentage:res.a", "percentage", "audit-results-baseline", ("res.a",), (), False,
                           "84.8", "84.4", "n/N")
    table = audit.AuditCheck("percentage:t2.a", "percentage", "audit-table2-percentages", ("t2.a",), (), True,
                             "84.4", "84.4", "n/N")
    rows = audit.combine_verdicts(claims, [own, table, _peer("printings:a", ["res.a", "t2.a"], False)])
    verdicts = dict(zip(rows["claim_id"], rows["verdict"]))
    assert verdicts == {"res.a": INCONSISTENT, "t2.a": CONSISTENT, "res.b": NOT_CHECKABLE}
    assert rows.set_index("claim_id").loc["res.a", "anchor"] == "audit-results-baseline"
    assert "also checked by: printings:a" in rows.set_index("claim_id").loc["res.a", "note"]
    both = audit.combine_verdicts(claims, [table, _peer("printings:a", ["res.a", "t2.a"], False)])
    assert set(both.loc[both["claim_id"] != "res.b", "verdict"]) == {INCONSISTENT}  # nobody fails alone


def test_a_check_must_judge_something_and_charge_only_what_it_judges():
    with pytest.raises(InvalidInputError, match="at least one claim"):
        audit.AuditCheck("x", "sum", "audit-x", (), (), True, "", "", "")
    with pytest.raises(InvalidInputError, match="among the judged"):
        audit.AuditCheck("x", "sum", "audit-x", ("a",), (), False, "", "", "", charged_ids=("b",))
    assert audit.AuditCheck("x", "sum", "audit-x", ("a", "b"), (), False, "", "", "").charged_ids == ("a", "b")


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
def test_not_checkable_notes_go_by_kind_of_number(group, stat, quantity, fragment):
    assert fragment in audit.not_checkable_note({"group": group, "stat": stat, "quantity": quantity})


def test_significance_statements_against_printed_and_adjusted_p(result):
    rows = result.statements.set_index("statement_id")
    assert rows.loc["res.tumour_load_higher", "verdict"] == INCONSISTENT  # 0.042, but P# 0.42
    assert rows.loc["res.crs_grade_higher", "verdict"] == INCONSISTENT  # 0.019, but P# 0.19
    assert rows.loc["res.steroid_dose_higher", "verdict"] == CONSISTENT  # 0.004 and P# 0.04
    assert rows.loc["res.baseline_similar", "adjusted p"] == "5.11, 10, 3.95, 10, 1.06"
    assert rows.loc["res.grade3_duration_shorter", "verdict"] == NOT_CHECKABLE
    assert rows.loc["res.cr_rate_similar", "against adjusted p"] == ""


def test_significance_file_is_validated(tmp_path):
    statements = audit.load_significance_statements()
    bad = statements.copy()
    bad.loc[0, "asserts"] = "probably"
    path = tmp_path / "statements.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(InvalidInputError, match="probably"):
        audit.load_significance_statements(path)


def test_exact_test_departures_are_the_asymptotic_only_p_values(result):
    """CRS grade (Pearson), ICANS (Yates) and the CR rate (Pearson, 2 x 3) where small expected counts call
    for the exact test; serious infection is reproduced by Fisher's exact test itself, valid everywhere."""
    assert result.exact_test_departures() == ["res.response_d28.p", "t2.crs_grade.p", "t2.icans.p"]


def test_markdown_lists_link_every_inconsistency_and_escape_the_text(result):
    text = result.inconsistencies_markdown()
    assert len(text.splitlines()) == len(result.inconsistencies())
    assert "{ref}`audit-table2-bonferroni`" in text and "uncapped m\\*p" in text and 'column "P\\#"' in text
    statements = result.statements_markdown()
    assert statements.count("\n") == 1 and "adjusted p = 0.42" in statements
    assert audit._markdown_text("a*b [c] {d} <e>") == "a\\*b \\[c\\] \\{d\\} \\<e\\>"
    assert audit._sentence("counts differ") == "Counts differ." and audit._sentence(" ") == ""


def test_a_percentage_without_any_printed_count_is_checked_grim_style(claims):
    """With no count printed anywhere, every n of N is tried: no n of 45 gives 84.8 % (or 84.4 %, 38 does)."""
    edited = claims[~claims["claim_id"].isin(["res.high_risk.total.count", "t2.high_risk.total.count"])]
    checks = {check.check_id: check for check in audit.percentage_checks(edited)}
    text, table = checks["percentage:res.high_risk.total.pct"], checks["percentage:t2.high_risk.total.pct"]
    assert not text.consistent and text.recomputed == "no n" and text.claim_ids == ("res.high_risk.total.pct",)
    assert table.consistent and table.recomputed == "38/45"
