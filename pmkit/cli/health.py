"""``pmkit health FILE [--project P] [--status-date D] [--threshold name=value ...] [--offenders]
[--strict] [--format F]``: the DCMA 14-point schedule assessment of one project."""

from __future__ import annotations

import argparse
import sys

from ..errors import PmkitError
from ._common import add_format_argument, emit, iso_date, project_from

#: Columns shown as a readable table (csv/json get every column).
_TABLE_COLUMNS = ["number", "check", "count", "denominator", "value", "unit", "comparison", "threshold", "passed",
                  "note"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="portfolio folder or .xlsx workbook, or an .xml (MS Project), .xer or .sm file")
    parser.add_argument("--project", help="project id (needed when PATH holds several projects)")
    parser.add_argument("--status-date", type=iso_date("--status-date"), metavar="YYYY-MM-DD",
                        help="status (data) date YYYY-MM-DD (default: the project's)")
    parser.add_argument("--threshold", action="append", default=[], metavar="NAME=VALUE",
                        help="change a threshold, e.g. --threshold high_float_days=20 (repeatable; names: "
                             "the fields of pmkit.project.health.DcmaThresholds)")
    parser.add_argument("--offenders", action="store_true",
                        help="list the tasks and links behind each failing count instead of the checks")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any check fails")
    add_format_argument(parser)


def _thresholds(items: list[str]):
    from dataclasses import fields

    from ..project.health import DcmaThresholds

    names = [f.name for f in fields(DcmaThresholds)]
    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep:
            raise PmkitError(f"--threshold {item!r}: write NAME=VALUE, e.g. high_float_days=20")
        if name not in names:
            from ..errors import did_you_mean

            raise PmkitError(f"--threshold: unknown name {name!r}{did_you_mean(name, names)} "
                             f"(names: {', '.join(names)})")
        try:
            values[name] = float(text)
        except ValueError:
            raise PmkitError(f"--threshold {name}: {text!r} is not a number") from None
    return DcmaThresholds(**values)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..project.health import health

    thresholds = _thresholds(args.threshold)
    prj = project_from(args.path, args.project)
    result = health(prj, status_date=args.status_date, thresholds=thresholds)
    if args.offenders:
        emit(result.offenders, args.format)
    elif args.format == "table":
        shown = result.checks[_TABLE_COLUMNS].copy()
        shown["passed"] = shown["passed"].astype(object).map(lambda v: "n/a" if pd.isna(v) else ("pass" if v else "FAIL"))
        emit(shown, "table", float_digits=3)
    else:
        emit(result.checks, args.format)
    if args.format == "table":
        print(f"\n{result.headline}", file=sys.stdout)
    return 1 if args.strict and result.n_failed else 0
