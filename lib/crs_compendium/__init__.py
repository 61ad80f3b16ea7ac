"""Shared library of the Zhou et al. 2025 compendium: paths, published-number checks, grading, plots.

Notebooks stay thin and call into these modules; every function used twice or worth a unit test lives here.
"""
