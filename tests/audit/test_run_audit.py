"""The claims audit of the whole registry (crs_compendium.audit: run_audit and Audit): one verdict per claim,
the tables each audit page shows, and a stable export.

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
* ASTCT consensus (Lee et al. 2019): low flow is <= 6 L/min, Table 1 prints "is 6 L/min";
* conflict sets: Table 2's smallest toci dose of 30 mg (at 0 mg two toci patients could have had none, and
  15 + 10 = 25), its toci median of 60 mg and non-toci maximum of 80 mg (either at 100 mg would admit the
  text's median of 100 mg among the users) and its toci maximum of 201 mg (at 302.5 mg the users' maximum
  could be 302.5) take part in the corticosteroid conflicts as much as the text's numbers; the pooled
  maximum of 800 mg is reached by raising either group's maximum; the Discussion's "grade 2" is not the
  "grade 1-2" of Figure 2B and the Results, since 7 patients had grade 1 CRS.
"""
import re
from pathlib import Path

import pytest

from crs_compendium.audit import EXPORT_COLUMNS, Audit, run_audit
from crs_compendium.exceptions import InvalidInputError
from crs_compendium.files import write_csv_atomic
from crs_compendium.vocab import AUDIT_VERDICTS, CONSISTENT, INCONSISTENT, NOT_CHECKABLE, SECTION_ORDER

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
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
    # conflict sets: every number whose change alone resolves a conflict and no exact check holds in place
    "t2.steroid_mpe_mg.toci.min", "t2.steroid_mpe_mg.toci.median", "t2.steroid_mpe_mg.non_toci.max",
    "disc.duration_strata.mild.value",  # "grade 2" where Figure 2B and the Results say "grade 1-2"
}
EXPECTED_ON_AN_ASSUMPTION = {
    "res.crs_duration.toci.median": ("inconsistent", "durations are whole days"),
    "res.steroid_mpe_mg.steroid_users.median": ("inconsistent", "cumulative dose"),
    "res.steroid_mpe_mg.steroid_users.max": ("inconsistent", "cumulative dose"),
    "t2.steroid_mpe_mg.toci.median": ("inconsistent", "cumulative dose"),
    "res.response_d28.p": ("consistent", "2 x 3 table"),
    "t2.prior_lines.p": ("consistent", "multiples of 0.5"),
    "fig2.significance.star": ("consistent", "fractions of a day"),
    "fig2.significance.ns": ("consistent", "fractions of a day"),
    "res.case_persistent_expansion.pt4": ("consistent", "among its 7 patients"),
    "res.case_persistent_expansion.pt11": ("consistent", "among its 7 patients"),
    "res.case_gvhd.pt5": ("consistent", "earlier allogeneic transplant"),
}


def test_every_claim_gets_exactly_one_row(result, claims):
    assert len(result.verdicts) == len(claims) > 0
    assert list(result.verdicts["claim_id"]) == list(claims["claim_id"])
    assert set(result.verdicts["verdict"]) <= set(AUDIT_VERDICTS)
    assert sum(result.counts().values()) == len(claims)


def test_the_audit_finds_exactly_the_known_inconsistencies(result):
    found = set(result.verdicts.loc[result.verdicts["verdict"] == INCONSISTENT, "claim_id"])
    assert found == EXPECTED_INCONSISTENT


def test_verdicts_that_rest_on_an_assumption_say_so_and_are_counted_apart(result):
    rows = result.verdicts.set_index("claim_id")
    conditional = rows[rows["assumption"] != ""]
    assert set(conditional.index) == set(EXPECTED_ON_AN_ASSUMPTION)
    for claim_id, (verdict, words) in EXPECTED_ON_AN_ASSUMPTION.items():
        assert rows.loc[claim_id, "verdict"] == verdict and words in rows.loc[claim_id, "assumption"], claim_id
    split = result.counts_with_assumptions()
    assert split["on an assumption"].sum() == len(EXPECTED_ON_AN_ASSUMPTION)
    assert (split["all"] == [result.counts()[word] for word in AUDIT_VERDICTS]).all()
    assert set(result.assumptions().index) == set(EXPECTED_ON_AN_ASSUMPTION)


def test_no_export_row_contradicts_itself(result):
    """A consistent or inconsistent row shows the check that decides it, with that check's own outcome; a row
    not checkable shows no check at all, and says what data would settle it."""
    checks = {check.check_id: check for check in result.checks}
    export = result.export()
    for row, decided in zip(export.to_dict("records"), result.verdicts.set_index("claim_id").loc[export["claim_id"],
                                                                                                  "check_id"]):
        if row["verdict"] == NOT_CHECKABLE:
            assert row["recomputed"] == row["method"] == row["assumption"] == "" and row["note"], row["claim_id"]
            continue
        check = checks[decided]
        assert row["method"].startswith(f"{decided}: ") and row["recomputed"] == check.recomputed, row["claim_id"]
        assert check.consistent == (row["verdict"] == CONSISTENT), row["claim_id"]
        assert row["claim_id"] in (*check.claim_ids, *check.repair_ids)
        if row["verdict"] == CONSISTENT:
            failure_words = ("no sample", "no table", "no allowed test", "cannot")
            assert not any(word in row["recomputed"] for word in failure_words), row["claim_id"]
        if row["assumption"]:
            assert check.assumption and check.assumption in row["assumption"]


