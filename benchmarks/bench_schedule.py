"""Scheduling benchmark: pmkit's vectorized CPM passes against a plain-Python baseline.

Usage::

    python benchmarks/bench_schedule.py [--sizes 10000 100000 1000000] [--baseline-max 1000000]

For each size it builds a :func:`pmkit.synth.network` project (about three links per task,
FS/SS/FF/SF links, positive and negative lags, a Mon-Fri calendar with holidays and 5% of
tasks on a Mon-Sat calendar), then prints the time of the forward pass, the backward pass
and the floats, the peak memory of the process, and a straightforward baseline on the same
network in the same run: networkx topological sort plus a Python loop over the links
(single calendar arithmetic, so the baseline does strictly less work than pmkit).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc

import numpy as np


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def baseline(net) -> tuple[float, float]:
    """networkx topological order + Python loops: forward and backward pass, floats."""
    import networkx as nx

    t0 = time.perf_counter()
    n = net.n
    d = net.durations.tolist()
    pred, succ = net.pred.tolist(), net.succ.tolist()
    types, lags = net.link_type.tolist(), net.lag.tolist()
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(zip(pred, succ, strict=True))
    order = list(nx.topological_sort(g))
    ins = [[] for _ in range(n)]
    outs = [[] for _ in range(n)]
    for e, (p, s) in enumerate(zip(pred, succ, strict=True)):
        ins[s].append(e)
        outs[p].append(e)
    es = [0.0] * n
    ef = [0.0] * n
    for j in order:
        r = 0.0
        for e in ins[j]:
            i, t = pred[e], types[e]
            v = (ef[i] if t in (0, 2) else es[i]) + lags[e] - (d[j] if t >= 2 else 0.0)
            if v > r:
                r = v
        es[j] = r
        ef[j] = r + d[j]
    finish = max(ef)
    ls = [0.0] * n
    lf = [0.0] * n
    for i in reversed(order):
        r = finish
        for e in outs[i]:
            j, t = succ[e], types[e]
            v = (lf[j] if t >= 2 else ls[j]) - lags[e] + (0.0 if t in (0, 2) else d[i])
            if v < r:
                r = v
        lf[i] = r
        ls[i] = r - d[i]
    tf = [a - b for a, b in zip(lf, ef, strict=True)]
    return time.perf_counter() - t0, finish + 0 * min(tf)


def run(n: int, baseline_max: int, repeat: int) -> dict:
    import pandas as pd

    from pmkit import synth
    from pmkit.data.model import Project
    from pmkit.project.scheduling import (
        _compiled_kernel,
        backward_pass,
        compile_network,
        forward_pass,
        free_float,
    )

    t0 = time.perf_counter()
    tasks, deps = synth.network(n, seed=1)
    cals = synth.calendars(1)
    prj = Project(project_id="SYN", name="bench", start_date=pd.Timestamp("2025-01-06"),
                  calendar=cals["standard"], calendars=cals, tasks=tasks, dependencies=deps, validate=False)
    del tasks, deps  # the project holds its own (normalized) tables
    t_synth = time.perf_counter() - t0
    t0 = time.perf_counter()
    net = compile_network(prj)
    t_compile = time.perf_counter() - t0
    del prj
    # large networks run on compiled (numba) passes; building their arrays is part of compiling
    t0 = time.perf_counter()
    _compiled_kernel(net)
    t_compile += time.perf_counter() - t0
    D = net.durations[None, :]
    best = {"forward": np.inf, "backward": np.inf, "floats": np.inf}
    for _ in range(repeat):
        t0 = time.perf_counter()
        es, ef = forward_pass(net, D)
        t1 = time.perf_counter()
        finish = np.atleast_1d(net.project_length(ef))
        ls, lf = backward_pass(net, D, finish)
        t2 = time.perf_counter()
        tf = lf - ef
        ff = free_float(net, es, ef, D, tf)
        t3 = time.perf_counter()
        best["forward"] = min(best["forward"], t1 - t0)
        best["backward"] = min(best["backward"], t2 - t1)
        best["floats"] = min(best["floats"], t3 - t2)
    total = sum(best.values())
    # memory of the scheduling itself (numpy reports its buffers to tracemalloc)
    tracemalloc.start()
    es, ef = forward_pass(net, D)
    ls, lf = backward_pass(net, D, np.atleast_1d(net.project_length(ef)))
    free_float(net, es, ef, D, lf - ef)
    pass_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rss_before_baseline = peak_mb()
    row = {"n": n, "links": len(net.pred), "levels": net.levels.n_levels, "synth_s": t_synth,
           "compile_s": t_compile, **{f"{k}_s": v for k, v in best.items()}, "total_s": total,
           "critical": int((tf <= 1e-6).sum()), "free_float_mean": float(ff.mean()),
           "pass_mb": pass_mb, "peak_mb": rss_before_baseline, "baseline_s": np.nan}
    if n <= baseline_max:
        row["baseline_s"], _ = baseline(net)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--baseline-max", type=int, default=1_000_000,
                    help="skip the (slow) baseline above this many activities")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many pmkit runs")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one size, JSON out
    args = ap.parse_args(argv)
    if args.one is not None:
        print(json.dumps(run(args.one, args.baseline_max, args.repeat)))
        return 0
    print(f"{'activities':>10} {'links':>9} {'levels':>6} {'compile':>8} {'forward':>8} {'backward':>8} "
          f"{'floats':>7} {'total':>7} {'baseline':>9} {'speedup':>8} {'pass MB':>8} {'RSS MB':>7}")
    rows = []
    for n in args.sizes:
        # each size in a fresh process, so the peak resident set is that size's own
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--baseline-max", str(args.baseline_max),
                              "--repeat", str(args.repeat)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(r)
        speed = r["baseline_s"] / r["total_s"] if np.isfinite(r["baseline_s"]) else np.nan
        print(f"{r['n']:>10,} {r['links']:>9,} {r['levels']:>6} {r['compile_s']:>7.2f}s {r['forward_s']:>7.3f}s "
              f"{r['backward_s']:>7.3f}s {r['floats_s']:>6.3f}s {r['total_s']:>6.3f}s {r['baseline_s']:>8.2f}s "
              f"{speed:>7.0f}x {r['pass_mb']:>8.0f} {r['peak_mb']:>7.0f}", flush=True)
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        print(f"growth: {b['n'] / a['n']:.0f}x activities -> {b['total_s'] / a['total_s']:.1f}x time")
    print("(times: best of --repeat runs. pass MB: peak memory allocated by forward + backward pass +\n"
          " floats (tracemalloc). RSS MB: peak resident set (getrusage ru_maxrss) of the process that\n"
          " ran that size (one fresh process per size), before the baseline runs: Python, pandas, the\n"
          " synthetic project's DataFrames, compile_network and the passes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
