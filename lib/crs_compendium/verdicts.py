"""The three verdicts the compendium gives a printed claim, spelled once for every page and export."""

__all__ = ["CONSISTENT", "INCONSISTENT", "NOT_CHECKABLE", "VERDICTS", "verdict"]

CONSISTENT = "consistent"
INCONSISTENT = "inconsistent"
NOT_CHECKABLE = "not checkable from the published numbers"
VERDICTS = (CONSISTENT, INCONSISTENT, NOT_CHECKABLE)


def verdict(agrees: bool) -> str:
    """Turn the outcome of a check into its verdict word."""
    return CONSISTENT if agrees else INCONSISTENT
