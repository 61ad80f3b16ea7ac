"""The audit's check families (crs_compendium.audit.checks): each family applied to the registry, the claims
each check judges, takes as given and is charged with.

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
import pytest

from crs_compendium.audit import checks as check_families
from crs_compendium.audit.checks import (
    AuditCheck,
    _charged_cells,
    all_checks,
    binned_median_checks,
    bonferroni_checks,
    count_table_checks,
    denominator_checks,
    group_sum_checks,
    link_checks,
    partition_checks,
    percentage_checks,
    pooled_checks,
    printing_checks,
    steroid_user_checks,
    summary_checks,
)
from crs_compendium.audit.inputs import load_inputs
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.printed.summaries import check_median_range


def test_percentages_find_their_count_and_denominator(inputs):
    checks = {check.check_id: check for check in percentage_checks(inputs)}
    assert len(checks) == len(inputs.claims[inputs.claims["stat"] == "percent"])
    text = checks["percentage:res.high_risk.total.pct"]
    assert text.claim_ids == ("res.high_risk.total.pct", "res.high_risk.total.count")
    assert text.charged_ids == ("res.high_risk.total.pct",) and text.given_ids == ("res.high_risk.total.n",)
    assert checks["percentage:t2.male.toci.pct"].given_ids == ("t2.header.toci.n",)
    assert checks["percentage:t2.male.toci.pct"].recomputed == "8/17 = 47.1"
    assert "denominators near 45 that fit n = 2: 44" in checks["percentage:res.icans.total.pct"].note
    # two decimals are checked at two decimals: 16/17 = 94.1176..., 24/28 = 85.714...
    assert checks["percentage:res.response_d28.mrd_neg_cr.toci.pct"].recomputed == "16/17 = 94.12"
    assert checks["percentage:res.response_d28.mrd_neg_cr.non_toci.pct"].consistent


def test_a_percentage_without_any_printed_count_is_checked_grim_style(inputs):
    """With no count printed anywhere, every n of N is tried: no n of 45 gives 84.8 % (or 84.4 %, 38 does)."""
    edited = inputs.claims[~inputs.claims["claim_id"].isin(["res.high_risk.total.count", "t2.high_risk.total.count"])]
    checks = {check.check_id: check for check in percentage_checks(load_inputs(edited))}
    text, table = checks["percentage:res.high_risk.total.pct"], checks["percentage:t2.high_risk.total.pct"]
    assert not text.consistent and text.recomputed == "no n" and text.claim_ids == ("res.high_risk.total.pct",)
    assert table.consistent and table.recomputed == "38/45"


def test_printed_denominators_are_the_group_sizes(inputs):
    checks = {check.check_id: check for check in denominator_checks(inputs)}
    assert checks["denominator:res.male.total.n"].given_ids == ("t2.header.total.n",)
    assert all(check.consistent for check in checks.values())


def test_group_sums_cover_every_table2_category_and_the_text_response(inputs):
    checks = {check.check_id: check for check in group_sum_checks(inputs)}
    assert len([c for c in checks if c.startswith("group_sum:table2.")]) == 11
    male = checks["group_sum:table2.male"]
    assert male.claim_ids == ("t2.male.toci.count", "t2.male.non_toci.count", "t2.male.total.count")
    assert male.printed == "8 + 16 = 24" and male.peer
    assert checks["group_sum:results.response_d28.MRD-CR"].recomputed == "16 + 24 = 40"
    assert all(check.consistent for check in checks.values())


def test_partitions_add_up_to_group_sizes_and_100_percent(inputs):
    checks = {check.check_id: check for check in partition_checks(inputs)}
    assert checks["partition:table2.crs_grade.toci.count"].printed == "0 + 0 + 8 + 9 = 17"
    assert checks["partition:table2.blasts_bin.non_toci.percent"].recomputed == "82.1 + 7.1 + 10.7 = 99.9"
    assert checks["partition:results.response_d28.total.count"].claim_ids[-1] == "res.response_d28.total.n"
    assert len(checks) == 2 * 6 + 2 and all(check.consistent for check in checks.values())


def test_failed_summary_rules_are_charged_to_the_cells_they_concern(inputs):
    checks = {check.check_id: check for check in summary_checks(inputs)}
    lines = checks["summary:table2.prior_lines.non_toci"]
    assert not lines.consistent
    assert lines.charged_ids == ("t2.prior_lines.non_toci.min", "t2.prior_lines.non_toci.max")
    duration = checks["summary:results.crs_duration.toci"]
    assert duration.charged_ids == ("res.crs_duration.toci.median",) and "whole days" in duration.note
    # on real numbers 6.1 (2-14) is a fine summary, so the failure rests on reading durations as whole days
    assert duration.assumption == "durations are whole days" and duration.verdict.endswith("if durations are whole days")
    assert not lines.assumption  # lines of therapy are a count: no other reading
    # the cells a failure does not concern pass the rules that concern them, in a check of their own
    cleared = checks["summary:results.crs_duration.toci.cleared"]
    assert cleared.consistent and cleared.claim_ids == ("res.crs_duration.toci.min", "res.crs_duration.toci.max")
    assert "min 2: a whole number, at most the median 6.1" in cleared.recomputed
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
    assert {names[c] for c in _charged_cells(result.failures, cells)} == charged
    assert set(_charged_cells(["a rule nobody has written yet"], cells)) == {"m", "min", "max"}


def test_pooled_ranges_are_peer_checks_of_the_extreme_group_end(inputs):
    checks = {check.check_id: check for check in pooled_checks(inputs)}
    assert len(checks) == 3 * 5
    steroid = checks["pooled_max:table2.steroid_mpe_mg"]
    assert steroid.claim_ids == ("t2.steroid_mpe_mg.total.max", "t2.steroid_mpe_mg.toci.max")
    assert not steroid.consistent and steroid.recomputed == "largest group maximum 201" and steroid.peer
    # 800 above both group maxima: lowering it, or raising either group's maximum, alone resolves it
    assert steroid.repair_ids == ("t2.steroid_mpe_mg.total.max", "t2.steroid_mpe_mg.toci.max",
                                  "t2.steroid_mpe_mg.non_toci.max")
    lines = checks["pooled_max:table2.prior_lines"]
    assert lines.claim_ids == ("t2.prior_lines.total.max", "t2.prior_lines.non_toci.max")
    # 3 below the non-toci 3.5 only: lowering 3.5, or raising the pooled 3, resolves it; the toci 3 cannot
    assert lines.repair_ids == ("t2.prior_lines.total.max", "t2.prior_lines.non_toci.max")
    assert checks["pooled_median:table2.age"].recomputed == "between the group medians 32 and 42"
    assert checks["pooled_min:table2.prior_lines"].consistent


def test_blast_medians_lie_in_the_median_category(inputs):
    checks = {check.check_id: check for check in binned_median_checks(inputs)}
    assert checks["binned_median:table2.blasts_pct.toci"].recomputed == "[30, 50]"
    assert checks["binned_median:table2.blasts_pct.total"].recomputed == "[0, 30]"
    assert checks["binned_max:table2.blasts_pct.toci"].recomputed == "[50, 100]"
    assert len(checks) == 9 and all(check.consistent for check in checks.values())


def test_bonferroni_uses_the_ten_p_values_of_table2(inputs):
    checks = bonferroni_checks(inputs)
    assert len(checks) == 10 and all("the 10 p-values" in check.method for check in checks)
    failing = {check.claim_ids[0]: check.recomputed for check in checks if not check.consistent}
    assert failing == {
        "t2.male.p_bonf": "min(1, 10 x 0.511) = 1.00", "t2.high_risk.p_bonf": "min(1, 10 x 1.000) = 1",
        "t2.prior_lines.p_bonf": "min(1, 10 x 0.395) = 1.00", "t2.prior_allo_sct.p_bonf": "min(1, 10 x 1.000) = 1",
        "t2.cart_dose.p_bonf": "min(1, 10 x 0.106) = 1.00", "t2.icans.p_bonf": "min(1, 10 x 0.267) = 1.00",
    }


def test_count_tables_say_which_test_reproduces_each_p(inputs):
    checks = {check.claim_ids[0]: check for check in count_table_checks(inputs)}
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


def test_numbers_printed_twice_are_compared(inputs):
    checks = printing_checks(inputs)
    assert len(checks) == 34  # 31 + the grade labels "3" (four printings), "1" and "2" of the duration strata
    assert {check.check_id for check in checks if not check.consistent} == {
        "printings:high_risk||total|percent", "printings:icans||total|percent"}


def test_flow_and_table1_links_reuse_their_modules(inputs):
    checks = {check.check_id: check for check in link_checks(inputs)}
    assert checks["flow:meth.flow.excluded"].recomputed == "progressed + short_follow_up + data_lost = 16"
    assert checks["flow:res.flow.progressed"].recomputed == "box progressed = 1"
    assert checks["table1:t1.grade1.fever"].consistent
    low_flow = checks["table1:t1.footnote.low_flow"]
    assert not low_flow.consistent and low_flow.recomputed == "low flow ≤ 6 L/min"
    edited = inputs.claims.copy()
    edited.loc[edited["claim_id"] == "meth.flow.excluded.count", "printed"] = "15"
    failed = {check.check_id: check for check in link_checks(load_inputs(edited))}["flow:meth.flow.excluded"]
    assert not failed.consistent and failed.note.startswith("printed 15; flow statement methods.excluded_total")


def test_steroid_users_are_derived_from_table2(inputs):
    checks = {check.check_id: check for check in steroid_user_checks(inputs)}
    assert checks["steroid_users:count"].recomputed == "17 + 10 = 27"
    assert checks["steroid_users:median"].recomputed == "[30, 80]"
    assert checks["steroid_users:min"].consistent and checks["steroid_users:min"].recomputed == "[0, 30]"
    assert checks["steroid_users:max"].recomputed == "201"
    # the conflict sets: any one of these numbers, changed alone, lets the check pass
    assert checks["steroid_users:count"].repair_ids == (
        "res.steroid_use.total.count", "res.steroid_without_toci.non_toci.count", "t2.header.toci.n",
        "t2.steroid_mpe_mg.toci.min")
    assert checks["steroid_users:median"].repair_ids == (
        "res.steroid_mpe_mg.steroid_users.median", "t2.steroid_mpe_mg.toci.median", "t2.steroid_mpe_mg.non_toci.max")
    assert checks["steroid_users:max"].repair_ids == (
        "res.steroid_mpe_mg.steroid_users.max", "t2.steroid_mpe_mg.toci.max", "t2.steroid_mpe_mg.non_toci.max")
    assert checks["steroid_users:median"].assumption and not checks["steroid_users:count"].assumption
    edited = inputs.claims.copy()
    edited.loc[edited["claim_id"] == "t2.steroid_mpe_mg.toci.min", "printed"] = "0"
    assert steroid_user_checks(load_inputs(edited)) == []  # no longer follows that every toci patient had one


def test_a_check_must_judge_something_and_charge_only_what_it_judges():
    with pytest.raises(InvalidInputError, match="at least one claim"):
        AuditCheck("x", "sum", "audit-x", (), (), True, "", "", "")
    with pytest.raises(InvalidInputError, match="among the judged"):
        AuditCheck("x", "sum", "audit-x", ("a",), (), False, "", "", "", charged_ids=("b",))
    with pytest.raises(InvalidInputError, match="conflict set"):
        AuditCheck("x", "sum", "audit-x", ("a",), ("b",), False, "", "", "", repair_ids=("c",))
    failed = AuditCheck("x", "sum", "audit-x", ("a", "b"), (), False, "", "", "")
    assert failed.charged_ids == failed.repair_ids == ("a", "b")
    assert AuditCheck("x", "sum", "audit-x", ("a",), ("b",), False, "", "", "", repair_ids=("a", "b")).repair_ids == \
        ("a", "b")


def test_all_checks_run_every_family_once_and_name_registry_claims_only(inputs, result):
    """run_audit's checks are all_checks(inputs) (computed once for the audit tests, tests/audit/conftest.py)."""
    everything = result.checks
    assert [check.check_id for check in everything[:3]] == [check.check_id for check in
                                                             percentage_checks(inputs)[:3]]
    ids = [check.check_id for check in everything]
    assert len(ids) == len(set(ids))
    assert {check.family for check in everything} == {
        "percentage", "denominator", "group_sum", "partition", "summary", "pooled", "binned", "bonferroni",
        "count_table", "measured_p", "steroid_users", "stratified", "sum", "at_most", "equal", "flow", "table1",
        "cases_at_most", "case_among", "cases_distinct", "dose_count", "dosing_hours", "day_order", "same_strata",
        "printings"}
    known = set(inputs.claims["claim_id"])
    assert {claim for check in everything for claim in (*check.claim_ids, *check.given_ids)} <= known
    assert all(check.anchor.startswith("audit-") for check in everything)


def test_all_checks_refuses_duplicated_check_ids(inputs, monkeypatch):
    monkeypatch.setattr(check_families, "_FAMILIES", (percentage_checks, percentage_checks))
    with pytest.raises(InvalidInputError, match="duplicated check id"):
        all_checks(inputs)
    monkeypatch.setattr(check_families, "_FAMILIES", (denominator_checks,))
    assert [check.family for check in all_checks(inputs)] == ["denominator"] * len(denominator_checks(inputs))
