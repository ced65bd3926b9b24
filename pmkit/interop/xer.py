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
PROJCOST      expenses: their ``target_cost`` / ``act_cost`` add to the activity's costs
============  =====================================================================

:func:`write_xer` writes a project back as XER (its notes list the fields and the rules).

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
    projcost = _rows_of(tables, "PROJCOST", proj)
    if len(projcost):  # expenses (P6 "project expenses") belong to the activity's budget and actuals
        pc_task = _col(projcost, "task_id").to_numpy()
        target_cost = target_cost.add(pd.Series(_num(projcost, "target_cost", 0.0), index=pc_task)
                                      .groupby(level=0).sum(), fill_value=0.0)
        actual_cost = actual_cost.add(pd.Series(_num(projcost, "act_cost", 0.0), index=pc_task)
                                      .groupby(level=0).sum(), fill_value=0.0)
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


# --------------------------------------------------------------------------- writing

#: pmkit constraint -> the P6 ``cstr_type`` written (the inverse of the reader's map; MSO and
#: MFO become P6's "Start On" / "Finish On", which P6 applies like pmkit does).
XER_CONSTRAINT_CODES = {"ASAP": "", "ALAP": "CS_ALAP", "MSO": "CS_MSO", "MFO": "CS_MEO", "SNET": "CS_MSOA",
                        "SNLT": "CS_MSOB", "FNET": "CS_MEOA", "FNLT": "CS_MEOB"}
#: The tables :func:`write_xer` writes and their fields, in order (the key field first).
XER_WRITTEN_FIELDS = {
    "CURRTYPE": ["curr_id", "decimal_digit_cnt", "curr_symbol", "decimal_symbol", "digit_group_symbol",
                 "pos_curr_fmt_type", "neg_curr_fmt_type", "curr_type", "curr_short_name", "group_digit_cnt",
                 "base_exch_rate"],
    "ROLES": ["role_id", "parent_role_id", "seq_num", "role_name", "role_short_name"],
    "CALENDAR": ["clndr_id", "default_flag", "clndr_name", "proj_id", "base_clndr_id", "clndr_type",
                 "day_hr_cnt", "week_hr_cnt", "month_hr_cnt", "year_hr_cnt", "rsrc_private", "clndr_data"],
    "RSRC": ["rsrc_id", "parent_rsrc_id", "clndr_id", "role_id", "rsrc_seq_num", "rsrc_name", "rsrc_short_name",
             "def_qty_per_hr", "cost_qty_type", "active_flag", "auto_compute_act_flag", "def_cost_qty_link_flag",
             "ot_flag", "curr_id", "rsrc_type"],
    "RSRCRATE": ["rsrc_rate_id", "rsrc_id", "max_qty_per_hr", "cost_per_qty", "start_date"],
    "PROJECT": ["proj_id", "proj_short_name", "project_flag", "clndr_id", "plan_start_date", "plan_end_date",
                "last_recalc_date", "name_sep_char", "def_complete_pct_type", "def_duration_type", "def_task_type",
                "def_qty_type", "def_rate_type", "task_code_base", "task_code_step", "task_code_prefix_flag",
                "critical_drtn_hr_cnt", "critical_path_type", "export_flag", "add_date"],
    "PROJWBS": ["wbs_id", "proj_id", "obs_id", "seq_num", "proj_node_flag", "sum_data_flag", "status_code",
                "wbs_short_name", "wbs_name", "parent_wbs_id"],
    "TASK": ["task_id", "proj_id", "wbs_id", "clndr_id", "phys_complete_pct", "complete_pct_type", "task_type",
             "duration_type", "status_code", "task_code", "task_name", "remain_drtn_hr_cnt", "target_drtn_hr_cnt",
             "act_work_qty", "remain_work_qty", "target_work_qty", "cstr_date", "cstr_type", "act_start_date",
             "act_end_date", "target_start_date", "target_end_date", "auto_compute_act_flag"],
    "TASKPRED": ["task_pred_id", "task_id", "pred_task_id", "proj_id", "pred_proj_id", "pred_type", "lag_hr_cnt"],
    "TASKRSRC": ["taskrsrc_id", "task_id", "proj_id", "rsrc_id", "role_id", "cost_qty_link_flag", "rate_type",
                 "target_qty_per_hr", "remain_qty_per_hr", "target_qty", "remain_qty", "target_cost",
                 "act_reg_cost", "act_ot_cost", "remain_cost"],
    "PROJCOST": ["cost_item_id", "proj_id", "task_id", "cost_name", "auto_compute_act_flag", "cost_load_type",
                 "target_cost", "act_cost", "remain_cost"],
}


