"""Parsing and checking of pmkit tables: every problem found, all at once.

:func:`parse_table` turns raw text cells into typed columns and reports cells that do not
parse; :func:`normalize_table` coerces already-typed frames (built in code); and
:func:`check_tables` runs the checks across tables: required values, ranges, duplicate
keys, references to unknown tasks/resources/projects, three-point estimate order,
dependency cycles, status dates before the project start. All checks are vectorized.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import NOT_CHECKED, ROOT, Problem, closest
from . import schema
from .calendars import parse_workdays
from .network import CycleFound, topological_levels
from .schema import FORMULA_STARTS, TABLES, Column, _empty_template, column_dtype, empty_frame

_TRUE = {"true", "yes", "y", "1", "x", "t", "1.0"}
_FALSE = {"false", "no", "n", "0", "f", "0.0"}


@dataclass(frozen=True)
class Source:
    """Where a table came from, to name it in messages.

    ``first_row`` is the row number of the table's first data row: 2 for files with a
    header row, 0 for DataFrames built in code (then rows are positions). ``rows``, when
    given, holds the row number of every data row (a reader that skipped blank rows keeps
    the numbers a spreadsheet shows).
    """

    label: str
    first_row: int = 0
    rows: tuple[int, ...] | None = field(default=None, compare=False)

    def row(self, position: int) -> int:
        if self.rows is not None and 0 <= position < len(self.rows):
            return int(self.rows[position])
        return self.first_row + int(position)

    @property
    def short(self) -> str:
        """The file name or sheet, to name the table in a sentence."""
        if ", sheet '" in self.label:
            return "sheet " + self.label.split(", sheet ", 1)[1]
        return os.path.basename(self.label) or self.label


def default_source(table: str) -> Source:
    return Source(f"table '{table}'", 0)


# --------------------------------------------------------------------------- parsing

def _blank(s: pd.Series) -> np.ndarray:
    """Empty or missing cells (text columns hold "" for blanks after parsing)."""
    arr = s.to_numpy(dtype=object)
    return pd.isna(arr) | (arr == "")


def _pair_codes(left: tuple[pd.Series, pd.Series], right: tuple[pd.Series, pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of (a, b) pairs so that equal pairs on either side get equal codes."""
    n = len(left[0])
    a, _ = pd.factorize(np.concatenate([left[0].to_numpy(dtype=object), right[0].to_numpy(dtype=object)]))
    b, ub = pd.factorize(np.concatenate([left[1].to_numpy(dtype=object), right[1].to_numpy(dtype=object)]))
    code = a.astype(np.int64) * (len(ub) + 1) + b
    return code[:n], code[n:]


def _ids(df: pd.DataFrame, table: str, positions: np.ndarray) -> list[str | None]:
    key = [k for k in TABLES[table].key if k in df.columns] if table in TABLES else []
    if not key:
        return [None] * len(positions)
    sub = df.iloc[positions][key].astype(str).fillna("")  # a missing key part (pandas 3 keeps NaN)
    if len(key) == 1:
        return sub.iloc[:, 0].tolist()
    return sub.agg("/".join, axis=1).tolist()


def _report(problems: list[Problem], df: pd.DataFrame, table: str, src: Source,
            mask: np.ndarray, column: str | None, message) -> None:
    """Add one problem per True position of ``mask``; ``message`` may be a callable(pos)."""
    pos = np.flatnonzero(mask)
    if pos.size == 0:
        return
    ids = _ids(df, table, pos)
    for p, ident in zip(pos.tolist(), ids, strict=True):
        msg = message(p) if callable(message) else message
        problems.append(Problem(src.label, msg, src.row(p), column, ident))


