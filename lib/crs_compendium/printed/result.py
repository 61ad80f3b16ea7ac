"""The result every check of a printed number returns: its verdict, what was compared and why it failed."""
from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass

from ..vocab import VERDICT_COLOURS, audit_verdict

__all__ = ["CheckResult"]


@dataclass(frozen=True)
class CheckResult:
    """Verdict of one consistency check: the shared fields every check returns.

    Attributes
    ----------
    consistent : bool
        Whether the printed number(s) can be true.
    printed : str
        What the paper prints (as a string).
    recomputed : str
        What the check recomputes, at the printed precision where that applies.
    method : str
        The rule applied, in a few words.
    note : str
        Why it failed, or what else is worth knowing.
    """

    consistent: bool
    printed: str
    recomputed: str
    method: str
    note: str

    @property
    def verdict(self) -> str:
        """The compendium's verdict word (:data:`crs_compendium.vocab.AUDIT_VERDICTS`)."""
        return audit_verdict(self.consistent)

    def _subject(self) -> str:
        return self.printed

    def __repr__(self) -> str:
        line = f"{self.verdict}: {self._subject()} -> recomputed {self.recomputed} [{self.method}]"
        return f"{line}\n  note: {self.note}" if self.note else line

    def _repr_html_(self) -> str:
        colour = VERDICT_COLOURS[self.verdict]
        body = html.escape(f"{self._subject()} -> recomputed {self.recomputed} [{self.method}]")
        note = f"<br><small>{html.escape(self.note)}</small>" if self.note else ""
        return f'<p><b style="color:{colour}">{self.verdict}</b>: {body}{note}</p>'

    def to_record(self) -> dict[str, object]:
        """The fields as a flat dict (tuples joined to text) for a table row, plus the verdict."""
        record = {
            key: "; ".join(map(str, value)) if isinstance(value, tuple) else value
            for key, value in dataclasses.asdict(self).items()
        }
        record["verdict"] = self.verdict
        return record