def _xer_num(value) -> str:
    """A number as the shortest text that reads back to the same float (``4.0`` -> ``4``)."""
    v = float(value)
    if not math.isfinite(v):
        return ""
    text = repr(v)
    return text[:-2] if text.endswith(".0") else text


def _xer_date(value, hour: str) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{pd.Timestamp(value):%Y-%m-%d} {hour}"


def _xer_cell(value) -> str:
    # a tab or line break inside a cell would start a new field or row
    return re.sub(r"[\t\r\n]+", " ", str(value))


def _clock(minutes: float) -> str:
    minutes = int(round(minutes)) % 1440  # 24:00 is written 00:00 (midnight), as P6 does
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_spans(hours: float) -> list[tuple[float, float]]:
    """Working periods (minutes of the day) of a day of ``hours``: from 08:00, lunch at 12:00."""
    minutes = hours * 60.0
    if minutes <= 240:
        return [(480.0, 480.0 + minutes)]
    if minutes <= 780:
        return [(480.0, 720.0), (780.0, 780.0 + minutes - 240.0)]
    return [(0.0, minutes)]


def clndr_data_text(cal: Calendar) -> str:
    """The ``clndr_data`` of a calendar: working weekdays with their hours, holidays as exceptions.

    The layout :func:`parse_clndr_data` reads (P6's own, as documented by MPXJ): days
    ``1`` (Sunday) to ``7``, spans ``s|08:00|f|12:00``, exceptions as day numbers since
    1899-12-30.

    >>> from pmkit.data.calendars import STANDARD
    >>> week, _, _ = parse_clndr_data(clndr_data_text(STANDARD))
    >>> week[0], week[5]
    (480.0, 0.0)
    """
    days = []
    spans = "".join(f"(0||{k}(s|{_clock(a)}|f|{_clock(b)})())" for k, (a, b) in enumerate(_day_spans(cal.hours_per_day)))
    for p6_day in range(1, 8):  # 1 = Sunday
        worked = cal.workdays[(p6_day + 5) % 7]
        days.append(f"(0||{p6_day}()({spans if worked else ''}))")
    numbers = (np.asarray(cal.holidays, dtype="datetime64[D]") - _EXCEL_EPOCH).astype(np.int64)
    exceptions = "".join(f"(0||{k}(d|{int(n)})())" for k, n in enumerate(numbers))
    return (f"(0||CalendarData()((0||DaysOfWeek()({''.join(days)}))(0||VIEW(ShowTotal|Y)())"
            f"(0||Exceptions()({exceptions}))))")


