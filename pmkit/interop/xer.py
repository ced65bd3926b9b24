"""Primavera P6 XER exports: read one or all projects of a file as :class:`pmkit.Project`.

An XER file is tab-separated text: ``%T`` starts a table, ``%F`` names its fields,
``%R`` is a row, ``%E`` ends the file. The reader uses these tables (all but
``PROJECT`` and ``TASK`` are optional):

============  =====================================================================
table         read into
============  =====================================================================
PROJECT       project id (``proj_short_name``), start (``plan_start_date``), status
              (data) date (``last_recalc_date``), project calendar
PROJWBS       ``tasks.wbs`` (the WBS codes of the path from the project node)
CALENDAR      working weekdays and hours from ``clndr_data``, non-working exceptions
              as holidays, ``day_hr_cnt`` as hours per day
TASK          ``tasks`` (id ``task_code``; duration ``target_drtn_hr_cnt``; milestones;
              constraint ``cstr_type``/``cstr_date``); planned dates as ``baseline``;
              progress (``status``) by the activity's percent-complete type
TASKPRED      ``dependencies`` (``PR_FS``...; ``lag_hr_cnt`` may be fractional)
RSRC, ROLES   ``resources``, ``roles``
TASKRSRC      ``assignments`` (units per hour = share of a full-time person), costs
============  =====================================================================

Hours become working days through the hours per day of the calendar that P6 uses
for them: the activity's calendar for durations; for lags the one named by the
project's scheduling option ``sched_calendar_on_relationship_lag`` (predecessor,
successor, 24-hour or project calendar; successor by default).

Real exports differ from the documentation: files are usually Windows-1252 (read as
UTF-8 when they decode as such), fields can be empty or missing, rows can be shorter
than their field list, optional tables are often absent, and one file can hold
several projects (choose with ``project_id``). Links to activities of other projects
are dropped with a warning.

Sources: Oracle, "Primavera P6 EPPM XER import/export data map" and "P6 EPPM data
dictionary"; MPXJ's PrimaveraReader (J. Iles, mpxj.org) for ``clndr_data``.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.calendars import Calendar
from ..data.model import Project
from ..data.schema import LIMITS
from ..errors import PmkitError
from . import (
    DEFAULT_MAX_BYTES,
    DateReader,
    calendar_from_week,
    check_days,
    check_input_file,
    days_limit,
    no_tasks_warning,
    readable_ids,
    warn,
)

#: P6 constraint code -> pmkit constraint. "Mandatory" constraints keep their date in P6
#: even against logic; pmkit's MSO/MFO behave the same (conflicts show as negative float).
XER_CONSTRAINTS = {
    "CS_ALAP": "ALAP", "CS_MSO": "MSO", "CS_MANDSTART": "MSO", "CS_MEO": "MFO", "CS_MANDFIN": "MFO",
    "CS_MSOA": "SNET", "CS_MSOB": "SNLT", "CS_MEOA": "FNET", "CS_MEOB": "FNLT",
}
XER_LINK_TYPES = {"PR_FS": "FS", "PR_SS": "SS", "PR_FF": "FF", "PR_SF": "SF"}
#: ``cstr_type`` values that mean no constraint (blank in most exports).
XER_NO_CONSTRAINT = frozenset({"", "CS_ASAP"})
MILESTONE_TYPES = frozenset({"TT_Mile", "TT_FinMile"})
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_DAY = re.compile(r"\(0\|\|([1-7])\(\)")
_EXCEPTION = re.compile(r"\(0\|\|\d+\(d\|(\d+)\)")
_SPAN = re.compile(r"s\|(\d{1,2}:\d{2})\|f\|(\d{1,2}:\d{2})|f\|(\d{1,2}:\d{2})\|s\|(\d{1,2}:\d{2})")


# --------------------------------------------------------------------------- file level

def _decode(data: bytes) -> str:
    # P6 writes the Windows code page; a file that is valid UTF-8 is taken as such
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_xer_tables(text: str, source: str = "<text>") -> dict[str, pd.DataFrame]:
    """Every table of an XER text as a DataFrame of strings (empty cells are ``""``).

    Raises
    ------
    pmkit.errors.PmkitError
        When the text is not an XER export (no ``ERMHDR`` line, rows before ``%F``).
    """
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    if not first.startswith("ERMHDR"):
        raise PmkitError(f"{source}: not a Primavera XER file (first line does not start with ERMHDR)")
    tables: dict[str, tuple[list[str], list[list[str]]]] = {}
    name, fields, rows = None, None, None
    ended, last = False, None  # last: (line number, table, cells given, fields) of the last row
    for number, line in enumerate(lines, start=1):
        kind, _, rest = line.partition("\t")
        kind = kind.strip()
        if kind == "%T":
            name, fields = rest.strip(), None
            rows = tables.setdefault(name, ([], []))[1]
        elif kind == "%F":
            if name is None:
                raise PmkitError(f"{source}, line {number}: field list before any %T table line")
            fields = [f.strip() for f in rest.split("\t")]
            if tables[name][0] and rows:
                # a second field list for rows already read (a lost %T line, say): the file is damaged
                raise PmkitError(f"{source}, line {number}: a second %F field list for table {name!r}, whose "
                                 f"rows were read with the earlier one; is a %T line missing before it?")
            tables[name] = (fields, rows)
        elif kind == "%R":
            if fields is None:
                raise PmkitError(f"{source}, line {number}: row of table {name!r} before its %F field list")
            cells = rest.split("\t")
            # rows may be shorter (trailing blanks trimmed) or longer (stray tabs) than the fields
            rows.append((cells + [""] * len(fields))[:len(fields)])
            last = (number, name, len(cells), len(fields))
        elif kind == "%E":
            ended = True
            break
    no_fields = [n for n, (f, _) in tables.items() if not f]
    shown = Path(source).name
    if no_fields:
        warn(f"{shown}: table(s) {', '.join(no_fields)} have a %T line but no %F field list; read as empty")
    if not ended:
        where = ""
        if last is not None and last[2] < last[3]:
            # cut in the middle of a row: its last cells are missing or partial, so it is left out
            tables[last[1]][1].pop()
            where = f"; the last row of table {last[1]} (line {last[0]}) is incomplete and was left out"
        warn(f"{shown}: the file ends without the %E end line, so it may be truncated{where}")
    return {n: pd.DataFrame(r, columns=f, dtype=object) for n, (f, r) in tables.items()}


def _load(path: str | os.PathLike, max_bytes: int | None) -> tuple[Path, dict[str, pd.DataFrame]]:
    p = check_input_file(path, max_bytes)
    tables = parse_xer_tables(_decode(p.read_bytes()), str(p))
    for required in ("PROJECT", "TASK"):
        if required not in tables:
            raise PmkitError(f"{p}: the XER file has no {required} table (is it complete?)")
    return p, tables


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    """A text column, blank where the table lacks it (real exports omit optional fields)."""
    if name in df.columns:
        return df[name].fillna("").astype(str).str.strip()
    return pd.Series([""] * len(df), index=df.index, dtype=object)


def _num(df: pd.DataFrame, name: str, default: float = np.nan) -> np.ndarray:
    v = pd.to_numeric(_col(df, name).replace("", np.nan), errors="coerce").to_numpy(dtype=float)
    return np.where(np.isnan(v), default, v)


def _strict_num(df: pd.DataFrame, name: str, default: float, source, where: list[str]) -> np.ndarray:
    """Numbers of a field the schedule needs: a value that is not a number is a PmkitError."""
    text = _col(df, name)
    v = pd.to_numeric(text.replace("", np.nan), errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero((np.isnan(v) & (text != "").to_numpy()) | np.isinf(v))
    if bad.size:
        i = int(bad[0])
        raise PmkitError(f"{source}: {where[i]}: {name} {text.iloc[i]!r} is not a number (hours)"
                         + (f"; {bad.size - 1} more row(s) like it" if bad.size > 1 else ""))
    return np.where(np.isnan(v), default, v)


def _check_days(days: np.ndarray, raw: np.ndarray, source, where: list[str], field: str, kind: str) -> None:
    beyond = np.flatnonzero(np.abs(np.nan_to_num(days)) > days_limit(kind))
    if beyond.size:
        i = int(beyond[0])
        check_days(float(days[i]), source=str(source), where=where[i], field=field, raw=f"{raw[i]:g} hours",
                   kind=kind)


_ZONE = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"


def _dates(df: pd.DataFrame, name: str, reader: DateReader | None = None, where: list[str] | None = None,
           needed: bool | np.ndarray = True) -> pd.Series:
    """A date field as day timestamps; values beyond LIMITS or not dates go through ``reader``.

    ``needed`` (one flag, or one per row): such a value is an error where the schedule needs
    it, else a warning and left out (NaT).
    """
    # dates are "YYYY-MM-DD HH:MM"; pmkit keeps days, so the time of day is dropped
    text = _col(df, name)
    zoned = text.str.contains(_ZONE, regex=True)
    plain = text.where(~zoned, text.str.replace(_ZONE, "", regex=True).str.strip())
    out = pd.to_datetime(plain.replace("", None), errors="coerce", format="mixed").dt.normalize()
    if reader is None:
        return out
    lo, hi = pd.Timestamp(LIMITS.earliest_date), pd.Timestamp(LIMITS.latest_date) + pd.Timedelta(days=1)
    odd = ((out.isna() & (text != "")) | (out < lo) | (out >= hi) | zoned).to_numpy()
    for i in np.flatnonzero(odd):  # the few odd values, one by one, for their messages
        ts = reader.parse(text.iloc[i], where=where[i], field=name, needed=bool(np.broadcast_to(needed, odd.shape)[i]))
        out.iloc[i] = pd.NaT if ts is None else ts.normalize()
    return out


def _one_date(value: str, reader: DateReader | None = None, where: str = "project", field: str = "") -> pd.Timestamp | None:
    if reader is not None:
        ts = reader.parse(value, where=where, field=field)
        return None if ts is None else ts.normalize()
    ts = pd.to_datetime(value or None, errors="coerce")
    return None if ts is None or pd.isna(ts) else ts.normalize()


# --------------------------------------------------------------------------- calendars

def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _span_sum(text: str) -> float:
    total = 0.0
    for m in _SPAN.finditer(text):
        s, f = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        a, b = _minutes(s), _minutes(f)
        total += (b if b > a else b + 1440) - a  # a finish of 00:00 is midnight
    return total


def parse_clndr_data(data: str) -> tuple[list[float] | None, list[np.datetime64], int]:
    """Weekday working minutes (Mon..Sun), holidays and the number of working exceptions.

    ``clndr_data`` nests ``(0||name(attrs)(children))`` nodes: ``DaysOfWeek`` has days
    ``1`` (Sunday) to ``7`` with spans ``(s|08:00|f|12:00)``; ``Exceptions`` has dates as
    day numbers since 1899-12-30 (``d|43650``), non-working unless they carry spans.
    The week is None when the data has no ``DaysOfWeek``.

    >>> week, hol, _ = parse_clndr_data("(0||CalendarData()((0||DaysOfWeek()((0||1()())"
    ...     "(0||2()((0||0(s|08:00|f|16:00)())))))(0||Exceptions()((0||0(d|45658)())))))")
    >>> week[0], week[6], str(hol[0])
    (480.0, 0.0, '2025-01-01')
    """
    data = (data or "").replace("\x7f", "")  # some exports separate nodes with DEL characters
    week = None
    dow_at, ex_at = data.find("DaysOfWeek()"), data.find("Exceptions()")
    if dow_at >= 0:
        section = data[dow_at: ex_at if ex_at > dow_at else len(data)]
        week = [0.0] * 7
        marks = list(_DAY.finditer(section))
        for k, m in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(section)
            week[(int(m.group(1)) + 5) % 7] = _span_sum(section[m.end():end])
    holidays, working = [], 0
    if ex_at >= 0:
        section = data[ex_at:]
        marks = list(_EXCEPTION.finditer(section))
        for k, m in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(section)
            if _span_sum(section[m.end():end]) > 0:
                working += 1
            elif int(m.group(1)) <= _MAX_DAY_NUMBER:
                holidays.append(_EXCEL_EPOCH + np.timedelta64(int(m.group(1)), "D"))
    return week, holidays, working


#: Day numbers of clndr_data exceptions beyond this are past any date pmkit keeps (left out).
_MAX_DAY_NUMBER = int((np.datetime64(LIMITS.latest_date, "D") - _EXCEL_EPOCH).astype(np.int64))


def _read_calendars(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, Calendar], dict[str, str]]:
    """Calendars by pmkit id (their names when unique) and P6 clndr_id -> pmkit id."""
    df = tables.get("CALENDAR")
    if df is None or not len(df):
        return {}, {}
    ids = _col(df, "clndr_id").tolist()
    names = _col(df, "clndr_name").tolist()
    bases = _col(df, "base_clndr_id").tolist()
    hours = _num(df, "day_hr_cnt")
    parsed = {i: parse_clndr_data(d) for i, d in zip(ids, _col(df, "clndr_data"), strict=True)}
    pmkit_ids = dict(zip(ids, readable_ids(names, [f"cal{i}" for i in ids]), strict=True))
    cals = {}
    earliest = np.datetime64(LIMITS.earliest_date, "D")
    for cid, (week, holidays, working) in list(parsed.items()):
        keep = [h for h in holidays if h >= earliest]
        data = _col(df, "clndr_data")[_col(df, "clndr_id") == cid]
        beyond = sum(int(d) > _MAX_DAY_NUMBER for text in data for d in _EXCEPTION.findall(text))
        if len(keep) < len(holidays) or beyond:
            warn(f"calendar {cid}: {len(holidays) - len(keep) + beyond} exception date(s) outside "
                 f"{LIMITS.earliest_date} to {LIMITS.latest_date} left out")
            parsed[cid] = (week, keep, working)
    for cid, name, base, hpd in zip(ids, names, bases, hours, strict=True):
        week, holidays, working = parsed[cid]
        seen = {cid}
        while (week is None or not holidays) and base in parsed and base not in seen:
            # resource and project calendars may inherit the week or holidays of their base
            seen.add(base)
            b_week, b_hol, _ = parsed[base]
            week = week if week is not None else b_week
            holidays = holidays or b_hol
            base = dict(zip(ids, bases, strict=True)).get(base, "")
        if week is None:
            week = [hpd * 60 if hpd > 0 else 480.0] * 5 + [0.0, 0.0]
        if working:
            warn(f"calendar {name!r}: {working} working exception(s) (extra working days) ignored")
        cals[pmkit_ids[cid]] = calendar_from_week(pmkit_ids[cid], name, week, holidays,
                                                   hpd if hpd > 0 else None)
    return cals, pmkit_ids


# --------------------------------------------------------------------------- projects

def xer_project_ids(path: str | os.PathLike, *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> list[str]:
    """The project ids (``proj_short_name``) in an XER file, in file order."""
    _, tables = _load(path, max_bytes)
    return _project_keys(tables["PROJECT"])


def _project_keys(projects: pd.DataFrame) -> list[str]:
    return readable_ids(_col(projects, "proj_short_name").tolist(), _col(projects, "proj_id").tolist())


def read_xer(path: str | os.PathLike, project_id: str | None = None, *,
             max_bytes: int | None = DEFAULT_MAX_BYTES) -> Project:
    """Read one project of a Primavera P6 XER export as a :class:`pmkit.Project`.

    Parameters
    ----------
    path : str or path
        The ``.xer`` file.
    project_id : str, optional
        Which project, by its short name (P6 "Project ID") or internal ``proj_id``;
        needed when the file holds several projects.
    max_bytes : int or None
        Refuse larger files (default 200 MB; None: no limit).

    Returns
    -------
    pmkit.Project
        Tasks keyed by activity id (``task_code``), durations in working days of each
        activity's calendar, links, calendars, resources, assignments, planned dates
        as baseline, and progress at the data date.

    Raises
    ------
    pmkit.errors.PmkitError
        Not an XER file, no PROJECT/TASK table, an unknown project id, or several
        projects without ``project_id`` (the message lists them).

    Notes
    -----
    Percent complete follows each activity's type, as P6 computes it: duration
    (``(original - remaining) / original``), physical (``phys_complete_pct``) or
    units (``actual / (actual + remaining)`` work).

    Examples
    --------
    >>> import pmkit
    >>> project = pmkit.read_xer("export.xer")     # doctest: +SKIP
    """
    p, tables = _load(path, max_bytes)
    keys = _project_keys(tables["PROJECT"])
    if project_id is None:
        if len(keys) != 1:
            raise PmkitError(f"{p} holds {len(keys)} projects; choose one with project_id "
                             f"(--project on the command line): {', '.join(keys) or 'none'}")
        pos = 0
    else:
        internal = _col(tables["PROJECT"], "proj_id").tolist()
        wanted = str(project_id)
        if wanted in keys:
            pos = keys.index(wanted)
        elif wanted in internal:
            pos = internal.index(wanted)
        else:
            raise PmkitError(f"{p}: no project {wanted!r} in the file (it holds: {', '.join(keys)})")
    return _project(p, tables, pos, keys[pos])


def read_xer_projects(path: str | os.PathLike, *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> list[Project]:
    """Every project of an XER export, in file order (see :func:`read_xer`)."""
    p, tables = _load(path, max_bytes)
    return [_project(p, tables, pos, key) for pos, key in enumerate(_project_keys(tables["PROJECT"]))]


def _rows_of(tables: dict[str, pd.DataFrame], name: str, proj: str) -> pd.DataFrame:
    df = tables.get(name)
    if df is None:
        return pd.DataFrame()
    if "proj_id" not in df.columns:
        return df
    return df[_col(df, "proj_id") == proj].reset_index(drop=True)


def _wbs_codes(wbs: pd.DataFrame, source: str = "<XER>") -> dict[str, str]:
    """wbs_id -> dotted code of the path below the project node (e.g. ``DES.ARCH``).

    A parent cycle (``parent_wbs_id`` chains that come back to themselves) is cut where it
    closes, with a warning naming its WBS ids.
    """
    if not len(wbs):
        return {}
    ids = _col(wbs, "wbs_id").tolist()
    parent = dict(zip(ids, _col(wbs, "parent_wbs_id"), strict=True))
    short = dict(zip(ids, _col(wbs, "wbs_short_name"), strict=True))
    node = dict(zip(ids, _col(wbs, "proj_node_flag") == "Y", strict=True))
    out, cycles = {}, []
    for w in ids:
        parts, cur, seen = [], w, []
        while cur in short and not node[cur] and cur not in seen:
            seen.append(cur)
            parts.append(short[cur])
            cur = parent.get(cur, "")
        if cur in seen:
            cycle = seen[seen.index(cur):]
            if not any(set(c) == set(cycle) for c in cycles):
                cycles.append(cycle)
        out[w] = ".".join(reversed(parts))
    for c in cycles:
        warn(f"{source}: WBS parent cycle {' -> '.join([*c, c[0]])} (parent_wbs_id); "
             "the WBS codes of these elements stop where the cycle closes")
    return out


def _percent_complete(task: pd.DataFrame, act_work: np.ndarray, rem_work: np.ndarray) -> np.ndarray:
    kind = _col(task, "complete_pct_type").to_numpy()
    target = _num(task, "target_drtn_hr_cnt", 0.0)
    remain = _num(task, "remain_drtn_hr_cnt", 0.0)
    status = _col(task, "status_code").to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        by_duration = np.where(target > 0, (target - remain) / target * 100.0, 0.0)
        units = np.where(act_work + rem_work > 0, act_work / (act_work + rem_work) * 100.0, 0.0)
    pct = np.where(kind == "CP_Phys", _num(task, "phys_complete_pct", 0.0),
                   np.where(kind == "CP_Units", units, by_duration))
    pct = np.where(status == "TK_Complete", 100.0, np.where(status == "TK_NotStart", 0.0, pct))
    return np.clip(np.round(pct, 6), 0.0, 100.0)


def _project(path: Path, tables: dict[str, pd.DataFrame], pos: int, key: str) -> Project:
    prow = tables["PROJECT"].iloc[pos]
    proj = str(prow.get("proj_id", "")).strip()
    cals, cal_ids = _read_calendars(tables)
    project_cal = cals.get(cal_ids.get(str(prow.get("clndr_id", "")).strip(), ""))
    task = _rows_of(tables, "TASK", proj)
    if project_cal is None:
        default = tables.get("CALENDAR")
        flagged = [] if default is None else _col(default, "clndr_id")[_col(default, "default_flag") == "Y"].tolist()
        project_cal = cals.get(cal_ids.get(flagged[0], "")) if flagged else None
    if project_cal is None:
        project_cal = Calendar("standard", "Standard")
        cals.setdefault("standard", project_cal)

    t_cal = [cal_ids.get(c, "") for c in _col(task, "clndr_id")]
    t_hpd = np.array([cals.get(c, project_cal).hours_per_day for c in t_cal], dtype=float)
    code = _col(task, "task_code")
    tid = pd.Series(readable_ids(code.tolist(), _col(task, "task_id").tolist()), dtype=object)
    internal = dict(zip(_col(task, "task_id"), tid, strict=True))
    ttype = _col(task, "task_type").to_numpy()
    milestone = np.isin(ttype, list(MILESTONE_TYPES))
    where = [f"activity {c} ({n})" if n else f"activity {c}" for c, n in zip(tid, _col(task, "task_name"), strict=True)]
    dates = DateReader(str(path))
    target_hr = _strict_num(task, "target_drtn_hr_cnt", 0.0, path, where)
    duration = np.where(milestone, 0.0, target_hr / t_hpd)
    _check_days(duration, target_hr, path, where, "target_drtn_hr_cnt", "duration")
    remain_hr = _strict_num(task, "remain_drtn_hr_cnt", 0.0, path, where)
    _check_days(remain_hr / t_hpd, remain_hr, path, where, "remain_drtn_hr_cnt", "duration")
    cstr = _col(task, "cstr_type")
    unknown = ~cstr.isin(list(XER_CONSTRAINTS)) & ~cstr.isin(list(XER_NO_CONSTRAINT))
    if unknown.any():
        i = int(np.argmax(unknown.to_numpy()))
        raise PmkitError(f"{path}: {where[i]}: unknown cstr_type {cstr.iloc[i]!r} (known: "
                         f"{', '.join(sorted(XER_CONSTRAINTS))}, or blank for none)")
    ctype = cstr.map(XER_CONSTRAINTS).fillna("ASAP")
    dated = ~ctype.isin(["ASAP", "ALAP"]).to_numpy()
    # a constrained activity needs its date (beyond LIMITS: an error); others ignore theirs
    cdate = _dates(task, "cstr_date", dates, where, needed=dated).where(dated)
    lost = ~ctype.isin(["ASAP", "ALAP"]) & cdate.isna()
    if lost.any():
        first = where[int(np.argmax(lost.to_numpy()))]
        warn(f"{path.name}: {int(lost.sum())} constraint(s) without a date read as ASAP (first: {first})")
        ctype = ctype.where(~lost, "ASAP")
    if (_col(task, "cstr_type2") != "").any():
        warn(f"{path.name}: secondary constraints (cstr_type2) are not supported and were ignored")
    wbs = _wbs_codes(_rows_of(tables, "PROJWBS", proj), path.name)

    taskrsrc = _rows_of(tables, "TASKRSRC", proj)
    tr_task = _col(taskrsrc, "task_id")
    by_task = lambda values: pd.Series(values, index=tr_task.to_numpy()).groupby(level=0).sum()  # noqa: E731
    target_cost = by_task(_num(taskrsrc, "target_cost", 0.0))
    actual_cost = by_task(_num(taskrsrc, "act_reg_cost", 0.0) + _num(taskrsrc, "act_ot_cost", 0.0))
    internal_ids = _col(task, "task_id")
    cost = internal_ids.map(target_cost).fillna(0.0).to_numpy(dtype=float)
    tasks = pd.DataFrame({
        "task_id": tid, "name": _col(task, "task_name"), "wbs": [wbs.get(w, "") for w in _col(task, "wbs_id")],
        "duration_days": np.round(duration, 9), "budget_cost": cost, "milestone": milestone,
        "constraint_type": ctype, "constraint_date": cdate.where(~ctype.isin(["ASAP", "ALAP"])),
        "calendar_id": [c if c in cals and c != project_cal.calendar_id else "" for c in t_cal],
    })

    if not len(tasks):
        no_tasks_warning(path.name, key)
    deps = _links(path, tables, proj, internal, cals, cal_ids, project_cal, task)
    b_start = _dates(task, "target_start_date", dates, [f"{w} planned dates" for w in where], needed=False)
    b_finish = _dates(task, "target_end_date", dates, [f"{w} planned dates" for w in where], needed=False)
    start = (_one_date(str(prow.get("plan_start_date", "")), dates, f"project {key}", "plan_start_date")
             or b_start.min())
    if start is None or pd.isna(start):
        raise PmkitError(f"{path}: project {key} has no plan_start_date and no activity dates")
    status_date = _one_date(str(prow.get("last_recalc_date", "")), dates, f"project {key}", "last_recalc_date")

    # progress: started activities, at the data date
    a_start, a_finish = _dates(task, "act_start_date", dates, where), _dates(task, "act_end_date", dates, where)
    act_work = _num(task, "act_work_qty", 0.0) + _num(task, "act_equip_qty", 0.0)
    rem_work = _num(task, "remain_work_qty", 0.0) + _num(task, "remain_equip_qty", 0.0)
    pct = _percent_complete(task, act_work, rem_work)
    started = a_start.notna().to_numpy() | (pct > 0)
    status = None
    if started.any():
        latest = pd.concat([a_start[started], a_finish[started]]).max()
        if status_date is None or (not pd.isna(latest) and latest > status_date):
            status_date = latest if status_date is None else max(status_date, latest)
        status_date = max(status_date, start)
        status = pd.DataFrame({
            "status_date": status_date, "task_id": tid[started].to_numpy(), "percent_complete": pct[started],
            "actual_start": a_start[started].to_numpy(), "actual_finish": a_finish[started].to_numpy(),
            "actual_cost": internal_ids[started].map(actual_cost).fillna(0.0).to_numpy(dtype=float),
            "remaining_days": (remain_hr / t_hpd)[started],
        })
    dates.done()
    has_bl = (b_start.notna() & b_finish.notna()).to_numpy()
    baseline = pd.DataFrame({"task_id": tid[has_bl].to_numpy(), "baseline_start": b_start[has_bl].to_numpy(),
                             "baseline_finish": b_finish[has_bl].to_numpy(), "baseline_cost": cost[has_bl]})
    resources, roles, assignments = _resources(tables, taskrsrc, internal, cals, cal_ids, project_cal)
    name = str(prow.get("proj_short_name", key)).strip() or key
    node = _rows_of(tables, "PROJWBS", proj)
    if len(node):
        top = node[_col(node, "proj_node_flag") == "Y"]
        if len(top) and _col(top, "wbs_name").iloc[0]:
            name = _col(top, "wbs_name").iloc[0]
    return Project(
        project_id=key, name=name, start_date=start, status_date=status_date if status is not None else None,
        state="active" if status is not None else "proposed",
        budget=float(cost.sum()), calendar=project_cal, calendars=cals, tasks=tasks, dependencies=deps,
        baseline=baseline, status=status, assignments=assignments, roles=roles, resources=resources,
    )


def _links(path: Path, tables, proj: str, internal: dict, cals: dict, cal_ids: dict,
           project_cal: Calendar, task: pd.DataFrame) -> pd.DataFrame:
    pred = tables.get("TASKPRED")
    cols = ["predecessor_id", "successor_id", "type", "lag_days"]
    if pred is None or not len(pred):
        return pd.DataFrame(columns=cols)
    succ_int, pred_int = _col(pred, "task_id"), _col(pred, "pred_task_id")
    mine = succ_int.isin(list(internal))
    pred = pred[mine].reset_index(drop=True)
    succ_int, pred_int = succ_int[mine].reset_index(drop=True), pred_int[mine].reset_index(drop=True)
    outside = ~pred_int.isin(list(internal))
    if outside.any():
        warn(f"{path.name}: {int(outside.sum())} link(s) from activities of other projects ignored")
    pred, succ_int, pred_int = pred[~outside], succ_int[~outside], pred_int[~outside]
    hours_of = dict(zip(_col(task, "task_id"),
                        [cals.get(cal_ids.get(c, ""), project_cal).hours_per_day for c in _col(task, "clndr_id")],
                        strict=True))
    option = _lag_calendar_option(tables, proj)
    if option == "rcal_Predecessor":
        lag_hpd = pred_int.map(hours_of)
    elif option == "rcal_24Hour":
        lag_hpd = pd.Series(24.0, index=pred.index)
    elif option == "rcal_Project":
        lag_hpd = pd.Series(project_cal.hours_per_day, index=pred.index)
    else:
        lag_hpd = succ_int.map(hours_of)
    names = dict(zip(_col(task, "task_id"), _col(task, "task_name"), strict=True))

    def act(i: str) -> str:
        return f"{internal[i]} ({names[i]})" if names.get(i) else str(internal[i])

    where = [f"link {act(a)} -> {act(b)}" for a, b in zip(pred_int, succ_int, strict=True)]
    raw_type = _col(pred, "pred_type")
    types = raw_type.map(XER_LINK_TYPES)
    if types.isna().any():
        i = int(np.argmax(types.isna().to_numpy()))
        shown = f"{raw_type.iloc[i]!r}" if raw_type.iloc[i] else "(blank)"
        raise PmkitError(f"{path}: {where[i]}: unknown pred_type {shown} (known: {', '.join(XER_LINK_TYPES)})")
    lag_hr = _strict_num(pred, "lag_hr_cnt", 0.0, path, where)
    lag_days = lag_hr / lag_hpd.to_numpy(dtype=float)
    _check_days(lag_days, lag_hr, path, where, "lag_hr_cnt", "lag")
    deps = pd.DataFrame({
        "predecessor_id": pred_int.map(internal).to_numpy(), "successor_id": succ_int.map(internal).to_numpy(),
        "type": types.to_numpy(), "lag_days": np.round(lag_days, 9),
    })
    dup = deps.duplicated(["predecessor_id", "successor_id"])
    if dup.any():
        warn(f"{path.name}: {int(dup.sum())} duplicate link(s) between the same activities ignored")
    return deps[~dup].reset_index(drop=True)


def _lag_calendar_option(tables: dict[str, pd.DataFrame], proj: str) -> str:
    opts = _rows_of(tables, "SCHEDOPTIONS", proj)
    if not len(opts):
        return "rcal_Successor"
    return _col(opts, "sched_calendar_on_relationship_lag").iloc[0] or "rcal_Successor"


def _resources(tables, taskrsrc: pd.DataFrame, internal: dict, cals: dict, cal_ids: dict,
               project_cal: Calendar):
    rsrc = tables.get("RSRC", pd.DataFrame())
    roles_t = tables.get("ROLES", pd.DataFrame())
    role_key = dict(zip(_col(roles_t, "role_id"),
                        readable_ids(_col(roles_t, "role_short_name").tolist(), _col(roles_t, "role_id").tolist()),
                        strict=True))
    roles = pd.DataFrame({"role_id": list(role_key.values()),
                          "name": _col(roles_t, "role_name").tolist()}) if len(roles_t) else None
    res_key = dict(zip(_col(rsrc, "rsrc_id"),
                       readable_ids(_col(rsrc, "rsrc_short_name").tolist(), _col(rsrc, "rsrc_id").tolist()),
                       strict=True))
    resources = None
    if len(rsrc):
        r_cal = [cal_ids.get(c, "") for c in _col(rsrc, "clndr_id")]
        hpd = np.array([cals.get(c, project_cal).hours_per_day for c in r_cal])
        rates = tables.get("RSRCRATE", pd.DataFrame())
        rate = {}
        if len(rates):
            # the first rate row of each resource (P6 keeps dated rate rows)
            first = rates.drop_duplicates("rsrc_id") if "rsrc_id" in rates.columns else rates.iloc[0:0]
            rate = dict(zip(_col(first, "rsrc_id"), _num(first, "cost_per_qty"), strict=True))
        per_hour = np.array([rate.get(r, np.nan) for r in _col(rsrc, "rsrc_id")], dtype=float)
        units = _num(rsrc, "def_qty_per_hr", 1.0)
        name = _col(rsrc, "rsrc_name")
        resources = pd.DataFrame({
            "resource_id": [res_key[r] for r in _col(rsrc, "rsrc_id")],
            "name": name.where(name != "", _col(rsrc, "rsrc_short_name")),
            "role_id": _col(rsrc, "role_id").map(role_key).fillna("") if "role_id" in rsrc.columns else "",
            "capacity_units": units,
            "cost_rate_per_day": [None if math.isnan(v) else v * h for v, h in zip(per_hour, hpd, strict=True)],
            "calendar_id": [c if c in cals and c != project_cal.calendar_id else "" for c in r_cal],
        })
    if not len(taskrsrc):
        return resources, roles, None
    t = _col(taskrsrc, "task_id").map(internal)
    r = _col(taskrsrc, "rsrc_id").map(res_key).fillna("")
    ro = _col(taskrsrc, "role_id").map(role_key).fillna("")
    keep = t.notna() & ((r != "") | (ro != ""))
    units = _num(taskrsrc, "target_qty_per_hr", np.nan)
    units = np.where(np.isnan(units), _num(taskrsrc, "remain_qty_per_hr", 1.0), units)
    asg = pd.DataFrame({"task_id": t[keep].to_numpy(), "resource_id": r[keep].to_numpy(),
                        "role_id": np.where(r[keep] == "", ro[keep], "").astype(object),
                        "units": units[keep.to_numpy()]})
    return resources, roles, asg.drop_duplicates(["task_id", "resource_id", "role_id"])


__all__ = ["parse_clndr_data", "parse_xer_tables", "read_xer", "read_xer_projects", "xer_project_ids"]
