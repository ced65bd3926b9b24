"""Helpers shared by the sub-commands: loading with clear errors, printing tables."""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pandas as pd

from ..errors import LoadError, PmkitError


def add_path_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="portfolio folder of CSV files or .xlsx workbook")


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="output format (default: a readable table)")


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
    out = out or sys.stdout
    if fmt == "csv":
        df.to_csv(out, index=False, lineterminator="\n")
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


__all__ = ["LoadError", "add_format_argument", "add_path_argument", "emit", "load_portfolio", "project_from"]
