"""The paper's Table 1 (ASTCT grading of CRS, as printed) set against the grader that codes the consensus.

Each printed cell is read against the wordings the grader knows (:data:`crs_compendium.patients.grading.
HYPOTENSION_SIGNS`, :data:`~crs_compendium.patients.grading.HYPOXIA_SIGNS`); each wording is graded by
:func:`~crs_compendium.patients.grading.grade_crs` and must land in the printed row. The notes are checked
for the fever threshold, the flow boundaries, what waives fever and the rules the table leaves out.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..exceptions import InvalidInputError
from ..files import read_text_csv
from ..paths import PUBLISHED_DIR
from ..patients.grading import FEVER_THRESHOLD_C, HYPOTENSION_SIGNS, HYPOXIA_SIGNS, LOW_FLOW_MAX_L_MIN, Sign, \
    astct_rule_table
from ..vocab import CONSISTENT, INCONSISTENT, audit_verdict

__all__ = ["load_printed_table1", "Table1Comparison", "compare_with_printed_table1"]


_PRINTED_TABLE_COLUMNS = ("grade", "fever", "hypotension", "hypoxia")
_PRINTED_NOTE_COLUMNS = ("marker", "attached_to", "text")
_MARKERS = r"[#^]"
_FILLER = r"\b(and/or|and or|and|or|requiring|eg|e\.g\.|with)\b|[(),:;.]"


def load_printed_table1(folder: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the paper's Table 1 and its notes as printed (all cells as strings).

    Files: ``table1_astct_as_printed.csv`` (grade, fever, hypotension, hypoxia) and
    ``table1_astct_notes_as_printed.csv`` (marker, attached_to, text) in data/published/.
    """
    folder = Path(folder) if folder is not None else PUBLISHED_DIR
    tables = []
    for name, required in (("table1_astct_as_printed.csv", _PRINTED_TABLE_COLUMNS),
                           ("table1_astct_notes_as_printed.csv", _PRINTED_NOTE_COLUMNS)):
        tables.append(read_text_csv(folder / name, required))
    return tables[0], tables[1]


def _read_cell(cell: str, signs: tuple[Sign, ...]) -> tuple[list[Sign], str]:
    """Signs a printed cell names, and any words left over that the code does not know."""
    text = re.sub(_MARKERS, " ", cell)
    found = [sign for sign in signs if re.search(sign.pattern, text, flags=re.IGNORECASE)]
    for sign in found:
        text = re.sub(sign.pattern, " ", text, flags=re.IGNORECASE)
    leftover = re.sub(_FILLER, " ", text, flags=re.IGNORECASE)
    return found, " ".join(leftover.split())


def _nearest_sign(words: str, signs: tuple[Sign, ...]) -> Sign | None:
    """The sign whose wording is closest to unrecognised words (a misprint), if any is close."""
    labels = {sign.label.split(" (")[0].lower(): sign for sign in signs}
    close = difflib.get_close_matches(words.lower(), list(labels), n=1, cutoff=0.8)
    return labels[close[0]] if close else None


def _check(check: str, location: str, printed: str, code: str, agrees: bool, consequence: str,
           could_change_grade: bool) -> dict:
    """One row of the comparison. `could_change_grade`: whether reading the printed table literally, where
    it differs, could give a patient another CRS grade than the consensus (a stated reading, per check)."""
    return {"check": check, "location": location, "printed": printed, "code (Lee et al. 2019)": code,
            "verdict": audit_verdict(agrees), "consequence": "" if agrees else consequence,
            "could change a CRS grade": not agrees and could_change_grade}


