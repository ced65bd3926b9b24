"""Primavera P6 XML (PMXML): read a project, with its baseline, as a :class:`pmkit.Project`.

PMXML is the XML that P6 exports (*File > Export > Primavera PM XML*). Unlike XER it
carries baselines as whole projects (``BaselineProject`` elements). The reader maps:

==================================  =================================================
PMXML (root ``APIBusinessObjects``)  pmkit
==================================  =================================================
``Project`` (``Id``, ``Name``)        ``project_id``, ``name``; ``PlannedStartDate`` as
                                      start; ``DataDate`` as status date; calendar
                                      ``ActivityDefaultCalendarObjectId``
``Calendar``                          ``StandardWorkWeek/StandardWorkHours`` (days and
                                      ``WorkTime`` spans), ``HolidayOrExceptions`` as
                                      holidays, ``HoursPerDay``
``WBS`` (``Code``, ``ParentObjectId``) ``tasks.wbs``: the dotted codes of the path
``Activity``                          ``tasks``: id ``Id``; ``PlannedDuration`` hours /
                                      the calendar's hours per day; milestones (``Type``);
                                      ``PrimaryConstraintType``/``Date``; progress
``Relationship``                      ``dependencies``: ``Type`` ("Finish to Start"...),
                                      ``Lag`` in hours of the lag calendar
``Resource``, ``Role``,               ``resources`` (``DefaultUnitsPerTime``, first
``ResourceRate``                      ``PricePerUnit`` x hours per day), ``roles``
``ResourceAssignment``,               ``assignments`` (``PlannedUnitsPerTime``), task
``ActivityExpense``                   budget (``PlannedCost``) and actual cost
``BaselineProject``                   ``baseline``: the planned dates and planned cost of
                                      each activity (matched by ``Id``) of the project's
                                      current baseline (``CurrentBaselineProjectObjectId``)
==================================  =================================================

Durations and lags are hours in PMXML, percentages fractions (0.5 = 50 %), as MPXJ's
PrimaveraPMFileReader reads them. A ``WorkTime`` ``Finish`` is the last minute worked
(``11:59`` ends at 12:00).

XML is parsed with :mod:`defusedxml` (DTDs and entities refused), files above
``max_bytes`` are refused before parsing, and bad values are :class:`PmkitError`\\ s naming
the file, the activity and the field, as in :mod:`pmkit.interop.mspdi` and
:mod:`pmkit.interop.xer`.

Sources: Oracle, "Primavera P6 EPPM XML schema" (``p6apibo.xsd``, the ``APIBusinessObjects``
document) and "P6 EPPM data dictionary"; J. Iles, MPXJ (mpxj.org) ``PrimaveraPMFileReader``,
``ConstraintTypeHelper``, ``RelationTypeHelper`` and ``ActivityTypeHelper`` for the element
names and their values.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import numpy as np
import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _safe_fromstring

from ..data.calendars import Calendar
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
from .mspdi import _local, _strip_namespaces

#: PMXML ``PrimaryConstraintType`` -> pmkit constraint (MPXJ ConstraintTypeHelper).
PMXML_CONSTRAINTS = {
    "Start On": "MSO", "Mandatory Start": "MSO", "Finish On": "MFO", "Mandatory Finish": "MFO",
    "Start On or After": "SNET", "Start On or Before": "SNLT", "Finish On or After": "FNET",
    "Finish On or Before": "FNLT", "As Late As Possible": "ALAP",
}
#: Values that mean no constraint.
PMXML_NO_CONSTRAINT = frozenset({"", "None", "As Soon As Possible"})
#: PMXML ``Relationship/Type`` -> pmkit link type (MPXJ RelationTypeHelper).
PMXML_LINK_TYPES = {"Finish to Start": "FS", "Start to Start": "SS", "Finish to Finish": "FF",
                    "Start to Finish": "SF"}
PMXML_MILESTONES = frozenset({"Start Milestone", "Finish Milestone"})
_WEEKDAYS = {d: i for i, d in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                                         "Sunday"])}
_WEEKDAYS.update({str((i + 1) % 7 + 1): i for i in range(7)})  # older schemas: 1 = Sunday


def _text(el: Element | None, tag: str) -> str:
    if el is None:
        return ""
    child = el.find(tag)
    return "" if child is None or child.text is None else child.text.strip()


def _load(path: str | os.PathLike, max_bytes: int | None) -> tuple[Path, Element]:
    p = check_input_file(path, max_bytes)
    try:
        # PMXML never needs a DTD; refusing one stops entity expansion and external entities
        root = _safe_fromstring(p.read_bytes(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise PmkitError(f"{p}: refused to parse: the file declares a DTD or entities ({type(exc).__name__}); "
                         "P6 XML never does, so this may be an XML bomb or external-entity attack") from None
    except ParseError as exc:
        raise PmkitError(f"{p}: malformed XML: {exc}") from None
    except (LookupError, UnicodeError, ValueError) as exc:
        raise PmkitError(f"{p}: cannot read the XML: {exc}") from None
    if _local(root.tag) != "APIBusinessObjects":
        raise PmkitError(f"{p}: not a Primavera P6 XML file (root element is <{_local(root.tag)}>, "
                         "expected <APIBusinessObjects>)")
    _strip_namespaces(root)
    return p, root


class _Values:
    """Numbers and dates of one file, checked where they are read."""

    def __init__(self, path: Path):
        self.path = path
        self.dates = DateReader(str(path))

    def num(self, el: Element, tag: str, where: str, default: float = math.nan) -> float:
        text = _text(el, tag)
        if not text:
            return default
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise PmkitError(f"{self.path}: {where}: {tag} {text!r} is not a number")
        return value

    def date(self, el: Element, tag: str, where: str, needed: bool = True) -> pd.Timestamp | None:
        ts = self.dates.parse(_text(el, tag), where=where, field=tag, needed=needed)
        return None if ts is None else ts.normalize()


def _minutes_of(text: str) -> int:
    h, m, *_ = (text.split(":") + ["0", "0"])[:3]
    return int(h) * 60 + int(m)


def _spans_minutes(el: Element) -> float:
    """Working minutes of the ``WorkTime`` children; a finish is the last minute worked."""
    total = 0.0
    for wt in el.findall("WorkTime"):
        s, f = _text(wt, "Start"), _text(wt, "Finish")
        if not s or not f:
            continue
        a, b = _minutes_of(s), _minutes_of(f) + 1
        if f.startswith("00:00"):
            b = 1440  # midnight
        total += (b if b > a else b + 1440) - a
    return total


def _calendars(elements: list[Element], values: _Values) -> tuple[dict[str, Calendar], dict[str, str]]:
    """Calendars by pmkit id (their names when unique) and ObjectId -> pmkit id."""
    info = {}
    for el in elements:
        oid = _text(el, "ObjectId")
        if not oid:
            continue
        name = _text(el, "Name")
        week = None
        if el.find("StandardWorkWeek") is not None:
            week = [0.0] * 7
            for day in el.findall("StandardWorkWeek/StandardWorkHours"):
                i = _WEEKDAYS.get(_text(day, "DayOfWeek"))
                if i is not None:
                    week[i] = _spans_minutes(day)
        holidays, working = [], 0
        for ex in el.findall("HolidayOrExceptions/HolidayOrException"):
            day = values.date(ex, "Date", f"calendar {name!r} exception", needed=False)
            if day is None:
                continue
            times = ex.findall("WorkTime")
            # no working time, or one 00:00-23:59 period, is a non-working day (P6, per MPXJ)
            off = not times or (len(times) == 1 and _spans_minutes(ex) in (0.0, 1440.0))
            if off:
                holidays.append(np.datetime64(day.date(), "D"))
            else:
                working += 1
        info[oid] = (name, week, holidays, working, values.num(el, "HoursPerDay", f"calendar {name!r}"),
                     _text(el, "BaseCalendarObjectId"))
    keys = list(info)
    ids = dict(zip(keys, readable_ids([info[k][0] for k in keys], [f"cal{k}" for k in keys]), strict=True))
    cals = {}
    for oid, (name, week, holidays, working, hpd, base) in info.items():
        seen = {oid}
        hol = list(holidays)
        while base in info and base not in seen:  # inherit the base calendar's week and holidays
            seen.add(base)
            week = week if week is not None else info[base][1]
            hol += info[base][2]
            base = info[base][5]
        if week is None:
            minutes = (hpd if hpd > 0 else 8.0) * 60
            week = [minutes] * 5 + [0.0, 0.0]
        if working:
            warn(f"{values.path.name}: calendar {name!r}: {working} working exception(s) ignored")
        cals[ids[oid]] = calendar_from_week(ids[oid], name, week, hol, hpd if hpd > 0 else None)
    return cals, ids


def _wbs_codes(elements: list[Element], path: Path) -> dict[str, str]:
    """WBS ObjectId -> the dotted ``Code`` path from the top (parent cycles cut, with a warning)."""
    code = {_text(w, "ObjectId"): _text(w, "Code") for w in elements}
    parent = {_text(w, "ObjectId"): _text(w, "ParentObjectId") for w in elements}
    out, cyclic = {}, []
    for w in code:
        parts, cur, seen = [], w, set()
        while cur in code and cur not in seen:
            seen.add(cur)
            parts.append(code[cur])
            cur = parent[cur]
        if cur in seen:
            cyclic.append(w)
        out[w] = ".".join(reversed(parts))
    if cyclic:
        warn(f"{path.name}: WBS parent cycle through {', '.join(cyclic[:5])} (ParentObjectId); "
             "the WBS codes stop where the cycle closes")
    return out


def pmxml_project_ids(path: str | os.PathLike, *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> list[str]:
    """The ids (``Project/Id``) of the projects in a PMXML file, in file order (baselines not included)."""
    _, root = _load(path, max_bytes)
    return _keys(root.findall("Project"))


def _keys(projects: list[Element]) -> list[str]:
    return readable_ids([_text(p, "Id") for p in projects], [_text(p, "ObjectId") for p in projects])


def read_pmxml(path: str | os.PathLike, project_id: str | None = None, *,
               max_bytes: int | None = DEFAULT_MAX_BYTES) -> Project:
    """Read one project of a Primavera P6 XML (PMXML) export, with its baseline.

    Parameters
    ----------
    path : str or path
        The ``.xml`` file (root element ``APIBusinessObjects``).
    project_id : str, optional
        Which project, by its P6 Project ID (``Id``) or ``ObjectId``; needed when the file
        holds several (baseline projects do not count).
    max_bytes : int or None
        Refuse larger files before parsing (default 200 MB; None: no limit).

    Returns
    -------
    pmkit.Project
        Tasks keyed by Activity ID, durations in working days of each activity's calendar,
        links with lags, calendars, resources and assignments, progress at the data date,
        and the baseline from the project's current baseline project (else the planned
        dates and costs of the project itself, as the XER reader does).

    Raises
    ------
    pmkit.errors.PmkitError
        Missing, oversized, unsafe or malformed file, another root element, an unknown
        project, several projects without ``project_id``, unknown constraint or link
        types, numbers that are not numbers, values beyond :data:`pmkit.data.schema.LIMITS`.

    Notes
    -----
    Percent complete follows the activity's ``PercentCompleteType`` as P6 computes it
    (physical, duration or units); ``Completed`` activities are 100 %, ``Not Started`` 0 %.
    Lags count on the calendar named by ``RelationshipLagCalendar`` (predecessor,
    successor, 24-hour or project calendar; successor by default, as for XER).

    Examples
    --------
    >>> import pmkit
    >>> project = pmkit.read_pmxml("export.xml")          # doctest: +SKIP
    >>> project.baseline.head()                           # doctest: +SKIP
    """
    p, root = _load(path, max_bytes)
    projects = root.findall("Project")
    keys = _keys(projects)
    if project_id is None:
        if len(projects) != 1:
            raise PmkitError(f"{p} holds {len(projects)} projects; choose one with project_id "
                             f"(--project on the command line): {', '.join(keys) or 'none'}")
        pos = 0
    else:
        wanted = str(project_id)
        oids = [_text(x, "ObjectId") for x in projects]
        if wanted in keys:
            pos = keys.index(wanted)
        elif wanted in oids:
            pos = oids.index(wanted)
        else:
            raise PmkitError(f"{p}: no project {wanted!r} in the file (it holds: {', '.join(keys) or 'none'})")
    values = _Values(p)
    try:
        project = _project(root, projects[pos], keys[pos], values)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise PmkitError(f"{p}: cannot read P6 XML: {exc}") from None
    values.dates.done()
    return project


def _within(el: Element, root: Element, tag: str) -> list[Element]:
    """Elements of a project: inside it (P6's layout) or, in flat exports, at the top."""
    return el.findall(tag) + root.findall(tag)


def _costs(el: Element, root: Element, values: _Values, field: str) -> pd.Series:
    """Sum per ActivityObjectId of ``field`` over assignments and expenses."""
    rows = [(_text(a, "ActivityObjectId"), values.num(a, field, f"{a.tag} {_text(a, 'ObjectId')}", 0.0))
            for tag in ("ResourceAssignment", "ActivityExpense")
            for a in (el.findall(tag) if el is root else _within(el, root, tag))]
    if not rows:
        return pd.Series(dtype=float)
    df = pd.DataFrame(rows, columns=["activity", "cost"])
    return df.groupby("activity")["cost"].sum()


def _project(root: Element, el: Element, key: str, values: _Values) -> Project:
    path = values.path
    cals, cal_ids = _calendars(root.findall("Calendar") + el.findall("Calendar"), values)
    project_cal = cals.get(cal_ids.get(_text(el, "ActivityDefaultCalendarObjectId"), ""))
    if project_cal is None:
        flagged = [c for c in root.findall("Calendar") + el.findall("Calendar") if _text(c, "IsDefault") == "1"
                   or _text(c, "IsDefault").lower() == "true"]
        project_cal = cals.get(cal_ids.get(_text(flagged[0], "ObjectId"), "")) if flagged else None
    if project_cal is None:
        project_cal = Calendar("standard", "Standard")
        cals.setdefault("standard", project_cal)
    wbs = _wbs_codes(el.findall("WBS"), path)

    acts = el.findall("Activity")
    oids = [_text(a, "ObjectId") for a in acts]
    tid = readable_ids([_text(a, "Id") for a in acts], oids)
    internal = dict(zip(oids, tid, strict=True))
    names = [_text(a, "Name") for a in acts]
    where = [f"activity {t} ({n})" if n else f"activity {t}" for t, n in zip(tid, names, strict=True)]
    t_cal = [cal_ids.get(_text(a, "CalendarObjectId"), "") for a in acts]
    hpd = np.array([cals.get(c, project_cal).hours_per_day for c in t_cal], dtype=float)
    planned_cost = _costs(el, root, values, "PlannedCost")
    actual_cost = _costs(el, root, values, "ActualCost")

    rows, status, bl_rows, secondary = [], [], [], 0
    for a, t, w, h, cal_id, oid in zip(acts, tid, where, hpd, t_cal, oids, strict=True):
        milestone = _text(a, "Type") in PMXML_MILESTONES
        hours = values.num(a, "PlannedDuration", w, 0.0)
        days = 0.0 if milestone else max(0.0, hours / h)
        check_days(days, source=str(path), where=w, field="PlannedDuration", raw=f"{hours:g} hours")
        raw_c = _text(a, "PrimaryConstraintType")
        if raw_c not in PMXML_CONSTRAINTS and raw_c not in PMXML_NO_CONSTRAINT:
            raise PmkitError(f"{path}: {w}: unknown PrimaryConstraintType {raw_c!r} (known: "
                             f"{', '.join(sorted(PMXML_CONSTRAINTS))}, or blank for none)")
        ctype = PMXML_CONSTRAINTS.get(raw_c, "ASAP")
        cdate = values.date(a, "PrimaryConstraintDate", w) if ctype not in ("ASAP", "ALAP") else None
        if cdate is None and ctype not in ("ASAP", "ALAP"):
            warn(f"{path.name}: {w} has constraint {raw_c!r} without a date; read as ASAP")
            ctype = "ASAP"
        if _text(a, "SecondaryConstraintType") not in PMXML_NO_CONSTRAINT:
            secondary += 1
        cost = float(planned_cost.get(oid, 0.0))
        rows.append({"task_id": t, "name": _text(a, "Name"), "wbs": wbs.get(_text(a, "WBSObjectId"), ""),
                     "duration_days": round(days, 9), "budget_cost": cost, "milestone": milestone,
                     "constraint_type": ctype, "constraint_date": cdate,
                     "calendar_id": cal_id if cal_id in cals and cal_id != project_cal.calendar_id else ""})
        b_start = values.date(a, "PlannedStartDate", f"{w} planned dates", needed=False)
        b_finish = values.date(a, "PlannedFinishDate", f"{w} planned dates", needed=False)
        if b_start is not None and b_finish is not None:
            bl_rows.append({"task_id": t, "baseline_start": b_start, "baseline_finish": b_finish,
                            "baseline_cost": cost})
        a_start, a_finish = values.date(a, "ActualStartDate", w), values.date(a, "ActualFinishDate", w)
        pct = _percent(a, values, w, hours)
        if a_start is not None or pct > 0:
            remain_hr = values.num(a, "RemainingDuration", w, math.nan)
            remain = math.nan if math.isnan(remain_hr) else max(0.0, remain_hr / h)
            check_days(remain, source=str(path), where=w, field="RemainingDuration", raw=f"{remain_hr:g} hours")
            status.append({"task_id": t, "percent_complete": pct, "actual_start": a_start, "actual_finish": a_finish,
                           "actual_cost": float(actual_cost.get(oid, 0.0)), "remaining_days": remain})
    if secondary:
        warn(f"{path.name}: secondary constraints (SecondaryConstraintType) of {secondary} activity(ies) "
             "are not supported and were ignored")
    tasks = pd.DataFrame(rows, columns=["task_id", "name", "wbs", "duration_days", "budget_cost", "milestone",
                                        "constraint_type", "constraint_date", "calendar_id"])
    if not len(tasks):
        no_tasks_warning(path.name, key)
    deps = _links(root, el, internal, dict(zip(oids, t_cal, strict=True)), cals, project_cal, values)

    baseline = _baseline(root, el, values, cals, cal_ids) if _text(el, "CurrentBaselineProjectObjectId") else None
    if baseline is None:
        baseline = pd.DataFrame(bl_rows, columns=["task_id", "baseline_start", "baseline_finish", "baseline_cost"])
    baseline = baseline[baseline["task_id"].isin(set(tid))].reset_index(drop=True)

    start = (values.date(el, "PlannedStartDate", f"project {key}") or values.date(el, "StartDate", f"project {key}")
             or (baseline["baseline_start"].min() if len(baseline) else None))
    if start is None or pd.isna(start):
        raise PmkitError(f"{path}: project {key} has no PlannedStartDate and no activity dates")
    status_df = None
    status_date = values.date(el, "DataDate", f"project {key}")
    if status:
        status_df = pd.DataFrame(status)
        latest = pd.concat([status_df["actual_start"], status_df["actual_finish"]]).dropna()
        candidates = [d for d in (status_date, latest.max() if len(latest) else None, start) if d is not None]
        status_date = max(candidates)
        status_df.insert(0, "status_date", status_date)
    resources, roles, assignments = _resources(root, el, internal, cals, cal_ids, project_cal, values)
    return Project(
        project_id=key, name=_text(el, "Name") or key, start_date=start,
        status_date=status_date if status_df is not None else None,
        state="active" if status_df is not None else "proposed", budget=float(tasks["budget_cost"].sum()),
        calendar=project_cal, calendars=cals, tasks=tasks, dependencies=deps, baseline=baseline,
        status=status_df, assignments=assignments, roles=roles, resources=resources,
    )


def _percent(a: Element, values: _Values, where: str, planned_hours: float) -> float:
    """Percent complete by the activity's type, as P6 computes it (fractions in PMXML)."""
    state = _text(a, "Status")
    if state == "Completed":
        return 100.0
    if state == "Not Started":
        return 0.0
    kind = _text(a, "PercentCompleteType")
    field = {"Physical": "PhysicalPercentComplete", "Units": "UnitsPercentComplete"}.get(kind,
                                                                                       "DurationPercentComplete")
    frac = values.num(a, field, where, math.nan)
    if math.isnan(frac) and field == "DurationPercentComplete" and planned_hours > 0:
        remain = values.num(a, "RemainingDuration", where, planned_hours)
        frac = (planned_hours - remain) / planned_hours
    return float(np.clip(round(0.0 if math.isnan(frac) else frac * 100.0, 6), 0.0, 100.0))


def _links(root: Element, el: Element, internal: dict, cal_of: dict, cals: dict, project_cal: Calendar,
           values: _Values) -> pd.DataFrame:
    path = values.path
    option = _text(el, "ScheduleOptions/RelationshipLagCalendar") or _text(el, "RelationshipLagCalendar")
    rows, outside = [], 0
    for r in _within(el, root, "Relationship"):
        pred, succ = _text(r, "PredecessorActivityObjectId"), _text(r, "SuccessorActivityObjectId")
        if succ not in internal and pred not in internal:
            continue  # a link of another project in the same file
        if succ not in internal or pred not in internal:
            outside += 1
            continue
        where = f"link {internal[pred]} -> {internal[succ]}"
        raw = _text(r, "Type")
        if raw not in PMXML_LINK_TYPES:
            raise PmkitError(f"{path}: {where}: unknown Relationship Type {raw!r} "
                             f"(known: {', '.join(PMXML_LINK_TYPES)})")
        if option.startswith("Predecessor"):
            hours_per_day = cals.get(cal_of[pred], project_cal).hours_per_day
        elif option.startswith("24"):
            hours_per_day = 24.0
        elif option.startswith("Project"):
            hours_per_day = project_cal.hours_per_day
        else:
            hours_per_day = cals.get(cal_of[succ], project_cal).hours_per_day
        lag_hr = values.num(r, "Lag", where, 0.0)
        lag = check_days(lag_hr / hours_per_day, source=str(path), where=where, field="Lag",
                         raw=f"{lag_hr:g} hours", kind="lag")
        rows.append({"predecessor_id": internal[pred], "successor_id": internal[succ],
                     "type": PMXML_LINK_TYPES[raw], "lag_days": round(lag, 9)})
    if outside:
        warn(f"{path.name}: {outside} link(s) to activities of other projects ignored")
    deps = pd.DataFrame(rows, columns=["predecessor_id", "successor_id", "type", "lag_days"])
    dup = deps.duplicated(["predecessor_id", "successor_id"])
    if dup.any():
        warn(f"{path.name}: {int(dup.sum())} duplicate link(s) between the same activities ignored")
    return deps[~dup].reset_index(drop=True)


def _baseline(root: Element, el: Element, values: _Values, cals: dict, cal_ids: dict) -> pd.DataFrame | None:
    """Planned dates and planned cost of the current baseline project's activities, by activity Id."""
    wanted = _text(el, "CurrentBaselineProjectObjectId")
    found = [b for b in root.findall("BaselineProject") if _text(b, "ObjectId") == wanted]
    if not found:
        warn(f"{values.path.name}: project {_text(el, 'Id')}: baseline project {wanted} "
             "(CurrentBaselineProjectObjectId) is not in the file; the planned dates are used as baseline")
        return None
    b = found[0]
    cost = _costs(b, b, values, "PlannedCost")
    rows = []
    for a in b.findall("Activity"):
        code = _text(a, "Id")
        where = f"baseline activity {code}"
        s = values.date(a, "PlannedStartDate", where, needed=False)
        f = values.date(a, "PlannedFinishDate", where, needed=False)
        if code and s is not None and f is not None:
            rows.append({"task_id": code, "baseline_start": s, "baseline_finish": f,
                         "baseline_cost": float(cost.get(_text(a, "ObjectId"), 0.0))})
    return pd.DataFrame(rows, columns=["task_id", "baseline_start", "baseline_finish", "baseline_cost"])


def _resources(root: Element, el: Element, internal: dict, cals: dict, cal_ids: dict, project_cal: Calendar,
               values: _Values):
    role_els = root.findall("Role")
    role_key = dict(zip([_text(r, "ObjectId") for r in role_els],
                        readable_ids([_text(r, "Id") for r in role_els], [_text(r, "ObjectId") for r in role_els]),
                        strict=True))
    roles = (pd.DataFrame({"role_id": list(role_key.values()), "name": [_text(r, "Name") for r in role_els]})
             if role_els else None)
    res_els = root.findall("Resource")
    res_oids = [_text(r, "ObjectId") for r in res_els]
    res_key = dict(zip(res_oids, readable_ids([_text(r, "Id") for r in res_els], res_oids), strict=True))
    rate: dict[str, tuple] = {}
    for r in root.findall("ResourceRate"):
        rid = _text(r, "ResourceObjectId")
        day = values.date(r, "EffectiveDate", f"rate of resource {rid}", needed=False) or pd.Timestamp.min
        price = values.num(r, "PricePerUnit", f"rate of resource {rid}")
        if rid not in rate or day < rate[rid][0]:  # the first rate of each resource, as for XER
            rate[rid] = (day, price)
    resources = None
    if res_els:
        rows = []
        for r, oid in zip(res_els, res_oids, strict=True):
            cal_id = cal_ids.get(_text(r, "CalendarObjectId"), "")
            per_hour = rate.get(oid, (None, math.nan))[1]
            units = values.num(r, "DefaultUnitsPerTime", f"resource {res_key[oid]}", math.nan)
            if math.isnan(units):
                units = values.num(r, "MaxUnitsPerTime", f"resource {res_key[oid]}", 1.0)
            rows.append({"resource_id": res_key[oid], "name": _text(r, "Name") or res_key[oid],
                         "role_id": role_key.get(_text(r, "PrimaryRoleObjectId"), ""), "capacity_units": units,
                         "cost_rate_per_day": None if math.isnan(per_hour)
                         else per_hour * cals.get(cal_id, project_cal).hours_per_day,
                         "calendar_id": cal_id if cal_id in cals and cal_id != project_cal.calendar_id else ""})
        resources = pd.DataFrame(rows)
    asg = []
    for a in _within(el, root, "ResourceAssignment"):
        t = internal.get(_text(a, "ActivityObjectId"))
        r, ro = res_key.get(_text(a, "ResourceObjectId"), ""), role_key.get(_text(a, "RoleObjectId"), "")
        if t is None or not (r or ro):
            continue
        units = values.num(a, "PlannedUnitsPerTime", f"assignment on activity {t}", math.nan)
        if math.isnan(units):
            units = values.num(a, "RemainingUnitsPerTime", f"assignment on activity {t}", 1.0)
        asg.append({"task_id": t, "resource_id": r, "role_id": "" if r else ro, "units": units})
    if not asg:
        return resources, roles, None
    return resources, roles, pd.DataFrame(asg).drop_duplicates(["task_id", "resource_id", "role_id"])


__all__ = ["PMXML_CONSTRAINTS", "PMXML_LINK_TYPES", "pmxml_project_ids", "read_pmxml"]
