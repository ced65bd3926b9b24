"""Update comparison benchmark: ``pmkit.compare`` beside a plain pandas merge-based diff.

Usage::

    python benchmarks/bench_changes.py [--sizes 10000 100000] [--repeat 3] [--with-schedules]

For each size it builds a :func:`pmkit.synth.project` (about three links per task, progress
at 40 %) and a revised copy: 1 % of durations changed, 1 % of constraints set, 0.1 % of
links removed, 0.1 % of tasks added with a link each, and 5 % of progress records moved
forward. It times, in the same process, the public call ``compare(old, new,
schedules=False)`` (every table: activities, links, durations, constraints, calendars,
progress, costs, the long table and the summary) and what a competent pandas user would
write: outer merges on ``task_id`` and on ``(predecessor_id, successor_id)`` with
``indicator=True`` and column-wise ``!=`` (the same fields, without blank-equals-blank or
float tolerance, so the baseline does less). ``--with-schedules`` also times the full
``compare(old, new)`` including pmkit's CPM of both versions (critical and longest paths).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

import numpy as np
import pandas as pd


def versions(n: int):
    from pmkit import synth

    old = synth.project(n, seed=11, with_risks=False, with_resources=False)
    rng = np.random.default_rng(0)
    t = old.tasks.copy()
    pick = rng.choice(n, n // 100, replace=False)
    t.loc[t.index[pick], "duration_days"] += 2.0
    pick = rng.choice(n, n // 100, replace=False)
    t.loc[t.index[pick], "constraint_type"] = "SNET"
    t.loc[t.index[pick], "constraint_date"] = pd.Timestamp("2025-03-03")
    k = max(1, n // 1000)
    new_ids = [f"N{i}" for i in range(k)]
    t = pd.concat([t, pd.DataFrame({"project_id": old.project_id, "task_id": new_ids, "name": "new",
                                    "duration_days": 3.0, "budget_cost": 100.0, "constraint_type": "ASAP"})],
                  ignore_index=True)
    d = old.dependencies.drop(index=old.dependencies.index[rng.choice(len(old.dependencies), k, replace=False)])
    d = pd.concat([d, pd.DataFrame({"project_id": old.project_id, "predecessor_id": t["task_id"].iloc[:k].to_numpy(),
                                    "successor_id": new_ids, "type": "FS", "lag_days": 0.0})], ignore_index=True)
    st = old.status.copy()
    moved = rng.random(len(st)) < 0.05
    st.loc[moved, "percent_complete"] = np.minimum(st.loc[moved, "percent_complete"] + 10, 100)
    new = dataclasses.replace(old, tasks=t, dependencies=d, status=st, validate=False)
    return old, new


def plain_pandas(old, new) -> dict:
    """Outer merges with an indicator and column-wise comparisons."""
    t = old.tasks.merge(new.tasks, on="task_id", how="outer", suffixes=("_o", "_n"), indicator=True)
    both = t[t["_merge"] == "both"]
    out = {"added": (t["_merge"] == "right_only").sum(), "removed": (t["_merge"] == "left_only").sum()}
    for c in ("duration_days", "constraint_type", "constraint_date", "calendar_id", "budget_cost"):
        out[c] = (both[f"{c}_o"] != both[f"{c}_n"]).sum()
    lk = old.dependencies.merge(new.dependencies, on=["predecessor_id", "successor_id"], how="outer",
                                suffixes=("_o", "_n"), indicator=True)
    lb = lk[lk["_merge"] == "both"]
    out["links"] = ((lk["_merge"] != "both") | (lb["type_o"] != lb["type_n"]) | (lb["lag_days_o"] != lb["lag_days_n"])
                    ).sum()
    so, sn = old.status_at(), new.status_at()
    s = so.merge(sn, on="task_id", how="outer", suffixes=("_o", "_n"))
    for c in ("percent_complete", "actual_start", "actual_finish", "remaining_days", "actual_cost"):
        out[c] = (s[f"{c}_o"] != s[f"{c}_n"]).sum()
    return out


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--with-schedules", action="store_true")
    args = ap.parse_args(argv)
    from pmkit.project.changes import compare

    print(f"{'activities':>10} {'links':>8} {'changes':>8} {'pmkit.compare':>14} {'pandas merge':>13} {'ratio':>6}"
          + (f" {'with CPM':>9}" if args.with_schedules else ""))
    for n in args.sizes:
        old, new = versions(n)
        c = compare(old, new, schedules=False)
        t_pm = best(lambda old=old, new=new: compare(old, new, schedules=False), args.repeat)
        t_pd = best(lambda old=old, new=new: plain_pandas(old, new), args.repeat)
        line = (f"{n:>10,} {len(old.dependencies):>8,} {len(c.changes):>8,} {t_pm:>13.3f}s {t_pd:>12.3f}s "
                f"{t_pm / t_pd:>5.2f}x")
        if args.with_schedules:
            line += f" {best(lambda old=old, new=new: compare(old, new), 1):>8.2f}s"
        print(line, flush=True)
    print("(best of --repeat runs; ratio = pmkit / pandas, below 1 means pmkit is faster. pmkit also\n"
          " builds the long table, the summary and every per-kind table; the baseline only counts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
