"""Tests of the claims registry (data/published/claims.csv) and of its loader, crs_compendium.printed.registry.

The outside source for the transcription checks is the paper: Zhou et al., Front. Immunol. 2025;16:1530623,
doi:10.3389/fimmu.2025.1530623. Every expected string below is copied from the place in the paper the test
names, not from the registry.
"""
import re

import pytest

from crs_compendium.exceptions import InvalidInputError
from crs_compendium.numbers import parse_printed
from crs_compendium.paths import PAPER_TEXT
from crs_compendium.printed.registry import (
    Violation,
    claim_record,
    claims_for,
    cross_references,
    find_violations,
    first_claim,
    load_claims,
    load_schema,
    printed_categories,
    printed_value,
)

HEADER = "claim_id,section,location,statement,quantity,category,group,stat,printed,unit,note\n"
VALID_ROW = 't2.male.toci.count,table2,"Table 2, row Male",Male patients,male,,toci,count,8,patients,\n'


def write_registry(tmp_path, *rows, header=HEADER):
    path = tmp_path / "claims.csv"
    path.write_text(header + "".join(rows), encoding="utf-8")
    return path


# ---------------------------------------------------------------- the real registry


def test_real_registry_loads_as_strings_with_over_150_unique_records(claims):
    assert len(claims) > 150
    assert claims["claim_id"].is_unique
    assert all(dtype == object for dtype in claims.dtypes)
    assert claims.map(lambda value: isinstance(value, str)).all().all()


def test_every_printed_value_parses_and_only_thresholds_carry_a_sign(claims):
    parsed = claims["printed"].map(parse_printed)
    signed = claims[parsed.map(lambda number: number.relation != "")]
    assert set(signed["stat"]) <= set(load_schema()["printed_relation"]["stats"])
    assert set(signed["claim_id"]) == {"meth.cr_blast_threshold.value", "fig2.significance.star",
                                       "fig2.significance.ns", "t1.footnote.high_flow",
                                       "t1.grade1.fever_c", "t1.grade2.fever_c", "t1.grade3.fever_c",
                                       "t1.grade4.fever_c"}


@pytest.mark.parametrize("claim_id, printed, where", [
    ("t2.blasts_pct.toci.median", "34.15", 'Table 2, "Median blasts (range)", Toci'),
    ("t2.high_risk.p_bonf", "10", 'Table 2, "High-risk phenotype or genotypes", P#'),
    ("res.high_risk.total.pct", "84.8", "Results, essential characteristics: 84.8% (38/45)"),
    ("t2.high_risk.total.pct", "84.4", 'Table 2, "High-risk ...", Total: 38 (84.4)'),
    ("t2.male.p_bonf", "5.11", 'Table 2, "Male, No. (%)", P#'),
    ("t2.high_risk.p", "1.000", 'Table 2, "High-risk ...", P'),
    ("t2.steroid_mpe_mg.p", "0.004", 'Table 2, corticosteroid row, P'),
    ("t2.blasts_bin.lt30.non_toci.pct", "82.1", 'Table 2, "<30", Non-toci: 23 (82.1)'),
    ("t2.crs_grade.g3_5.total.pct", "33.3", 'Table 2, "3-5", Total: 15 (33.3)'),
    ("t2.crs_grade.g0.toci.pct", "0", 'Table 2, "0", Toci: 0 (0)'),
    ("t2.prior_lines.non_toci.min", "1.5", 'Table 2, "Median lines of therapy", Non-toci: 2.5 (1.5-3.5)'),
    ("t2.blasts_pct.total.median", "24.0", 'Table 2, "Median blasts", Total: 24.0 (0-96.65)'),
    ("t2.prior_allo_sct.total.pct", "20.0", 'Table 2, "Allogeneic SCT", Total: 9 (20.0)'),
    ("t2.steroid_mpe_mg.total.max", "800", 'Table 2, corticosteroid row, Total: 40 (0-800)'),
    ("t2.header.non_toci.n", "28", "Table 2, header: Non-toci (N = 28)"),
    ("res.icans.total.pct", "4.5", "Results, efficacy paragraph 1: ICANS in two patients (4.5%)"),
    ("t2.icans.total.pct", "4.4", 'Table 2, "ICANS", Total: 2 (4.4)'),
    ("res.steroid_mpe_mg.steroid_users.median", "100", "Results: corticosteroids in 25 patients, 100 mg"),
    ("res.steroid_mpe_mg.steroid_users.max", "302.5", "Results: range 7.5-302.5"),
    ("res.response_d28.mrd_neg_cr.toci.pct", "94.12", "Results, safety: 94.12% (n=16)"),
    ("res.pfs.p", "0.350", "Results, safety: PFS p=0.350"),
    ("res.crs_duration.toci.median", "6.1", "Results, efficacy: 6.1 (range, 2-14) days"),
    ("meth.spss_version.value", "26.0", "Methods, statistical analyses: SPSS v26.0"),
    ("meth.cyclophosphamide_dose.value", "300", "Methods: 300mg/m2/d cyclophosphamide"),
    ("disc.guideline.dexamethasone_days.severe.max", "7", "Discussion: 20mg/6h for 3-7 days"),
    ("disc.guideline.toci_dose.max", "800", "Discussion: tocilizumab (8mg/kg, 800mg max)"),
    ("t1.footnote.high_flow", ">6", "Table 1, footnote: high-flow nasal cannula is > 6 L/min"),
    ("fig2.significance.star", "<0.05", "Figure 2 caption: * p < 0.05"),
])
def test_spot_checks_against_the_paper(claims, claim_id, printed, where):
    assert printed_value(claims, claim_id) == printed, where


