"""The audit in plain words: the inconsistencies and the sentences about significance as MyST bullet lists,
each linked to the section of an audit page that checks it (for ``IPython.display.Markdown``, which the
book parses as MyST)."""
from __future__ import annotations

import html
import re

import pandas as pd

from ..formatting import claim_id_html
from ..vocab import VERDICT_COLOURS
from .combine import claim_anchor

__all__ = ["inconsistencies_markdown", "statements_markdown", "claims_table_html", "claim_link_html",
           "linked_claims_html"]


def claim_link_html(claim_id: str, link: str, *, from_page: str = "notebooks/") -> str:
    """An HTML link to a claim's permalink (``link`` is relative to the site root; ``from_page`` is the
    folder of the page the link sits on)."""
    target = link.removeprefix(from_page)
    return f'<a class="claim-link" href="{html.escape(target)}">{claim_id_html(claim_id)}</a>'


def inconsistencies_markdown(inconsistencies: pd.DataFrame, links: dict[str, str]) -> str:
    """One bullet per failing check (:meth:`crs_compendium.audit.Audit.inconsistencies`): what, where, what
    is printed and recomputed, why it fails, the claims charged (each linked to its permalink, ``links``:
    claim id -> link) and a ``{ref}`` link to the section that checks it."""
    lines = []
    for row in inconsistencies.to_dict("records"):
        ids = ", ".join(claim_link_html(claim_id, links[claim_id]) for claim_id in row["claims"].split(", "))
        groups = [group for group in row.get("conflict set", "").split(" / ") if ", " in group]
        conflict = ""
        if groups:
            conflict = (f" Conflict set{'s' if len(groups) > 1 else ''} (changing any one number of a set alone "
                        f"would resolve it; those held in place by other checks are not charged): "
                        f"{_markdown_text(' / '.join(groups))}.")
        condition = f" This holds if {_markdown_text(row['assumption'])}." if row.get("assumption") else ""
        lines.append(
            f"- **{_markdown_text(row['what'])}** ({_markdown_text(row['where'])}): the paper prints "
            f"{_markdown_text(row['printed'])}; recomputed: {_markdown_text(row['recomputed'])}. "
            f"{_markdown_text(_sentence(row['why']))}{condition}{conflict} Claims {ids}; see {{ref}}`{row['anchor']}`."
        )
    return "\n".join(lines)


def statements_markdown(statements: pd.DataFrame) -> str:
    """One bullet per significance statement (rows of the audit's statements table), linked to its section."""
    return "\n".join(
        f"- **{_markdown_text(row['statement'])}** ({_markdown_text(row['location'])}): p = {row['p']}, "
        f"adjusted p = {row['adjusted p'] or 'not printed'}. {_markdown_text(_sentence(row['note']))} "
        f"See {{ref}}`{row['anchor']}`."
        for row in statements.to_dict("records")
    )


def claims_table_html(rows: pd.DataFrame) -> str:
    """The claims an audit page decides, one table row each with the claim's permalink id, so a reviewer can
    cite ``page.html#claim-<id>``: id (a self-link), where it is printed, printed, recomputed, verdict (the
    word, coloured, with the assumption it rests on if any), note."""
    body = []
    for row in rows.to_dict("records"):
        anchor = claim_anchor(row["claim_id"])
        colour = VERDICT_COLOURS[row["verdict"]]
        condition = row.get("assumption", "")
        condition = f"<br><small>if {html.escape(condition)}</small>" if condition else ""
        cells = [
            f'<a class="claim-permalink" href="#{html.escape(anchor)}" title="permalink to this claim">'
            f'{claim_id_html(row["claim_id"])}</a>',
            html.escape(row["location"]), f"<code>{html.escape(row['printed'])}</code>", html.escape(row["recomputed"]),
            f'<span class="verdict" style="color:{colour}"><b>{html.escape(row["verdict"])}</b></span>{condition}',
            html.escape(row["note"]),
        ]
        body.append(f'<tr id="{html.escape(anchor)}">' + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    head = "".join(f"<th>{name}</th>" for name in ("claim", "printed in", "printed", "recomputed", "verdict", "note"))
    return (f'<table class="claims-table audit-claims"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
            '</table>')


def linked_claims_html(rows: pd.DataFrame, links: dict[str, str]) -> str:
    """A table of claims (``rows`` indexed by claim id) whose first column links each id to its permalink
    (``links``: claim id -> link from the site root), for lists of claims on a page other than the one that
    checks them; every other column is shown as text."""
    head = "".join(f"<th>{html.escape(str(name))}</th>" for name in ["claim", *rows.columns])
    body = "".join(
        "<tr>" + f"<td>{claim_link_html(claim_id, links[claim_id])}</td>"
        + "".join(f"<td>{html.escape(str(value))}</td>" for value in values) + "</tr>"
        for claim_id, values in zip(rows.index, rows.itertuples(index=False))
    )
    return f'<table class="claims-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _markdown_text(text: str) -> str:
    """Plain text made safe for Markdown: characters that would start emphasis, links or roles are escaped."""
    return re.sub(r"([\\`*_\[\]{}<>#|])", r"\\\1", text)


def _sentence(text: str) -> str:
    """A note as a sentence: first letter capitalised, a full stop at the end (empty stays empty)."""
    text = text.strip()
    if not text:
        return ""
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
