"""The published level: the claims registry of every printed number and the checks that relate them.

One module per family of checks, as scrutiny keeps one per check (``percentages``, ``sums``,
``summaries`` for medians and ranges, ``multiplicity``, ``contingency`` for count tables, ``agreement``
for printings of one number and sentences about significance), plus the paper's Figure 1 flow (``flow``)
and its Table 1 set against the ASTCT grader (``table1``). Each check takes printed numbers as strings
and returns a frozen result whose display is its verdict line (``result.CheckResult``).
"""
