"""Read and write portfolios: a folder of CSV files or an Excel workbook.

>>> import pmkit
>>> pf = pmkit.load("data/samples")                 # doctest: +SKIP
>>> pmkit.save(pf, "copy.xlsx")                     # doctest: +SKIP

Loading reads every cell as text and parses it against :mod:`pmkit.data.schema`, so ids like
``007`` and text with HTML or any Unicode are kept exactly. All problems are collected
and raised together as :class:`pmkit.errors.LoadError`.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import LoadError, PmkitError, Problem
from .model import Portfolio
from .schema import TABLES
from .validation import Source, check_tables, parse_table

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def load(path: str | os.PathLike) -> Portfolio:
    """Load a portfolio from a folder of CSV files or an Excel workbook.

    Parameters
    ----------
    path : str or path-like
        A folder holding ``projects.csv``, ``tasks.csv`` and optional other tables, or an
        ``.xlsx`` workbook with sheets of the same names.

    Returns
    -------
    Portfolio

    Raises
    ------
    pmkit.errors.LoadError
        With every problem found, each naming file or sheet, row, column and id.
    """
    p = Path(path)
    if p.is_dir():
        raw, sources, problems = _read_csv_folder(p)
    elif p.suffix.lower() in EXCEL_SUFFIXES and p.is_file():
        raw, sources, problems = _read_workbook(p)
    elif not p.exists():
        raise LoadError([Problem(str(p), "no such file or folder")], f"cannot load {p}")
    else:
        raise LoadError([Problem(str(p), "expected a folder of CSV files or an .xlsx workbook")],
                        f"cannot load {p}")
    tables: dict[str, pd.DataFrame] = {}
    unparsed: dict[str, dict] = {}
    for name, df in raw.items():
        unparsed[name] = {}
        parsed = parse_table(name, df, sources[name], problems, unparsed[name])
        if parsed is not None:
            tables[name] = parsed
    problems += check_tables(tables, sources, unparsed)
    if problems:
        raise LoadError(problems, f"cannot load {p}")
    return Portfolio(**tables, validate=False)


def _read_csv_folder(folder: Path) -> tuple[dict, dict, list[Problem]]:
    raw, sources, problems = {}, {}, []
    for name, spec in TABLES.items():
        f = folder / spec.filename
        sources[name] = Source(str(f), 2)
        if not f.exists():
            if spec.required:
                problems.append(Problem(str(f), f"required file is missing (the {name} table)"))
            continue
        if f.stat().st_size == 0:
            problems.append(Problem(str(f), "file is empty (expected a header row: "
                                    + ", ".join(spec.required_columns) + ")"))
            continue
        try:
            df = pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8-sig",
                             skip_blank_lines=True)
        except UnicodeDecodeError as exc:
            problems.append(Problem(str(f), f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"))
            continue
        except pd.errors.EmptyDataError:
            problems.append(Problem(str(f), "file is empty (expected a header row)"))
            continue
        except (pd.errors.ParserError, csv.Error) as exc:
            problems.append(Problem(str(f), f"cannot parse CSV: {str(exc).strip()}"))
            continue
        raw[name] = df
    return raw, sources, problems


def _cell_text(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, pd.Timestamp | np.datetime64) or hasattr(v, "isoformat"):
        ts = pd.Timestamp(v)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat()
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _read_workbook(path: Path) -> tuple[dict, dict, list[Problem]]:
    raw, sources, problems = {}, {}, []
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object, header=0, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        return {}, {}, [Problem(str(path), f"cannot read workbook: {exc}")]
    names = {str(k).strip(): k for k in sheets}
    for name, spec in TABLES.items():
        sources[name] = Source(f"{path.name}, sheet '{name}'", 2)
        if name not in names:
            if spec.required:
                problems.append(Problem(f"{path.name}, sheet '{name}'",
                                        f"required sheet is missing (sheets found: {', '.join(names) or 'none'})"))
            continue
        df = sheets[names[name]]
        if df.shape[1] == 0:
            problems.append(Problem(sources[name].label, "sheet is empty (expected a header row)"))
            continue
        df = df.map(_cell_text) if len(df) else df.astype(object)
        raw[name] = df
    return raw, sources, problems


# --------------------------------------------------------------------------- writing

def _text_frame(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Render a typed table as text cells exactly as the loader reads them back."""
    spec = TABLES[table]
    out = {}
    order = [c.name for c in spec.columns] + [c for c in df.columns if c not in spec.column_names]
    for name in order:
        s = df[name]
        kind = spec.column(name).kind if name in spec.column_names else "str"
        if kind == "date":
            out[name] = [_cell_text(v) if not pd.isna(v) else "" for v in s]
        elif kind == "float":
            out[name] = ["" if np.isnan(v) else repr(float(v)) for v in s.to_numpy(dtype="float64")]
        elif kind == "int":
            out[name] = ["" if pd.isna(v) else str(int(v)) for v in s]
        elif kind == "bool":
            out[name] = ["" if pd.isna(v) else ("true" if v else "false") for v in s]
        else:
            out[name] = s.astype(object).tolist()
    return pd.DataFrame(out, columns=order)


