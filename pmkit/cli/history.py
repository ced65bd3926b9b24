"""``pmkit history``: record status updates, list them, show trends, export a past update.

Sub-commands::

    pmkit history add DATA --as-of YYYY-MM-DD [--store PATH] [--project P] [--no-measures]
    pmkit history list [DATA | --store PATH] [--project P]
    pmkit history trend [DATA | --store PATH] [--project P | --program G | --portfolio]
    pmkit history show [DATA | --store PATH] --project P [--as-of D] [--version N] [--out DIR]
    pmkit history show [DATA | --store PATH] --as-of D --out DIR      (the whole portfolio)

The store defaults to the file beside DATA (``northwind/`` -> ``northwind.history.duckdb``).
"""

from __future__ import annotations

import argparse

from ._common import add_format_argument, emit, iso_date, load_portfolio

_LIST_COLUMNS = ["update_id", "project_id", "program_id", "data_date", "version", "latest", "recorded_at",
                 "task_count", "measures"]
_TREND_COLUMNS = ["level", "id", "data_date", "forecast_finish", "finish_slip_days", "min_total_float_days",
                  "float_erosion_days", "spi_t", "cpi", "bei", "dcma_passed", "dcma_checks", "risk_exposure_cost"]


def _store_arguments(p: argparse.ArgumentParser, data_required: bool = False) -> None:
    p.add_argument("data", nargs=None if data_required else "?", metavar="DATA",
                   help="portfolio folder of CSV files or .xlsx workbook (its store sits beside it)")
    p.add_argument("--store", help="the update store: a .duckdb file or a Parquet folder (default: beside DATA)")
    p.add_argument("--backend", choices=("duckdb", "parquet"), default=None,
                   help="storage backend (default: duckdb, or parquet for an existing folder)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="history_command", metavar="SUBCOMMAND", required=True)
    add = sub.add_parser("add", help="record the status update of one project or of every project of DATA")
    _store_arguments(add, data_required=True)
    add.add_argument("--as-of", required=True, type=iso_date("--as-of"), metavar="YYYY-MM-DD",
                     help="data date of the update")
    add.add_argument("--project", action="append", help="only this project (repeat for several)")
    add.add_argument("--no-measures", action="store_true", help="record the data only (fast; no trend measures)")
    add_format_argument(add)
    lst = sub.add_parser("list", help="the recorded updates, oldest first")
    _store_arguments(lst)
    lst.add_argument("--project", help="only this project")
    add_format_argument(lst)
    tr = sub.add_parser("trend", help="measures over updates, per project, program or the portfolio")
    _store_arguments(tr)
    who = tr.add_mutually_exclusive_group()
    who.add_argument("--project", help="one project's trend (default: every project)")
    who.add_argument("--program", help="rolled up over one program")
    who.add_argument("--portfolio", action="store_true", help="rolled up over the whole store")
    add_format_argument(tr)
    show = sub.add_parser("show", help="a past update: its tasks, or exported to files with --out")
    _store_arguments(show)
    show.add_argument("--project", help="project id (without it, --out exports the whole portfolio)")
    show.add_argument("--as-of", type=iso_date("--as-of"), metavar="YYYY-MM-DD",
                      help="latest update on or before this date (default: the latest)")
    show.add_argument("--version", type=int, help="version of that data date (default: the latest)")
    show.add_argument("--out", help="write the update as a CSV folder or .xlsx workbook (pmkit.save)")
    show.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    add_format_argument(show)


def _store(args: argparse.Namespace):
    from ..errors import PmkitError
    from ..history import UpdateStore

    if args.store:
        return UpdateStore(args.store, args.backend)
    if not args.data:
        raise PmkitError("give DATA (the store beside it is used) or --store PATH")
    return UpdateStore.beside(args.data, args.backend or "duckdb")


def run(args: argparse.Namespace) -> int:
    from .. import history as h
    from ..errors import PmkitError

    store = _store(args)
    cmd = args.history_command
    if cmd == "add":
        pf = load_portfolio(args.data)
        done = h.record_update(store, pf, args.as_of, project_ids=args.project,
                               measures=not args.no_measures, source=str(args.data))
        if args.format == "table":
            emit(done[_LIST_COLUMNS], "table")
            print(f"\nrecorded {len(done)} update(s) at {args.as_of:%Y-%m-%d} in {store.path}")
        else:
            emit(done, args.format)
        return 0
    if cmd == "list":
        df = h.list_updates(store, args.project)
        if df.empty and args.format == "table":
            print(f"no updates recorded in {store.path} yet (record one with: pmkit history add DATA --as-of D)")
            return 0
        emit(df[_LIST_COLUMNS] if args.format == "table" else df, args.format)
        return 0
    if cmd == "trend":
        if args.portfolio:
            df = h.portfolio_trend(store)
        elif args.program:
            df = h.program_trend(store, args.program)
        else:
            df = h.project_trend(store, args.project)
        if df.empty and args.format == "table":
            print(f"no measured updates in {store.path} (updates recorded with --no-measures have no trend)")
            return 0
        emit(df[[c for c in _TREND_COLUMNS if c in df.columns]] if args.format == "table" else df, args.format)
        return 0
    # show
    from ..data.io import save

    if args.project:
        prj = h.load_update(store, args.project, args.as_of, args.version)
        if args.out:
            path = save(h.project_as_portfolio(prj), args.out, overwrite=args.overwrite)
            print(f"wrote project {prj.project_id} as of its update to {path}")
            return 0
        emit(prj.tasks, args.format)
        return 0
    if not args.out:
        raise PmkitError("history show: give --project P to print one update, or --out DIR to export the portfolio")
    if args.version is not None:
        raise PmkitError("history show: --version needs --project (versions are per project and data date)")
    path = save(h.load_portfolio_update(store, args.as_of), args.out, overwrite=args.overwrite)
    print(f"wrote the portfolio as of {args.as_of:%Y-%m-%d} to {path}" if args.as_of is not None
          else f"wrote the portfolio as of its latest updates to {path}")
    return 0
