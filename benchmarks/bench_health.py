"""DCMA 14-point assessment benchmark: ``pmkit.project.health.health`` against plain pandas.

Usage::

    python benchmarks/bench_health.py [--sizes 10000 100000] [--repeat 3]

For each size it builds a :func:`pmkit.synth.project` (about three links per task, baseline,
progress at 40 % of the plan, resources) and times, in the same process:

* ``health``: the whole assessment end to end (schedule, the 14 checks, the critical path
  test with a second forward pass, offenders, CPLI); the goal is under 2 s at 100,000;
* ``pandas``: what a competent user would write for a few of the checks by hand:
  :func:`pmkit.schedule` for the floats, then pandas for checks 1 (logic), 2 (leads),
  3 (lags), 4 (FS share), 6 (high float) and 7 (negative float), counts only.

The counts of those six checks are compared, so both sides do the same work.
"""

from __future__ import annotations

import argparse
import sys
import time


def plain_pandas(prj) -> dict[int, int]:
    """Six DCMA counts with pmkit.schedule + pandas (no offenders, no summary handling)."""
    import pmkit

    s = pmkit.schedule(prj)
    deps = prj.dependencies
    open_ = s[s["progress"] != "finished"]
    has_pred = open_["task_id"].isin(deps["successor_id"])
    has_succ = open_["task_id"].isin(deps["predecessor_id"])
    links = deps[deps["successor_id"].isin(open_["task_id"])]
    tf = open_["total_float_days"]
    return {1: int((~(has_pred & has_succ)).sum()), 2: int((links["lag_days"] < 0).sum()),
            3: int((links["lag_days"] > 0).sum()), 4: int((links["type"] == "FS").sum()),
            6: int((tf > 44 + 1e-6).sum()), 7: int((tf < -1e-6).sum())}


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = ap.parse_args(argv)

    import pmkit
    from pmkit.project.health import health

    health(pmkit.synth.project(2_000, seed=1))  # warm up numba kernels and pandas paths
    print(f"{'activities':>10} {'links':>9} {'health (14 checks)':>19} {'pandas (6 checks)':>18} {'ratio':>6} "
          f"{'same counts':>11} {'failed':>6}")
    for n in args.sizes:
        prj = pmkit.synth.project(n, seed=1)
        health(prj)  # first call at this size compiles the large-network kernel
        t_h, h = best_of(lambda prj=prj: health(prj), args.repeat)
        t_p, counts = best_of(lambda prj=prj: plain_pandas(prj), args.repeat)
        mine = h.checks.set_index("number")["count"]
        same = all(int(mine[k]) == v for k, v in counts.items())
        print(f"{n:>10,} {len(prj.dependencies):>9,} {t_h:>18.3f}s {t_p:>17.3f}s {t_h / t_p:>6.2f} "
              f"{'yes' if same else 'NO':>11} {h.n_failed:>6}", flush=True)
    print("(best of --repeat runs, after a warm-up; ratio = health / pandas: health also runs the\n"
          " other 8 checks, the critical path test's second forward pass and builds the offenders)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