def _parse_column(raw: pd.Series, col: Column, table: str, df: pd.DataFrame, src: Source,
                  problems: list[Problem]) -> pd.Series:
    text = raw.fillna("").astype(str).str.strip()
    blank = (text == "").to_numpy()
    if col.kind == "str":
        # keep text exactly as written (no strip): HTML and Unicode pass through untouched,
        # but for the apostrophe pmkit puts before text that would start a formula
        out = raw.fillna("").astype(object)
        quoted = out.map(lambda v: isinstance(v, str) and len(v) > 1 and v[0] == "'" and v[1] in FORMULA_STARTS)
        if quoted.any():
            out = out.where(~quoted.astype(bool), out[quoted.astype(bool)].str[1:])
        return out
    if col.kind in ("float", "int"):
        num = pd.to_numeric(text.where(~blank, None), errors="coerce")
        bad = ~blank & num.isna().to_numpy()
        what = "a number" if col.kind == "float" else "a whole number"
        _report(problems, df, table, src, bad, col.name,
                lambda p: f"{text.iloc[p]!r} is not {what}")
        num = num.astype("float64")
        if col.kind == "int":
            frac = ~np.isnan(num.to_numpy()) & (num.to_numpy() % 1 != 0)
            _report(problems, df, table, src, frac, col.name,
                    lambda p: f"{text.iloc[p]!r} is not a whole number")
            return num.where(~frac).round().astype("Int64")
        return num
    if col.kind == "date":
        return parse_dates(text, blank, lambda mask, message: _report(problems, df, table, src, mask,
                                                                      col.name, message))
    if col.kind == "bool":
        low = text.str.lower()
        val = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        val[low.isin(_TRUE)] = True
        val[low.isin(_FALSE)] = False
        bad = ~blank & val.isna().to_numpy()
        _report(problems, df, table, src, bad, col.name,
                lambda p: f"{text.iloc[p]!r} is not true or false")
        return val
    # enum
    return _canonical_enum(text, col)


# the accepted formats (see schema.DATE_FORMATS): ISO dates, optionally a time of day (no
# time zone); a bare month is the first day of that month
_DATE = r"\d{4}-\d{2}(?:-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?)?"
_DATE_RE = re.compile(_DATE)
_TZ_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)",
                    re.IGNORECASE)
_YEAR_RE = re.compile(r"[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?")
_DMY_RE = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}(?:[T ].*)?")
_USE = "use YYYY-MM-DD (or YYYY-MM for a month, YYYY-MM-DDTHH:MM with a time)"


def parse_dates(text: pd.Series, blank: np.ndarray, report) -> pd.Series:
    """Dates from stripped text cells, strictly in :data:`DATE_FORMATS`.

    ``report(mask, message)`` is called for the cells that are not blank and not a valid
    date: a year alone (``2026``), day/month order (``01/12/2025``, ambiguous), a time
    zone offset, an impossible day (``2025-02-30``) or a date outside
    ``LIMITS.earliest_date`` .. ``LIMITS.latest_date`` (``1500-01-01``).
    """
    limits = schema.LIMITS
    arr = text.to_numpy(dtype=object)
    fmt = ~blank & text.str.fullmatch(_DATE_RE.pattern).fillna(False).to_numpy(dtype=bool)
    # the day the text names, for the range check (a month is its first day)
    day = text.str.slice(0, 10).where(text.str.len() >= 10, text.str.slice(0, 7) + "-01")
    early = fmt & (day < limits.earliest_date).to_numpy(dtype=bool)
    late = fmt & (day > limits.latest_date).to_numpy(dtype=bool)
    ok = fmt & ~early & ~late
    dates = pd.to_datetime(text.where(ok, None), errors="coerce", format="ISO8601")
    if getattr(dates.dt, "tz", None) is not None:  # cannot happen: offsets do not match _DATE
        dates = dates.dt.tz_localize(None)
    invalid = ok & dates.isna().to_numpy()
    rest = ~blank & ~fmt
    tz = rest & text.str.fullmatch(_TZ_RE.pattern, case=False).fillna(False).to_numpy(dtype=bool)
    year = rest & ~tz & text.str.fullmatch(_YEAR_RE.pattern).fillna(False).to_numpy(dtype=bool)
    dmy = rest & ~tz & ~year & text.str.fullmatch(_DMY_RE.pattern).fillna(False).to_numpy(dtype=bool)
    other = rest & ~tz & ~year & ~dmy
    span = f"{limits.earliest_date}..{limits.latest_date}"
    report(tz, lambda p: f"{arr[p]!r} has a time zone offset: pmkit dates and times are local, "
           "write YYYY-MM-DDTHH:MM without the offset")
    report(year, lambda p: f"{arr[p]!r} is not a date: a number or year alone is not read as a date; {_USE}")
    report(dmy, lambda p: f"{arr[p]!r} is not a date: day and month order is ambiguous; {_USE}")
    report(early | late, lambda p: f"{arr[p]!r} is outside the accepted dates {span} "
           "(LIMITS.earliest_date..latest_date)")
    report(invalid | other, lambda p: f"{arr[p]!r} is not a date ({_USE})")
    return dates.astype("datetime64[ns]")


