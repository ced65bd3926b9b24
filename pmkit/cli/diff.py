"""``pmkit diff OLD NEW [--project ID] [--table T] [--no-schedule] [--format F]``: what changed between two updates.

OLD and NEW are two files or folders; or one portfolio path with ``--project`` and two
``--as-of`` dates of updates recorded in its store (``pmkit history``; default: the last two).
"""

from __future__ import annotations

import argparse

from ._common import PROJECT_PATH_HELP, add_format_argument, emit, iso_date, project_from

#: ``--table`` choices: the tables of :class:`pmkit.project.changes.ScheduleComparison`.
_TABLES = ("summary", "changes", "activities", "links", "durations", "constraints", "calendars", "dates",
           "progress", "costs", "critical", "finish")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", help="the earlier version: " + PROJECT_PATH_HELP)
    parser.add_argument("new", nargs="?", help="the later version (same kinds of path as OLD); omit it to compare "
                        "two updates recorded in the store of OLD (see --as-of)")
    parser.add_argument("--as-of", action="append", type=iso_date("--as-of"), metavar="YYYY-MM-DD", default=[],
                        help="data date of a recorded update (give two: earlier, later; default: the last two)")
    parser.add_argument("--store", help="store of updates (default: the one beside OLD)")
    parser.add_argument("--project", help="project id (needed when a path holds several projects)")
    parser.add_argument("--table", choices=_TABLES, default="summary",
                        help="which table to print (default: summary, the count of each kind of change)")
    parser.add_argument("--no-schedule", action="store_true",
                        help="compare the data only: no scheduled dates, critical path or finish (faster)")
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from ..project.changes import compare

    if args.new is not None:
        old = project_from(args.old, args.project)
        new = project_from(args.new, args.project)
    else:
        old, new = _recorded_pair(args)
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


def _recorded_pair(args: argparse.Namespace):
    """The two recorded updates to compare: the --as-of dates, or the last two."""
    from ..errors import PmkitError
    from ..history import UpdateStore, list_updates, load_update

    store = UpdateStore(args.store) if args.store else UpdateStore.beside(args.old)
    project_id = args.project or project_from(args.old, None).project_id
    if not store.path.exists():
        raise PmkitError(f"no store of updates at {store.path}: give two files, or record updates first "
                         "with `pmkit history add`")
    dates = sorted(list_updates(store, project_id)["data_date"].unique())
    if len(args.as_of) not in (0, 2):
        raise PmkitError("give --as-of twice (the earlier and the later update) or not at all (the last two)")
    pair = list(args.as_of) or dates[-2:]
    if len(pair) < 2:
        raise PmkitError(f"{store.path} holds {len(dates)} update(s) of {project_id}; two are needed")
    return (load_update(store, project_id, as_of=pair[0]), load_update(store, project_id, as_of=pair[1]))
