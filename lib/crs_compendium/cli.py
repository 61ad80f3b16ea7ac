"""The compendium's command line, for clinicians and reviewers who want numbers without notebooks.

``python -m crs_compendium grade DAILY_CSV`` grades a daily.csv (data/ipd_schema.md) by the ASTCT
consensus and prints one CSV row per patient to stdout. ``validate [FOLDER]`` checks a patient data folder
against data/ipd_schema.md and lists every violation; ``reconstruct --seed N --out DIR`` writes the
synthetic cohort. Each command is an argparse sub-command with a ``run`` function. Invalid input exits
with status 2 and a message on stderr (one line, or one line per violation for ``validate``); nothing is
written to stdout then.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .exceptions import InvalidInputError
from .patients import grading
from .patients.load import DATA_ENV, read_csv_text, validate_folder
from .synthetic import DEFAULT_SEED

__all__ = ["build_parser", "main"]

PROG = "python -m crs_compendium"
_GRADE_COLUMNS = ["patient_id", "crs_onset_day", "crs_max_grade", "crs_duration_days"]


def _run_grade(args: argparse.Namespace) -> int:
    daily = read_csv_text(args.daily_csv)
    summary = grading.summarise_crs(daily, duration_rule=args.duration_rule, source=str(args.daily_csv))
    summary[_GRADE_COLUMNS].to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


def _run_validate(args: argparse.Namespace) -> int:
    report = validate_folder(args.folder)
    if not report.valid:
        print(f"{PROG} validate: error: {report}", file=sys.stderr)
        return 2
    print(report)
    return 0


def _run_reconstruct(args: argparse.Namespace) -> int:
    # The generator costs a second of imports; only this command needs it.
    from .synthetic.generate import reconstruct

    started = time.perf_counter()
    generated = reconstruct(seed=args.seed)
    seconds = time.perf_counter() - started
    paths = generated.write(args.out)
    counts = generated.report.counts()
    print(f"wrote {', '.join(path.name for path in paths)} to {args.out} (seed {args.seed}); fit to the printed "
          f"numbers: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    print(f"generated in {seconds:.1f} s", file=sys.stderr)
    return 0


def _seed(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a non-negative whole number, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-command per task."""
    parser = argparse.ArgumentParser(prog=PROG, description="Commands of the Zhou et al. 2025 compendium.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    grade = commands.add_parser(
        "grade",
        help="grade a daily.csv by the ASTCT consensus; one CSV row per patient",
        description=(
            "Grade every day of DAILY_CSV by the ASTCT CRS consensus (Lee et al. 2019) and print "
            f"{','.join(_GRADE_COLUMNS)} for each patient. Onset is the first day graded 1 or more; "
            "with --duration-rule span (default) the duration is last CRS day - onset + 1, 0 without CRS. "
            "Exit status 2 on invalid input."
        ),
    )
    grade.add_argument("daily_csv", type=Path, metavar="DAILY_CSV", help="daily.csv, one row per patient per day")
    grade.add_argument(
        "--duration-rule", choices=grading.DURATION_RULES, default="span",
        help="span: last CRS day - onset + 1 (default); count: number of days graded 1 or more",
    )
    grade.set_defaults(run=_run_grade)

    validate = commands.add_parser(
        "validate",
        help="check a patient data folder (patients.csv, daily.csv) against data/ipd_schema.md",
        description=(
            "Validate FOLDER against the IPD schema (data/ipd_schema.md) and list every violation at once: "
            f"file, column, line(s), rule. FOLDER defaults to ${DATA_ENV}, else the shipped synthetic "
            "cohort. Nothing in FOLDER is written. Exit status 0 when valid, 2 otherwise."
        ),
    )
    validate.add_argument("folder", type=Path, nargs="?", default=None, metavar="FOLDER",
                          help="folder holding patients.csv and daily.csv")
    validate.set_defaults(run=_run_validate)

    rebuild = commands.add_parser(
        "reconstruct",
        help="write the synthetic patient-level cohort rebuilt from the published aggregates",
        description=(
            "Generate the synthetic reconstruction (crs_compendium.synthetic) for a seed and write "
            "patients.csv, daily.csv, README.md, the SYNTHETIC marker and the folder's provenance.csv and "
            "claim_notes.csv to DIR. The same seed gives "
            "byte-identical files. A DIR holding patients.csv without the SYNTHETIC marker is refused."
        ),
    )
    rebuild.add_argument("--seed", type=_seed, default=DEFAULT_SEED,
                         help=f"seed of the generator (default {DEFAULT_SEED}, the shipped cohort)")
    rebuild.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write")
    rebuild.set_defaults(run=_run_reconstruct)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; return its exit status (2 and a one-line message on stderr for invalid input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except InvalidInputError as error:
        message = " ".join(str(error).split())
        print(f"{PROG} {args.command}: error: {message}", file=sys.stderr)
        return 2