def _cell_checks(table: pd.DataFrame) -> list[dict]:
    rows = []
    for grade, fever in zip(table["grade"], table["fever"]):
        match = re.search(r"(≥|>=|\\geq)\s*(\d+(?:\.\d+)?)\s*°?\s*C", fever)
        agrees = bool(match) and float(match.group(2)) == FEVER_THRESHOLD_C
        rows.append(_check("fever threshold", f"grade {grade}, fever", fever, f"≥ {FEVER_THRESHOLD_C:.1f} °C",
                           agrees, "a different fever threshold would change which days count as CRS", True))
    for column, signs in (("hypotension", HYPOTENSION_SIGNS), ("hypoxia", HYPOXIA_SIGNS)):
        for grade, cell in zip(table["grade"].astype(int), table[column]):
            found, unknown = _read_cell(cell, signs)
            coded = {g for sign in found for g in sign.grades()}
            code = "; ".join(f"{sign.label}: grade {'/'.join(map(str, sorted(sign.grades())))}" for sign in found)
            consequence = f"the code grades this wording {sorted(coded)}, not {grade}"
            if unknown:
                nearest = _nearest_sign(unknown, signs)
                code += f"{'; ' if code else ''}{unknown!r} is not a consensus term"
                if nearest is not None:
                    code += f" (nearest: {nearest.label!r}, grade {'/'.join(map(str, sorted(nearest.grades())))})"
                    coded |= nearest.grades()
                consequence = ("a misspelt term; read as its nearest consensus term it has the row's grade, so no "
                               "grade changes" if coded == {grade} else f"a term the code cannot grade as {grade}")
            rows.append(_check(f"{column} wording", f"grade {grade}, {column}", cell, code,
                               coded == {grade} and not unknown, consequence, coded != {grade}))
    for grade, cell in zip(table["grade"].astype(int), table["hypoxia"]):
        if grade >= 2:
            rows.append(_check("connective", f"grade {grade}, hypoxia", cell.split(" requiring")[0],
                               "and/or (the more severe of hypotension and hypoxia sets the grade)",
                               cell.lstrip().startswith("and/or"), "a typesetting slip; no grade changes", False))
    return rows


def _note_checks(table: pd.DataFrame, notes: pd.DataFrame) -> list[dict]:
    text = " ".join(notes["text"])
    everything = " ".join([text, *table.to_numpy().ravel().tolist()])
    fever_note = " ".join(notes.loc[notes["text"].str.contains("fever", case=False), "text"]) or "(no note)"
    flow_note = " ".join(notes.loc[notes["text"].str.contains("flow", case=False), "text"]) or "(no note)"
    coded_grades = astct_rule_table()["grade"].astype(int).tolist()
    printed_grades = table["grade"].astype(int).tolist()
    waivers = {"antipyretic": r"antipyretic", "tocilizumab": r"tocilizumab|anti-?cytokine",
               "corticosteroid": r"corticosteroid|steroid"}
    named = [drug for drug, pattern in waivers.items() if re.search(pattern, fever_note, re.IGNORECASE)]
    omitted = [drug for drug in waivers if drug not in named]
    return [
        _check("grades covered", "Table 1, rows", ", ".join(map(str, printed_grades)),
               ", ".join(map(str, coded_grades)), printed_grades == coded_grades,
               "no row for grade 5 (death due to CRS), which the consensus defines in its text", True),
        _check("fever not due to another cause", "note on fever", fever_note, "fever not attributable to another cause",
               bool(re.search(r"other cause", fever_note, re.IGNORECASE)),
               "the exclusion of other causes is not stated", True),
        _check("what waives fever", "note on fever", ", ".join(named) or "(nothing)", ", ".join(waivers),
               not omitted,
               f"omits {' and '.join(omitted)}: read literally, an afebrile patient with hypotension after "
               f"{' or '.join(omitted)} alone would not have CRS; the consensus still grades it", True),
        _check("low-flow boundary", "note on flow", flow_note, f"low flow ≤ {LOW_FLOW_MAX_L_MIN:.0f} L/min",
               bool(re.search(r"low-flow[^.]*?(≤|<=|at most|up to)\s*6\b", flow_note, re.IGNORECASE)),
               "low flow is printed as 'is 6 L/min', without an inequality; the consensus makes every flow "
               "≤ 6 L/min low flow (grade 2), so flows below 6 L/min are not covered by the printed note", True),
        _check("high-flow boundary", "note on flow", flow_note, f"high flow > {LOW_FLOW_MAX_L_MIN:.0f} L/min",
               bool(re.search(r"high-flow[^.]*?(>|more than|above)\s*6\b", flow_note, re.IGNORECASE)),
               "the high-flow boundary is not stated", True),
        _check("more severe sign sets the grade", "notes", "(not stated)" if not re.search(
            r"more severe|most severe", text, re.IGNORECASE) else "stated",
               "the more severe of hypotension and hypoxia sets the grade",
               bool(re.search(r"more severe|most severe", text, re.IGNORECASE)),
               "left implicit in 'and/or'; a reader could take the less severe sign", True),
        _check("organ toxicities", "notes", "(not stated)" if "organ" not in text.lower() else "stated",
               "organ toxicities do not change the CRS grade", "organ" in text.lower(),
               "not stated; the table lists no organ toxicity, so read literally no grade changes", False),
        _check("ICANS grading", "Table 1", "(not shown)" if not re.search(r"ICANS|\bICE\b", everything)
               else "shown", "ICANS: ICE score, consciousness, seizure, motor, cerebral oedema",
               bool(re.search(r"ICANS|\bICE\b", everything)),
               "the paper grades ICANS by the same consensus (Methods) but prints no ICANS rules", False),
    ]


