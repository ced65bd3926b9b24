"""Leveling quality and speed on PSPLIB, beside a plain serial SGS with the LFT rule.

Usage::

    python benchmarks/bench_leveling.py /work/shared/testdata/psplib [--limit N] [--jobs K]

Prints, for budgets of 1,000 and 5,000 schedules per instance:

* j30: average deviation of the makespan from the proven optimum (``j30-optimum.csv``),
  and how many instances reach it;
* j60: average deviation from the critical-path lower bound (the header's MPM-Time);
* schedules per second of the search on a 60-activity instance, one core;

and the same figures for one pass of a serial schedule generation scheme with the LFT
priority rule (what mainstream tools do). Deviation = (makespan - bound) / bound, averaged
over the instances (Kolisch & Hartmann 2006). ``--limit N`` takes every k-th instance so that
N of each set run (a quick, still representative, sample); ``--jobs`` runs processes in
parallel (schedules per second is always measured in this process, one core).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from pmkit.interop.psplib import read_psplib_instance
from pmkit.project.leveling import solve_psplib

BUDGETS = (1000, 5000)


def _run(args: tuple[str, int, str, int]) -> tuple[str, int]:
    path, budget, method, seed = args
    inst = read_psplib_instance(path)
    return inst.name, solve_psplib(inst, max_schedules=budget, seed=seed, method=method).makespan


def _pick(files: list[Path], limit: int | None) -> list[Path]:
    if limit is None or limit >= len(files):
        return files
    step = len(files) / limit
    return [files[int(i * step)] for i in range(limit)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("psplib_dir", help="folder holding j30/, j60/ and j30-optimum.csv")
    ap.add_argument("--limit", type=int, default=None, help="instances per set (default: all 480)")
    ap.add_argument("--jobs", type=int, default=1, help="parallel processes (default 1)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    root = Path(args.psplib_dir)
    with open(root / "j30-optimum.csv", newline="") as fh:
        optimum = {r["problem"]: int(r["optimum"]) for r in csv.DictReader(fh)}
    sets = {k: _pick(sorted((root / k).glob("*.sm")), args.limit) for k in ("j30", "j60")}
    bound = {"j30": lambda inst: optimum[inst.name], "j60": lambda inst: inst.mpm_time}
    insts = {k: {f.name: read_psplib_instance(f) for f in v} for k, v in sets.items()}
    solve_psplib(next(iter(insts["j30"].values())), 50)  # compile the kernels before timing

    # speed: one core, a 60-activity (62 jobs) instance, a fixed budget, no early stop on bound
    # (an instance the LFT rule leaves far above the critical path, so the search runs its budget)
    inst60 = max(insts["j60"].values(),
                 key=lambda i: solve_psplib(i, method="rule").makespan / i.mpm_time)
    speed = {}
    for method, budget in (("ga", 20000), ("rule", 1)):
        reps = 1 if method == "ga" else 2000
        t0 = time.perf_counter()
        used = 0
        for r in range(reps):
            used += solve_psplib(inst60, max_schedules=budget, seed=r, method=method).schedules
        speed[method] = used / (time.perf_counter() - t0)

    print(f"PSPLIB leveling benchmark: {len(sets['j30'])} j30 and {len(sets['j60'])} j60 instances, "
          f"{args.jobs} process(es)")
    print(f"{'method':34s} {'budget':>7s} {'j30 dev. opt':>13s} {'j30 optimal':>12s} "
          f"{'j60 dev. CPM':>13s} {'seconds':>8s}")
    rows = [("pmkit (GA, peak + key crossover, FBI)", "ga", b) for b in BUDGETS] + [("serial SGS + LFT, one pass", "rule", 1)]
    with ProcessPoolExecutor(max_workers=args.jobs) if args.jobs > 1 else _Serial() as ex:
        for label, method, budget in rows:
            t0 = time.perf_counter()
            devs = {}
            hits = 0
            for k, files in sets.items():
                res = dict(ex.map(_run, [(str(f), budget, method, args.seed) for f in files]))
                d = [(res[name] - bound[k](inst)) / bound[k](inst) for name, inst in insts[k].items()]
                devs[k] = 100 * float(np.mean(d))
                if k == "j30":
                    hits = sum(res[name] == optimum[name] for name in res)
            print(f"{label:34s} {budget:7d} {devs['j30']:12.3f}% {hits:5d}/{len(sets['j30']):<6d} "
                  f"{devs['j60']:12.2f}% {time.perf_counter() - t0:8.1f}")
    print(f"schedules per second, 60 activities ({inst60.name}), one core: pmkit search {speed['ga']:,.0f}; "
          f"serial SGS + LFT {speed['rule']:,.0f} (includes per-call setup)")
    print("targets at 5,000 schedules: j30 <= 0.1%, j60 <= 11.0%, >= 2,000 schedules/s")
    return 0


class _Serial:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def map(fn, items):
        return map(fn, items)


if __name__ == "__main__":
    sys.exit(main())
