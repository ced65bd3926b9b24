"""``pmkit diff OLD NEW [--project ID] [--table T] [--no-schedule] [--format F]``: what changed between two updates."""

from __future__ import annotations

import argparse

from ._common import PROJECT_PATH_HELP, add_format_argument, emit, project_from

#: ``--table`` choices: the tables of :class:`pmkit.project.changes.ScheduleComparison`.
_TABLES = ("summary", "changes", "activities", "links", "durations", "constraints", "calendars", "dates",
           "progress", "costs", "critical", "finish")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", help="the earlier version: " + PROJECT_PATH_HELP)
    parser.add_argument("new", help="the later version (same kinds of path as OLD)")
    parser.add_argument("--project", help="project id (needed when a path holds several projects)")
    parser.add_argument("--table", choices=_TABLES, default="summary",
                        help="which table to print (default: summary, the count of each kind of change)")
    parser.add_argument("--no-schedule", action="store_true",
                        help="compare the data only: no scheduled dates, critical path or finish (faster)")
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from ..project.changes import compare

    old = project_from(args.old, args.project)
    new = project_from(args.new, args.project)
    result = compare(old, new, schedules=not args.no_schedule)
    table = getattr(result, args.table)
    if args.format == "table":
        if args.table == "summary":
            table = table[table["count"] > 0]
        if len(table):
            emit(table, "table")
        else:
            print(f"no {args.table.replace('_', ' ')} changes")
        print(f"\n{result._headline()}")
    else:
        emit(table, args.format)
    return 0
