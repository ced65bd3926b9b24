"""Read and write portfolios: a folder of CSV files or an Excel workbook.

>>> import pmkit
>>> pf = pmkit.load("data/samples")                 # doctest: +SKIP
>>> pmkit.save(pf, "copy.xlsx")                     # doctest: +SKIP

Loading reads every cell as text and parses it against :mod:`pmkit.data.schema`, so ids like
``007`` and text with HTML or any Unicode are kept exactly. All problems are collected
and raised together as :class:`pmkit.errors.LoadError`.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ROOT, DataWarning, LoadError, PmkitError, Problem, closest, warn_user
from .model import Portfolio
from .schema import FORMULA_STARTS, TABLES
from .validation import Source, check_tables, parse_table

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def load(path: str | os.PathLike) -> Portfolio:
    """Load a portfolio from a folder of CSV files or an Excel workbook.

    Every cell is read as text and parsed as ``docs/data-format.md`` says: only empty cells
    are missing values (``NA``, ``None``, ``null``, ``#N/A`` and ``nan`` are text), dates
    are ISO ``YYYY-MM-DD``, and files and workbooks within :data:`pmkit.data.schema.LIMITS`.

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
        With every problem found, each naming file or sheet, row, column and id. Problems
        that make a table unusable (missing, empty or unreadable file, wrong delimiter or
        encoding, missing required column ...) come first; the references into such a
        table and the rules that need it are not checked, and one line says how many.

    Warns
    -----
    pmkit.errors.DataWarning
        For a column that is not in the data format (kept as extra text), naming the
        closest known column, and for a file that looks like a misspelled table but is not
        read because the table's own file is there.
    """
    p = Path(path)
    if p.is_dir():
        got = _read_csv_folder(p)
    elif p.suffix.lower() in EXCEL_SUFFIXES and p.is_file():
        got = _read_workbook(p)
    elif not p.exists():
        raise LoadError([Problem(str(p), "no such file or folder", rank=ROOT)], f"cannot load {p}")
    else:
        raise LoadError([Problem(str(p), "expected a folder of CSV files or an .xlsx workbook", rank=ROOT)],
                        f"cannot load {p}")
    problems, broken = got.problems, got.broken
    tables: dict[str, pd.DataFrame] = {}
    unparsed: dict[str, dict] = {}
    for name, df in got.raw.items():
        src = got.sources[name]
        _warn_unknown_columns(name, df, src)
        unparsed[name] = got.unparsed.get(name, {})
        parsed = parse_table(name, df, src, problems, unparsed[name])
        if parsed is None:
            broken[name] = f"{src.short} cannot be used"
        else:
            tables[name] = parsed
    problems += check_tables(tables, got.sources, unparsed, broken=broken, read=set(tables))
    if problems:
        raise LoadError(problems, f"cannot load {p}")
    return Portfolio(**tables, validate=False)


@dataclass
class _Read:
    """What a reader found: text tables, where each came from, and the problems so far."""

    raw: dict[str, pd.DataFrame] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: tables that cannot be used, with the reason to name in "not checked because ..."
    broken: dict[str, str] = field(default_factory=dict)
    #: per table and column, cells already reported (formulas without a value)
    unparsed: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def root(self, table: str | None, source: str, message: str, row: int | None = None,
             reason: str = "cannot be used") -> None:
        self.problems.append(Problem(source, message, row, rank=ROOT))
        if table is not None:
            self.broken.setdefault(table, f"{self.sources[table].short} {reason}")


def _warn(message: str) -> None:
    warn_user(message, DataWarning)


def _warn_unknown_columns(table: str, df: pd.DataFrame, src: Source) -> None:

    known = TABLES[table].column_names
    present = {str(c).strip() for c in df.columns}
    for c in df.columns:
        c = str(c).strip()
        if c in known:
            continue
        hint = closest(c, [k for k in known if k not in present])
        _warn(f"{src.label}: column {c!r} is not a {table} column"
              + (f" (did you mean {hint}?)" if hint else "")
              + "; it is kept as extra text and not used")


def _limits():
    from . import schema

    return schema.LIMITS  # looked up on each call, so a test may patch it


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def _too_big(size: int) -> str | None:
    limit = _limits().max_input_bytes
    if size > limit:
        return (f"file is {_mb(size)}, above the limit of {_mb(limit)} (LIMITS.max_input_bytes); "
                "split the data or raise the limit")
    return None


def _misspelled(found: list[str], known: dict[str, str], cutoff: float = 0.8) -> dict[str, str]:
    """Each found name that is not a table's but is close to one: found name -> table."""

    out = {}
    for name in found:
        stem = name[:-4] if name.lower().endswith(".csv") else name
        table = closest(stem, list(known), cutoff=cutoff)
        if table is not None:
            out[name] = table
    return out


def _read_csv_folder(folder: Path) -> _Read:
    got = _Read()
    names = {spec.filename: name for name, spec in TABLES.items()}
    try:
        others = sorted(f.name for f in folder.iterdir()
                        if f.name.lower().endswith(".csv") and f.name not in names and f.is_file())
    except OSError:
        others = []
    near = _misspelled(others, {name: spec.filename for name, spec in TABLES.items()})
    for name, spec in TABLES.items():
        f = folder / spec.filename
        got.sources[name] = Source(str(f), 2)
        if not f.exists():
            typos = [o for o, t in near.items() if t == name]
            if typos:
                found = ", ".join(typos)
                what = "required file is missing" if spec.required else "file is missing"
                got.root(name, str(f), f"{what} (the {name} table): found {found}, did you mean "
                         f"{spec.filename}?", reason="is missing")
            elif spec.required:
                got.root(name, str(f), f"required file is missing (the {name} table)", reason="is missing")
            continue
        for o, t in near.items():
            if t == name:
                _warn(f"{folder / o}: not read (did you mean {spec.filename}? that file is read)")
        try:
            size = f.stat().st_size
            if (msg := _too_big(size)) is not None:
                got.root(name, str(f), msg)
                continue
            data = f.read_bytes() if size else b""
        except OSError as exc:
            got.root(name, str(f), f"cannot read the file: {exc.strerror or exc}")
            continue
        text, msg = _decode(data)
        if msg is not None:
            got.root(name, str(f), msg)
            continue
        if not text.strip():
            got.root(name, str(f), "file is empty (expected a header row: " + ", ".join(spec.required_columns) + ")",
                     reason="is empty")
            continue
        table = _parse_csv_text(text, name, got)
        if table is not None:
            got.raw[name] = table
    return got


def _decode(data: bytes) -> tuple[str, str | None]:
    """The text of a CSV file, or a problem naming its encoding when it is not UTF-8."""
    import codecs

    save = "save it as UTF-8 (in Excel: Save As 'CSV UTF-8 (Comma delimited)')"
    for bom, enc in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                     (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom):
            return "", f"not UTF-8 text: the file is {enc} (byte order mark {bom.hex(' ')}); {save}"
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 4:
        odd = head[1::2].count(b"\x00") > head[0::2].count(b"\x00")
        return "", f"not UTF-8 text: the file looks like UTF-16 ({'little' if odd else 'big'}-endian, no byte order mark); {save}"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("cp1252")
            guess = "Windows-1252 (Western European, close to Latin-1)"
        except UnicodeDecodeError:
            guess = "Latin-1 (ISO-8859-1) or another 8-bit encoding"
        return "", (f"not UTF-8 text (byte {exc.start}, line {line}: 0x{data[exc.start]:02x}): the file looks like "
                    f"{guess}; {save}")


def _parse_csv_text(text: str, name: str, got: _Read) -> pd.DataFrame | None:
    """Records of a CSV text as a frame of text cells; ``None`` (with a root problem) when the
    table cannot be used. Blank lines are skipped but counted, so rows keep the numbers a
    spreadsheet shows."""
    import csv
    import io

    src = got.sources[name]
    label = src.label
    limit = max(csv.field_size_limit(), len(text) + 1)
    old = csv.field_size_limit(limit)
    records: list[list[str]] = []
    rows: list[int] = []
    header: list[str] | None = None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    too_long: list[tuple[int, int]] = []
    number = 0
    try:
        for rec in reader:
            number += 1
            if not rec or all(not v.strip() for v in rec):
                continue  # a blank line (or a row of empty cells) holds nothing
            if header is None:
                header = rec
                continue
            if len(rec) > len(header):
                if any(v.strip() for v in rec[len(header):]):
                    too_long.append((number, len(rec)))
                    continue
                rec = rec[: len(header)]
            elif len(rec) < len(header):
                rec = rec + [""] * (len(header) - len(rec))
            records.append(rec)
            rows.append(number)
    except csv.Error as exc:
        msg = str(exc)
        if "unexpected end of data" in msg:
            msg = "a quoted value is not closed (a \" without its closing \")"
        elif "expected after" in msg:
            msg += " (a value holding quotes must be quoted whole, with each quote doubled)"
        got.root(name, label, f"cannot parse CSV at line {reader.line_num}: {msg}")
        return None
    finally:
        csv.field_size_limit(old)
    if header is None:  # only blank lines and empty cells
        got.root(name, label, "file is empty (expected a header row: "
                 + ", ".join(TABLES[name].required_columns) + ")", reason="is empty")
        return None
    if len(header) == 1 and header[0] not in TABLES[name].column_names:
        for sep, what in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|'")):
            if sep in header[0] and len(header[0].split(sep)) > 1:
                got.root(name, label, f"columns are separated by {what}, not commas (header: "
                         f"{header[0][:80]!r}); save the file as comma-separated CSV")
                return None
    if too_long:
        for number, n in too_long[:5]:
            got.problems.append(Problem(label, f"row has {n} fields but the header has {len(header)}: a value "
                                        "holds an unquoted comma, or the header lacks a column name",
                                        number, rank=ROOT))
        if len(too_long) > 5:
            got.problems.append(Problem(label, f"... and {len(too_long) - 5} more rows with more fields than "
                                        "the header", rank=ROOT))
        got.broken.setdefault(name, f"{src.short} cannot be used")
        return None
    got.sources[name] = Source(label, src.first_row, tuple(rows))
    return _text_table(header, records)


def _text_table(header: list, records: list[list]) -> pd.DataFrame:
    """A frame of text cells (object dtype) with the header as written; a column without a
    name is dropped when it is empty, else named like pandas does (``Unnamed: 3``)."""
    width = len(header)
    cols = list(zip(*records, strict=True)) if records else [()] * width
    names, data = [], []
    for i, (h, values) in enumerate(zip(header, cols, strict=True)):
        h = "" if h is None else str(h)
        if not h.strip():
            if not any(v != "" for v in values):
                continue
            h = f"Unnamed: {i}"
        names.append(h)
        data.append(np.array(values, dtype=object))
    df = pd.DataFrame(dict(enumerate(data)), index=pd.RangeIndex(len(records)))
    df.columns = names
    return df


def _cell_text(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime.time | datetime.timedelta):
        return str(v)  # a time of day or a duration is not a date: reported as such
    if isinstance(v, pd.Timestamp | np.datetime64) or hasattr(v, "isoformat"):
        ts = pd.Timestamp(v)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat()
    if isinstance(v, float):
        return repr(v)
    return str(v)


#: Uncompressed size from which a workbook part's compression ratio is checked: small parts
#: cannot hold a zip bomb, and tiny repetitive ones compress well.
_RATIO_FROM_BYTES = 1 << 20


def _check_zip(path: Path) -> str | None:
    """A problem with the workbook as a zip archive (too large once uncompressed, a part that
    expands too much: a zip bomb), found from the archive's directory before anything is
    decompressed; None when it is fine."""
    import zipfile

    limits = _limits()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"not an .xlsx workbook (cannot open it as a zip archive: {exc})"
    total = sum(i.file_size for i in infos)
    if total > limits.max_unzipped_bytes:
        return (f"workbook expands to {_mb(total)} when uncompressed, above the limit of "
                f"{_mb(limits.max_unzipped_bytes)} (LIMITS.max_unzipped_bytes); refused unread")
    for i in infos:
        if i.file_size >= _RATIO_FROM_BYTES:
            ratio = i.file_size / max(i.compress_size, 1)
            if ratio > limits.max_zip_ratio:
                return (f"workbook part {i.filename} expands {ratio:,.0f} times ({_mb(i.compress_size)} to "
                        f"{_mb(i.file_size)}), above the limit of {limits.max_zip_ratio:g} "
                        "(LIMITS.max_zip_ratio): it looks like a zip bomb; refused unread")
    return None


_FORMULA = ("formula without a saved value: open and save the workbook in Excel, or type the value")


def _read_workbook(path: Path) -> _Read:
    got = _Read()
    try:
        size = path.stat().st_size
    except OSError as exc:
        got.root(None, str(path), f"cannot read the file: {exc.strerror or exc}")
        return got
    msg = _too_big(size) or _check_zip(path)
    if msg is not None:
        got.root(None, str(path), msg)
        return got
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on damaged files
        got.root(None, str(path), f"cannot read workbook: {exc}")
        return got
    values_wb = None
    try:
        sheets = {str(s).strip(): s for s in wb.sheetnames}
        others = [s for s in sheets if s not in TABLES]
        near = _misspelled(others, {name: name for name in TABLES})
        for name, spec in TABLES.items():
            label = f"{path.name}, sheet '{name}'"
            got.sources[name] = Source(label, 2)
            if name not in sheets:
                typos = [o for o, t in near.items() if t == name]
                found = f"sheets found: {', '.join(sheets) or 'none'}"
                if typos:
                    what = "required sheet is missing" if spec.required else "sheet is missing"
                    got.root(name, label, f"{what} ({found}): did you mean '{name}' for "
                             + ", ".join(f"'{t}'" for t in typos) + "?", reason="is missing")
                elif spec.required:
                    got.root(name, label, f"required sheet is missing ({found})", reason="is missing")
                continue
            for o, t in near.items():
                if t == name:
                    _warn(f"{path.name}, sheet '{o}': not read (did you mean '{name}'? that sheet is read)")
            try:
                header, records, rows, formulas = _sheet_rows(wb[sheets[name]])
                if formulas:
                    if values_wb is None:
                        values_wb = load_workbook(path, read_only=True, data_only=True, keep_links=False)
                    cached = _cached_values(values_wb[sheets[name]], formulas)
                else:
                    cached = {}
            except Exception as exc:  # noqa: BLE001 - a damaged sheet
                got.root(name, label, f"cannot read the sheet: {exc}")
                continue
            if header is None:
                got.root(name, label, "sheet is empty or its first row is blank (expected a header row: "
                         + ", ".join(spec.required_columns) + ")", reason="is empty")
                continue
            names = ["" if h is None else str(h) for h in header]
            texts = [[_cell_text(v) for v in rec] for rec in records]
            record_of = {r: i for i, r in enumerate(rows)}
            bad: dict[str, list[int]] = {}
            for (r, j), formula in formulas.items():
                i = record_of[r]
                value = cached.get((r, j))
                if value is None:
                    col = names[j].strip() or f"Unnamed: {j}"
                    got.problems.append(Problem(label, f"{formula!r}: {_FORMULA}", r, col))
                    bad.setdefault(col, []).append(i)
                    texts[i][j] = ""
                else:
                    texts[i][j] = _cell_text(value)
            got.sources[name] = Source(label, 2, tuple(rows))
            df = _text_table(names, texts)
            got.unparsed[name] = {}
            for col, positions in bad.items():
                mask = np.zeros(len(df), dtype=bool)
                mask[positions] = True
                got.unparsed[name][col] = mask
            got.raw[name] = df
    finally:
        wb.close()
        if values_wb is not None:
            values_wb.close()
    return got


def _sheet_rows(ws) -> tuple[list | None, list[list], list[int], dict]:
    """Header (row 1), data records (cell values; blank rows skipped), their row numbers, and
    the formula cells as {(row, column index): formula text}."""
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # a wrong <dimension> in the file must not hide rows or columns
    header: list | None = None
    records: list[list] = []
    rows: list[int] = []
    formulas: dict[tuple[int, int], str] = {}
    for number, cells in enumerate(ws.iter_rows(), start=1):
        values = [c.value for c in cells]
        if number == 1:
            header = list(values)
            while header and _blank_cell(header[-1]):
                header.pop()
            continue
        if all(_blank_cell(v) for v in values):
            continue
        last = max((k for k, v in enumerate(values) if not _blank_cell(v)), default=-1)
        if last >= len(header):  # values beyond the header: columns without a name
            header.extend([None] * (last + 1 - len(header)))
        for j, c in enumerate(cells[: len(header)]):
            if getattr(c, "data_type", None) == "f":
                formulas[(number, j)] = str(c.value)
        records.append(values[: len(header)])
        rows.append(number)
    if header is None or all(_blank_cell(h) for h in header):
        return None, [], [], {}
    width = len(header)
    for rec in records:
        rec.extend([None] * (width - len(rec)))
    return header, records, rows, formulas


def _blank_cell(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _cached_values(ws, formulas: dict[tuple[int, int], str]) -> dict[tuple[int, int], object]:
    """The values Excel saved for the formula cells (absent where the workbook has none)."""
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    want: dict[int, list[int]] = {}
    for r, j in formulas:
        want.setdefault(r, []).append(j)
    last = max(want)
    out = {}
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if number > last:
            break
        for j in want.get(number, ()):
            v = values[j] if j < len(values) else None
            if v is not None:
                out[(number, j)] = v
    return out


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
            text = _text_frame(df, name)
            # text a spreadsheet would run as a formula gets an apostrophe; load() removes it
            words = [c.name for c in TABLES[name].columns if c.kind == "str"]
            text[words] = neutralize_formulas(text[words])
            atomic_write_text(tmp / fname, text.to_csv(index=False, lineterminator="\n"),
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




def neutralize_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells starting like a formula get a leading apostrophe.

    Spreadsheets open CSV files and run ``=HYPERLINK(...)`` or ``@SUM(...)`` found in them
    (formula injection, OWASP "CSV Injection"); with the apostrophe they show the text.
    Only text cells change: numbers, dates and booleans are left as they are, so ``-5.0``
    stays a number.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmkit.data.io import neutralize_formulas
    >>> neutralize_formulas(pd.DataFrame({"name": ["=HYPERLINK(1)", "plain"], "v": [-1.0, 2.0]}))
                 name    v
    0  '=HYPERLINK(1) -1.0
    1           plain  2.0
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if not (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)):
            continue
        text = s.map(lambda v: isinstance(v, str) and v[:1] in FORMULA_STARTS).astype(bool)
        if text.any():
            out[col] = s.astype(object).where(~text, "'" + s[text].astype(str))
    return out


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
                    if str(v)[:1] in FORMULA_STARTS:
                        c.quotePrefix = True  # and Excel shows and re-saves it as text, never a formula
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
