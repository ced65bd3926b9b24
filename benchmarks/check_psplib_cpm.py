"""Check pmkit's critical path against PSPLIB: project length == the header's MPM-Time.

Usage::

    python benchmarks/check_psplib_cpm.py /work/shared/testdata/psplib/j30 /work/shared/testdata/psplib/j60

Every ``.sm`` file in the given folders is read with :func:`pmkit.interop.psplib.read_psplib`
and scheduled with :func:`pmkit.schedule` (resources ignored); the project length must equal
the MPM-Time (critical-path length) printed in the file's header. Prints counts and every
mismatch; exits 1 on any mismatch or unreadable file. The time is split into reading the
files and building the :class:`pmkit.Project` objects (which validates every table) and
the :func:`pmkit.schedule` calls themselves.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pmkit
from pmkit.errors import PmkitError
from pmkit.interop.psplib import instance_to_project, read_psplib_instance


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", help="folders of PSPLIB .sm files (e.g. j30 j60)")
    args = ap.parse_args(argv)
    total = bad = 0
    t_build = t_sched = 0.0
    t0 = time.perf_counter()
    for d in args.dirs:
        files = sorted(Path(d).glob("*.sm"))
        if not files:
            print(f"{d}: no .sm files", file=sys.stderr)
            bad += 1
            continue
        mism = 0
        for f in files:
            total += 1
            try:
                t1 = time.perf_counter()
                inst = read_psplib_instance(f)
                prj = instance_to_project(inst)
                t2 = time.perf_counter()
                sched = pmkit.schedule(prj)
                t_sched += time.perf_counter() - t2
                t_build += t2 - t1
                length = float(sched.attrs["project_length_days"])
            except PmkitError as exc:
                print(f"  {f.name}: {exc}")
                mism += 1
                continue
            if inst.mpm_time is None or abs(length - inst.mpm_time) > 1e-9:
                print(f"  {f.name}: pmkit length {length:g} != MPM-Time {inst.mpm_time}")
                mism += 1
        print(f"{d}: {len(files)} instances, {len(files) - mism} match MPM-Time, {mism} mismatches")
        bad += mism
    print(f"total: {total} instances, {bad} problems, {time.perf_counter() - t0:.1f} s "
          f"(read + build projects {t_build:.1f} s = {t_build / max(total, 1) * 1e3:.1f} ms each; "
          f"schedule {t_sched:.1f} s = {t_sched / max(total, 1) * 1e3:.1f} ms each)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
