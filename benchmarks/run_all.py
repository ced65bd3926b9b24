"""Run every benchmark and conformance check one after the other (``make benchmark``).

Usage::

    python benchmarks/run_all.py [--testdata /work/shared/testdata] [--quick]

Each benchmark prints pmkit's figure beside a baseline run in the same process; this
script only runs them and reports which ones exited non-zero. Public test data is read
from ``--testdata`` (default: ``../shared/testdata`` next to the repository) and never
copied into the repository.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def plan(testdata: Path, quick: bool) -> list[list[str]]:
    psplib = testdata / "psplib"
    runs = [
        ["bench_schedule.py"] + (["--sizes", "10000", "100000"] if quick else []),
        ["bench_montecarlo.py"] + (["--iterations", "2000"] if quick else []),
        ["bench_selection.py"] + (["--levels", "5"] if quick else []),
        ["bench_report.py"] + (["--projects", "6"] if quick else []),
    ]
    if (testdata / "mspdi").is_dir():
        runs.append(["check_mspdi.py", str(testdata / "mspdi")])
    if psplib.is_dir():
        runs.append(["check_psplib_cpm.py", str(psplib / "j30"), str(psplib / "j60")])
        runs.append(["bench_leveling.py", str(psplib), "--jobs", "2"] + (["--limit", "40"] if quick else []))
    return runs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--testdata", type=Path, default=HERE.parent.parent / "shared" / "testdata")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = ap.parse_args(argv)
    failed = []
    for cmd in plan(args.testdata, args.quick):
        print(f"\n===== {' '.join(cmd)}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(HERE / cmd[0]), *cmd[1:]])
        print(f"===== {cmd[0]}: exit {rc} in {time.perf_counter() - t0:.1f} s", flush=True)
        if rc:
            failed.append(cmd[0])
    print("\nall benchmarks passed their targets" if not failed else f"\nmissed targets or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