def _canonical_enum(text: pd.Series, col: Column) -> pd.Series:
    lookup = {v.lower().replace(" ", "_").replace("-", "_"): v for v in col.values}
    key = text.str.lower().str.replace(" ", "_").str.replace("-", "_")
    val = key.map(lookup)
    blank = (text == "").to_numpy()
    # unknown values stay as written; check_tables reports them
    return val.where(~blank, "").fillna(text).astype(object)


def parse_table(table: str, raw: pd.DataFrame, src: Source, problems: list[Problem],
                unparsed: dict[str, np.ndarray] | None = None) -> pd.DataFrame | None:
    """Parse a table of text cells into typed columns, appending problems.

    ``unparsed`` (optional) receives, per column, the mask of cells that had text that did
    not parse; pass it on to :func:`check_tables` so those cells are not reported twice.
    Returns None when required columns are missing (the table cannot be used).
    """
    spec = TABLES[table]
    raw = raw.reset_index(drop=True)
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in spec.required_columns if c not in raw.columns]
    unknown = [str(c) for c in raw.columns if c not in spec.column_names]
    for c in missing:
        hint = closest(c, unknown)
        problems.append(Problem(src.label, f"required column '{c}' is missing "
                                + (f"(found '{hint}': did you mean {c}?) " if hint else "")
                                + f"(columns found: {', '.join(map(str, raw.columns)) or 'none'})",
                                None, c, rank=ROOT))
    dup = list(dict.fromkeys(raw.columns[raw.columns.duplicated()].tolist()))
    for c in dup:
        n = int((raw.columns == c).sum())
        problems.append(Problem(src.label, f"column name appears {n} times in the header; "
                                "each column needs its own name", None, c, rank=ROOT))
    if missing or dup:
        return None
    out = {}
    unparsed = {} if unparsed is None else unparsed
    for col in spec.columns:
        if col.name in raw.columns:
            out[col.name] = _parse_column(raw[col.name], col, table, raw, src, problems)
            if col.kind in ("float", "int", "date", "bool"):
                # cells that had text but did not parse are already reported
                had_text = ~_blank(raw[col.name])
                bad = had_text & out[col.name].isna().to_numpy()
                before = unparsed.get(col.name)  # e.g. formulas without a value, reported by the reader
                unparsed[col.name] = bad if before is None else (bad | before)
    for extra in raw.columns:
        if extra not in out:
            out[extra] = raw[extra].fillna("").astype(object)
    return _fill_defaults(table, pd.DataFrame(out, index=raw.index))


def _is_normalized(table: str, df: pd.DataFrame) -> bool:
    """True when ``df`` already has the schema's columns first, in order, with the schema dtypes."""
    spec = TABLES[table]
    names = spec.column_names
    if list(df.columns[: len(names)]) != names:
        return False
    for col in spec.columns:
        if df[col.name].dtype != column_dtype(col):
            return False
    for extra in df.columns[len(names):]:
        if pd.api.types.is_string_dtype(df[extra].dtype) and df[extra].dtype != object:
            return False
    return not isinstance(df.index, pd.RangeIndex) or df.index.start == 0


def _fill_defaults(table: str, df: pd.DataFrame) -> pd.DataFrame:
    spec = TABLES[table]
    template = _empty_template(table)
    cols = {}
    for col in spec.columns:
        if col.name in df.columns:
            s = df[col.name]
        else:
            s = pd.Series([None] * len(df), index=df.index, dtype=object)
        s = _coerce(s, col, template[col.name].dtype)
        if col.default is not None:
            if col.kind in ("str", "enum"):
                s = s.where(s != "", col.default) if col.default != "" else s
            else:
                s = s.fillna(col.default)
        cols[col.name] = s
    for extra in df.columns:
        if extra not in cols:
            e = df[extra]
            # one representation for text whatever pandas' default string dtype is
            cols[extra] = e.astype(object) if pd.api.types.is_string_dtype(e.dtype) else e
    return pd.DataFrame(cols, index=df.index)