def test_text_and_table_printings_of_one_number_share_a_cross_reference_key(claims):
    blocks = cross_references(claims).groupby("key")["claim_id"].apply(set)
    assert blocks["high_risk||total|percent"] == {"res.high_risk.total.pct", "t2.high_risk.total.pct"}
    assert blocks["icans||total|percent"] == {"res.icans.total.pct", "t2.icans.total.pct"}
    assert {"res.crs_grade.g3_5.toci.count", "t2.crs_grade.g3_5.toci.count"} == blocks["crs_grade|3-5|toci|count"]
    # Distinct case labels ("Pt 3", "Pt 6") are different numbers, not two printings of one.
    assert not any(key.startswith("case_") for key in blocks.index)


def _ids(claims, **criteria):
    return tuple(claims_for(claims, stat="count", **criteria)["claim_id"])


def _sum_checks(claims):
    """(what, ids of the printed parts, id of the printed total) for every split the paper prints."""
    checks = [(f"Table 2 {quantity} categories, {group}", _ids(claims, section="table2", quantity=quantity,
                                                               group=group), f"t2.header.{group}.n")
              for quantity in ("blasts_bin", "crs_grade") for group in ("total", "toci", "non_toci")]
    # Every count of Table 2's total column is split between the two groups' columns.
    for total in claims_for(claims, section="table2", stat="count", group="total").itertuples():
        parts = _ids(claims, section="table2", quantity=total.quantity, category=total.category,
                     group=["toci", "non_toci"])
        checks.append((f"Table 2 {total.quantity} {total.category} toci + non_toci", parts, total.claim_id))
    checks += [
        ("text day-28 responses", _ids(claims, section="results", quantity="response_d28", group="total"),
         "res.response_d28.total.n"),
        ("text CRS grades, all patients", _ids(claims, section="results", quantity="crs_grade", group="total"),
         "res.crs_any.total.count"),
        ("text CRS grades, tocilizumab group", _ids(claims, section="results", quantity="crs_grade", group="toci"),
         "res.patients.toci.n"),
        ("text CRS grades, corticosteroid only",
         _ids(claims, section="results", quantity="crs_grade", group="non_toci_steroid_only"),
         "res.steroid_without_toci.non_toci.count"),
        ("text MRD-negative CR by group",
         ("res.response_d28.mrd_neg_cr.toci.count", "res.response_d28.mrd_neg_cr.non_toci.count"),
         "res.response_d28.mrd_neg_cr.total.count"),
        ("text cytokine fall + IL-6 rise", ("res.cytokine_decrease.toci.count", "res.il6_elevated.toci.count"),
         "res.cytokine_decrease.toci.n"),
    ]
    return checks


