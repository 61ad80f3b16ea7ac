"""The synthetic reconstruction: a seeded generator of a patient-level cohort that agrees with the paper's
published aggregates (``generate``), and what it says about itself (``provenance``: where each column's
values come from, and what it did where printed numbers conflict).

Nothing outside this package imports it except the command line and the page that describes the cohort:
the pages that analyse patient data read whatever folder they are given, and a synthetic folder describes
itself in files (``provenance.csv``, ``claim_notes.csv``) next to its ``SYNTHETIC`` marker.
"""

DEFAULT_SEED = 20250314
"""Seed of the shipped cohort (the paper's publication date)."""