def _coerce(s: pd.Series, col: Column, dtype) -> pd.Series:
    """Coerce a column built in code to the schema dtype (strict: bad values raise)."""
    if col.kind in ("str", "enum"):
        s = s.astype(object)
        na = s.isna().to_numpy()
        if na.any():
            s = s.where(~na, "")
        if pd.api.types.infer_dtype(s, skipna=False) not in ("string", "empty"):
            s = s.map(lambda v: v if isinstance(v, str) else str(v))  # e.g. numeric ids
        return s
    if col.kind == "date":
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            s = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
            return s.astype("datetime64[ns]")
        return pd.to_datetime(s, format="ISO8601").astype("datetime64[ns]")
    if col.kind == "float":
        return pd.to_numeric(s).astype("float64")
    if col.kind == "int":
        return pd.to_numeric(s).astype("Int64")
    if col.kind == "bool":
        if s.dtype == "boolean":
            return s
        return s.map(lambda v: pd.NA if v is None or (isinstance(v, float) and np.isnan(v))
                     else (str(v).strip().lower() in _TRUE if isinstance(v, str) else bool(v))
                     ).astype("boolean")
    raise AssertionError(col.kind)


def normalize_table(table: str, df: pd.DataFrame | None) -> pd.DataFrame:
    """A frame built in code, coerced to the schema: missing optional columns get defaults.

    Raises
    ------
    pmkit.errors.ValidationError
        When a required column is missing or a value cannot be converted.
    """
    from ..errors import ValidationError

    if df is None:
        return empty_frame(table)
    if not isinstance(df, pd.DataFrame):
        df = pd.DataFrame(df)
    if isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1 and _is_normalized(table, df):
        return df  # already in schema form (e.g. a table of another Project): nothing to convert
    df = df.reset_index(drop=True)
    spec = TABLES[table]
    missing = [c for c in spec.required_columns if c not in df.columns]
    if missing and len(df):
        raise ValidationError([Problem(default_source(table).label, "required column is missing", None, c)
                               for c in missing])
    for c in missing:  # an empty frame may omit columns
        df[c] = pd.Series([], dtype=object)
    try:
        return _fill_defaults(table, df)
    except (ValueError, TypeError) as exc:
        raise ValidationError([Problem(default_source(table).label, f"cannot convert: {exc}")]) from None


# --------------------------------------------------------------------------- checks

def check_tables(tables: dict[str, pd.DataFrame], sources: dict[str, Source] | None = None,
                 unparsed: dict[str, dict[str, np.ndarray]] | None = None,
                 broken: dict[str, str] | None = None, read: set[str] | None = None) -> list[Problem]:
    """Check typed tables (as produced by :func:`parse_table`) against the schema and each other.

    Problems that make a table unusable come first and suppress the cascade they cause:
    references into a table of ``broken`` and the rules that need it are not checked, and
    one :data:`~pmkit.errors.NOT_CHECKED` line per such table counts what was skipped.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Table name to frame; absent tables count as empty.
    sources : dict of str to Source, optional
        Where each table came from, for messages.
    unparsed : dict, optional
        Per table and column, cells already reported as unparseable by :func:`parse_table`.
    broken : dict of str to str, optional
        Tables that could not be used (already reported), each with the reason to name,
        e.g. ``{"tasks": "tasks.csv cannot be used"}``.
    read : set of str, optional
        Tables read from the input (a file or sheet was there). When given, a table without
        rows (absent, or a header only) that other tables refer to is reported once as the
        root problem instead of one "unknown ..." per referring cell.

    Returns
    -------
    list of Problem
        Empty when the data is valid.
    """
    sources = sources or {}
    problems: list[Problem] = []
    src = {t: sources.get(t, default_source(t)) for t in TABLES}
    tabs = {t: tables.get(t) if tables.get(t) is not None else empty_frame(t) for t in TABLES}
    broken = dict(broken or {})
    if read is not None:
        _check_empty_targets(tabs, src, read, broken, problems)

    unparsed = unparsed or {}
    for t, df in tabs.items():
        if len(df):
            _check_values(t, df, src[t], problems, unparsed.get(t, {}))
            _check_duplicates(t, df, src[t], problems)
    skipped: dict[str, int] = {}
    _check_references(tabs, src, problems, broken, skipped)
    _check_rules(tabs, src, problems)
    _check_cycles(tabs, src, problems)
    rules = {"projects": ("status", "dates of progress records against their project's dates"),
             "tasks": ("dependencies", "dependency cycles")}
    for t, reason in broken.items():
        n = skipped.get(t, 0)
        skipped_rules = [what for need, (table, what) in rules.items() if need == t and len(tabs[table])]
        if not n and not skipped_rules:
            continue
        parts = ([f"{n} reference{'s' if n != 1 else ''} to {t.replace('_', ' ')}" if n else ""]
                 + skipped_rules)
        problems.append(Problem(src[t].label, f"{' and '.join(p for p in parts if p)} not checked "
                                f"because {reason}", rank=NOT_CHECKED))
    return problems


