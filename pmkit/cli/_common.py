"""Helpers shared by the sub-commands: loading with clear errors, printing tables."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TYPE_CHECKING

from ..errors import LoadError, PmkitError

if TYPE_CHECKING:  # pandas loads only when a command runs, so `pmkit --help` answers at once
    import pandas as pd


#: What ``path`` may be for commands about one project (see :func:`project_from`).
PROJECT_PATH_HELP = ("portfolio folder of CSV files or .xlsx workbook (choose the project with --project), "
                     "or one project's file: MS Project XML (.xml), Primavera P6 (.xer), PSPLIB (.sm)")


def add_path_argument(parser: argparse.ArgumentParser, project_files: bool = False) -> None:
    """The ``path`` argument; ``project_files`` when the command also reads one project's file."""
    parser.add_argument("path", help=PROJECT_PATH_HELP if project_files else
                        "portfolio folder of CSV files or .xlsx workbook")


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="output format (default: a readable table)")


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(option: str):
    """argparse type of a date option: strictly ``YYYY-MM-DD``, else a one-line PmkitError
    naming the option and the accepted format (the CLI prints it and exits 1).

    >>> iso_date("--status-date")("2026-02-28")
    Timestamp('2026-02-28 00:00:00')
    >>> iso_date("--status-date")("2026-02-30")
    Traceback (most recent call last):
    pmkit.errors.PmkitError: --status-date '2026-02-30' is not a date: day is out of range for month (use YYYY-MM-DD)
    """

    def parse(text: str):
        import datetime

        import pandas as pd

        value = str(text).strip()
        if not _ISO_DATE.match(value):
            hint = ""
            if re.match(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$", value):
                hint = "; day and month order is ambiguous, write it as YYYY-MM-DD"
            raise PmkitError(f"{option} {value!r} is not a date in the accepted format YYYY-MM-DD"
                             f" (e.g. 2026-10-30){hint}")
        try:
            return pd.Timestamp(datetime.date.fromisoformat(value))
        except ValueError as exc:
            raise PmkitError(f"{option} {value!r} is not a date: {exc} (use YYYY-MM-DD)") from None

    parse.__name__ = "date"
    return parse


def load_portfolio(path: str):
    """Load or raise :class:`LoadError` (printed by ``pmkit.cli.main`` with every problem)."""
    from ..data.io import load

    return load(path)


def project_from(path: str, project_id: str | None):
    """A project from pmkit data (by id), or the single project of an .xml/.xer/.sm file."""
    from pathlib import Path

    suffix = Path(path).suffix.lower()
    if suffix in (".xml", ".xer", ".sm"):
        from ..interop import read_project_file  # provided by the interop module

        return read_project_file(path, project_id)
    pf = load_portfolio(path)
    if project_id is None:
        if len(pf.projects) == 1:
            return pf.project(pf.project_ids[0])
        raise PmkitError(f"{path} holds {len(pf.projects)} projects; choose one with --project "
                         f"({', '.join(pf.project_ids[:15])})")
    return pf.project(project_id)  # an unknown id raises a PmkitError the CLI prints


def emit(df: pd.DataFrame, fmt: str = "table", out=None, float_digits: int = 2) -> None:
    """Print a DataFrame as a readable table, CSV or JSON records."""
    import pandas as pd

    out = out or sys.stdout
    if fmt == "csv":
        from ..data.io import neutralize_formulas

        # a CSV meant for a spreadsheet never carries a live formula from user text
        neutralize_formulas(df).to_csv(out, index=False, lineterminator="\n")
    elif fmt == "json":
        out.write(json.dumps(_records(df), indent=2, ensure_ascii=False, default=str) + "\n")
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None,
                               "display.width", 200, "display.float_format",
                               lambda v: f"{v:,.{float_digits}f}"):
            shown = df.copy()
            for c in shown.columns:
                if pd.api.types.is_datetime64_any_dtype(shown[c]):
                    shown[c] = shown[c].dt.strftime("%Y-%m-%d").fillna("")
            out.write(shown.to_string(index=False) + "\n")


def _records(df: pd.DataFrame) -> list[dict]:
    import numpy as np
    import pandas as pd

    rows = []
    for rec in df.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if isinstance(v, pd.Timestamp):
                v = v.strftime("%Y-%m-%d") if v == v.normalize() else v.isoformat()
            elif v is pd.NaT or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
                v = None
            elif isinstance(v, np.generic):
                v = v.item()
            clean[str(k)] = v
        rows.append(clean)
    return rows


__all__ = ["LoadError", "add_format_argument", "add_path_argument", "emit", "iso_date", "load_portfolio",
           "project_from"]
