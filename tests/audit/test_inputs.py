"""What the claims audit reads besides the registry (crs_compendium.audit.inputs): the explicit links, the
significance sentences, the audit pages' sections, bundled with the registry's quantities and groups.
Every problem of a file is reported at once."""
from dataclasses import replace

import pytest

from crs_compendium.audit.inputs import (
    AuditInputs,
    AuditPages,
    load_audit_pages,
    load_inputs,
    load_links,
    load_significance_statements,
)
from crs_compendium.exceptions import InvalidInputError


def test_link_file_is_read_and_bad_rows_are_refused(tmp_path):
    links = load_links()
    assert set(links["check"]) == {"sum", "at_most", "equal", "flow", "table1", "cases_at_most", "case_among",
                                   "cases_distinct", "dose_count", "dosing_hours", "day_order", "same_strata"}
    bad = links.copy()
    bad.loc[0, "check"] = "guess"
    bad.loc[1, "claims"] = "a.b + c.d"
    bad.loc[2, "anchor"] = "somewhere"
    bad.loc[3, "link_id"] = bad.loc[4, "link_id"]
    path = tmp_path / "links.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(InvalidInputError) as error:
        load_links(path)
    for fragment in ("check 'guess'", "do not read as a sum link", "is not an audit-", "duplicated link_id"):
        assert fragment in str(error.value)


def test_significance_file_is_validated(tmp_path):
    statements = load_significance_statements()
    bad = statements.copy()
    bad.loc[0, "asserts"] = "probably"
    path = tmp_path / "statements.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(InvalidInputError, match="probably"):
        load_significance_statements(path)


def test_the_most_specific_page_row_shows_a_check():
    """A row for every printing of a number (family "printings") outranks a row for every check of a Results
    topic; a topic row outranks the Results not-checkable row only for its family "*"."""
    pages = load_audit_pages()
    assert isinstance(pages, AuditPages)
    assert pages.anchor("results", "printings", "baseline") == "audit-results-cross-references"
    assert pages.anchor("results", "percentage", "baseline") == "audit-results-baseline"
    assert pages.anchor("results", "not_checkable", "baseline") == "audit-results-not-checkable"
    assert pages.anchor("table2", "bonferroni", "") == "audit-table2-bonferroni"
    assert pages.anchor("discussion", "percentage", "") == "audit-other-discussion"
    assert pages.page("audit-results-baseline") == "notebooks/12_audit_results_text"
    with pytest.raises(InvalidInputError, match="no audit page shows"):
        pages.anchor("results", "percentage", "no_such_topic")
    with pytest.raises(InvalidInputError, match="on no audit page"):
        pages.page("audit-nowhere")


def test_the_pages_file_is_validated(tmp_path):
    table = load_audit_pages().table.copy()
    table.loc[0, "anchor"] = "table2-percentages"
    table.loc[2, "page"] = "notebooks/12_audit_results_text"  # audit-table2-sums is also on row 4
    path = tmp_path / "audit_pages.csv"
    table.to_csv(path, index=False)
    with pytest.raises(InvalidInputError) as error:
        load_audit_pages(path)
    assert "is not an audit-... label" in str(error.value)
    assert "anchor 'audit-table2-sums' is on more than one page" in str(error.value)


def test_inputs_bundle_the_registry_with_its_quantities_groups_and_pages(inputs):
    assert isinstance(inputs, AuditInputs)
    assert inputs.group_size("toci")["printed"] == "17" and inputs.group_size("toci_vs_non_toci") is None
    assert inputs.group_size("no_such_group") is None
    assert inputs.topic("male") == "baseline" and inputs.topic("no_such_quantity") == ""
    assert inputs.anchor("percentage", "results", "male") == "audit-results-baseline"
    assert inputs.own_page({"section": "table1", "quantity": "fever"}) == "notebooks/13_audit_other_sections"
    assert inputs.quantities_with("binned_from") == {"blasts_bin": "blasts_pct"}
    broken = replace(inputs, groups=inputs.groups.assign(size_claim=inputs.groups["size_claim"].replace(
        "t2.header.toci.n", "t2.header.nobody.n")))
    with pytest.raises(InvalidInputError, match="not in the registry"):
        broken.group_size("toci")


def test_load_inputs_takes_given_tables_and_reads_the_rest(claims):
    links = load_links().head(3)
    given = load_inputs(claims, links=links)
    assert given.links is links and given.claims is claims
    assert len(given.statements) == len(load_significance_statements())
    with pytest.raises(InvalidInputError, match="are not listed"):
        load_inputs(claims.assign(quantity=claims["quantity"].replace("male", "males")))
