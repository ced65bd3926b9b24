"""``pmkit report PATH --out DIR``: run the notebooks and write offline HTML reports.

Prints one row per report (status, seconds, RAG, error) and, on stderr, a summary naming
every failure with its project and the failing cell's error; exits 1 when any failed.
A run is a transaction (see :func:`pmkit.reports.runner.run_reports`): when the output
folder is read-only, locked by another run or cannot be written (disk full, permission
denied), it prints one ``error: ...`` line, publishes nothing and exits 1; interrupted, it
exits 130 and leaves the previous reports as they were.
"""

from __future__ import annotations

import argparse
import sys

from ._common import add_format_argument, add_path_argument, emit


def _positive_int(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _positive_float(text: str) -> float:
    x = float(text)
    if not x > 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {text}")
    return x


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_path_argument(parser)
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder (created)")
    parser.add_argument("--projects", nargs="+", metavar="ID", help="only these projects (default: all)")
    parser.add_argument("--jobs", type=_positive_int, default=None, metavar="N",
                        help="parallel worker processes (default: number of CPUs)")
    parser.add_argument("--timeout", type=_positive_float, default=600.0, metavar="S",
                        help="seconds one notebook may run before it is stopped (default 600)")
    parser.add_argument("--no-portfolio", action="store_true", help="skip the portfolio review")
    parser.add_argument("--notebooks", metavar="DIR", help="folder of the notebooks (default: pmkit's own)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (on a terminal) or progress lines (elsewhere)")
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from ..reports.runner import run_reports

    result = run_reports(args.path, args.out, project_ids=args.projects, jobs=args.jobs, timeout=args.timeout,
                         include_portfolio=not args.no_portfolio, notebooks=args.notebooks,
                         progress=not args.no_progress)
    table = result.results[["report_id", "kind", "project_id", "name", "state", "status", "seconds", "rag",
                            "html", "error"]]
    emit(table, args.format)
    print(result.summary(), file=sys.stderr)
    return 0 if result.ok else 1
