"""Reproduction on any cohort, synthetic or real: every printed number about the patients recomputed from
the data beside the printed value (``fit``), Table 2 (``table2``), the verdicts a page shows (``verdicts``),
the banner and closing block of a page (``page``) and the result files it writes (``export``)."""
