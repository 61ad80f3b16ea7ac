"""Small outside data sets that several test modules share (imported through tests/conftest.py, which puts
this folder on sys.path).

* The 6-mercaptopurine leukaemia trial (Freireich et al., Blood 1963;21:699-716; Gehan, Biometrika
  1965;52:203-223), remission times in weeks, 21 patients per arm, as in R's ``MASS::gehan``.
* Student's sleep data (R's ``sleep``: extra hours of sleep under two drugs, 10 patients each).
* A two-patient data folder in the schema of data/ipd_schema.md, valid as written, and a helper that
  breaks one cell of it.
* A sampler of data sets consistent with a printed median and range (``printed.measured``'s interval
  boxes), for checks against brute force.
"""
from fractions import Fraction

import pandas as pd

from crs_compendium.printed import measured

# --------------------------------------------------------------------------------------------------------
# The Gehan trial
# --------------------------------------------------------------------------------------------------------
# (weeks, relapse observed) of each arm; a 0 marks a censored remission.
SIX_MP = [(6, 1), (6, 1), (6, 1), (6, 0), (7, 1), (9, 0), (10, 1), (10, 0), (11, 0), (13, 1), (16, 1), (17, 0),
          (19, 0), (20, 0), (22, 1), (23, 1), (25, 0), (32, 0), (32, 0), (34, 0), (35, 0)]
PLACEBO = [(1, 1), (1, 1), (2, 1), (2, 1), (3, 1), (4, 1), (4, 1), (5, 1), (5, 1), (8, 1), (8, 1), (8, 1), (8, 1),
           (11, 1), (11, 1), (12, 1), (12, 1), (15, 1), (17, 1), (22, 1), (23, 1)]


def gehan(endpoint="pfs"):
    """The trial as a patient table: the placebo arm plays the tocilizumab group, so the hazard ratio of
    the first group in GROUP_ORDER is R's control-versus-6-MP ratio. Weeks are written as days (the unit
    only scales the medians)."""
    rows = [(True, weeks, bool(event)) for weeks, event in PLACEBO] + [(False, weeks, bool(event)) for weeks, event in SIX_MP]
    time, event = {"pfs": ("pfs_days", "pfs_event"), "os": ("os_days", "os_event")}[endpoint]
    return pd.DataFrame(rows, columns=["tocilizumab", time, event])


# --------------------------------------------------------------------------------------------------------
# Student's sleep data
# --------------------------------------------------------------------------------------------------------
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def sleep():
    """The sleep data as two groups of a measurement ``extra``, drug 1 playing the tocilizumab group."""
    return pd.DataFrame({"group": ["Toci"] * 10 + ["Non-toci"] * 10, "extra": SLEEP_1 + SLEEP_2})


# --------------------------------------------------------------------------------------------------------
# A small patient data folder (data/ipd_schema.md)
# --------------------------------------------------------------------------------------------------------
PATIENTS = """\
patient_id,age_years,sex,high_risk,prior_lines,prior_allo_sct,marrow_blasts_pct,cart_dose_1e6_per_kg,tocilizumab,toci_doses,toci_total_mg,steroid_mpe_mg,crs_grade,crs_duration_days,icans_grade,response_d28,serious_infection,gcsf_total_ug,pfs_days,pfs_event,os_days,os_event
A1,42,F,true,2,false,34.15,1.5,true,2,480,60,3,6,0,MRD-CR,true,1500,300,true,420,true
A2,32,M,false,3,true,17.78,2.38,false,0,0,0,0,0,0,MRD+CR,false,0,610.5,false,610.5,false
"""
DAILY = """\
patient_id,day,tmax_c,vasopressors,hypotension,o2_support,o2_flow_l_min,il6_pg_ml,il10_pg_ml,ifng_pg_ml,tnfa_pg_ml,crp_mg_l,ferritin_ng_ml,car_copies_per_ug_dna,alt_u_l,ast_u_l,creatinine_umol_l,toci_mg,steroid_mpe_mg
A1,1,38.9,0,false,none,,250,,,,40,,,,,,,
A1,2,39.2,1,true,high_flow,10,900,,,,80,,,,,,480,60
A1,3,37.0,0,false,none,,120,,,,60,,,,,,,
A2,1,37.1,,,,,,,,,,,,,,,,
"""


def make_folder(tmp_path, patients=PATIENTS, daily=DAILY, encoding="utf-8"):
    """Write a data folder under ``tmp_path``; a file given as None is left out, bytes are written as they are."""
    folder = tmp_path / "data"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("patients.csv", patients), ("daily.csv", daily)):
        if text is None:
            continue
        content = text if isinstance(text, bytes) else text.encode(encoding)
        (folder / name).write_bytes(content)
    return folder


def edit_cell(text, line, column, value):
    """Set one cell (line numbers as in the file: header = 1) of a CSV text without quoting."""
    rows = text.splitlines()
    header = rows[0].split(",")
    fields = rows[line - 1].split(",")
    fields[header.index(column)] = value
    rows[line - 1] = ",".join(fields)
    return "\n".join(rows) + "\n"


# --------------------------------------------------------------------------------------------------------
# Data sets consistent with a printed summary
# --------------------------------------------------------------------------------------------------------
def sample_data_set(sets, rng):
    """A random data set consistent with ``sets`` (a ``measured.ConsistentSets``): each position uniform in
    its interval (on the scale's grid, if it has one), the middle pair of an even group drawn among its
    options. Any vector in the box, sorted, is a data set."""
    split = rng.choice(sets.split_options(limit=200)) if sets.even else None
    lows, highs = sets.box(split)
    step = sets.scale.step
    values = []
    for low, high in zip(lows, highs):
        if step is None:
            values.append(low + (high - low) * Fraction(rng.randint(0, 1000), 1000))
        else:
            values.append(rng.choice(measured._grid_points(low, high, step)))
    return tuple(sorted(values))
