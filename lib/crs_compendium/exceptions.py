"""Errors the compendium raises on bad input, so callers can tell them from bugs."""

__all__ = ["CompendiumError", "InvalidInputError", "InconsistentDataError"]


class CompendiumError(Exception):
    """Base class of every error the compendium raises on purpose."""


class InvalidInputError(CompendiumError, ValueError):
    """An input file or argument breaks a documented rule (the message names the file, column, row, rule)."""


class InconsistentDataError(CompendiumError):
    """Numbers that must agree (a flow, a registry cross-reference) do not, so no verdict can be computed."""
