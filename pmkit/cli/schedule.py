"""``pmkit schedule PATH [--project ID] [--status-date D] [--progress MODE] [--format F]``."""

from __future__ import annotations

import argparse
import sys

from ._common import add_format_argument, add_path_argument, emit, iso_date, project_from

#: Columns shown as a readable table (csv/json get every column).
_TABLE_COLUMNS = ["task_id", "name", "duration_days", "percent_complete", "early_start", "early_finish",
                 "late_start", "late_finish", "total_float_days", "free_float_days", "critical",
                 "driving_predecessor"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_path_argument(parser, project_files=True)
    parser.add_argument("--project", help="project id (needed when PATH holds several projects)")
    parser.add_argument("--status-date", type=iso_date("--status-date"), metavar="YYYY-MM-DD", help="status (data) date YYYY-MM-DD (default: the project's)")
    parser.add_argument("--progress", choices=("retained_logic", "progress_override"), default="retained_logic",
                        help="how started tasks treat unfinished predecessors (default: retained_logic)")
    parser.add_argument("--critical", action="store_true", help="only the critical tasks")
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from ..project.scheduling import schedule

    prj = project_from(args.path, args.project)
    df = schedule(prj, status_date=args.status_date, progress=args.progress)
    if args.critical:
        df = df[df["critical"]]
    if args.format == "table":
        emit(df[_TABLE_COLUMNS], "table")
        a = df.attrs
        sd = a.get("status_date")
        print(f"\nproject {a['project_id']}: finishes {a['project_finish']:%Y-%m-%d} "
              f"({a['project_length_days']:g} working days)"
              + (f", status date {sd:%Y-%m-%d}" if sd is not None else "")
              + f"; {int(df['critical'].sum())} critical tasks", file=sys.stdout)
    else:
        emit(df, args.format)
    return 0