def test_category_counts_sum_to_their_printed_totals_except_where_noted(claims):
    printed = dict(zip(claims["claim_id"], claims["printed"]))
    flagged = set(claims.loc[claims["note"].str.contains("does not sum"), "claim_id"])
    checks = _sum_checks(claims)
    assert len(checks) == 6 + 11 + 6 and all(parts for _, parts, _ in checks)  # no check sums nothing
    failing = [(what, set(parts) | {total}) for what, parts, total in checks
               if sum(int(printed[i]) for i in parts) != int(printed[total])]
    # The paper's own non-summing splits carry "does not sum" in a note; exactly those may fail.
    assert [what for what, members in failing if not members & flagged] == []
    assert flagged <= set().union(*(members for _, members in failing))


@pytest.mark.skipif(not PAPER_TEXT.is_file(), reason="the paper's text is not on this machine")
def test_every_printed_digit_string_occurs_in_the_paper():
    claims = load_claims()
    text = PAPER_TEXT.read_text(encoding="utf-8")
    in_words = claims["note"].str.contains(r"printed as the word|stated in words")
    missing = [claim_id for claim_id, printed in claims.loc[~in_words, ["claim_id", "printed"]].values
               if not re.search(r"(?<![\d.])" + re.escape(printed.lstrip("<>≤≥")) + r"(?![\d]|\.\d)", text)]
    assert missing == []


# ---------------------------------------------------------------- the loader's error path


def test_broken_registry_reports_every_violation_at_once(tmp_path):
    path = write_registry(
        tmp_path,
        VALID_ROW,
        't2.male.toci.count,table2,"Table 2, row Male",Male again,male,,toci,count,8,patients,\n',
        't2.male.total.count,tables,"Table 2, row Male",Male patients,male,,total,count,24,patients,\n',
        't2.male.non_toci.count,table2,"Table 2, row Male",Male patients,male,,non_toci,count,,patients,\n',
        't2.male.non_toci.pct,table2,"Table 2, row Male",Male share,male,,non_toci,mean,57.1,%,\n',
    )
    with pytest.raises(InvalidInputError) as caught:
        load_claims(path)
    message = str(caught.value)
    assert "4 schema violation(s)" in message
    assert "row 2 (line 3), column 'claim_id': unique: 't2.male.toci.count' already used in row 1" in message
    assert "row 3 (line 4), column 'section': allowed values: 'tables'" in message
    assert "row 4 (line 5), column 'printed': nonempty" in message
    assert "row 5 (line 6), column 'stat': allowed values: 'mean'" in message


@pytest.mark.parametrize("row, expected", [
    ('t2.male.toci.count,table2,L,S,male,,toci,count,<8,patients,\n', "'printed': relation sign"),
    ('t2.male.toci.count,table2,L,S,male,,toci,count,8.0,patients,\n', "'printed': counts_are_whole_patients"),
    ('t2.male.toci.count,table2,L,S,male,,toci,count,"8,0",patients,\n', "'printed': pattern"),
    ('t2.male.toci.pct,table2,L,S,male,,toci,percent,47.1,patients,\n', "'unit': percents_are_in_percent"),
    ('t2.male.p,table2,L,S,male,,toci_vs_non_toci,p,0.511,%,\n', "'unit': p_values_have_no_unit"),
    ('res.male.toci.count,table2,L,S,male,,toci,count,8,patients,\n', "'claim_id': id prefix"),
    ('T2.Male,table2,L,S,male,,toci,count,8,patients,\n', "'claim_id': pattern"),
    ('t2.male.toci.count,table2,L,S,male,,tocilizumab,count,8,patients,\n', "'group': allowed values"),
    ('t2.male.toci.count,table2,L,S,male,,toci,count, 8,patients,\n', "'printed': no surrounding whitespace"),
])
def test_each_rule_is_enforced(tmp_path, row, expected):
    with pytest.raises(InvalidInputError, match=re.escape(expected)):
        load_claims(write_registry(tmp_path, row))


def test_missing_and_unknown_columns_are_reported_in_the_header(tmp_path):
    header = "claim_id,section,location,statement,quantity,category,group,stat,printed,units\n"
    row = 't2.male.toci.count,table2,L,S,male,,toci,count,8,patients\n'
    with pytest.raises(InvalidInputError) as caught:
        load_claims(write_registry(tmp_path, row, header=header))
    assert "header, column 'unit': required column" in str(caught.value)
    assert "header, column 'units': known columns" in str(caught.value)


