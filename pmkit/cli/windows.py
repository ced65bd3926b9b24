"""``pmkit windows FILE1 FILE2 [FILE3 ...] [--project ID] [--drivers] [--format F]``: windows analysis.

Each file is one update of the project, in order (AACE RP 29R-03 MIP 3.3 windows, split by
the half-step of MIP 3.4 into the effect of progress and the effect of revisions). With a
single portfolio path, the updates recorded for the project in its store (``pmkit history``,
the file beside the data or ``--store``) are used when there are any; otherwise every status
date of the project is an update of the same plan (progress only, no revisions).
"""

from __future__ import annotations

import argparse

from ._common import PROJECT_PATH_HELP, add_format_argument, emit, project_from

_TABLE_COLUMNS = ["window", "from_status_date", "to_status_date", "from_finish", "half_step_finish", "to_finish",
                  "progress_effect_days", "revision_effect_days", "total_effect_days", "outcome", "drivers"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="FILE",
                        help="the updates in order, each a " + PROJECT_PATH_HELP)
    parser.add_argument("--project", help="project id (needed when a path holds several projects)")
    parser.add_argument("--store", help="store of updates to read (default: the one beside a single DATA path)")
    parser.add_argument("--drivers", action="store_true",
                        help="print the driving activities of each window instead of the windows")
    add_format_argument(parser)


def _updates(paths: list[str], project_id: str | None, store: str | None = None):
    import dataclasses

    from ..errors import PmkitError

    if len(paths) > 1:
        return [project_from(p, project_id) for p in paths]
    prj = project_from(paths[0], project_id)
    from ..history import UpdateStore, list_updates, project_updates

    found = UpdateStore(store) if store else UpdateStore.beside(paths[0])
    if found.path.exists() and len(list_updates(found, prj.project_id)) >= 2:
        return project_updates(found, prj.project_id)  # the plan as it stood at each update
    dates = [d for d in prj.status_dates if prj.status_date is None or d <= prj.status_date]
    if len(dates) < 2:
        raise PmkitError(f"{paths[0]}: project {prj.project_id} has {len(dates)} status date(s); give two or more "
                         "update files, or a project with two or more status dates")
    # one update per status date: the same plan, the progress known at that date
    return [dataclasses.replace(prj, status_date=d, status=prj.status[prj.status["status_date"] <= d],
                                validate=False) for d in dates]


def run(args: argparse.Namespace) -> int:
    from ..project.windows import windows_analysis

    result = windows_analysis(_updates(args.paths, args.project, args.store))
    if args.drivers:
        emit(result.drivers, args.format)
        return 0
    if args.format == "table":
        emit(result.windows[_TABLE_COLUMNS], "table")
        print(f"\n{result._headline()}\n(days: working days; positive = finish later, days lost)")
    else:
        emit(result.windows, args.format)
    return 0
