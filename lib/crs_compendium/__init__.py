"""The library of the Zhou et al. 2025 compendium: the public names the book's notebooks use.

The package is organised by concern, imports running one way (``README.md``, "Architecture"):

* the floor: ``vocab`` (groups, categories, verdict words, colours), ``numbers`` (the one printed-number
  parser, exact rounding), ``formatting`` (the one p formatter), ``computable`` (the result of an analysis
  the data do not allow), ``files``, ``paths``, ``exceptions``;
* ``patients``: the data schema, loading and validating a folder, what pages may disclose, ASTCT grading,
  derived measures;
* ``stats``: two-group tests, survival with one log-rank entry point, regression;
* ``printed``: the claims registry and one module per family of checks of printed numbers;
* ``reproduce``: printed against recomputed on any cohort, Table 2, page verdicts, result files;
* ``audit``: every check applied to the registry, one verdict per claim;
* ``figures``: all matplotlib; ``synthetic``: the generator of the synthetic cohort; ``build``: plumbing.

Every name below is imported on first use (PEP 562), so a page pays only for what it uses: an audit page
never loads matplotlib or lifelines.
"""
from __future__ import annotations

import importlib

_PUBLIC = {
    "vocab": ("GROUP_ORDER", "GROUP_KEYS", "INTERNAL_MARK", "CONSISTENT", "INCONSISTENT", "NOT_CHECKABLE", "AUDIT_VERDICTS",
              "audit_verdict", "EQUAL", "DIFFERS", "SIMULATED", "NOT_PRINTED", "NOT_COMPUTABLE", "PAGE_VERDICTS",
              "MET", "APPROXIMATE", "NOT_MET", "NOT_REPRESENTED", "FIT_STATUSES", "SECTION_ORDER", "RESPONSE_ORDER",
              "INFECTION_ORDER", "CHANGE_ORDER", "STEROID_ORDER", "GROUP_COLOURS", "RESPONSE_COLOURS",
              "INFECTION_COLOURS", "CHANGE_COLOURS", "STEROID_COLOURS"),
    "computable": ("NotComputable", "computed"),
    "formatting": ("format_p", "format_p_bound", "p_text"),
    "files": ("write_csv_atomic",),
    "paths": ("build_dir",),
    "printed.registry": ("load_claims", "claims_for", "printed_value"),
    "printed.summaries": ("check_median_range",),
    "printed.contingency": ("count_table_tests",),
    "printed.measured": ("TEST_SHORT", "scipy_p"),
    "printed.flow": ("load_flow", "load_flow_statements", "check_partitions", "check_statements"),
    "printed.table1": ("load_printed_table1", "compare_with_printed_table1"),
    "audit": ("run_audit",),
    "patients.load": ("load_cohort", "validate_folder"),
    "patients.disclosure": ("MIN_PATIENTS",),
    "patients.grading": ("grade_crs", "grade_icans", "grade_daily", "summarise_crs", "astct_rule_table",
                         "icans_rule_table"),
    "patients.derived": ("group_labels", "steroid_exposure", "crs_severity", "case_patient_ids", "named_case_table",
                         "il6_after_tocilizumab",
                         "align_to_first_dose", "expansion_summary", "organ_peaks", "GRADING_AGREEMENT",
                         "recorded_against_graded", "duration_check_by_grade"),
    "stats.two_groups": ("compare_measurement", "counts_by_group"),
    "stats.survival": ("ENDPOINTS", "compare_survival", "survival_table"),
    "stats.regression": ("logistic_regression",),
    "reproduce.fit": ("APPROXIMATE_WITHIN", "fit_report"),
    "reproduce.table2": ("reproduce_table2", "S4_COVARIATES", "s4_verdict"),
    "reproduce.comparisons": ("compare_counts", "shown_counts", "comparison_summaries"),
    "reproduce.verdicts": ("data_basis", "verdict_row", "no_difference_verdict", "smallest_p_text", "page_verdicts"),
    "reproduce.export": ("write_result", "write_fit_report", "downloads"),
    "reproduce.page": ("data_level_banner", "patient_rows"),
    "figures": ("figure_title", "say_why", "comparison_label", "plot_group_values", "annotate_comparison",
                "plot_stacked_shares", "plot_km", "plot_aligned_kinetics", "plot_time_course", "plot_grade_grid",
                "plot_grade_shares", "plot_daily_grades", "draw_flow", "plot_audit_verdicts"),
    # Only the page that describes the synthetic cohort uses these (a test keeps it so).
    "synthetic.provenance": ("DECISIONS", "provenance_table"),
}
"""Module (relative to the package) -> the public names it gives the notebooks."""

_MODULE_OF = {name: module for module, names in _PUBLIC.items() for name in names}
SYNTHETIC_NAMES = frozenset(_PUBLIC["synthetic.provenance"])
"""Public names that come from the synthetic generator's package."""

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'crs_compendium' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