def test_empty_fields_stay_empty_strings_and_na_stays_text(tmp_path):
    header = "claim_id,section,location,statement,quantity,category,group,stat,printed,unit\n"
    row = 't2.male.toci.count,table2,"Table 2, NA",Male patients,male,NA,toci,count,8,patients\n'
    claims = load_claims(write_registry(tmp_path, row, header=header))
    assert claims.loc[0, "category"] == "NA"
    assert claims.loc[0, "note"] == ""  # the optional column is added, empty


def test_a_patient_case_group_is_accepted(tmp_path):
    row = 'res.case_gvhd.pt5,results,L,S,case_gvhd,,pt5,value,5,patient number,\n'
    assert printed_value(load_claims(write_registry(tmp_path, row)), "res.case_gvhd.pt5") == "5"


def test_missing_or_undecodable_file_is_refused(tmp_path):
    with pytest.raises(InvalidInputError, match="not found"):
        load_claims(tmp_path / "absent.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes((HEADER + VALID_ROW.replace("Male patients", "Männer")).encode("latin-1"))
    with pytest.raises(InvalidInputError, match="UTF-8"):
        load_claims(latin1)


# ---------------------------------------------------------------- look-up helpers


def test_claims_for_matches_one_value_or_any_of_several(claims):
    male_percents = claims_for(claims, quantity="male", stat="percent")
    assert set(male_percents["printed"]) == {"53.3", "47.1", "57.1"}
    both_p = claims_for(claims, quantity="male", stat=["p", "p_bonferroni"])
    assert sorted(both_p["printed"]) == ["0.511", "5.11"]
    assert claims_for(claims, quantity="no_such_quantity").empty
    with pytest.raises(InvalidInputError, match="no column"):
        claims_for(claims, colour="red")


def test_printed_value_refuses_an_unknown_id(claims):
    with pytest.raises(InvalidInputError, match="t2.no.such"):
        printed_value(claims, "t2.no.such")


def test_claim_record_first_claim_and_printed_categories(claims):
    record = claim_record(claims, "t2.male.toci.count")
    assert record["printed"] == "8" and record["quantity"] == "male" and record["group"] == "toci"
    with pytest.raises(InvalidInputError, match="no claim"):
        claim_record(claims, "t2.no.such")
    # The text and Table 2 both print the high-risk share: the section decides which record comes first.
    assert first_claim(claims, "results", quantity="high_risk", group="total", stat="percent")["printed"] == "84.8"
    assert first_claim(claims, "table2", quantity="high_risk", group="total", stat="percent")["printed"] == "84.4"
    assert first_claim(claims, quantity="no_such_quantity") is None
    assert printed_categories(claims, "blasts_bin") == ["<30", "30-50", ">50"]
    # In registry order: the text names grades 2 and 3-5 of the toci group before Table 2 lists all four.
    assert printed_categories(claims, "crs_grade", group="toci") == ["2", "3-5", "0", "1"]
    assert printed_categories(claims_for(claims, section="table2"), "crs_grade", group="toci") == ["0", "1", "2", "3-5"]


# The one parser (crs_compendium.numbers.parse_printed) reads any decimal, ".5" and "5." included; the
# registry refuses them through its schema's pattern, so what the paper prints is written in full.
@pytest.mark.parametrize("printed", [".5", "5.", "1,000", "abc"])
def test_the_schema_refuses_numbers_not_written_in_full(tmp_path, printed):
    row = f't2.male.toci.pct,table2,L,S,male,,toci,percent,"{printed}",%,\n'
    with pytest.raises(InvalidInputError, match="'printed': pattern"):
        load_claims(write_registry(tmp_path, row))


def test_find_violations_returns_violations_without_raising(claims):
    assert find_violations(claims, load_schema()) == []
    broken = claims[claims["claim_id"].str.startswith("t2.")].head(2).assign(section=["tables", "table2"])
    (violation,) = find_violations(broken, load_schema())
    assert violation == Violation(1, "section", "allowed values", violation.detail)
    assert str(violation).startswith("row 1 (line 2), column 'section': allowed values")
    assert all(parse_printed(printed) for printed in claims["printed"])