_WHAT = {"tasks": "task", "projects": "project", "resources": "resource", "roles": "role",
         "programs": "program", "calendars": "calendar", "strategic_objectives": "strategic objective",
         "criteria": "criterion"}


def _reference_columns(tabs: dict[str, pd.DataFrame]):
    """Each (table, frame, column, referenced table, referenced column) of rows present."""
    for t, spec in TABLES.items():
        df = tabs[t]
        if not len(df):
            continue
        for col in spec.columns:
            if col.ref and col.name in df.columns:
                rt, rc = col.ref.split(".")
                yield t, df, col, rt, rc


def _used_references(df: pd.DataFrame, column: str, rt: str) -> np.ndarray:
    """Cells that refer to something (the built-in ``standard`` calendar needs no row)."""
    used = ~_blank(df[column])
    if rt == "calendars":
        used &= (df[column].astype(str) != "standard").to_numpy()
    return used


def _references_into(tabs: dict[str, pd.DataFrame]) -> dict[str, list[tuple[str, str, int]]]:
    """Per referenced table: (table, column, number of non-blank values) that refer to it."""
    out: dict[str, list[tuple[str, str, int]]] = {}
    for t, df, col, rt, _ in _reference_columns(tabs):
        if rt == t:
            continue  # a table's references into itself (parent tasks) fail with it
        n = int(_used_references(df, col.name, rt).sum())
        if n:
            out.setdefault(rt, []).append((t, col.name, n))
    return out


def _check_empty_targets(tabs: dict[str, pd.DataFrame], src: dict[str, Source], read: set[str],
                         broken: dict[str, str], problems: list[Problem]) -> None:
    """A table without rows that other tables refer to: one root problem, not one per cell."""
    for rt, uses in _references_into(tabs).items():
        if rt in broken or len(tabs[rt]):
            continue
        n = sum(k for _, _, k in uses)
        where = ", ".join(f"{src[t].short} column {c}" for t, c, _ in uses)
        kind = "sheet" if src[rt].short.startswith("sheet ") else "file"
        if rt in read:
            msg = f"has a header but no data rows, while {n} value{'s' if n != 1 else ''} refer to it ({where})"
            broken[rt] = f"{src[rt].short} has no rows"
        else:
            msg = f"{kind} is missing (the {rt} table), while {n} value{'s' if n != 1 else ''} refer to it ({where})"
            broken[rt] = f"{src[rt].short} is missing"
        problems.append(Problem(src[rt].label, msg, rank=ROOT))


