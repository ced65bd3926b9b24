"""Monte Carlo schedule risk: pmkit's vectorized run beside a plain per-iteration loop.

Runs ``pmkit.montecarlo.simulate`` (blocks of iterations through one vectorized CPM
forward pass each) on a ``pmkit.synth.project`` network with all four link types, lags,
two calendars with holidays and progress, and measures wall time and peak memory (Python
allocations via tracemalloc, numpy included). The baseline draws the same kind of
durations and calls the single-run forward pass once per iteration; it is timed on a
subset and extrapolated (stated in the output).

Usage::

    python benchmarks/bench_montecarlo.py [--tasks 5000] [--iterations 10000] [--loop-sample 200]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--iterations", type=int, default=10_000)
    ap.add_argument("--loop-sample", type=int, default=200, help="iterations timed for the per-iteration loop")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)

    from pmkit import synth
    from pmkit.montecarlo import sample_three_point, simulate
    from pmkit.scheduling import compile_network, forward_pass

    prj = synth.project(args.tasks, seed=args.seed)
    print(f"network: {len(prj.tasks)} activities, {len(prj.dependencies)} links "
          f"({', '.join(sorted(prj.dependencies['type'].unique()))}), {len(prj.risks)} risks, "
          f"status date {prj.status_date.date()}")

    for crit in (False, True):
        tracemalloc.start()
        t0 = time.perf_counter()
        res = simulate(prj, args.iterations, seed=args.seed, criticality=crit)
        dt = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        p = res.percentiles()
        label = "with criticality index" if crit else "percentiles + sensitivity"
        print(f"pmkit simulate, {label}: {args.iterations} iterations in {dt:.2f} s "
              f"({args.iterations / dt:,.0f} it/s), peak traced memory {peak:,.0f} MiB; "
              f"P50 {p['finish_days'].iloc[1]:.1f} d, P90 {p['finish_days'].iloc[3]:.1f} d")

    # baseline: one forward pass per iteration (same kernel, no vectorization over iterations)
    net = compile_network(prj)
    tasks = prj.tasks.set_index("task_id").loc[net.task_ids]
    a = tasks["optimistic_days"].to_numpy(float)
    m = tasks["most_likely_days"].to_numpy(float)
    b = tasks["pessimistic_days"].to_numpy(float)
    done = ~np.isnan(net.actual_finish)
    rng = np.random.default_rng(args.seed)
    k = min(args.loop_sample, args.iterations)
    t0 = time.perf_counter()
    lengths = []
    for _ in range(k):
        d = np.where(done, net.durations, sample_three_point(a, m, b, rng=rng))
        lengths.append(net.project_length(forward_pass(net, d)[1]))
    dt = time.perf_counter() - t0
    est = dt / k * args.iterations
    print(f"plain loop (forward_pass per iteration): {k} iterations in {dt:.2f} s -> "
          f"{est:.1f} s extrapolated for {args.iterations}; "
          f"median finish {np.median(lengths):.1f} d")


if __name__ == "__main__":
    main()