#: Suffixes of single files that are not a pmkit format: saving there is refused, not turned
#: into a folder of that name.
_FILE_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xls", ".ods", ".json", ".xml", ".xer", ".zip",
                            ".parquet", ".mpp"})


def save(portfolio: Portfolio, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write a portfolio as a folder of CSV files, or as a workbook when ``path`` ends in .xlsx.

    Every table is written, empty ones as a header row, so the folder documents itself.
    ``load(save(pf, path))`` gives back the same tables.

    The save is atomic: everything is written to a temporary sibling of ``path`` first and
    moved into place as a whole (a CSV folder included, swapped in one step on Linux), so a
    failure (full disk, interruption, permission) leaves the previous data exactly as it
    was. A replaced workbook or folder keeps its permissions; files in a replaced folder
    that are not pmkit tables are carried over.

    Parameters
    ----------
    portfolio : Portfolio
    path : path
        A folder (no suffix) or an ``.xlsx``/``.xlsm`` workbook. Other file suffixes
        (``.csv``, ``.xls`` ...) are refused.
    overwrite : bool
        Replace existing data at ``path``; without it an existing path is an error.

    Raises
    ------
    pmkit.errors.PmkitError
        The path exists (without ``overwrite``), is read-only, has the wrong suffix or kind,
        or the disk refused the write; the message says which, and nothing was changed.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    workbook = suffix in EXCEL_SUFFIXES
    if not workbook and suffix in _FILE_SUFFIXES and not p.is_dir():
        raise PmkitError(f"cannot save to {p}: a portfolio is saved as a folder of CSV files (a path without "
                         f"a suffix) or as an .xlsx workbook, not as a {suffix} file")
    if p.exists() or p.is_symlink():
        if not overwrite:
            raise PmkitError(f"cannot save to {p}: it exists; pass overwrite=True to replace it")
        if workbook and not p.is_file():
            raise PmkitError(f"cannot save to {p}: it is a folder, not a workbook")
        if not workbook and not p.is_dir():
            raise PmkitError(f"cannot save to {p}: it is a file, not a folder of CSV files")
        # the mode bits, not os.access: an administrator may write anywhere, but a file or
        # folder someone made read-only is not meant to be replaced
        if not os.access(p, os.W_OK) or not p.stat().st_mode & 0o222:
            raise PmkitError(f"cannot save to {p}: it is read-only (mode {p.stat().st_mode & 0o777:o})")
    tables = portfolio.tables()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        if workbook:
            _save_workbook(tables, p)
        else:
            _save_folder(tables, p)
    except OSError as exc:
        raise PmkitError(f"cannot save to {p}: {exc.strerror or exc}; the previous data is unchanged") from exc
    return p


def _save_workbook(tables: dict[str, pd.DataFrame], p: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".xlsx", dir=p.parent)
    os.close(fd)
    try:
        _write_workbook(tables, tmp)
        os.chmod(tmp, _mode_for(p))
        os.replace(tmp, p)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _save_folder(tables: dict[str, pd.DataFrame], p: Path) -> None:
    import shutil

    tmp = Path(tempfile.mkdtemp(prefix=f".{p.name}.", suffix=".saving", dir=p.parent))
    try:
        written = set()
        for name, df in tables.items():
            fname = TABLES[name].filename
            target = p / fname
            atomic_write_text(tmp / fname, _text_frame(df, name).to_csv(index=False, lineterminator="\n"),
                              mode=_mode_for(target))
            written.add(fname)
        if p.is_dir():
            # what the user keeps beside the tables (notes, other files) moves with the folder
            for extra in p.iterdir():
                if extra.name in written:
                    continue
                if extra.is_dir() and not extra.is_symlink():
                    shutil.copytree(extra, tmp / extra.name, symlinks=True)
                else:
                    shutil.copy2(extra, tmp / extra.name, follow_symlinks=False)
            os.chmod(tmp, p.stat().st_mode & 0o7777)
            _swap_folders(tmp, p)
            shutil.rmtree(tmp)  # now the previous folder
        else:
            os.chmod(tmp, 0o777 & ~_umask())
            os.rename(tmp, p)
    except BaseException:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_folders(new: Path, old: Path) -> None:
    """Exchange two folders in one step (Linux renameat2 RENAME_EXCHANGE), else by two renames.

    After the call ``old`` holds the new content and ``new`` the previous one.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        renameat2 = None
    if renameat2 is not None:
        at_fdcwd, rename_exchange = -100, 2
        if renameat2(at_fdcwd, os.fsencode(new), at_fdcwd, os.fsencode(old), rename_exchange) == 0:
            return
    # no atomic exchange here: a crash between the two renames leaves the previous data at the
    # '.previous' name beside the folder, never mixed with the new data
    aside = new.with_name(new.name + ".previous")
    os.rename(old, aside)
    os.rename(new, old)
    os.rename(aside, new)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    """Permissions for a file written at ``path``: those of the file it replaces, else the
    user's default (0666 less the umask), never the 0600 of a temporary file."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _write_workbook(tables: dict[str, pd.DataFrame], path: str) -> None:
    """Typed cells: numbers as numbers, dates as dates, text always as text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for name, df in tables.items():
        ws = wb.create_sheet(name)
        spec = TABLES[name]
        order = [c.name for c in spec.columns] + [c for c in df.columns if c not in spec.column_names]
        kinds = [spec.column(c).kind if c in spec.column_names else "str" for c in order]
        ws.append(order)
        columns = [df[c].tolist() for c in order]
        for row in zip(*columns, strict=True) if len(df) else ():
            cells = []
            for v, kind in zip(row, kinds, strict=True):
                if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
                    cells.append(None)
                elif kind in ("str", "enum"):
                    c = WriteOnlyCell(ws, value=str(v))
                    c.data_type = "s"  # "=1+1" stays text
                    cells.append(c)
                elif kind == "date":
                    cells.append(pd.Timestamp(v).to_pydatetime())
                elif kind == "int":
                    cells.append(int(v))
                elif kind == "bool":
                    cells.append(bool(v))
                else:
                    cells.append(float(v))
            ws.append(cells)
    wb.save(path)


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8", mode: int | None = None) -> None:
    """Write a file completely or not at all (temporary file + rename).

    The file gets ``mode``, else the permissions of the file it replaces, else the user's
    default; a replaced file never ends up with the temporary file's 0600.
    """
    path = Path(path)
    mode = _mode_for(path) if mode is None else mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