def xer_text(project: Project, *, currency: str = "USD") -> str:
    """The XER document of :func:`write_xer`, as a string."""
    lines = ["\t".join(["ERMHDR", "19.12", f"{pd.Timestamp.now():%Y-%m-%d}", "Project", "pmkit", "pmkit",
                        "dbxDatabaseNoName", "Project Management", currency])]

    def table(name: str, rows: list[list]) -> None:
        fields = XER_WRITTEN_FIELDS[name]
        lines.append(f"%T\t{name}")
        lines.append("\t".join(["%F", *fields]))
        for r in rows:
            lines.append("\t".join(["%R", *(_xer_cell(v) for v in r)]))

    pid, pcal = project.project_id, project.calendar
    tasks = project.tasks
    ids = tasks["task_id"].astype(str).tolist()
    task_key = {t: k for k, t in enumerate(ids, start=1)}

    # calendars: the project's first; the calendar id is written as its name, which the reader
    # takes as the id (so ids survive; the display name does not)
    cal_list = [pcal] + [c for cid, c in project.calendars.items() if cid != pcal.calendar_id]
    cal_key = {c.calendar_id: k for k, c in enumerate(cal_list, start=1)}
    cal_of = lambda cid: project.calendars.get(str(cid), pcal) if str(cid) else pcal  # noqa: E731

    table("CURRTYPE", [[1, 2, "$" if currency == "USD" else currency, ".", ",", "#1.1", "(#1.1)", "",
                        currency, 3, 1]])
    roles = project.roles
    role_ids = list(dict.fromkeys([*roles["role_id"].astype(str), *project.resources["role_id"].astype(str),
                                   *project.assignments["role_id"].astype(str)]))
    role_ids = [r for r in role_ids if r]
    role_name = dict(zip(roles["role_id"].astype(str), roles["name"].astype(str), strict=True))
    role_key = {r: k for k, r in enumerate(role_ids, start=1)}
    if role_ids:
        table("ROLES", [[role_key[r], "", role_key[r], role_name.get(r, "") or r, r] for r in role_ids])
    table("CALENDAR", [[cal_key[c.calendar_id], "Y" if c is pcal else "N", c.calendar_id, "", "", "CA_Base",
                        _xer_num(c.hours_per_day), _xer_num(c.hours_per_day * sum(c.workdays)),
                        _xer_num(c.hours_per_day * sum(c.workdays) * 52 / 12),
                        _xer_num(c.hours_per_day * sum(c.workdays) * 52), "N", clndr_data_text(c)]
                       for c in cal_list])

    res = project.resources
    res_key = {r: k for k, r in enumerate(res["resource_id"].astype(str), start=1)}
    if len(res):
        rows, rates = [], []
        for k, r in enumerate(res.itertuples(index=False), start=1):
            cal = cal_of(r.calendar_id)
            rows.append([k, "", cal_key[cal.calendar_id], role_key.get(str(r.role_id), ""), k, r.name,
                         r.resource_id, _xer_num(r.capacity_units), "QT_Hour", "Y", "N", "Y", "N", 1, "RT_Labor"])
            if r.cost_rate_per_day is not None and not pd.isna(r.cost_rate_per_day):
                rates.append([len(rates) + 1, k, _xer_num(r.capacity_units),
                              _xer_num(float(r.cost_rate_per_day) / cal.hours_per_day),
                              _xer_date(project.start_date, "00:00")])
        table("RSRC", rows)
        if rates:
            table("RSRCRATE", rates)

    st = project.status_at()
    status_day = (pd.Timestamp(st["status_date"].iloc[0]) if len(st) else project.status_date)
    table("PROJECT", [[1, pid, "Y", cal_key[pcal.calendar_id], _xer_date(project.start_date, "08:00"),
                       _xer_date(project.deadline, "17:00"), _xer_date(status_day, "00:00"), ".", "CP_Phys",
                       "DT_FixedDUR2", "TT_Task", "QT_Hour", "COST_PER_QTY", 1000, 10, "N", 0, "CT_TotFloat", "Y",
                       _xer_date(pd.Timestamp.now(), "00:00")]])

    # WBS: one node per dotted prefix of tasks.wbs below the project node (the reader joins
    # the short names of the path back with dots)
    wbs_rows = [[1, 1, "", 0, "Y", "N", "WS_Open", pid, project.name, ""]]
    wbs_key: dict[str, int] = {"": 1}
    for code in dict.fromkeys(tasks["wbs"].fillna("").astype(str)):
        if not code:
            continue
        parts = code.split(".")
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            if prefix not in wbs_key:
                wbs_key[prefix] = len(wbs_rows) + 1
                parent = wbs_key[".".join(parts[:depth - 1])] if depth > 1 else 1
                wbs_rows.append([wbs_key[prefix], 1, "", len(wbs_rows), "N", "N", "WS_Open", parts[depth - 1],
                                 parts[depth - 1], parent])
    table("PROJWBS", wbs_rows)

    # progress at the data date: percent complete as physical %, remaining duration in hours
    prog = {str(r.task_id): r for r in st.itertuples(index=False)}
    bl = {str(r.task_id): r for r in project.baseline.itertuples(index=False)}
    parents = set(tasks["parent_id"].fillna("").astype(str)) - {""}
    has_pred = set(project.dependencies["successor_id"].astype(str))
    task_rows, hpd_of = [], {}
    for r in tasks.itertuples(index=False):
        tid = str(r.task_id)
        cal = cal_of(r.calendar_id)
        hpd = hpd_of[tid] = cal.hours_per_day
        milestone = bool(r.milestone) and tid not in parents
        target_hr = 0.0 if milestone else float(r.duration_days) * hpd
        ctype = str(r.constraint_type or "ASAP")
        cdate = r.constraint_date
        if bool(r.manual) and not pd.isna(cdate):
            ctype = "MSO"  # P6 has no manual scheduling: the start a manual task keeps becomes "Start On"
        if ctype in ("ASAP", "ALAP"):
            cdate = None
        task_type = ("TT_WBS" if tid in parents else
                     ("TT_FinMile" if tid in has_pred else "TT_Mile") if milestone else "TT_Task")
        p_ = prog.get(tid)
        started = p_ is not None and (not pd.isna(p_.actual_start) or float(p_.percent_complete) > 0)
        if started:
            pct = float(p_.percent_complete)
            finished = not pd.isna(p_.actual_finish)
            remaining = p_.remaining_days
            if remaining is None or pd.isna(remaining):  # the remaining the scheduler would infer
                remaining = float(r.duration_days) * (1.0 - pct / 100.0)
            remain_hr = 0.0 if finished else float(remaining) * hpd
            code = "TK_Complete" if finished else "TK_Active"
            a_start, a_finish = p_.actual_start, p_.actual_finish
        else:
            pct, remain_hr, code, a_start, a_finish = 0.0, target_hr, "TK_NotStart", None, None
        b = bl.get(tid)
        task_rows.append([
            task_key[tid], 1, wbs_key.get(str(r.wbs or ""), 1), cal_key[cal.calendar_id], _xer_num(pct), "CP_Phys",
            task_type, "DT_FixedDUR2", code, tid, r.name, _xer_num(remain_hr), _xer_num(target_hr), 0, 0, 0,
            _xer_date(cdate, "17:00" if ctype in ("MFO", "FNET", "FNLT") else "08:00"), XER_CONSTRAINT_CODES[ctype],
            _xer_date(a_start, "08:00"), _xer_date(a_finish, "17:00"),
            "" if b is None else _xer_date(b.baseline_start, "08:00"),
            "" if b is None else _xer_date(b.baseline_finish, "17:00"), "N"])
    table("TASK", task_rows)

    deps = project.dependencies
    if len(deps):
        # lags count on the successor's calendar (the reader's and P6's default lag calendar)
        table("TASKPRED", [[k, task_key[str(d.successor_id)], task_key[str(d.predecessor_id)], 1, 1,
                            f"PR_{d.type}", _xer_num(float(d.lag_days) * hpd_of[str(d.successor_id)])]
                           for k, d in enumerate(deps.itertuples(index=False), start=1)])

    # costs: a task's budget and actual cost ride on its first assignment (resource costs),
    # or on an expense (PROJCOST) when nobody is assigned; the reader sums both back
    asg = project.assignments
    budget = dict(zip(ids, tasks["budget_cost"].astype(float), strict=True))
    actual = {str(t): float(c) for t, c in zip(st["task_id"], st["actual_cost"], strict=True)} if len(st) else {}
    carried: set[str] = set()
    asg_rows = []
    for k, a in enumerate(asg.itertuples(index=False), start=1):
        tid = str(a.task_id)
        if tid not in task_key:
            continue
        first = tid not in carried
        carried.add(tid)
        cost, act = (budget.get(tid, 0.0), actual.get(tid, 0.0)) if first else (0.0, 0.0)
        rid = str(a.resource_id)
        hours = float(tasks["duration_days"].iloc[task_key[tid] - 1]) * hpd_of[tid]
        asg_rows.append([k, task_key[tid], 1, res_key.get(rid, ""), "" if rid else role_key.get(str(a.role_id), ""),
                         "N", "RT_Price", _xer_num(a.units), _xer_num(a.units), _xer_num(a.units * hours),
                         _xer_num(a.units * hours), _xer_num(cost), _xer_num(act), 0, _xer_num(max(0.0, cost - act))])
    if asg_rows:
        table("TASKRSRC", asg_rows)
    expenses = [[0, 1, task_key[t], "pmkit task cost", "N", "CL_Uniform", _xer_num(budget[t]),
                 _xer_num(actual.get(t, 0.0)), _xer_num(max(0.0, budget[t] - actual.get(t, 0.0)))]
                for t in ids if t not in carried and (budget[t] or actual.get(t, 0.0))]
    if expenses:
        table("PROJCOST", [[k, *row[1:]] for k, row in enumerate(expenses, start=1)])
    lines.append("%E")
    return "\r\n".join(lines) + "\r\n"