def _check_values(t: str, df: pd.DataFrame, src: Source, problems: list[Problem],
                  unparsed_cells: dict[str, np.ndarray]) -> None:
    for col in TABLES[t].columns:
        if col.name not in df.columns:
            continue
        s = df[col.name]
        if col.required:
            blank = _blank(s) if col.kind in ("str", "enum") else s.isna().to_numpy()
            unparsed = unparsed_cells.get(col.name)
            if unparsed is not None:
                blank = blank & ~unparsed
            _report(problems, df, t, src, blank, col.name, "required value is blank")
        if col.kind in ("float", "int") and (col.min is not None or col.max is not None):
            v = s.astype("float64").to_numpy()
            if col.min is not None:
                lo = col.min - 1e-9 * max(1.0, abs(col.min))
                _report(problems, df, t, src, v < lo, col.name,
                        lambda p, v=v, col=col: f"{v[p]:g} is below the minimum {col.min:g}"
                        + (" (durations cannot be negative)" if col.name.endswith("_days") else ""))
            if col.max is not None:
                hi = col.max + 1e-9 * max(1.0, abs(col.max))
                _report(problems, df, t, src, v > hi, col.name,
                        lambda p, v=v, col=col: f"{v[p]:g} is above the maximum {col.max:g}")
        if col.kind == "enum":
            ok = s.isin(list(col.values) + [""]).to_numpy()
            _report(problems, df, t, src, ~ok, col.name,
                    lambda p, s=s, col=col: f"unknown value {s.iloc[p]!r} (expected one of {', '.join(col.values)})")
        if col.kind == "float":
            inf = np.isinf(s.to_numpy(dtype="float64"))
            _report(problems, df, t, src, inf, col.name, "value is infinite")
            if col.limit is not None:
                lim = float(getattr(schema.LIMITS, col.limit))
                v = s.to_numpy(dtype="float64")
                with np.errstate(invalid="ignore"):
                    over = ~inf & (np.abs(v) > lim)
                what = "lag" if "lag" in col.limit else "duration"
                _report(problems, df, t, src, over, col.name,
                        lambda p, v=v, lim=lim, what=what, col=col:
                        f"{v[p]:g} working days is beyond the {what} limit of {lim:g} "
                        f"(LIMITS.{col.limit}): check the unit and the value")
        if col.kind == "date":
            d = s.to_numpy(dtype="datetime64[ns]")
            lo = np.datetime64(schema.LIMITS.earliest_date, "ns")
            hi = np.datetime64(schema.LIMITS.latest_date, "ns") + np.timedelta64(1, "D")
            with np.errstate(invalid="ignore"):
                out = ~np.isnat(d) & ((d < lo) | (d >= hi))
            _report(problems, df, t, src, out, col.name,
                    lambda p, d=d: f"{pd.Timestamp(d[p]):%Y-%m-%d} is outside the accepted dates "
                    f"{schema.LIMITS.earliest_date}..{schema.LIMITS.latest_date} "
                    "(LIMITS.earliest_date..latest_date)")


def _check_duplicates(t: str, df: pd.DataFrame, src: Source, problems: list[Problem]) -> None:
    key = list(TABLES[t].key)
    if not key or not all(k in df.columns for k in key) or not len(df):
        return
    dup = df.duplicated(subset=key, keep="first").to_numpy()
    if dup.any():
        first_row = {}
        keys = (df[key].astype(str).fillna("").agg("/".join, axis=1) if len(key) > 1
                else df[key[0]].astype(str).fillna(""))
        for p, k in enumerate(keys.tolist()):
            first_row.setdefault(k, p)
        _report(problems, df, t, src, dup, key[-1],
                lambda p: f"duplicate id: {keys.iloc[p]!r} already appears on row {src.row(first_row[keys.iloc[p]])}")


def _check_references(tabs: dict[str, pd.DataFrame], src: dict[str, Source], problems: list[Problem],
                      broken: dict[str, str] | None = None, skipped: dict[str, int] | None = None) -> None:
    broken = broken or {}
    skipped = {} if skipped is None else skipped
    for t, df, col, rt, rc in _reference_columns(tabs):
        target = tabs[rt]
        value = df[col.name].astype(str)
        blank = _blank(df[col.name])
        if rt in broken:  # reported once as the root problem; count what is not checked
            skipped[rt] = skipped.get(rt, 0) + int(np.sum(_used_references(df, col.name, rt)))
            continue
        if rt == "calendars":
            known = set(target[rc].astype(str)) | {"standard"}
            bad = ~blank & ~value.isin(known).to_numpy()
        elif "project_id" in TABLES[rt].column_names and rt != "projects" and "project_id" in df.columns:
            k_here, k_target = _pair_codes((df["project_id"].astype(str), value),
                                           (target["project_id"].astype(str), target[rc].astype(str)))
            bad = ~blank & ~np.isin(k_here, k_target)
        else:
            bad = ~blank & ~value.isin(target[rc].astype(str).unique()).to_numpy()
        what = _WHAT.get(rt, rt)
        scope = " in this project" if rt == "tasks" else ""
        _report(problems, df, t, src[t], bad, col.name,
                lambda p, value=value, what=what, scope=scope, rt=rt:
                f"unknown {what} {str(value.iloc[p])!r}{scope} (not in {src[rt].label})")


