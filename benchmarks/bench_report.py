"""Benchmark: HTML reports for N synthetic projects plus the portfolio.

pmkit's runner (parallel warm worker processes, papermill and nbconvert imported once per
worker, HTML exported in-process) against the plain way: a sequential loop of
``papermill`` commands, each followed by ``jupyter nbconvert --to html --no-input``, run
in the same process on the same data. Prints seconds per report and the throughput ratio
(target: at least 1.8x on 2 cores).

    .venv/bin/python benchmarks/bench_report.py [--projects 50] [--jobs 2] [--baseline-sample 0]

``--baseline-sample K`` times the baseline on K reports only and extrapolates (the full
baseline on 51 reports takes several minutes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pmkit
from pmkit import reports as rp


def _bin(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    return str(exe) if exe.exists() else name


def baseline(plan, data: Path, out: Path) -> float:
    """Sequential papermill + nbconvert commands; returns seconds."""
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for row in plan.itertuples():
        nb_out = out / f"{row.report_id}.ipynb"
        cmd = [_bin("papermill"), row.notebook, str(nb_out), "-k", "python3", "--cwd", str(Path(row.notebook).parent),
               "-p", "data_path", str(data), "-p", "offline", "True", "--no-progress-bar"]
        if row.kind == "project":
            cmd += ["-p", "project_id", row.project_id]
        # like the runner, carry on past a failing notebook (papermill still writes it)
        subprocess.run(cmd, check=False, capture_output=True)
        subprocess.run([_bin("jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb_out)], check=False,
                       capture_output=True)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=50)
    ap.add_argument("--tasks", type=int, default=30, help="tasks per project")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--baseline-sample", type=int, default=0,
                    help="run the baseline on this many reports and extrapolate (0: all)")
    ap.add_argument("--keep", action="store_true", help="keep the output folder")
    args = ap.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="pmkit-bench-report-"))
    try:
        pf = pmkit.synth.portfolio(args.projects, args.tasks, seed=1)
        data = pmkit.save(pf, root / "data")
        plan = rp.plan_reports(pf)
        n = len(plan)
        print(f"{n} reports ({args.projects} projects of {args.tasks} tasks + portfolio), {os.cpu_count()} CPUs")

        run = rp.run_reports(data, root / "pmkit", jobs=args.jobs, progress=False)
        ok = int((run.results["status"] == "ok").sum())
        if not run.ok:
            print(run.summary())
        fast = run.seconds
        print(f"pmkit report  ({args.jobs} jobs): {fast:8.1f} s  {fast / n:6.2f} s/report  ({ok}/{n} ok)")

        k = args.baseline_sample or n
        sample = plan.iloc[:: max(1, n // k)].head(k)
        slow = baseline(sample, data, root / "baseline") * n / len(sample)
        note = f" (measured on {len(sample)} reports, extrapolated)" if len(sample) < n else ""
        print(f"papermill loop (sequential): {slow:8.1f} s  {slow / n:6.2f} s/report{note}")
        print(f"throughput ratio: {slow / fast:.2f}x (target >= 1.8x)")
        if args.keep:
            print(f"output kept in {root}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
