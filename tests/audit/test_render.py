"""The audit in plain words (crs_compendium.audit.render): the inconsistencies and the significance
statements as MyST bullet lists, each linked to the section that checks it, and lists of claims linked to
their permalinks."""
import re

import pandas as pd

from crs_compendium.audit.render import _markdown_text, _sentence, linked_claims_html


def test_markdown_lists_link_every_inconsistency_and_escape_the_text(result):
    text = result.inconsistencies_markdown()
    assert len(text.splitlines()) == len(result.inconsistencies())
    assert "{ref}`audit-table2-bonferroni`" in text and "uncapped m\\*p" in text and 'column "P\\#"' in text
    statements = result.statements_markdown()
    assert statements.count("\n") == 1 and "adjusted p = 0.42" in statements
    assert _markdown_text("a*b [c] {d} <e>") == "a\\*b \\[c\\] \\{d\\} \\<e\\>"
    assert _sentence("counts differ") == "Counts differ." and _sentence(" ") == ""


def test_a_list_of_claims_links_each_id_to_its_permalink_from_a_page_of_the_book(result):
    assumptions = result.assumptions()[["printed", "verdict", "assumption"]]
    text = result.linked(assumptions).data
    targets = re.findall(r'<a class="claim-link" href="([^"]+)"><code>(.+?)</code></a>', text)
    assert [shown.replace("<wbr>", "") for _, shown in targets] == list(assumptions.index)
    assert all(href == result.links[shown.replace("<wbr>", "")].removeprefix("notebooks/") for href, shown in targets)
    assert all(re.fullmatch(r"1[1-3]_audit_\w+\.html#claim-[\w.-]+", href) for href, _ in targets)


def test_the_cells_of_a_claims_list_are_text_not_markup():
    rows = pd.DataFrame({"printed": ["<5"], "note": ["a & b"]}, index=pd.Index(["x.y"], name="claim_id"))
    text = linked_claims_html(rows, {"x.y": "notebooks/12_audit_results_text.html#claim-x.y"})
    assert "<th>claim</th><th>printed</th><th>note</th>" in text
    assert "<td>&lt;5</td><td>a &amp; b</td>" in text
    assert 'href="12_audit_results_text.html#claim-x.y"' in text