def _check_rules(tabs: dict[str, pd.DataFrame], src: dict[str, Source], problems: list[Problem]) -> None:
    tasks = tabs["tasks"]
    if len(tasks):
        o, m, p = (tasks[c].to_numpy(dtype="float64") for c in
                   ("optimistic_days", "most_likely_days", "pessimistic_days"))
        with np.errstate(invalid="ignore"):
            bad_om = o > m + 1e-12
            bad_mp = m > p + 1e-12
            bad_op = ~bad_om & ~bad_mp & (o > p + 1e-12)
        _report(problems, tasks, "tasks", src["tasks"], bad_om | bad_mp | bad_op, "most_likely_days",
                lambda i: "three-point estimate out of order: need optimistic <= most likely <= pessimistic, "
                f"got {o[i]:g} / {m[i]:g} / {p[i]:g}")
        need = ~tasks["constraint_type"].isin(["ASAP", "ALAP", ""]).to_numpy() & tasks["constraint_date"].isna().to_numpy()
        _report(problems, tasks, "tasks", src["tasks"], need, "constraint_date",
                lambda i: f"constraint {tasks['constraint_type'].iloc[i]} needs a constraint_date")
    cals = tabs["calendars"]
    for i, text in enumerate(cals["workdays"].astype(str).tolist() if len(cals) else []):
        try:
            parse_workdays(text)
        except ValueError as exc:
            problems.append(Problem(src["calendars"].label, str(exc), src["calendars"].row(i), "workdays",
                                    str(cals["calendar_id"].iloc[i])))
    deps = tabs["dependencies"]
    if len(deps):
        self_loop = (deps["predecessor_id"].astype(str) == deps["successor_id"].astype(str)).to_numpy()
        _report(problems, deps, "dependencies", src["dependencies"], self_loop, "successor_id",
                lambda i: f"dependency cycle: task {deps['predecessor_id'].iloc[i]!r} depends on itself")
    asg = tabs["assignments"]
    if len(asg):
        neither = _blank(asg["resource_id"]) & _blank(asg["role_id"])
        _report(problems, asg, "assignments", src["assignments"], neither, "resource_id",
                "assignment names neither a resource_id nor a role_id")
    projects = tabs["projects"]
    if len(projects):
        start = projects.set_index(projects["project_id"].astype(str))["start_date"]
        start = start[~start.index.duplicated()]
        sd = projects["status_date"]
        before = (sd < projects["start_date"]).to_numpy()
        _report(problems, projects, "projects", src["projects"], before, "status_date",
                lambda i: f"status date {sd.iloc[i]:%Y-%m-%d} is before the project start "
                f"{projects['start_date'].iloc[i]:%Y-%m-%d}")
        fin = (projects["finish_date"] < projects["start_date"]).to_numpy()
        _report(problems, projects, "projects", src["projects"], fin, "finish_date",
                "finish date is before the project start")
        st = tabs["status"]
        if len(st):
            ps = st["project_id"].astype(str).map(start)
            early = (st["status_date"] < ps).to_numpy()
            _report(problems, st, "status", src["status"], early, "status_date",
                    lambda i: f"status date {st['status_date'].iloc[i]:%Y-%m-%d} is before the project start "
                    f"{ps.iloc[i]:%Y-%m-%d}")
            sd_of = projects.set_index(projects["project_id"].astype(str))["status_date"]
            psd = st["project_id"].astype(str).map(sd_of[~sd_of.index.duplicated()])
            after = (st["status_date"] > psd).to_numpy()
            _report(problems, st, "status", src["status"], after, "status_date",
                    lambda i: f"progress dated {st['status_date'].iloc[i]:%Y-%m-%d} is after the project's "
                    f"status date {psd.iloc[i]:%Y-%m-%d} ({src['projects'].short})")
    st = tabs["status"]
    if len(st):
        order = (st["actual_finish"] < st["actual_start"]).to_numpy()
        _report(problems, st, "status", src["status"], order, "actual_finish", "actual finish is before actual start")
        future = (st["actual_start"] > st["status_date"]).to_numpy()
        _report(problems, st, "status", src["status"], future, "actual_start",
                "actual start is after the status date of the record")
        future = (st["actual_finish"] > st["status_date"]).to_numpy()
        _report(problems, st, "status", src["status"], future, "actual_finish",
                "actual finish is after the status date of the record")
        _check_progress_order(st, src["status"], problems)
    bl = tabs["baseline"]
    if len(bl):
        bad = (bl["baseline_finish"] < bl["baseline_start"]).to_numpy()
        _report(problems, bl, "baseline", src["baseline"], bad, "baseline_finish", "baseline finish is before baseline start")
    rel = tabs["relations"]
    if len(rel):
        selfrel = (rel["project_id"].astype(str) == rel["other_project_id"].astype(str)).to_numpy()
        _report(problems, rel, "relations", src["relations"], selfrel, "other_project_id",
                "a project cannot be related to itself")
    pw = tabs["pairwise"]
    if len(pw):
        same = (pw["objective_a"].astype(str) == pw["objective_b"].astype(str)).to_numpy()
        _report(problems, pw, "pairwise", src["pairwise"], same, "objective_b",
                "an objective is compared with itself")
    port = tabs["portfolio"]
    if len(port) > 1:
        problems.append(Problem(src["portfolio"].label, f"expected one row, found {len(port)}"))


