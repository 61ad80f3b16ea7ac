"""The audit in plain words (crs_compendium.audit.render): the inconsistencies and the significance
statements as MyST bullet lists, each linked to the section that checks it."""
from crs_compendium.audit.render import _markdown_text, _sentence


def test_markdown_lists_link_every_inconsistency_and_escape_the_text(result):
    text = result.inconsistencies_markdown()
    assert len(text.splitlines()) == len(result.inconsistencies())
    assert "{ref}`audit-table2-bonferroni`" in text and "uncapped m\\*p" in text and 'column "P\\#"' in text
    statements = result.statements_markdown()
    assert statements.count("\n") == 1 and "adjusted p = 0.42" in statements
    assert _markdown_text("a*b [c] {d} <e>") == "a\\*b \\[c\\] \\{d\\} \\<e\\>"
    assert _sentence("counts differ") == "Counts differ." and _sentence(" ") == ""
