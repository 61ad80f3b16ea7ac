"""The audit in plain words: the inconsistencies and the sentences about significance as MyST bullet lists,
each linked to the section of an audit page that checks it (for ``IPython.display.Markdown``, which the
book parses as MyST)."""
from __future__ import annotations

import re

import pandas as pd

__all__ = ["inconsistencies_markdown", "statements_markdown"]


def inconsistencies_markdown(inconsistencies: pd.DataFrame) -> str:
    """One bullet per failing check (:meth:`crs_compendium.audit.Audit.inconsistencies`): what, where, what
    is printed and recomputed, why it fails, the claims charged and a ``{ref}`` link to its section."""
    lines = []
    for row in inconsistencies.to_dict("records"):
        ids = ", ".join(f"`{claim_id}`" for claim_id in row["claims"].split(", "))
        lines.append(
            f"- **{_markdown_text(row['what'])}** ({_markdown_text(row['where'])}): the paper prints "
            f"{_markdown_text(row['printed'])}; recomputed: {_markdown_text(row['recomputed'])}. "
            f"{_markdown_text(_sentence(row['why']))} Claims {ids}; see {{ref}}`{row['anchor']}`."
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


def _markdown_text(text: str) -> str:
    """Plain text made safe for Markdown: characters that would start emphasis, links or roles are escaped."""
    return re.sub(r"([\\`*_\[\]{}<>#|])", r"\\\1", text)


def _sentence(text: str) -> str:
    """A note as a sentence: first letter capitalised, a full stop at the end (empty stays empty)."""
    text = text.strip()
    if not text:
        return ""
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
