"""Monte Carlo schedule risk: pmkit's compiled run beside a plain per-iteration loop.

Runs ``pmkit.project.montecarlo.simulate`` (numba CPM passes over iterations in parallel, see
``pmkit/project/_cpm_numba.py``) on a ``pmkit.synth.project`` network with all four link types, lags,
two calendars with holidays and progress, and measures wall time and peak memory: Python
allocations via tracemalloc (numpy included) and the process's peak resident set size
(numba's own allocations and the compiled code included). numba compiles (or loads from
its on-disk cache) on first use: that is timed separately on a small project.

The baseline is the straightforward loop: per iteration, draw the durations with numpy's
beta generator (PERT), call the numpy single-run ``forward_pass`` and, for the criticality
run, ``backward_pass``. It is timed on ``--loop-sample`` iterations and extrapolated to
``--iterations`` (stated in the output as such).

Usage::

    python benchmarks/bench_montecarlo.py [--tasks 5000] [--iterations 10000] [--loop-sample 200]
"""

from __future__ import annotations

import argparse
import resource
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
    from pmkit.project.montecarlo import sample_three_point, simulate
    from pmkit.project.scheduling import (
        CRITICAL_TOLERANCE,
        backward_pass,
        compile_network,
        forward_pass,
    )

    t0 = time.perf_counter()
    simulate(synth.project(30, seed=1), 20, seed=1)
    simulate(synth.project(30, seed=1), 20, seed=1, correlation=0.5, distribution="triangular")
    print(f"numba compile / cache load (first call, small project): {time.perf_counter() - t0:.2f} s")

    prj = synth.project(args.tasks, seed=args.seed)
    print(f"network: {len(prj.tasks)} activities, {len(prj.dependencies)} links "
          f"({', '.join(sorted(prj.dependencies['type'].unique()))}), {len(prj.risks)} risks, "
          f"{len(set(prj.tasks['calendar_id'].fillna('')))} calendars, status date {prj.status_date.date()}")

    runs = [("percentiles + sensitivity", {"criticality": False}),
            ("with criticality index", {}),
            ("criticality, correlation 0.5", {"correlation": 0.5})]
    for label, kw in runs:
        tracemalloc.start()
        t0 = time.perf_counter()
        res = simulate(prj, args.iterations, seed=args.seed, **kw)
        dt = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        p = res.percentiles()
        print(f"pmkit simulate, {label}: {args.iterations} iterations in {dt:.2f} s "
              f"({args.iterations / dt:,.0f} it/s), peak traced memory {peak:,.0f} MiB; "
              f"P50 {p['finish_days'].iloc[1]:.1f} d, P90 {p['finish_days'].iloc[3]:.1f} d")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak resident memory so far (everything, numba and the network included): {rss:,.0f} MiB")

    # baseline: one forward (and backward) pass per iteration with numpy's beta draws
    net = compile_network(prj)
    tasks = prj.tasks.set_index("task_id").loc[net.task_ids]
    a = tasks["optimistic_days"].to_numpy(float)
    m = tasks["most_likely_days"].to_numpy(float)
    b = tasks["pessimistic_days"].to_numpy(float)
    done = ~np.isnan(net.actual_finish)
    rng = np.random.default_rng(args.seed)
    k = min(args.loop_sample, args.iterations)
    for crit in (False, True):
        t0 = time.perf_counter()
        lengths, critical = [], np.zeros(net.n)
        for _ in range(k):
            d = np.where(done, net.durations, sample_three_point(a, m, b, rng=rng))
            ef = forward_pass(net, d)[1]
            length = net.project_length(ef)
            if crit:
                critical += (backward_pass(net, d, project_finish=length)[1] - ef) <= CRITICAL_TOLERANCE
            lengths.append(length)
        dt = time.perf_counter() - t0
        print(f"plain loop (numpy draws + forward{' + backward' if crit else ''} pass per iteration): "
              f"{k} iterations measured in {dt:.2f} s -> {dt / k * args.iterations:.1f} s extrapolated "
              f"for {args.iterations}; median finish {np.median(lengths):.1f} d")


if __name__ == "__main__":
    main()
