"""``pmkit level PATH [--project ID] [--within-float] [--max-schedules N] [--seed S] [--format F]``."""

from __future__ import annotations

import argparse

from ._common import add_format_argument, add_path_argument, emit, project_from

#: Columns shown as a readable table (csv/json get every column).
_TABLE_COLUMNS = ["task_id", "name", "duration_days", "early_start", "start", "finish", "delay_days",
                 "resource_float_days", "driving", "leveled"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_path_argument(parser, project_files=True)
    parser.add_argument("--project", help="project id (needed when PATH holds several projects)")
    parser.add_argument("--within-float", action="store_true",
                        help="keep the critical-path finish; move tasks only within their float")
    parser.add_argument("--max-schedules", type=int, default=5000,
                        help="effort: schedule-generation passes to try (default 5000)")
    parser.add_argument("--max-seconds", type=float, default=None, help="time limit in seconds")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--method", choices=("ga", "rule"), default="ga",
                        help="ga: full search (default); rule: one pass of the LFT priority rule")
    parser.add_argument("--delayed", action="store_true", help="only the tasks the leveling delayed")
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from ..errors import PmkitError
    from ..project._first_use import first_use_notice
    from ..project.leveling import level

    if args.max_schedules < 1:
        raise PmkitError(f"--max-schedules must be at least 1, got {args.max_schedules}")
    prj = project_from(args.path, args.project)
    first_use_notice("pmkit.project._rcpsp", "the resource-leveling kernels")
    res = level(prj, within_float=args.within_float, max_schedules=args.max_schedules,
                max_seconds=args.max_seconds, seed=args.seed, method=args.method)
    df = res.delayed if args.delayed else res.schedule
    if args.format != "table":
        emit(df, args.format)
        return 0
    if len(df):
        emit(df[_TABLE_COLUMNS], "table")
    else:
        print("no task is delayed by the leveling" if args.delayed else "the project has no tasks")
    print(f"\nproject {res.project_id}: leveled length {res.length_days:g} working days "
          f"(critical path {res.cpm_length_days:g}), finishes {res.finish:%Y-%m-%d} "
          f"(unleveled {res.early_finish:%Y-%m-%d}); {len(res.delayed)} tasks "
          f"delayed; {res.schedules} schedules in {res.seconds:.2f} s ({res.method}, seed {res.seed})")
    if len(res.problems):
        print("not leveled:")
        for item, why in res.problems.itertuples(index=False):
            print(f"  {item}: {why}")
    return 0