def _lost_in_xer(project: Project) -> list[str]:
    """What of the project an XER file cannot carry back to pmkit (for one warning)."""
    t = project.tasks
    lost = [c for c in ("optimistic_days", "most_likely_days", "pessimistic_days") if t[c].notna().any()]
    if (t["parent_id"].fillna("") != "").any():
        lost.append("parent_id (summary tasks become WBS summary activities)")
    if t["manual"].fillna(False).astype(bool).any():
        lost.append("manual (written as Start On constraints)")
    if len(project.status["status_date"].unique()) > 1:
        lost.append("earlier status dates (XER holds the progress at the data date)")
    return lost


def write_xer(project: Project, path: str | os.PathLike, *, overwrite: bool = False,
              currency: str = "USD") -> Path:
    """Write a project as a Primavera P6 XER file that P6 imports and :func:`read_xer` reads back.

    Parameters
    ----------
    project : pmkit.Project
    path : str or path
        Output ``.xer`` file, written atomically (a temporary sibling moved into place).
    overwrite : bool
        Replace an existing file (default: refuse).
    currency : str
        Currency of the ``ERMHDR`` header and the ``CURRTYPE`` table.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    pmkit.errors.PmkitError
        When the file exists and ``overwrite`` is False.

    Notes
    -----
    Tables and fields written: ``XER_WRITTEN_FIELDS`` (the keys and the fields P6's
    import needs, after Oracle's "XER import/export data map" and MPXJ's
    PrimaveraXERFileWriter). Rules of the round trip ``read_xer(write_xer(p))``:

    - tasks, links (lags in hours of the successor's calendar), calendars (weekdays,
      holidays, hours per day), resources, assignments and the baseline dates come back
      unchanged; numbers are written with full precision.
    - The calendar id is written as ``clndr_name``; the calendar's display name is lost.
      Tabs and line breaks inside names are written as spaces (they would split a row).
    - ``baseline_cost`` reads back as the task's ``budget_cost`` (XER keeps one planned
      cost); budget and actual cost ride on the task's first assignment, or on an
      expense (``PROJCOST``) when it has none.
    - Progress: only the records of the latest status date (XER holds the data date);
      percent complete is written as physical % complete; a blank ``remaining_days`` is
      written as ``duration_days * (1 - percent_complete / 100)``, what
      :func:`pmkit.schedule` infers; records of unstarted tasks are dropped.
    - An assignment to a named resource reads back without ``role_id`` (the resource's
      role holds it).
    - Lost (one warning): the three-point estimates, ``parent_id`` (summary tasks are
      written as WBS summary activities), ``manual`` (a manual task's start becomes a
      "Start On" constraint, MSO). The project deadline is written as P6's "must finish
      by" (``plan_end_date``), which :func:`read_xer` does not read.

    Examples
    --------
    >>> import pmkit
    >>> pmkit.write_xer(pmkit.synth.project(20), "plan.xer")   # doctest: +SKIP
    """
    from ..data.io import atomic_write_text

    out = Path(path)
    if out.exists() and not overwrite:
        raise PmkitError(f"cannot write {out}: it exists; pass overwrite=True to replace it")
    if out.exists() and not out.is_file():
        raise PmkitError(f"cannot write {out}: it is not a file")
    text = xer_text(project, currency=currency)
    lost = _lost_in_xer(project)
    if lost:
        warn(f"{out.name}: project {project.project_id}: XER cannot carry {'; '.join(lost)}")
    atomic_write_text(out, text)
    return out


__all__ = ["clndr_data_text", "parse_clndr_data", "parse_xer_tables", "read_xer", "read_xer_projects", "write_xer",
           "xer_project_ids", "xer_text"]
