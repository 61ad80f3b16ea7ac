"""Statistics on patient data: two-group comparisons of a measurement or a count, survival (Kaplan-Meier,
one log-rank entry point, Cox), and logistic regression. Nothing here knows the paper's numbers."""
