"""Fidelity check: pmkit's schedule against the one MS Project saved in MSPDI files.

Usage::

    python benchmarks/check_mspdi.py /work/shared/testdata/mspdi/*.xml
    python benchmarks/check_mspdi.py FOLDER            # every .xml file in it

For every file: read it with :func:`pmkit.read_mspdi`, schedule it with
:func:`pmkit.schedule`, and compare, task by task, the early and late starts and
finishes and the total and free float with MS Project's saved ``EarlyStart``,
``EarlyFinish``, ``LateStart``, ``LateFinish``, ``TotalSlack`` and ``FreeSlack``.

MS Project saves time stamps, pmkit shows dates. The saved times are first turned into
working days since the project start (:func:`pmkit.interop.mspdi_saved_schedule`, where
17:00 and 08:00 of the next working day are the same point), then into pmkit's date
convention: a start is shown on the working day it begins, a finish on the last working
day worked. Floats are compared in working days (tolerance 1e-6). Summary tasks are
skipped (MS Project rolls their dates up from their children; pmkit has no summary
scheduling of its own).

Prints one table of mismatches per file and exits with status 1 when there is any.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from pmkit.interop import InteropWarning
from pmkit.interop.mspdi import mspdi_saved_schedule, read_mspdi

DATE_FIELDS = ("early_start", "early_finish", "late_start", "late_finish")
FLOAT_FIELDS = (("total_slack_days", "total_float_days"), ("free_slack_days", "free_float_days"))
TOLERANCE_DAYS = 1e-6


def ms_dates(saved: pd.DataFrame, project) -> pd.DataFrame:
    """MS Project's saved offsets as dates in pmkit's convention (see the module doc)."""
    cal = project.calendar
    origin = np.datetime64(project.start_date, "D")
    out = pd.DataFrame({"task_id": saved["task_id"]})
    for field in DATE_FIELDS:
        off = saved[f"{field}_offset_days"].to_numpy(dtype=float)
        if field.endswith("start"):
            day = np.floor(off + 1e-9)
        else:
            start = saved[field.replace("finish", "start") + "_offset_days"].to_numpy(dtype=float)
            worked = off > start + 1e-9
            # a finish lies at the end of its last working day; a milestone at its moment
            day = np.where(worked | (np.abs(off - np.round(off)) < 1e-9) & (off > 0),
                           np.ceil(off - 1e-9) - 1, np.floor(off + 1e-9))
        ok = ~np.isnan(day)
        dates = np.full(len(off), np.datetime64("NaT"), dtype="datetime64[D]")
        dates[ok] = cal.offset_to_date(origin, day[ok])
        out[field] = pd.to_datetime(dates)
    return out


def compare(path: Path) -> tuple[pd.DataFrame, int, float]:
    """Mismatches of one file (one row per task and field), tasks compared, seconds to schedule."""
    import pmkit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        project = read_mspdi(path)
        saved = mspdi_saved_schedule(path)
    t0 = time.perf_counter()
    ours = pmkit.schedule(project)
    seconds = time.perf_counter() - t0
    saved = saved[~saved["summary"]].reset_index(drop=True)
    ms = ms_dates(saved, project).merge(saved[["task_id", "name", "total_slack_days", "free_slack_days"]],
                                        on="task_id")
    both = ms.merge(ours, on="task_id", how="left", suffixes=("_ms", ""))
    rows = []
    for r in both.itertuples(index=False):
        rec = r._asdict()
        for field in DATE_FIELDS:
            want, got = rec[f"{field}_ms"], rec.get(field)
            got = None if got is None or pd.isna(got) else pd.Timestamp(got).normalize()
            if pd.isna(want) or got != want:
                rows.append((r.task_id, r.name, field, _show(want), _show(got)))
        for ms_col, our_col in FLOAT_FIELDS:
            want, got = rec[ms_col], rec.get(our_col)
            if got is None or pd.isna(got) or math.isnan(want) or abs(float(got) - want) > TOLERANCE_DAYS:
                rows.append((r.task_id, r.name, our_col, _show(want), _show(got)))
    return (pd.DataFrame(rows, columns=["task_id", "name", "field", "ms_project", "pmkit"]), len(both),
            seconds)


def _show(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "-"
    if isinstance(v, pd.Timestamp | np.datetime64):
        return f"{pd.Timestamp(v):%Y-%m-%d}"
    return f"{float(v):g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="MSPDI .xml files or folders holding them")
    args = parser.parse_args(argv)
    files: list[Path] = []
    for p in map(Path, args.paths):
        files += sorted(p.glob("*.xml")) if p.is_dir() else [p]
    if not files:
        print("no .xml files given", file=sys.stderr)
        return 2
    try:
        import pmkit

        pmkit.schedule  # noqa: B018 - fail early with a clear message
    except (ImportError, AttributeError) as exc:
        print(f"pmkit.schedule is not available: {exc}", file=sys.stderr)
        return 2
    total = 0
    summary = []
    for f in files:
        mism, n, seconds = compare(f)
        total += len(mism)
        summary.append((f.name, n, len(mism), seconds * 1e3))
        print(f"\n== {f.name}: {n} tasks, {len(mism)} mismatches (scheduled in {seconds * 1e3:.1f} ms)")
        if len(mism):
            print(mism.to_string(index=False))
    print("\nfile                                  tasks  mismatches  schedule ms")
    for name, n, m, ms in summary:
        print(f"{name:<36} {n:>6} {m:>11} {ms:>12.1f}")
    print(f"{'total':<36} {sum(s[1] for s in summary):>6} {total:>11}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
