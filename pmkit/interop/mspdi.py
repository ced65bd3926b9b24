"""Microsoft Project XML (MSPDI): read a plan into a :class:`pmkit.Project`, write one back.

MSPDI is the XML format MS Project saves with *File > Save As > XML* and that
ProjectLibre, GanttProject and most schedulers exchange. The reader maps:

=====================================  ===========================================
MSPDI                                  pmkit
=====================================  ===========================================
``Task/UID``, ``Name``, ``WBS``        ``tasks.task_id``, ``name``, ``wbs``
``OutlineLevel`` (file order)          ``tasks.parent_id`` (the enclosing summary task)
``Duration`` (``PT8H0M0S``)            ``tasks.duration_days``: work minutes / the task
                                       calendar's working minutes per day
``ConstraintType`` 0..7                ASAP, ALAP, MSO, MFO, SNET, SNLT, FNET, FNLT
``Manual`` (manually scheduled)        ``tasks.manual``; its ``Start`` date becomes the
                                       ``constraint_date`` (the start the task keeps)
``PredecessorLink/Type`` 0..3          FF, FS, SF, SS
``LinkLag`` (tenths of minutes)        ``dependencies.lag_days`` (percent lags: share of
                                       the predecessor's duration; elapsed lags: calendar
                                       days scaled by the share of working weekdays)
``Calendars`` (week days, exceptions)  ``Project.calendars`` (working weekdays, holidays)
``Resources``, ``Assignments``         ``resources``, ``roles`` (``Group``), ``assignments``
``Baseline`` with ``Number`` 0         ``baseline``
``PercentComplete``, ``Actual*``       ``status`` at the project's status date
=====================================  ===========================================

XML is parsed with :mod:`defusedxml`: a file declaring a DTD or entities (the "billion
laughs" and external-entity attacks) is refused, and so is a file above ``max_bytes``.

Sources: Microsoft, "XML Schema for the Project class" (mspdi_pj12.xsd, Office 2007
and later); field codes as documented by MPXJ (J. Iles, mpxj.org).
"""

from __future__ import annotations

import contextvars
import math
import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

import numpy as np
import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _safe_fromstring

from ..data.calendars import STANDARD, Calendar
from ..data.model import Project
from ..errors import PmkitError
from . import (
    DEFAULT_MAX_BYTES,
    DateReader,
    calendar_from_week,
    check_days,
    check_input_file,
    no_tasks_warning,
    readable_ids,
    warn,
)

NS = "http://schemas.microsoft.com/project"

#: MSPDI ``ConstraintType`` code -> pmkit constraint (and back).
MSPDI_CONSTRAINTS = {0: "ASAP", 1: "ALAP", 2: "MSO", 3: "MFO", 4: "SNET", 5: "SNLT", 6: "FNET", 7: "FNLT"}
#: MSPDI ``PredecessorLink/Type`` code -> pmkit link type (and back).
MSPDI_LINK_TYPES = {0: "FF", 1: "FS", 2: "SF", 3: "SS"}
#: ``LagFormat``/``DurationFormat`` codes of elapsed (24 h a day, 7 days a week) units.
ELAPSED_FORMATS = frozenset({4, 6, 8, 10, 12, 20, 36, 38, 40, 42, 44, 52})
#: ``LagFormat`` codes of percentage lags (LinkLag holds the percentage times ten).
PERCENT_FORMATS = frozenset({19, 20, 51, 52})
#: Alias of the task text field (Text1) that carries a pmkit task id MSPDI cannot hold as UID.
TASK_ID_ALIAS = "pmkit task_id"
_TEXT1_FIELD_ID = "188743731"