def test_a_conflict_lists_every_cell_that_takes_part_in_it(result):
    """Where changing any one of several numbers would resolve a conflict, all of them not held in place by
    an exact check are charged, and the listing names the whole conflict set."""
    listed = result.inconsistencies().set_index("check_id")
    count = listed.loc["steroid_users:count"]
    assert count["claims"] == "res.steroid_use.total.count, t2.steroid_mpe_mg.toci.min"
    assert "res.steroid_without_toci.non_toci.count (10)" in count["conflict set"]  # held by 1 + 3 + 6 + 0 = 10
    pooled = listed.loc["pooled_max:table2.steroid_mpe_mg"]
    assert pooled["claims"] == ("t2.steroid_mpe_mg.total.max, t2.steroid_mpe_mg.toci.max, "
                                "t2.steroid_mpe_mg.non_toci.max")
    icans = listed.loc["percentage:res.icans.total.pct"]  # 2/44 would print 4.5, but 45 is held by many checks
    assert icans["claims"] == "res.icans.total.pct" and "t2.header.total.n (45)" in icans["conflict set"]
    note = result.verdicts.set_index("claim_id").loc["t2.steroid_mpe_mg.toci.min", "note"]
    assert "conflict set of steroid_users:count" in note and "held in place by other checks" in note


def test_inconsistencies_list_each_failing_check_with_its_charged_claims(result):
    listed = result.inconsistencies()
    assert set(", ".join(listed["claims"]).split(", ")) == EXPECTED_INCONSISTENT
    row = listed.set_index("check_id").loc["percentage:res.high_risk.total.pct"]
    assert row["printed"] == "84.8" and row["recomputed"] == "38/45 = 84.4"
    assert row["anchor"] == "audit-results-baseline"


def test_counts_by_section_add_up(result, claims):
    table = result.counts_by_section()
    assert list(table.index) == [*SECTION_ORDER, "all sections"]
    assert table.loc["all sections", "claims"] == len(claims)
    assert (table[list(AUDIT_VERDICTS)].sum(axis=1) == table["claims"]).all()


def test_export_has_the_columns_is_sorted_and_byte_stable(result, claims, tmp_path):
    export = result.export()
    assert tuple(export.columns) == EXPORT_COLUMNS
    assert list(export["claim_id"]) == sorted(claims["claim_id"])
    first = write_csv_atomic(export, tmp_path / "a" / "claims.csv").read_bytes()
    second = write_csv_atomic(run_audit(claims).export(), tmp_path / "b" / "claims.csv").read_bytes()
    assert first == second and b"\r\n" not in first
    assert first.decode("utf-8").splitlines()[0] == ",".join(EXPORT_COLUMNS)


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


def test_exact_test_departures_are_the_asymptotic_only_p_values(result):
    """CRS grade (Pearson), ICANS (Yates) and the CR rate (Pearson, 2 x 3) where small expected counts call
    for the exact test; serious infection is reproduced by Fisher's exact test itself, valid everywhere."""
    assert result.exact_test_departures() == ["res.response_d28.p", "t2.crs_grade.p", "t2.icans.p"]


def test_p_value_tests_of_a_section_and_the_claims_it_shows(result):
    tests = result.p_value_tests("audit-table2-p-values")
    assert tests.loc["t2.male.p", "table (toci / non-toci)"] == "8-9 / 16-12"
    assert tests.loc["t2.crs_grade.p", "rule followed"] == "no"
    assert tests.loc["t2.blasts_bin.p", "rule followed"] == "yes"
    response = result.p_value_tests("audit-results-response")
    assert response.loc["res.response_d28.p", "table (toci / non-toci)"] == "unprinted cells searched"
    with pytest.raises(InvalidInputError, match="no count-table p-value"):
        result.p_value_tests("audit-table2-bonferroni")
    shown = result.claims_at("audit-table2-bonferroni")
    assert set(shown.loc[shown["verdict"] == INCONSISTENT].index) == {
        "t2.male.p_bonf", "t2.high_risk.p_bonf", "t2.prior_lines.p_bonf", "t2.prior_allo_sct.p_bonf",
        "t2.cart_dose.p_bonf", "t2.icans.p_bonf"}
    assert isinstance(result, Audit) and result.counts(result.verdicts.head(0)) == dict.fromkeys(AUDIT_VERDICTS, 0)
