"""The patient level: the data schema and its validation, loading a data folder, ASTCT grading of the daily
rows, and measures derived from the patient tables (groups, categories, kinetics)."""