_DURATION = re.compile(r"^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?"
                       r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


# --------------------------------------------------------------------------- parsing helpers

def parse_duration_minutes(text: str | None) -> float:
    """Minutes of an ISO 8601 duration as MSPDI writes it (``PT8H30M0S`` -> 510.0).

    Years and months count as 365 and 30 days (MSPDI never writes them for tasks).

    >>> parse_duration_minutes("PT8H30M0S")
    510.0
    """
    if text is None or not str(text).strip():
        return math.nan
    m = _DURATION.match(str(text).strip())
    if not m:
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    sign, y, mo, d, h, mi, s = m.groups()
    f = [float(v) if v else 0.0 for v in (y, mo, d, h, mi, s)]
    minutes = ((f[0] * 365 + f[1] * 30 + f[2]) * 24 + f[3]) * 60 + f[4] + f[5] / 60
    return -minutes if sign else minutes


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _strip_namespaces(root: Element) -> None:
    # files from MS Project carry the namespace, some exporters do not; look-ups ignore it
    for el in root.iter():
        el.tag = _local(el.tag)


def _text(el: Element | None, tag: str, default: str | None = None) -> str | None:
    if el is None:
        return default
    child = el.find(tag)
    if child is None or child.text is None or not child.text.strip():
        return default
    return child.text.strip()


def _num(el: Element | None, tag: str, default: float = math.nan) -> float:
    t = _text(el, tag)
    if t is None:
        return default
    try:
        return float(t)
    except ValueError:
        return default


def _flag(el: Element | None, tag: str) -> bool:
    return (_text(el, tag) or "0").lower() in ("1", "true")


#: The dates of the file being read (set by the readers; see :class:`pmkit.interop.DateReader`).
_DATES: contextvars.ContextVar[DateReader] = contextvars.ContextVar("mspdi_dates")


def _time(el: Element | None, tag: str, where: str = "project", needed: bool = False) -> pd.Timestamp | None:
    """The date of ``tag``; beyond pmkit's LIMITS a PmkitError when ``needed``, else warned and None."""
    t = _text(el, tag)
    if t is None or t.startswith("NA"):
        return None
    ts = _DATES.get(DateReader("<MS Project XML>")).parse(t, where=where, field=tag, needed=needed)
    if ts is None:
        return None
    return None if ts.year < 1984 or ts.year > 2149 else ts  # MS Project's "NA" sentinels


def _where(tid: str, name: str) -> str:
    return f"task {tid} ({name})" if name else f"task {tid}"


def _whole(text: str) -> int | None:
    """The whole number a field's text holds, or None (``'3'``, ``'3.0'``; not ``'abc'``, ``'3.5'``)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def _code(el: Element, tag: str, default: int, known: Mapping[int, str], path: Path, where: str) -> int:
    """An integer code of ``known``; anything else is a PmkitError listing the known codes."""
    text = _text(el, tag)
    if text is None:
        return default
    value = _whole(text)
    if value not in known:
        codes = ", ".join(f"{k} {v}" for k, v in known.items())
        raise PmkitError(f"{path}: {where}: unknown {tag} {text!r} (known codes: {codes})")
    return value


def _int(el: Element, tag: str, default: int, path: Path, where: str) -> int:
    """A whole number field (``OutlineLevel``, ``LagFormat``...); anything else is a PmkitError."""
    text = _text(el, tag)
    if text is None:
        return default
    value = _whole(text)
    if value is None:
        raise PmkitError(f"{path}: {where}: {tag} {text!r} is not a whole number")
    return value


def _minutes(el: Element, tag: str, path: Path, where: str) -> float:
    """Minutes of an ISO 8601 duration field; a value that does not parse is a PmkitError."""
    text = _text(el, tag)
    try:
        return parse_duration_minutes(text)
    except ValueError:
        raise PmkitError(f"{path}: cannot read MS Project XML: not an ISO 8601 duration in {where}, "
                         f"{tag} {text!r} (expected e.g. PT8H0M0S)") from None


def _hhmm_minutes(text: str | None) -> float:
    if not text:
        return 0.0
    h, m, *rest = (text.split(":") + ["0"])[:3]
    return int(h) * 60 + int(m) + float(rest[0] or 0) / 60


def _span_minutes(frm: str | None, to: str | None) -> float:
    a, b = _hhmm_minutes(frm), _hhmm_minutes(to)
    return (b if b > a else b + 1440) - a  # "00:00" as a finish time means midnight


def load_xml(path: str | os.PathLike, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Element:
    """Parse an MSPDI file safely and return its ``Project`` element (namespaces stripped).

    Raises
    ------
    pmkit.errors.PmkitError
        Missing or oversized file, a DTD/entity declaration (refused), malformed XML, or
        a root element other than ``Project``.
    """
    p = check_input_file(path, max_bytes)
    data = p.read_bytes()
    try:
        # forbid_dtd: MSPDI never needs one, and refusing it stops entity expansion
        # ("billion laughs") and external entities before they are looked at.
        root = _safe_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise PmkitError(f"{p}: refused to parse: the file declares a DTD or entities ({type(exc).__name__}); "
                         "MS Project XML never does, so this may be an XML bomb or external-entity attack") from None
    except ParseError as exc:
        raise PmkitError(f"{p}: malformed XML: {exc}") from None
    except (LookupError, UnicodeError, ValueError) as exc:  # encoding="x-unknown" and friends
        raise PmkitError(f"{p}: cannot read the XML: {exc} (MS Project writes UTF-8 or UTF-16)") from None
    if _local(root.tag) != "Project":
        raise PmkitError(f"{p}: not an MS Project XML file (root element is <{_local(root.tag)}>, "
                         "expected <Project>)")
    _strip_namespaces(root)
    return root


# --------------------------------------------------------------------------- calendars

class _CalendarInfo:
    """One MSPDI calendar: weekday minutes (Mon..Sun, None = inherit), exceptions, base."""

    def __init__(self, el: Element):
        self.uid = _text(el, "UID", "")
        self.name = _text(el, "Name", "") or ""
        self.is_base = _flag(el, "IsBaseCalendar")
        self.base_uid = _text(el, "BaseCalendarUID", "-1")
        self.minutes: list[float | None] = [None] * 7
        self.holidays: list[np.datetime64] = []
        self.working_exceptions = 0
        for wd in el.findall("WeekDays/WeekDay"):
            day_type = int(_num(wd, "DayType", -1))
            if day_type == 0:  # pre-2007 exceptions live among the week days
                self._exception(wd)
            elif 1 <= day_type <= 7:
                self.minutes[(day_type + 5) % 7] = self._day_minutes(wd)  # 1 = Sunday
        for ex in el.findall("Exceptions/Exception"):
            self._exception(ex)
        if el.find("WorkWeeks/WorkWeek") is not None:
            warn(f"calendar {self.name!r}: alternative work weeks are not supported; using the default week")

    @staticmethod
    def _day_minutes(wd: Element) -> float:
        if not _flag(wd, "DayWorking"):
            return 0.0
        times = wd.findall("WorkingTimes/WorkingTime")
        if not times:
            return 480.0  # a working day without times uses the default 8 hours
        return sum(_span_minutes(_text(t, "FromTime"), _text(t, "ToTime")) for t in times)

    def _exception(self, ex: Element) -> None:
        where = f"calendar {self.name!r} exception"
        frm = _time(ex, "TimePeriod/FromDate", where)
        to = _time(ex, "TimePeriod/ToDate", where) or frm
        if frm is None:
            return
        if _flag(ex, "DayWorking"):
            self.working_exceptions += 1
            return
        if to < frm:
            warn(f"calendar {self.name!r}: exception ending {to:%Y-%m-%d} before it starts {frm:%Y-%m-%d} ignored")
            return
        days = pd.date_range(frm.normalize(), to.normalize(), freq="D")
        kind = int(_num(ex, "Type", 1))
        if kind == 2 and len(days) > 1:  # yearly on a month day, e.g. every 25 December
            month, mday = int(_num(ex, "Month", frm.month - 1)) + 1, int(_num(ex, "MonthDay", frm.day))
            days = days[(days.month == month) & (days.day == mday)]
        elif kind == 6 and len(days) > 1:  # weekly on a bit mask of weekdays (bit 0 = Sunday)
            mask = int(_num(ex, "DaysOfWeek", 127))
            days = days[[(mask >> ((d.weekday() + 1) % 7)) & 1 == 1 for d in days]]
        elif kind not in (1, 2, 6) and len(days) > 1:
            warn(f"calendar {self.name!r}: recurring exception of type {kind} read as every day "
                 f"from {frm:%Y-%m-%d} to {to:%Y-%m-%d}")
        self.holidays.extend(days.to_numpy(dtype="datetime64[D]"))


def _resolve_calendars(infos: dict[str, _CalendarInfo], minutes_per_day: float) -> dict[str, tuple]:
    """uid -> (minutes Mon..Sun, holidays, name), with inherited weekdays and exceptions."""
    out: dict[str, tuple] = {}

    def resolve(uid: str, seen: tuple = ()) -> tuple:
        if uid in out:
            return out[uid]
        info = infos[uid]
        base = None
        if info.base_uid in infos and info.base_uid != uid and info.base_uid not in seen:
            base = resolve(info.base_uid, (*seen, uid))
        minutes = [m if m is not None else (base[0][i] if base else
                                            (0.0 if i >= 5 else minutes_per_day))
                   for i, m in enumerate(info.minutes)]
        holidays = list(info.holidays) + (list(base[1]) if base else [])
        out[uid] = (minutes, holidays, info.name)
        return out[uid]

    for uid in infos:
        resolve(uid)
    return out


def _own_content(info: _CalendarInfo) -> bool:
    return any(m is not None for m in info.minutes) or bool(info.holidays)


def _read_calendars(root: Element, minutes_per_day: float) -> tuple[dict[str, Calendar], dict[str, str]]:
    """Calendars by pmkit id, and MSPDI calendar UID -> pmkit id.

    Resource calendars that only inherit their base calendar (MS Project makes one per
    resource) map to the base calendar instead of cluttering the calendar list.
    """
    infos = {}
    for el in root.findall("Calendars/Calendar"):
        info = _CalendarInfo(el)
        if info.uid:
            infos[info.uid] = info
    resolved = _resolve_calendars(infos, minutes_per_day)
    alias = {uid: info.base_uid for uid, info in infos.items()
             if not info.is_base and not _own_content(info) and info.base_uid in infos}
    kept = [uid for uid in infos if uid not in alias]
    ids = dict(zip(kept, readable_ids([infos[u].name for u in kept], [f"cal{u}" for u in kept]), strict=True))
    cals = {}
    for uid in kept:
        minutes, holidays, name = resolved[uid]
        if infos[uid].working_exceptions:
            warn(f"calendar {name!r}: {infos[uid].working_exceptions} working exception(s) (extra working "
                 "days or changed hours) are not supported and were ignored")
        cals[ids[uid]] = calendar_from_week(ids[uid], name, minutes, holidays)
    for uid, base in alias.items():
        while base in alias:
            base = alias[base]
        ids[uid] = ids[base]
    return cals, ids


# --------------------------------------------------------------------------- reading

def _minutes_per_day_project(root: Element) -> float:
    v = _num(root, "MinutesPerDay", 480.0)
    return v if v > 0 else 480.0


def _task_rows(root: Element) -> list[Element]:
    rows = []
    for t in root.findall("Tasks/Task"):
        if _flag(t, "IsNull") or _text(t, "UID") is None:
            continue
        if _text(t, "UID") == "0" or _num(t, "OutlineLevel", 1) == 0:
            continue  # the project summary task mirrors the whole project
        rows.append(t)
    return rows


def _task_ids(root: Element, tasks: list[Element]) -> dict[str, str]:
    """MSPDI UID -> pmkit task id (the UID, or the id a pmkit export kept in Text1)."""
    field_id = None
    for ea in root.findall("ExtendedAttributes/ExtendedAttribute"):
        if (_text(ea, "Alias") or "") == TASK_ID_ALIAS:
            field_id = _text(ea, "FieldID")
    ids = {}
    for t in tasks:
        uid = _text(t, "UID")
        kept = None
        if field_id is not None:
            for ea in t.findall("ExtendedAttribute"):
                if _text(ea, "FieldID") == field_id:
                    kept = _text(ea, "Value")
        ids[uid] = kept or uid
    if len(set(ids.values())) != len(ids):  # a hand-edited file: fall back to the UIDs
        ids = {u: u for u in ids}
    return ids


def _lag_days(link: Element, pred_days: float, cal: Calendar, minutes_per_day: float,
              path: Path | None = None, where: str = "link") -> float:
    text = _text(link, "LinkLag")
    try:
        raw = 0.0 if text is None else float(text)
    except ValueError:
        raw = math.nan
    if not math.isfinite(raw):
        raise PmkitError(f"{path or '<MS Project XML>'}: {where}: LinkLag {text!r} is not a number "
                         "(tenths of minutes)")
    fmt = _int(link, "LagFormat", 7, path or Path("<MS Project XML>"), where)
    if raw == 0:
        return 0.0
    if fmt in PERCENT_FORMATS:
        return raw / 10.0 / 100.0 * pred_days
    minutes = raw / 10.0
    if fmt in ELAPSED_FORMATS:
        # elapsed time runs round the clock; the model counts working days, so scale
        # calendar days by the share of working weekdays (exact on average, not per date)
        return minutes / 1440.0 * sum(cal.workdays) / 7.0
    return minutes / (cal.hours_per_day * 60.0)


def read_mspdi(path: str | os.PathLike, project_id: str | None = None, *,
               max_bytes: int | None = DEFAULT_MAX_BYTES) -> Project:
    """Read an MS Project XML (MSPDI) file as a :class:`pmkit.Project`.

    Parameters
    ----------
    path : str or path
        The ``.xml`` file saved by MS Project, ProjectLibre or :func:`write_mspdi`.
    project_id : str, optional
        Id of the resulting project (default: the file name without suffix).
    max_bytes : int or None
        Refuse larger files before parsing (default 200 MB; None: no limit).

    Returns
    -------
    pmkit.Project
        Tasks keyed by MSPDI ``UID`` (summary tasks included, as parents of their
        children), links, calendars, resources, assignments, baseline 0 and progress.

    Raises
    ------
    pmkit.errors.PmkitError
        Missing, oversized, unsafe or malformed file, or values that do not parse.

    Notes
    -----
    Durations in minutes become working days of the task's calendar: ``minutes /
    (60 * hours_per_day)``, where the calendar's hours per day are its weekday working
    times (MS Project's ``MinutesPerDay`` when the calendar has none). Lags use the
    successor's calendar, as MS Project does. A percentage lag is that share of the
    predecessor's duration.

    Examples
    --------
    >>> import pmkit
    >>> project = pmkit.read_mspdi("plan.xml")     # doctest: +SKIP
    >>> project.tasks[["task_id", "name", "duration_days"]]   # doctest: +SKIP
    """
    p = Path(path)
    root = load_xml(p, max_bytes)
    dates = DateReader(str(p))
    token = _DATES.set(dates)
    try:
        project = _project_from_root(root, p, project_id)
    except PmkitError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise PmkitError(f"{p}: cannot read MS Project XML: {exc}") from None
    finally:
        _DATES.reset(token)
    dates.done()
    return project


def _project_from_root(root: Element, path: Path, project_id: str | None) -> Project:
    mpd = _minutes_per_day_project(root)
    cals, cal_ids = _read_calendars(root, mpd)
    project_cal_id = cal_ids.get(_text(root, "CalendarUID", ""), "")
    project_cal = cals.get(project_cal_id)
    if project_cal is None:
        project_cal = Calendar("standard", "Standard", STANDARD.workdays, (), mpd / 60.0)
        cals.setdefault("standard", project_cal)
    pid = project_id or path.stem
    start = _time(root, "StartDate", needed=True)
    spans = _day_intervals(root)  # working times, to tell a start at the end of a day (manual tasks)
    project_uid = _text(root, "CalendarUID", "")
    elements = _task_rows(root)
    ids = _task_ids(root, elements)
    names = {ids[_text(t, "UID")]: _text(t, "Name", "") or "" for t in elements}

    rows, links, baseline, status, parents = [], [], [], [], []
    stack: list[tuple[int, str]] = []  # (outline level, task id) of the open summary tasks
    outline_odd: list[str] = []  # tasks whose outline level or number does not fit their place
    for t in elements:
        uid = _text(t, "UID")
        tid = ids[uid]
        where = _where(tid, names[tid])
        level = _int(t, "OutlineLevel", 1, path, where)
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1] if stack else ""
        number = _text(t, "OutlineNumber")
        if level > (stack[-1][0] + 1 if stack else 1) or (number is not None and number.count(".") + 1 != level):
            outline_odd.append(where)
        summary = _flag(t, "Summary")
        if summary:
            stack.append((level, tid))
        cal_id = cal_ids.get(_text(t, "CalendarUID", "-1"), "")
        cal = cals.get(cal_id, project_cal)
        minutes = _minutes(t, "Duration", path, where)
        fmt = _int(t, "DurationFormat", 7, path, where)
        days = (minutes / 1440.0 * sum(cal.workdays) / 7.0 if fmt in ELAPSED_FORMATS
                else minutes / (cal.hours_per_day * 60.0))
        days = 0.0 if math.isnan(days) else max(0.0, days)
        check_days(days, source=str(path), where=where, field="Duration", raw=_text(t, "Duration"))
        ctype = MSPDI_CONSTRAINTS[_code(t, "ConstraintType", 0, MSPDI_CONSTRAINTS, path, where)]
        cdate = _time(t, "ConstraintDate", where, needed=True) if ctype not in ("ASAP", "ALAP") else None
        if cdate is None and ctype not in ("ASAP", "ALAP"):
            written = _text(t, "ConstraintDate")
            why = (f"ConstraintDate {written!r} outside the dates MS Project holds (1984 to 2149, its NA)"
                   if written and not written.startswith("NA") else "without a date")
            warn(f"{path.name}: {where} has constraint {ctype} {why}; read as ASAP")
            ctype = "ASAP"
        manual = _flag(t, "Manual") and not summary
        if manual:  # a manually scheduled task keeps its own start (see tasks.manual)
            start_at = _time(t, "Start", where, needed=True) or _time(t, "ManualStart", where, needed=True)
            if start_at is not None:
                cdate = _manual_start_day(start_at, cal, spans.get(_text(t, "CalendarUID", "-1"))
                                          or spans.get(project_uid))
        cost = _num(t, "Cost", _num(t, "FixedCost", 0.0))
        rows.append({
            "task_id": tid, "name": _text(t, "Name", "") or "", "wbs": _text(t, "WBS", "") or "",
            "parent_id": parent, "duration_days": round(days, 9),
            "budget_cost": 0.0 if summary or math.isnan(cost) else max(0.0, cost),
            "milestone": _flag(t, "Milestone"), "constraint_type": ctype,
            "constraint_date": None if cdate is None else cdate.normalize(),
            "calendar_id": cal_id if cal_id in cals and cal_id != project_cal.calendar_id else "",
            "manual": manual,
        })
        parents.append(summary)
        for link in t.findall("PredecessorLink"):
            links.append((link, tid, cal))
        if not summary:
            _read_baseline(t, tid, baseline, where)
            _read_progress(t, tid, status, path, where)
    if outline_odd:
        warn(f"{path.name}: {len(outline_odd)} task(s) with an OutlineLevel or OutlineNumber that does not fit "
             f"the tasks before them (first: {outline_odd[0]}); each is placed under the summary task open before it")
    if not rows:
        no_tasks_warning(path.name, pid)
    tasks = pd.DataFrame(rows, columns=["task_id", "name", "wbs", "parent_id", "duration_days", "budget_cost",
                                        "milestone", "constraint_type", "constraint_date", "calendar_id",
                                        "manual"])
    duration = dict(zip(tasks["task_id"], tasks["duration_days"], strict=True))
    deps = []
    for link, succ, cal in links:
        pred_uid = _text(link, "PredecessorUID")
        if pred_uid not in ids:
            warn(f"{path.name}: task {succ}: link from unknown task UID {pred_uid} ignored")
            continue
        if _flag(link, "CrossProject"):
            warn(f"{path.name}: task {succ}: link to another project ignored")
            continue
        pred = ids[pred_uid]
        where = f"link {_where(pred, names[pred])} -> {_where(succ, names[succ])}"
        ltype = MSPDI_LINK_TYPES[_code(link, "Type", 1, MSPDI_LINK_TYPES, path, f"{where}, PredecessorLink")]
        lag = _lag_days(link, duration[pred], cal, mpd, path, where)
        check_days(lag, source=str(path), where=where, field="LinkLag", raw=_text(link, "LinkLag"), kind="lag")
        deps.append({"predecessor_id": pred, "successor_id": succ, "type": ltype, "lag_days": round(lag, 9)})
    deps_df = pd.DataFrame(deps, columns=["predecessor_id", "successor_id", "type", "lag_days"])
    dup = deps_df.duplicated(["predecessor_id", "successor_id"])
    if dup.any():
        warn(f"{path.name}: {int(dup.sum())} duplicate link(s) between the same tasks ignored")
        deps_df = deps_df[~dup]

    resources, roles, assignments = _read_resources(root, ids, cal_ids, cals, project_cal)
    status_date = _status_date(root, status)
    status_df = pd.DataFrame(status, columns=["task_id", "percent_complete", "actual_start", "actual_finish",
                                              "actual_cost", "remaining_days"])
    if len(status_df):
        status_df.insert(0, "status_date", status_date)
        status_df["remaining_days"] = status_df["remaining_days"] / (project_cal.hours_per_day * 60.0)
        for r in status_df.itertuples(index=False):
            check_days(float(r.remaining_days), source=str(path), where=_where(r.task_id, names[r.task_id]),
                       field="RemainingDuration", raw=f"{r.remaining_days * project_cal.hours_per_day:g} hours")
    if start is None:
        start = _time(root, "CurrentDate", needed=True)
        if start is None:
            raise PmkitError(f"{path}: the project has no StartDate")
    name = _text(root, "Title") or _text(root, "Name") or path.stem
    if name.lower().endswith(".xml"):
        name = name[:-4]
    bl = pd.DataFrame(baseline, columns=["task_id", "baseline_start", "baseline_finish", "baseline_cost"])
    budget = float(bl["baseline_cost"].sum()) if len(bl) else float(tasks["budget_cost"].sum())
    return Project(
        project_id=pid, name=name, start_date=start.normalize(),
        state="active" if len(status_df) else "proposed",
        status_date=None if status_date is None or not len(status_df) else status_date,
        budget=budget, manager=_text(root, "Manager", "") or "", description=_text(root, "Subject", "") or "",
        calendar=project_cal, calendars=cals, tasks=tasks, dependencies=deps_df, baseline=bl,
        status=status_df if len(status_df) else None, assignments=assignments, roles=roles,
        resources=resources,
    )


def _manual_start_day(start: pd.Timestamp, cal: Calendar, week) -> pd.Timestamp:
    """The day a manually scheduled task starts on, as ``tasks.constraint_date`` holds it.

    pmkit pins a manual task at the *start* of its ``constraint_date``. A ``Start`` at or
    after the end of the day's working time (a milestone at 17:00, after the work of its
    day) is the same point of working time as the start of the next working day, so it
    becomes that day; any other time of day is dropped (the task starts on that day).
    Without this a milestone at 17:00 on Friday was pinned at 08:00 on Friday, and each
    write -> read round trip moved it one working day earlier.
    """
    day = start.normalize()
    if week is None or not cal.is_working_day(np.datetime64(day, "D")):
        return day
    spans = week[day.weekday()]
    end = max((b for _, b in spans), default=None)
    if end is None or end >= 1440 or start.hour * 60 + start.minute < end:
        return day
    nxt = np.busday_offset(np.datetime64(day, "D") + 1, 0, roll="forward", busdaycal=cal.busdaycal)
    return pd.Timestamp(nxt)


def _read_baseline(t: Element, tid: str, out: list, where: str = "") -> None:
    for b in t.findall("Baseline"):
        if _text(b, "Number", "0") != "0":
            continue
        s, f = _time(b, "Start", f"{where or tid} baseline"), _time(b, "Finish", f"{where or tid} baseline")
        if s is None or f is None:
            return
        cost = _num(b, "Cost", 0.0)
        out.append({"task_id": tid, "baseline_start": s.normalize(), "baseline_finish": f.normalize(),
                    "baseline_cost": 0.0 if math.isnan(cost) else cost})


def _read_progress(t: Element, tid: str, out: list, path: Path | None = None, where: str = "") -> None:
    pct = _num(t, "PercentComplete", 0.0)
    where = where or f"task {tid}"
    a_start, a_finish = _time(t, "ActualStart", where, needed=True), _time(t, "ActualFinish", where, needed=True)
    if not (pct > 0 or a_start is not None):
        return
    cost = _num(t, "ActualCost", 0.0)
    out.append({"task_id": tid, "percent_complete": min(100.0, max(0.0, pct)),
                "actual_start": None if a_start is None else a_start.normalize(),
                "actual_finish": None if a_finish is None else a_finish.normalize(),
                "actual_cost": 0.0 if math.isnan(cost) else cost,
                "remaining_days": _minutes(t, "RemainingDuration", path or Path("<MS Project XML>"), where)})


def _status_date(root: Element, status: list) -> pd.Timestamp | None:
    """The status date MS Project uses: ``StatusDate``, else ``CurrentDate``; never before an actual."""
    sd = _time(root, "StatusDate", needed=True) or _time(root, "CurrentDate", needed=True)
    actual = [d for r in status for d in (r["actual_start"], r["actual_finish"]) if d is not None]
    latest = max(actual) if actual else None
    if sd is None:
        return latest
    sd = sd.normalize()
    return max(sd, latest) if latest is not None else sd


def _read_resources(root: Element, ids: Mapping[str, str], cal_ids: Mapping[str, str],
                    cals: Mapping[str, Calendar], project_cal: Calendar):
    res_rows, roles, res_ids, generic = [], {}, {}, {}
    for r in root.findall("Resources/Resource"):
        uid, name = _text(r, "UID"), _text(r, "Name")
        if uid is None or not name or _flag(r, "IsNull"):
            continue  # UID 0 is MS Project's unnamed placeholder
        group = _text(r, "Group", "") or ""
        if group:
            roles.setdefault(group, group)
        if _flag(r, "IsGeneric"):  # a generic resource stands for a role
            role = group or name
            roles.setdefault(role, name)
            generic[uid] = role
            continue
        cal_id = cal_ids.get(_text(r, "CalendarUID", ""), "")
        hours = cals.get(cal_id, project_cal).hours_per_day
        rate = _num(r, "StandardRate", math.nan)  # MSPDI stores rates per hour
        max_units = _num(r, "MaxUnits", 1.0)
        res_ids[uid] = uid
        res_rows.append({"resource_id": uid, "name": name, "role_id": group,
                         "capacity_units": 1.0 if math.isnan(max_units) else max_units,
                         "cost_rate_per_day": None if math.isnan(rate) else rate * hours,
                         "calendar_id": cal_id if cal_id in cals and cal_id != project_cal.calendar_id else ""})
    asg = []
    for a in root.findall("Assignments/Assignment"):
        tuid, ruid = _text(a, "TaskUID"), _text(a, "ResourceUID")
        if tuid not in ids or (ruid not in res_ids and ruid not in generic):
            continue  # unassigned placeholders (ResourceUID -65535) and summary-level rows
        units = _num(a, "Units", 1.0)
        asg.append({"task_id": ids[tuid], "resource_id": res_ids.get(ruid, ""), "role_id": generic.get(ruid, ""),
                    "units": 1.0 if math.isnan(units) else units})
    asg_df = pd.DataFrame(asg, columns=["task_id", "resource_id", "role_id", "units"])
    asg_df = asg_df.drop_duplicates(["task_id", "resource_id", "role_id"])
    roles_df = pd.DataFrame({"role_id": list(roles), "name": list(roles.values())})
    return pd.DataFrame(res_rows), roles_df, asg_df


# --------------------------------------------------------------------------- saved schedule

def _day_intervals(root: Element) -> dict[str, list[list[tuple[int, int]]]]:
    """Calendar UID -> for each weekday (Mon..Sun) its working intervals in minutes of the day."""
    out: dict[str, list] = {}
    for el in root.findall("Calendars/Calendar"):
        week: list = [None] * 7
        for wd in el.findall("WeekDays/WeekDay"):
            dt = int(_num(wd, "DayType", -1))
            if 1 <= dt <= 7:
                spans = []
                if _flag(wd, "DayWorking"):
                    for wt in wd.findall("WorkingTimes/WorkingTime"):
                        a = int(_hhmm_minutes(_text(wt, "FromTime")))
                        spans.append((a, a + int(_span_minutes(_text(wt, "FromTime"), _text(wt, "ToTime")))))
                    spans = spans or [(480, 720), (780, 1020)]
                week[(dt + 5) % 7] = spans
        out[_text(el, "UID", "")] = [week, _text(el, "BaseCalendarUID", "-1")]
    resolved = {}
    for uid, (week, base) in out.items():
        seen = {uid}
        while any(d is None for d in week) and base in out and base not in seen:
            seen.add(base)
            week = [d if d is not None else out[base][0][i] for i, d in enumerate(week)]
            base = out[base][1]
        default = [(480, 720), (780, 1020)]
        resolved[uid] = [d if d is not None else ([] if i >= 5 else default) for i, d in enumerate(week)]
    return resolved


def _working_offsets(stamps: pd.Series, origin: pd.Timestamp, cal: Calendar, spans) -> np.ndarray:
    """Working days from ``origin`` (start of its day) to each time stamp, fractions included.

    A time inside a day counts the share of that day's working minutes already
    worked, so 17:00 of one day and 08:00 of the next working day are the same
    point of working time (MS Project writes either).
    """
    out = np.full(len(stamps), np.nan)
    o = np.datetime64(origin.normalize(), "D")
    for i, ts in enumerate(stamps):
        if ts is None or pd.isna(ts):
            continue
        day = np.datetime64(ts.normalize(), "D")
        whole = float(np.busday_count(o, day, busdaycal=cal.busdaycal))
        if cal.is_working_day(day):
            day_spans = spans[pd.Timestamp(day).weekday()]
            total = sum(b - a for a, b in day_spans) or 1
            minute = ts.hour * 60 + ts.minute
            done = sum(max(0, min(b, minute) - a) for a, b in day_spans)
            whole += done / total
        out[i] = whole
    return out


def mspdi_saved_schedule(path: str | os.PathLike, *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> pd.DataFrame:
    """The schedule MS Project computed and saved in the file, one row per task.

    Used to check pmkit's scheduling against MS Project (``benchmarks/check_mspdi.py``).

    Returns
    -------
    DataFrame
        ``task_id``, ``name``, ``summary``, ``manual``; ``early_start``, ``early_finish``,
        ``late_start``, ``late_finish`` (time stamps as saved); the same four as
        ``*_offset_days``: working days of the task calendar since the project start,
        fractions included, so that 17:00 and 08:00 of the next working day compare
        equal; ``total_slack_days`` and ``free_slack_days`` (saved in tenths of minutes,
        divided by the project's minutes per day).

    Examples
    --------
    >>> from pmkit.interop import mspdi_saved_schedule
    >>> mspdi_saved_schedule("plan.xml").head()     # doctest: +SKIP
    """
    p = Path(path)
    root = load_xml(p, max_bytes)
    token = _DATES.set(DateReader(str(p)))
    try:
        return _saved_schedule(root)
    finally:
        _DATES.reset(token)


def _saved_schedule(root: Element) -> pd.DataFrame:
    mpd = _minutes_per_day_project(root)
    cals, cal_ids = _read_calendars(root, mpd)
    spans = _day_intervals(root)
    project_uid = _text(root, "CalendarUID", "")
    project_cal = cals.get(cal_ids.get(project_uid, ""), STANDARD)
    origin = _time(root, "StartDate")
    elements = _task_rows(root)
    ids = _task_ids(root, elements)
    cols = ("EarlyStart", "EarlyFinish", "LateStart", "LateFinish")
    names = ("early_start", "early_finish", "late_start", "late_finish")
    rows = []
    for t in elements:
        uid = _text(t, "CalendarUID", "-1")
        cal_uid = uid if uid in spans and uid != "-1" else project_uid
        rows.append({"task_id": ids[_text(t, "UID")], "name": _text(t, "Name", "") or "",
                     "summary": _flag(t, "Summary"), "manual": _flag(t, "Manual"),
                     **{n: _time(t, c) for n, c in zip(names, cols, strict=True)},
                     "total_slack_days": _num(t, "TotalSlack") / 10.0 / mpd,
                     "free_slack_days": _num(t, "FreeSlack") / 10.0 / mpd, "_cal": cal_uid})
    df = pd.DataFrame(rows)
    if not len(df):
        return df
    for n in names:
        df[f"{n}_offset_days"] = np.nan
    for cal_uid, idx in df.groupby("_cal").groups.items():
        cal = cals.get(cal_ids.get(cal_uid, ""), project_cal)
        week = spans.get(cal_uid) or spans.get(project_uid) or [[(480, 720), (780, 1020)]] * 5 + [[]] * 2
        for n in names:
            df.loc[idx, f"{n}_offset_days"] = _working_offsets(df.loc[idx, n], origin, cal, week)
    return df.drop(columns="_cal")


# --------------------------------------------------------------------------- writing

def _fmt_duration(days: float, hours_per_day: float) -> str:
    minutes = round(float(days) * hours_per_day * 60.0, 3)
    h, rest = divmod(minutes, 60.0)
    m, s = divmod(rest * 60.0, 60.0)
    return f"PT{int(h)}H{int(m)}M{int(round(s))}S"


def _fmt_time(ts, hour_minutes: float = 480.0) -> str:
    t = pd.Timestamp(ts)
    if t == t.normalize():
        t = t + timedelta(minutes=hour_minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def _fmt_clock(minutes: float) -> str:
    minutes = int(round(minutes)) % 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _working_times(hours: float) -> list[tuple[float, float]]:
    """Working periods (minutes of the day) of a day of ``hours`` working hours.

    Up to 13 hours: from 08:00 with a lunch hour at 12:00; longer days start earlier so
    the periods fit into 24 hours.
    """
    minutes = hours * 60.0
    if minutes <= 240:
        return [(480.0, 480.0 + minutes)]
    if minutes <= 780:
        return [(480.0, 720.0), (780.0, 780.0 + minutes - 240.0)]
    return [(0.0, minutes)]


def _sub(parent: Element, tag: str, value) -> Element:
    el = SubElement(parent, tag)
    el.text = str(value)
    return el


def _write_calendar(parent: Element, uid: int, cal: Calendar, name: str) -> None:
    c = SubElement(parent, "Calendar")
    _sub(c, "UID", uid)
    _sub(c, "Name", name)
    _sub(c, "IsBaseCalendar", 1)
    _sub(c, "BaseCalendarUID", -1)
    wds = SubElement(c, "WeekDays")
    for day_type in range(1, 8):  # 1 = Sunday
        worked = cal.workdays[(day_type + 5) % 7]
        wd = SubElement(wds, "WeekDay")
        _sub(wd, "DayType", day_type)
        _sub(wd, "DayWorking", int(worked))
        if worked:
            wts = SubElement(wd, "WorkingTimes")
            for a, b in _working_times(cal.hours_per_day):
                wt = SubElement(wts, "WorkingTime")
                _sub(wt, "FromTime", _fmt_clock(a))
                _sub(wt, "ToTime", _fmt_clock(b))
    hol = np.asarray(cal.holidays, dtype="datetime64[D]")
    if len(hol):
        exs = SubElement(c, "Exceptions")
        # consecutive holidays become one exception, as MS Project writes them
        breaks = np.flatnonzero(np.diff(hol).astype(int) != 1) + 1
        for run in np.split(hol, breaks):
            ex = SubElement(exs, "Exception")
            _sub(ex, "EnteredByOccurrences", 0)
            tp = SubElement(ex, "TimePeriod")
            _sub(tp, "FromDate", f"{run[0]}T00:00:00")
            _sub(tp, "ToDate", f"{run[-1]}T23:59:00")
            _sub(ex, "Occurrences", 1)
            _sub(ex, "Name", "Holiday")
            _sub(ex, "Type", 1)
            _sub(ex, "DayWorking", 0)


def _outline_order(tasks: pd.DataFrame) -> tuple[list[int], list[int], list[bool]]:
    """Row positions in outline order (each summary before its children), levels, summary flags."""
    ids = tasks["task_id"].astype(str).tolist()
    parent = tasks["parent_id"].astype(str).tolist()
    known = set(ids)
    children: dict[str, list[int]] = {}
    for i, par in enumerate(parent):
        children.setdefault(par if par in known and par != ids[i] else "", []).append(i)
    order, levels = [], []
    todo = [(i, 1) for i in reversed(children.get("", []))]
    seen = set()
    while todo:
        i, lev = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        order.append(i)
        levels.append(lev)
        todo.extend((j, lev + 1) for j in reversed(children.get(ids[i], [])))
    for i in range(len(ids)):  # rows caught in a parent cycle: top level, not lost
        if i not in seen:
            order.append(i)
            levels.append(1)
    summary = [ids[i] in children for i in order]
    return order, levels, summary


def write_mspdi(project: Project, path: str | os.PathLike, schedule: pd.DataFrame | None = None) -> Path:
    """Write a project as MS Project XML (MSPDI), which MS Project and ProjectLibre open.

    Parameters
    ----------
    project : pmkit.Project
    path : str or path
        Output ``.xml`` file (written atomically).
    schedule : DataFrame, optional
        Result of :func:`pmkit.schedule` whose ``early_start``/``early_finish`` give the
        task dates written; computed when omitted (when scheduling fails, every task
        is written at the project start and MS Project reschedules it on opening).

    Returns
    -------
    pathlib.Path
        The written file.

    Notes
    -----
    Written: calendars (working weekdays, hours per day as working times from 08:00
    with a lunch hour, holidays as exceptions), tasks with outline levels from
    ``parent_id``, durations (days times the task calendar's hours per day),
    milestones, constraints, links with lags, resources (roles as ``Group``; a role
    assigned without a named resource becomes a generic resource), assignments,
    baseline 0 and the latest progress. Task ids that are not positive integers are kept
    in the task field Text1 (alias ``pmkit task_id``) so that :func:`read_mspdi` gives
    them back. Tasks are auto-scheduled, so MS Project recomputes dates on opening.

    Examples
    --------
    >>> import pmkit
    >>> pmkit.write_mspdi(pmkit.synth.project(20), "plan.xml")   # doctest: +SKIP
    """
    from ..data.io import atomic_write_text

    out = Path(path)
    xml = mspdi_text(project, schedule)
    atomic_write_text(out, xml)
    return out


def _dates_for(project: Project, schedule: pd.DataFrame | None) -> dict[str, tuple]:
    if schedule is None:
        try:
            from ..project.scheduling import schedule as _schedule

            schedule = _schedule(project)
        except (ImportError, PmkitError, ValueError, KeyError) as exc:
            warn(f"project {project.project_id}: not scheduled before writing ({exc}); "
                 "tasks are written at the project start")
            schedule = None
    if schedule is None or not {"task_id", "early_start", "early_finish"} <= set(schedule.columns):
        return {}
    return {str(t): (s, f) for t, s, f in zip(schedule["task_id"], schedule["early_start"],
                                             schedule["early_finish"], strict=True)}


def mspdi_text(project: Project, schedule: pd.DataFrame | None = None) -> str:
    """The MSPDI document of :func:`write_mspdi`, as a string."""
    cal_list = list(project.calendars.values())
    if project.calendar not in cal_list:
        cal_list.insert(0, project.calendar)
    cal_uid = {c.calendar_id: i + 1 for i, c in enumerate(cal_list)}
    pcal = project.calendar
    mpd = pcal.hours_per_day * 60.0
    root = Element("Project", {"xmlns": NS})
    _sub(root, "SaveVersion", 14)
    _sub(root, "Name", f"{project.project_id}.xml")
    _sub(root, "Title", project.name)
    if project.description:
        _sub(root, "Subject", project.description)
    if project.manager:
        _sub(root, "Manager", project.manager)
    _sub(root, "ScheduleFromStart", 1)
    _sub(root, "StartDate", _fmt_time(project.start_date))
    _sub(root, "CalendarUID", cal_uid[pcal.calendar_id])
    _sub(root, "DefaultStartTime", "08:00:00")
    _sub(root, "MinutesPerDay", int(round(mpd)))
    _sub(root, "MinutesPerWeek", int(round(mpd * sum(pcal.workdays))))
    _sub(root, "DaysPerMonth", 20)
    _sub(root, "DurationFormat", 7)
    if project.status_date is not None:
        _sub(root, "StatusDate", _fmt_time(project.status_date, 1020.0))
    tasks = project.tasks
    ids = tasks["task_id"].astype(str).tolist()
    numeric = all(i.isdigit() and int(i) > 0 for i in ids) and len(set(map(int, ids))) == len(ids) if ids else True
    if not numeric:
        eas = SubElement(root, "ExtendedAttributes")
        ea = SubElement(eas, "ExtendedAttribute")
        _sub(ea, "FieldID", _TEXT1_FIELD_ID)
        _sub(ea, "FieldName", "Text1")
        _sub(ea, "Alias", TASK_ID_ALIAS)
    cals_el = SubElement(root, "Calendars")
    for c in cal_list:
        _write_calendar(cals_el, cal_uid[c.calendar_id], c, c.calendar_id)

    order, levels, summary = _outline_order(tasks)
    uid_of = {tid: (int(tid) if numeric else k + 1) for k, tid in enumerate(ids)}
    dates = _dates_for(project, schedule)
    preds: dict[str, list] = {}
    for d in project.dependencies.itertuples(index=False):
        preds.setdefault(str(d.successor_id), []).append(d)
    bl = {str(r.task_id): r for r in project.baseline.itertuples(index=False)}
    st = {str(r.task_id): r for r in project.status_at().itertuples(index=False)}
    tasks_el = SubElement(root, "Tasks")
    outline_counter: list[int] = []
    for n, (i, level, is_summary) in enumerate(zip(order, levels, summary, strict=True), start=1):
        r = tasks.iloc[i]
        tid = ids[i]
        cal = project.calendars.get(str(r["calendar_id"]), pcal)
        del outline_counter[level:]
        while len(outline_counter) < level:
            outline_counter.append(0)
        outline_counter[level - 1] += 1
        t = SubElement(tasks_el, "Task")
        _sub(t, "UID", uid_of[tid])
        _sub(t, "ID", n)
        _sub(t, "Name", r["name"])
        _sub(t, "Active", 1)
        _sub(t, "Type", 1)  # fixed duration: assignments do not change the planned duration
        _sub(t, "IsNull", 0)
        _sub(t, "WBS", r["wbs"] or ".".join(map(str, outline_counter)))
        _sub(t, "OutlineNumber", ".".join(map(str, outline_counter)))
        _sub(t, "OutlineLevel", level)
        manual = r.get("manual", False) is not pd.NA and bool(r.get("manual", False)) and not is_summary
        _sub(t, "Manual", int(manual))
        s, f = dates.get(tid, (project.start_date, project.start_date))
        day_start, day_end = _working_times(cal.hours_per_day)[0][0], _working_times(cal.hours_per_day)[-1][1]
        if manual and not pd.isna(r["constraint_date"]):
            # the start pmkit pins (tasks.constraint_date), not the schedule's display date:
            # a milestone is shown on the day before its pinned start (at the end of that
            # day), and writing that date at the start of the day lost one day per round trip
            s = pd.Timestamp(r["constraint_date"]).normalize()
            f = max(pd.Timestamp(f), s) if not pd.isna(f) else s
        start_text = _fmt_time(s, day_start)
        _sub(t, "Start", start_text)
        is_milestone = bool(r["milestone"]) and float(r["duration_days"]) == 0
        _sub(t, "Finish", start_text if manual and is_milestone else _fmt_time(f, day_end))
        _sub(t, "Duration", _fmt_duration(r["duration_days"], cal.hours_per_day))
        _sub(t, "DurationFormat", 7)
        _sub(t, "Estimated", 0)
        _sub(t, "Milestone", int(bool(r["milestone"])))
        _sub(t, "Summary", int(is_summary))
        if not is_summary:
            _sub(t, "FixedCost", f"{float(r['budget_cost']):.2f}")
        prog = st.get(tid)
        if prog is not None:
            _sub(t, "PercentComplete", int(round(float(prog.percent_complete))))
            if not pd.isna(prog.actual_start):
                _sub(t, "ActualStart", _fmt_time(prog.actual_start))
            if not pd.isna(prog.actual_finish):
                _sub(t, "ActualFinish", _fmt_time(prog.actual_finish, 1020.0))
            _sub(t, "ActualCost", f"{float(prog.actual_cost):.2f}")
        ctype = str(r["constraint_type"] or "ASAP")
        code = {v: k for k, v in MSPDI_CONSTRAINTS.items()}[ctype]
        _sub(t, "ConstraintType", code)
        if ctype not in ("ASAP", "ALAP") and not pd.isna(r["constraint_date"]):
            finish_side = ctype in ("MFO", "FNET", "FNLT")
            _sub(t, "ConstraintDate", _fmt_time(r["constraint_date"], 1020.0 if finish_side else 480.0))
        _sub(t, "CalendarUID", cal_uid[cal.calendar_id] if str(r["calendar_id"]) else -1)
        for d in preds.get(tid, []):
            if str(d.predecessor_id) not in uid_of:
                continue
            pl = SubElement(t, "PredecessorLink")
            _sub(pl, "PredecessorUID", uid_of[str(d.predecessor_id)])
            _sub(pl, "Type", {v: k for k, v in MSPDI_LINK_TYPES.items()}[str(d.type)])
            _sub(pl, "CrossProject", 0)
            _sub(pl, "LinkLag", int(round(float(d.lag_days) * cal.hours_per_day * 600.0)))
            _sub(pl, "LagFormat", 7)
        if not numeric:
            ea = SubElement(t, "ExtendedAttribute")
            _sub(ea, "FieldID", _TEXT1_FIELD_ID)
            _sub(ea, "Value", tid)
        b = bl.get(tid)
        if b is not None:
            be = SubElement(t, "Baseline")
            _sub(be, "Number", 0)
            _sub(be, "Start", _fmt_time(b.baseline_start))
            _sub(be, "Finish", _fmt_time(b.baseline_finish, 1020.0))
            _sub(be, "Duration", _fmt_duration(r["duration_days"], cal.hours_per_day))
            _sub(be, "Cost", f"{float(b.baseline_cost):.2f}")
    _write_resources(root, project, uid_of, cal_uid)
    body = tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body + "\n"


def _write_resources(root: Element, project: Project, task_uid: Mapping[str, int],
                     cal_uid: Mapping[str, int]) -> None:
    res = project.resources
    roles = project.roles
    asg = project.assignments
    role_name = dict(zip(roles["role_id"].astype(str), roles["name"].astype(str), strict=True)) if len(roles) else {}
    rate_of_role = (dict(zip(roles["role_id"].astype(str), roles["cost_rate_per_day"], strict=True))
                    if len(roles) else {})
    res_el = SubElement(root, "Resources")
    uid_of: dict[tuple[str, str], int] = {}
    hpd = project.calendar.hours_per_day
    rows = [(str(r.resource_id), str(r.name), str(r.role_id), float(r.capacity_units), r.cost_rate_per_day,
             str(r.calendar_id), False) for r in res.itertuples(index=False)]
    used_roles = asg.loc[asg["resource_id"].astype(str) == "", "role_id"].astype(str).unique() if len(asg) else []
    rows += [("", role_name.get(role) or role, role, 1.0, rate_of_role.get(role), "", True) for role in used_roles]
    for k, (rid, name, role, units, rate, cal_id, is_generic) in enumerate(rows, start=1):
        uid_of[(rid, role if is_generic else "")] = k
        r = SubElement(res_el, "Resource")
        _sub(r, "UID", k)
        _sub(r, "ID", k)
        _sub(r, "Name", name or rid)
        _sub(r, "Type", 1)
        _sub(r, "IsNull", 0)
        if role:
            _sub(r, "Group", role)
        _sub(r, "MaxUnits", f"{units:.2f}")
        if rate is None or pd.isna(rate):
            rate = rate_of_role.get(role)
        if rate is not None and not pd.isna(rate):
            _sub(r, "StandardRate", f"{float(rate) / hpd:.4f}")
            _sub(r, "StandardRateFormat", 2)
        if cal_id and cal_id in cal_uid:
            _sub(r, "CalendarUID", cal_uid[cal_id])
        _sub(r, "IsGeneric", int(is_generic))
    a_el = SubElement(root, "Assignments")
    for k, a in enumerate(asg.itertuples(index=False), start=1):
        rid, role = str(a.resource_id), str(a.role_id)
        key = (rid, "") if rid else ("", role)
        if key not in uid_of or str(a.task_id) not in task_uid:
            continue
        e = SubElement(a_el, "Assignment")
        _sub(e, "UID", k)
        _sub(e, "TaskUID", task_uid[str(a.task_id)])
        _sub(e, "ResourceUID", uid_of[key])
        _sub(e, "Units", f"{float(a.units):g}")


__all__ = ["mspdi_saved_schedule", "mspdi_text", "parse_duration_minutes", "read_mspdi", "write_mspdi"]