@dataclass(frozen=True)
class Table1Comparison:
    """Each printed rule of the paper's Table 1 set against the grader; the display is the verdict."""

    checks: pd.DataFrame

    @property
    def n_inconsistent(self) -> int:
        return int((self.checks["verdict"] == INCONSISTENT).sum())

    @property
    def n_could_change_grade(self) -> int:
        return int(self.checks["could change a CRS grade"].sum())

    @property
    def differences(self) -> pd.DataFrame:
        return self.checks[self.checks["verdict"] == INCONSISTENT].reset_index(drop=True)

    def _headline(self) -> str:
        n = len(self.checks)
        return (f"Table 1 against the consensus as coded: {n - self.n_inconsistent} of {n} checks {CONSISTENT}, "
                f"{self.n_inconsistent} {INCONSISTENT} ({self.n_could_change_grade} could change a CRS grade)")

    def __repr__(self) -> str:
        lines = [self._headline()]
        lines += [f"  - {location}: {check}: {consequence}" for location, check, consequence
                  in self.differences[["location", "check", "consequence"]].itertuples(index=False)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<p><strong>{self._headline()}</strong></p>" + self.checks.to_html(index=False)


def compare_with_printed_table1(table: pd.DataFrame, notes: pd.DataFrame) -> Table1Comparison:
    """Check every cell and note of a printed ASTCT CRS table against the grader.

    Each wording in a hypotension or hypoxia cell is recognised as a consensus term and graded by
    `grade_crs`; the grade must be the printed row's. Words the consensus does not use, connectives, the
    fever threshold, the flow boundaries, what waives fever, and the rules the table leaves out (grade 5,
    the more-severe rule, organ toxicities, ICANS) are checked from the text. The ``consequence`` column
    says what a difference would do to a grade.

    Parameters
    ----------
    table, notes : DataFrame
        As returned by `load_printed_table1`.
    """
    missing = [c for c in _PRINTED_TABLE_COLUMNS if c not in table.columns]
    missing += [c for c in _PRINTED_NOTE_COLUMNS if c not in notes.columns]
    if missing:
        raise InvalidInputError(f"printed Table 1: missing column(s) {', '.join(missing)}")
    if not table["grade"].str.fullmatch(r"[0-9]").all():
        raise InvalidInputError("printed Table 1: column 'grade' must hold single-digit grades")
    return Table1Comparison(pd.DataFrame(_cell_checks(table) + _note_checks(table, notes)))