def _check_progress_order(st: pd.DataFrame, src: Source, problems: list[Problem]) -> None:
    """Percent complete of a task never goes back from one status date to a later one."""
    pc = st["percent_complete"].to_numpy(dtype="float64")
    if len(st) < 2 or np.isnan(pc).all():
        return
    key = st["project_id"].astype(str) + "\x1f" + st["task_id"].astype(str)
    frame = pd.DataFrame({"key": key.to_numpy(), "date": st["status_date"].to_numpy(), "pc": pc,
                          "pos": np.arange(len(st))})
    frame = frame[~np.isnan(pc) & ~np.isnat(frame["date"].to_numpy())]
    frame = frame.sort_values(["key", "date", "pos"], kind="stable")
    g = frame.groupby("key", sort=False)
    prev_max = g["pc"].cummax().groupby(frame["key"]).shift(1)
    # the record that set the running maximum, to name it
    is_max = frame["pc"] >= frame.groupby("key", sort=False)["pc"].cummax()
    max_pos = frame["pos"].where(is_max).groupby(frame["key"]).ffill().groupby(frame["key"]).shift(1)
    max_date = frame["date"].where(is_max).groupby(frame["key"]).ffill().groupby(frame["key"]).shift(1)
    back = ((frame["pc"] < prev_max - 1e-9) & (frame["date"] > max_date)).to_numpy()
    if not back.any():
        return
    where = {int(p): (float(m), int(mp), d) for p, m, mp, d in
             zip(frame["pos"][back], prev_max[back], max_pos[back], max_date[back], strict=True)}
    mask = np.zeros(len(st), dtype=bool)
    mask[list(where)] = True
    _report(problems, st, "status", src, mask, "percent_complete",
            lambda i: f"percent complete goes back: {pc[i]:g} on {st['status_date'].iloc[i]:%Y-%m-%d} after "
            f"{where[i][0]:g} on {where[i][2]:%Y-%m-%d} (row {src.row(where[i][1])})")


def _check_cycles(tabs: dict[str, pd.DataFrame], src: dict[str, Source], problems: list[Problem]) -> None:
    tasks, deps = tabs["tasks"], tabs["dependencies"]
    if not len(deps) or not len(tasks):
        return
    key = tasks["project_id"].astype(str) + "\x1f" + tasks["task_id"].astype(str)
    index = pd.Index(key.drop_duplicates())
    pk = deps["project_id"].astype(str) + "\x1f"
    p = index.get_indexer(pk + deps["predecessor_id"].astype(str))
    s = index.get_indexer(pk + deps["successor_id"].astype(str))
    ok = (p >= 0) & (s >= 0) & (p != s)  # unknown tasks and self-links are reported elsewhere
    p, s = p[ok], s[ok]
    n = len(index)
    while True:
        try:
            topological_levels(n, p, s)
            return
        except CycleFound as cyc:
            names = [index[i].split("\x1f") for i in cyc.nodes]
            pid = names[0][0]
            path = " -> ".join([t for _, t in names] + [names[0][1]])
            problems.append(Problem(src["dependencies"].label, f"dependency cycle between tasks {path}",
                                    None, "predecessor_id", pid))
            # drop the reported project's links and look for cycles in other projects
            proj_of = np.array([k.split("\x1f")[0] for k in index[p]]) if len(p) else np.array([])
            keep = proj_of != pid
            p, s = p[keep], s[keep]
