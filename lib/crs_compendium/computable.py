"""What an analysis returns when the data do not allow it: a small frozen result that says so and why.

Every analysis of patient data either returns its result or a :class:`NotComputable` naming what could not
be computed and the reason in the data's terms (which column, which group, how many values). Pages show it
like any result, a verdict on it is :data:`crs_compendium.vocab.NOT_COMPUTABLE`, and nothing raises in a
page because the data are thin.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

from .exceptions import InvalidInputError
from .vocab import NOT_COMPUTABLE

__all__ = ["NotComputable", "computed"]


@dataclass(frozen=True)
class NotComputable:
    """An analysis the data do not allow: ``what`` it is and the ``reason`` (never empty).

    Examples
    --------
    >>> NotComputable("G-CSF dose by group", "every value of gcsf_total_ug is 0: no test can compare the groups")
    G-CSF dose by group: not computable from these data (every value of gcsf_total_ug is 0: no test can compare the groups)
    """

    what: str
    reason: str

    def __post_init__(self):
        if not self.reason.strip():
            raise InvalidInputError(f"NotComputable({self.what!r}) needs a reason")

    @property
    def verdict(self) -> str:
        """The verdict word of every number that rests on this analysis."""
        return NOT_COMPUTABLE

    def __str__(self) -> str:
        return f"{self.what}: {NOT_COMPUTABLE} ({self.reason})"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return (f"<p><strong>{html.escape(self.what)}</strong>: <em>{NOT_COMPUTABLE}</em> "
                f"({html.escape(self.reason)})</p>")


def computed(result: object) -> bool:
    """Whether an analysis gave a result rather than a :class:`NotComputable`."""
    return not isinstance(result, NotComputable)
