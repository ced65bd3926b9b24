"""Where the bundled sample portfolio lives."""

from __future__ import annotations

from pathlib import Path


def sample_path(kind: str = "csv") -> Path:
    """Path of the sample portfolio: ``"csv"`` (a folder) or ``"xlsx"`` (a workbook).

    Looks in the source tree's ``data/samples`` (pmkit is installed in editable mode by
    ``make``), then in the current directory.
    """
    roots = [Path(__file__).resolve().parent.parent / "data" / "samples", Path.cwd() / "data" / "samples"]
    for root in roots:
        p = root / "northwind" if kind == "csv" else root / "northwind.xlsx"
        if p.exists():
            return p
    raise FileNotFoundError("sample data not found: expected data/samples/northwind (run from the repository)")
