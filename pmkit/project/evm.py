"""Earned value management (EVM) and earned schedule (ES).

The time-phased baseline spreads each task's ``baseline_cost`` evenly over the working
days of its calendar between ``baseline_start`` and ``baseline_finish`` (both inclusive).
Planned value (PV) at a date is the baseline cost planned *through the end* of that date.
At every status date, earned value (EV) is ``percent_complete / 100 x baseline_cost`` and
actual cost (AC) is the cumulative ``actual_cost`` of the latest progress record on or
before that date (records carry forward until a newer one exists).

Roll-ups (per WBS branch, per project) sum PV, EV and AC first and compute the indices
from the sums; averaging indices would weight a 100-euro task like a million-euro one.

Formulas (PMBOK Guide 7th ed., section 2.7 "Measurement performance domain", and the
PMI *Practice Standard for Earned Value Management*, 2nd ed., 2011):

=================  ===============================================
SV, CV             ``EV - PV``, ``EV - AC``
SPI, CPI           ``EV / PV``, ``EV / AC``
EAC (budget rate)  ``AC + (BAC - EV)`` (atypical variances)
EAC (CPI)          ``BAC / CPI`` (typical: cost performance persists)
EAC (CPI x SPI)    ``AC + (BAC - EV) / (CPI x SPI)``
EAC (composite)    ``AC + (BAC - EV) / (0.8 CPI + 0.2 SPI)``
ETC, VAC           ``EAC - AC``, ``BAC - EAC``
TCPI (BAC, EAC)    ``(BAC - EV) / (BAC - AC)``, ``(BAC - EV) / (EAC - AC)``
=================  ===============================================

Earned schedule (Lipke, "Schedule is Different", *The Measurable News*, March 2003;
Henderson, "Earned Schedule: A Breakthrough Extension to EVM", 2004; Lipke, *Earned
Schedule*, 2009) measures time in working days of the project calendar from the project
start: ``ES = C + (EV - PV_C) / (PV_{C+1} - PV_C)`` where ``C`` is the last day whose
cumulative PV does not exceed EV; ``SV(t) = ES - AT``, ``SPI(t) = ES / AT``, the
independent time estimate ``IEAC(t) = AT + (PD - ES) / PF`` with performance factor
``PF`` 1, SPI or SPI(t), and the schedule adherence
``p = sum_i min(PV_i(ES), EV_i) / PV(ES)`` (Lipke 2004, "Connecting Earned Value to the
Schedule", *The Measurable News*; Lipke 2009, ch. 4).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..data.calendars import Calendar
from ..data.model import Project
from ..errors import PmkitError

#: Working-day indices are counted from this day; any fixed day works.
_EPOCH = np.datetime64("1970-01-01", "D")

#: Earned schedule columns of ``earned_value(by="project")``, always present (NaN / NaT
#: where undefined), in this order after the cost columns.
SCHEDULE_COLUMNS = ("at_days", "pd_days", "es_days", "es_date", "sv_t", "spi_t", "ieac_t_pf1", "ieac_t_spi",
                    "ieac_t_spi_t", "p_factor", "baseline_finish", "forecast_finish")

#: EAC methods (``eac_method=`` keys) and the column each one fills.
EAC_METHODS = {
    "budget_rate": "eac_budget_rate",
    "cpi": "eac_cpi",
    "cpi_spi": "eac_cpi_spi",
    "composite": "eac_composite",
}


# --------------------------------------------------------------------------- helpers

def _div(num, den) -> np.ndarray:
    """``num / den`` with NaN where the denominator is 0 (an index is undefined there)."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _wd_index(cal: Calendar, dates) -> np.ndarray:
    """Working days of ``cal`` from the epoch through the end of each date (inclusive)."""
    d = np.asarray(dates, dtype="datetime64[D]")
    return np.busday_count(_EPOCH, d + np.timedelta64(1, "D"), busdaycal=cal.busdaycal).astype(float)


def _date_of_days(cal: Calendar, origin, days) -> np.ndarray:
    """Date of the working day of ``cal`` in which a duration of ``days`` from ``origin`` ends.

    Day 1 is the origin itself (rolled forward to a working day); 0 also maps to it; NaN
    gives NaT. Fractions round up: 2.5 days end on the third working day.
    """
    days = np.asarray(days, dtype=float)
    finite = np.isfinite(days)
    whole = np.where(finite, np.maximum(np.ceil(np.where(finite, days, 0.0) - 1e-9) - 1, 0), 0)
    out = cal.offset_to_date(origin, whole).astype("datetime64[ns]")
    return np.where(finite, out, np.datetime64("NaT"))


def _summary_task_ids(project: Project) -> set[str]:
    parents = project.tasks["parent_id"].astype(str)
    return set(parents[parents != ""])


def _task_calendar_ids(project: Project, task_ids: pd.Series) -> np.ndarray:
    """Calendar id of each task (blank in the tasks table: the project calendar)."""
    cal_of = dict(zip(project.tasks["task_id"].astype(str), project.tasks["calendar_id"].astype(str),
                      strict=True))
    out = np.array([cal_of.get(t, "") or project.calendar.calendar_id for t in task_ids.astype(str)],
                   dtype=object)
    unknown = sorted(set(out) - set(project.calendars))
    if unknown:
        raise PmkitError(f"project {project.project_id}: tasks use unknown calendar {unknown[0]!r}")
    return out


class _Baseline:
    """The time-phased baseline of a project: per task, a linear ramp in working days.

    Task ``i`` on calendar ``c`` plans ``rate_i = cost_i / n_i`` per working day over the
    working-day indices ``(a_i, b_i]`` of ``c``. PV of the task through the end of date ``d`` is
    ``rate_i * clip(x_c(d) - a_i, 0, n_i)``. A task whose span holds no working day is moved
    onto the last working day on or before its finish, so its cost is still planned.
    """

    def __init__(self, project: Project, basis: str = "baseline"):
        if basis not in ("baseline", "schedule", "auto"):
            raise PmkitError(f"basis must be 'baseline', 'schedule' or 'auto', not {basis!r}")
        if basis == "auto":
            basis = "baseline" if len(project.baseline) else "schedule"
        self.basis = basis
        bl = project.baseline if basis == "baseline" else schedule_baseline(project)
        if not len(bl):
            raise PmkitError(f"project {project.project_id}: no baseline; earned value needs the "
                             "'baseline' table (baseline_start, baseline_finish, baseline_cost per task)")
        summary = _summary_task_ids(project)
        bl = bl[~bl["task_id"].astype(str).isin(summary)].reset_index(drop=True)
        bad = bl["baseline_finish"] < bl["baseline_start"]
        if bad.any():
            t = bl.loc[bad, "task_id"].iloc[0]
            raise PmkitError(f"project {project.project_id}, task {t}: baseline_finish is before baseline_start")
        self.project = project
        self.task_ids = bl["task_id"].astype(str).to_numpy(dtype=object)
        self.cost = bl["baseline_cost"].to_numpy(dtype=float)
        self.start = bl["baseline_start"].to_numpy(dtype="datetime64[D]")
        self.finish = bl["baseline_finish"].to_numpy(dtype="datetime64[D]")
        self.cal_ids = _task_calendar_ids(project, bl["task_id"])
        self.a = np.empty(len(bl))
        self.b = np.empty(len(bl))
        for cid in np.unique(self.cal_ids) if len(bl) else []:
            m = self.cal_ids == cid
            cal = project.calendars[cid]
            self.a[m] = _wd_index(cal, self.start[m] - np.timedelta64(1, "D"))
            self.b[m] = _wd_index(cal, self.finish[m])
        self.n = np.maximum(self.b - self.a, 1.0)
        self.a = self.b - self.n
        self.rate = self.cost / self.n
        self.bac = float(self.cost.sum())
        # the time axis of earned schedule: working days of the project calendar from the start
        self.origin = min(np.datetime64(project.start_date, "D"), self.start.min()) if len(bl) \
            else np.datetime64(project.start_date, "D")
        self.planned_finish = self.finish.max() if len(bl) else self.origin
        self.pd_days = float(self.time_of(self.planned_finish))

    # ---------------------------------------------------------------- time axis
    def time_of(self, dates) -> np.ndarray:
        """Working days of the project calendar from the origin through the end of each date."""
        cal = self.project.calendar
        return _wd_index(cal, dates) - _wd_index(cal, self.origin - np.timedelta64(1, "D"))

    def date_of(self, days) -> np.ndarray:
        """Date of the project working day in which a duration of ``days`` ends (0 -> origin)."""
        return _date_of_days(self.project.calendar, self.origin, days)

    # ---------------------------------------------------------------- planned value
    def task_pv(self, date) -> np.ndarray:
        """Planned value of every task through the end of ``date``."""
        x = np.empty(len(self.cost))
        for cid in np.unique(self.cal_ids):
            m = self.cal_ids == cid
            x[m] = _wd_index(self.project.calendars[cid], np.datetime64(date, "D"))
        return self.rate * np.clip(x - self.a, 0.0, self.n)

    def total_pv(self, dates) -> np.ndarray:
        """Cumulative project PV through the end of each date, in O((tasks + dates) log tasks).

        ``sum_i rate_i * (max(x - a_i, 0) - max(x - b_i, 0))`` evaluated with sorted break
        points and prefix sums, so a daily curve of a 100,000-task project stays cheap.
        """
        dates = np.asarray(dates, dtype="datetime64[D]")
        total = np.zeros(dates.shape, dtype=float)
        for cid in np.unique(self.cal_ids):
            m = self.cal_ids == cid
            x = _wd_index(self.project.calendars[cid], dates)
            total += _ramp_sum(self.a[m], self.rate[m], x) - _ramp_sum(self.b[m], self.rate[m], x)
        return total


def _ramp_sum(knots: np.ndarray, rate: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``sum_i rate_i * max(x - knots_i, 0)`` for every x."""
    if not len(knots):
        return np.zeros(np.shape(x))
    # shift the origin to the first knot: day counts since 1970 times large rates would lose
    # digits to cancellation in x * sum(r) - sum(r * k)
    k0 = knots.min()
    order = np.argsort(knots, kind="stable")
    k = knots[order] - k0
    r = rate[order]
    x = np.asarray(x, dtype=float) - k0
    cum_r = np.r_[0.0, np.cumsum(r)]
    cum_rk = np.r_[0.0, np.cumsum(r * k)]
    j = np.searchsorted(k, x, side="right")
    return x * cum_r[j] - cum_rk[j]


def _project_days(bl: _Baseline, start, end) -> np.ndarray:
    """Every working day of the project calendar in ``[start, end]``."""
    cal = bl.project.calendar
    s = np.datetime64(start, "D")
    e = np.datetime64(end, "D")
    days = np.arange(s, e + np.timedelta64(1, "D"), dtype="datetime64[D]")
    return days[cal.is_working_day(days)]


# --------------------------------------------------------------------------- planned value

def schedule_baseline(project: Project, schedule: pd.DataFrame | None = None) -> pd.DataFrame:
    """A baseline-shaped table from the current schedule and the task budgets.

    For a project that has no ``baseline`` rows yet (a proposed project being planned):
    each task's ``baseline_start`` / ``baseline_finish`` are its early start and early
    finish from :func:`pmkit.schedule` (critical path method, dates inclusive as in the
    ``baseline`` table) and ``baseline_cost`` is its ``budget_cost``. This is the cost
    baseline the project would get if it were baselined on its current plan (PMBOK Guide
    7th ed., 2.4 "Planning performance domain": the time-phased budget).

    Parameters
    ----------
    project : Project
    schedule : DataFrame, optional
        :func:`pmkit.schedule` output, if already computed.

    Returns
    -------
    DataFrame
        ``task_id``, ``baseline_start``, ``baseline_finish``, ``baseline_cost``, one row per
        task (summary tasks included; :func:`planned_value` leaves them out).

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.evm import schedule_baseline
    >>> prj = pmkit.synth.project(30, seed=1)
    >>> sb = schedule_baseline(prj)
    >>> bool(abs(sb["baseline_cost"].sum() - prj.tasks["budget_cost"].sum()) < 1e-6)
    True
    """
    if schedule is None:
        from .scheduling import schedule as _schedule

        schedule = _schedule(project)
    cost = project.tasks.set_index(project.tasks["task_id"].astype(str))["budget_cost"].astype(float)
    ids = schedule["task_id"].astype(str)
    # work already done keeps its actual dates where the schedule reports them
    start = pd.to_datetime(schedule["early_start"]).fillna(pd.to_datetime(schedule["actual_start"]))
    finish = pd.to_datetime(schedule["early_finish"]).fillna(pd.to_datetime(schedule["actual_finish"]))
    undated = start.isna() | finish.isna()
    if undated.any():
        which = ", ".join(ids[undated].head(5))
        raise PmkitError(f"project {project.project_id}: task{'s' if undated.sum() > 1 else ''} {which} "
                         f"{'have' if undated.sum() > 1 else 'has'} no scheduled or actual dates, so the cost "
                         "cannot be placed in time; report actual_start and actual_finish")
    return pd.DataFrame({
        "task_id": ids.to_numpy(),
        "baseline_start": start.dt.normalize().to_numpy(),
        "baseline_finish": finish.dt.normalize().to_numpy(),
        "baseline_cost": cost.reindex(ids).fillna(0.0).to_numpy(),
    })


def planned_value(project: Project, freq: str = "D", start=None, end=None, basis: str = "auto") -> pd.DataFrame:
    """The time-phased baseline: planned value per period and cumulative.

    Each task's ``baseline_cost`` is spread evenly over the working days of its calendar
    from ``baseline_start`` to ``baseline_finish`` (PMBOK Guide 7th ed., 2.7: the
    performance measurement baseline). Summary tasks (parents of other tasks) are left
    out so nothing is counted twice.

    A project without ``baseline`` rows (a proposed project) gets its planned cost curve
    from the current schedule and task budgets instead (:func:`schedule_baseline`), so a
    plan can be reviewed before it is baselined. The result's ``attrs["basis"]`` says
    which was used (``"baseline"`` or ``"schedule"``).

    Parameters
    ----------
    project : Project
        With a ``baseline`` table, or tasks with ``budget_cost`` for ``basis="schedule"``.
    basis : {"auto", "baseline", "schedule"}
        ``"auto"`` (default): the baseline when the project has one, else the schedule;
        ``"baseline"`` requires the baseline; ``"schedule"`` always uses the current
        schedule (early dates) and task budgets.
    freq : {"D", "W", "M"}
        One row per working day of the project calendar, per week (ending Sunday) or per
        calendar month; the date is the period's last day.
    start, end : date-like, optional
        Range of the curve; default from the first baseline start to the last baseline finish.

    Returns
    -------
    DataFrame
        ``date``, ``pv`` (planned in the period), ``pv_cumulative``, ``bac``.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.evm import planned_value
    >>> prj = pmkit.synth.project(30, seed=1)
    >>> curve = planned_value(prj, freq="M")
    >>> bool(abs(curve["pv_cumulative"].iloc[-1] - prj.bac) < 1e-6)
    True
    """
    bl = _Baseline(project, basis)
    s = bl.origin if start is None else np.datetime64(pd.Timestamp(start), "D")
    e = bl.planned_finish if end is None else np.datetime64(pd.Timestamp(end), "D")
    if freq == "D":
        dates = _project_days(bl, s, e)
    elif freq in ("W", "M"):
        rule = "W-SUN" if freq == "W" else "ME"
        dates = pd.date_range(pd.Timestamp(s), pd.Timestamp(e) + (pd.offsets.Week(weekday=6) if freq == "W"
                              else pd.offsets.MonthEnd(0)), freq=rule).to_numpy(dtype="datetime64[D]")
    else:
        raise PmkitError(f"planned_value: freq must be 'D', 'W' or 'M', not {freq!r}")
    cum = bl.total_pv(dates)
    out = pd.DataFrame({
        "date": pd.to_datetime(dates),
        "pv": np.diff(np.r_[bl.total_pv(np.array([s - np.timedelta64(1, "D")]))[0:1], cum]),
        "pv_cumulative": cum,
        "bac": bl.bac,
    })
    out.attrs["basis"] = bl.basis
    return out


# --------------------------------------------------------------------------- progress

def _progress_at(project: Project, status_date, task_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Percent complete and cumulative actual cost of each task at a status date.

    The latest record of each task on or before the date counts; tasks without one are
    not started (0 %, no cost).
    """
    st = project.status
    st = st[st["status_date"] <= pd.Timestamp(status_date)]
    st = st.sort_values("status_date", kind="stable").drop_duplicates("task_id", keep="last")
    pos = pd.Index(st["task_id"].astype(str)).get_indexer(pd.Index(task_ids))
    # a trailing 0 is what a task without a record reads (pos -1), also when there are no records
    pct = np.r_[st["percent_complete"].to_numpy(dtype=float), 0.0][pos]
    ac = np.r_[st["actual_cost"].fillna(0.0).to_numpy(dtype=float), 0.0][pos]
    return pct, ac


def _status_dates(project: Project, status_dates) -> list[pd.Timestamp]:
    if status_dates is None:
        return project.status_dates
    if isinstance(status_dates, str | pd.Timestamp) or not isinstance(status_dates, Iterable):
        status_dates = [status_dates]
    return [pd.Timestamp(d) for d in status_dates]


def _task_frame(project: Project, bl: _Baseline, status_date) -> pd.DataFrame:
    """BAC, PV, EV, AC of every task at one status date (baselined tasks plus costed extras)."""
    st = project.status
    summary = _summary_task_ids(project)
    extra = np.setdiff1d(st.loc[st["status_date"] <= pd.Timestamp(status_date), "task_id"].astype(str).unique(),
                         np.r_[bl.task_ids, np.array(sorted(summary), dtype=object)].astype(str))
    ids = np.r_[bl.task_ids, extra].astype(object)
    pct, ac = _progress_at(project, status_date, ids)
    bac = np.r_[bl.cost, np.zeros(len(extra))]
    # work outside the baseline earns nothing, but its actual cost counts (PMI practice standard)
    pv = np.r_[bl.task_pv(np.datetime64(pd.Timestamp(status_date), "D")), np.zeros(len(extra))]
    return pd.DataFrame({"status_date": pd.Timestamp(status_date), "task_id": ids, "bac": bac, "pv": pv,
                         "ev": pct / 100.0 * bac, "ac": ac, "percent_complete": pct})


def performance_indices(df: pd.DataFrame, eac_method: str = "cpi") -> pd.DataFrame:
    """Add variances, indices and forecasts to a frame with ``bac``, ``pv``, ``ev``, ``ac``.

    Works on any level (task, WBS branch, project) because it only uses the four sums;
    indices are NaN where their denominator is zero (for example CPI before any cost).
    ``eac_method`` (``"budget_rate"``, ``"cpi"``, ``"cpi_spi"``, ``"composite"``) selects
    the estimate copied to ``eac`` and used for ``etc``, ``vac`` and ``tcpi_eac``.
    Formulas: PMBOK Guide 7th ed. 2.7.2.2 and PMI Practice Standard for EVM (2011), ch. 6.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmkit.project.evm import performance_indices
    >>> row = pd.DataFrame({"bac": [1000.0], "pv": [500.0], "ev": [400.0], "ac": [500.0]})
    >>> out = performance_indices(row)
    >>> float(out["cpi"].iloc[0]), float(out["spi"].iloc[0]), float(out["eac"].iloc[0])
    (0.8, 0.8, 1250.0)
    """
    if eac_method not in EAC_METHODS:
        raise PmkitError(f"eac_method must be one of {', '.join(EAC_METHODS)}, not {eac_method!r}")
    bac, pv, ev, ac = (df[c].to_numpy(dtype=float) for c in ("bac", "pv", "ev", "ac"))
    spi = _div(ev, pv)
    cpi = _div(ev, ac)
    out = df.copy()
    out["sv"] = ev - pv
    out["cv"] = ev - ac
    out["spi"] = spi
    out["cpi"] = cpi
    if "percent_complete" not in out:
        out["percent_complete"] = 100.0 * _div(ev, bac)
    out["percent_spent"] = 100.0 * _div(ac, bac)
    remaining = bac - ev
    out["eac_budget_rate"] = ac + remaining
    out["eac_cpi"] = _div(bac, cpi)
    out["eac_cpi_spi"] = ac + _div(remaining, cpi * spi)
    out["eac_composite"] = ac + _div(remaining, 0.8 * cpi + 0.2 * spi)
    # nothing left to do: every method agrees the estimate is what was spent
    for c in EAC_METHODS.values():
        out[c] = np.where(remaining == 0, ac, out[c])
    eac = out[EAC_METHODS[eac_method]].to_numpy(dtype=float)
    out["eac"] = eac
    out["etc"] = eac - ac
    out["vac"] = bac - eac
    # with no work left the efficiency still needed is undefined, not zero
    done = remaining == 0
    out["tcpi_bac"] = np.where(done, np.nan, _div(remaining, bac - ac))
    out["tcpi_eac"] = np.where(done, np.nan, _div(remaining, eac - ac))
    return out


def task_values(project: Project, status_date=None, eac_method: str = "cpi") -> pd.DataFrame:
    """PV, EV, AC, variances, indices and forecasts of every task at one status date.

    ``status_date`` defaults to the project's latest. See :func:`performance_indices`.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.evm import task_values
    >>> tv = task_values(pmkit.synth.project(30, seed=1))
    >>> list(tv.columns[:6])
    ['status_date', 'task_id', 'name', 'wbs', 'bac', 'pv']
    """
    bl = _Baseline(project)
    date = status_date if status_date is not None else (project.status_date or _latest(project))
    df = _task_frame(project, bl, date)
    names = project.tasks.set_index(project.tasks["task_id"].astype(str))
    df.insert(2, "name", df["task_id"].map(names["name"]).fillna(""))
    df.insert(3, "wbs", df["task_id"].map(names["wbs"]).fillna(""))
    return performance_indices(df, eac_method)


def _latest(project: Project) -> pd.Timestamp:
    dates = project.status_dates
    if not dates:
        raise PmkitError(f"project {project.project_id}: no status records; earned value needs the 'status' table")
    return dates[-1]


def wbs_prefix(codes: pd.Series, level: int) -> pd.Series:
    """The first ``level`` parts of dotted WBS codes (``"1.2.3"`` at level 2 is ``"1.2"``)."""
    if level < 1:
        raise PmkitError(f"WBS level must be 1 or more, not {level}")
    return codes.astype(str).str.split(".").str[:level].str.join(".")


# --------------------------------------------------------------------------- earned schedule

def earned_schedule(pv_cumulative, ev) -> np.ndarray:
    """Earned schedule from a cumulative PV series, in periods (Lipke 2003).

    ``pv_cumulative[k - 1]`` is the planned value through the end of period ``k``; time 0
    has PV 0. For each earned value, ``C`` is the last period with ``PV_C <= EV`` and
    ``ES = C + (EV - PV_C) / (PV_{C+1} - PV_C)``; once EV reaches the final PV, ES is the
    planned duration (the number of periods).

    Source: W. Lipke, "Schedule is Different", *The Measurable News*, March 2003,
    pp. 31-34; PMI *Practice Standard for EVM*, 2nd ed. (2011), appendix D.

    Parameters
    ----------
    pv_cumulative : array-like
        Non-decreasing cumulative planned value at the end of each period.
    ev : float or array-like
        Cumulative earned value(s).

    Returns
    -------
    ndarray
        ES in periods, same shape as ``ev``.

    Examples
    --------
    Week 7 of Vanhoucke's example (PM Knowledge Center, "Measuring time: earned value or
    earned schedule?"): EV 90 lies between PV 85 (week 5) and 120 (week 6), so
    ES = 5 + 5 / 35 = 5.14 weeks (only weeks 5 and 6 matter; the other PVs are filler).

    >>> from pmkit.project.evm import earned_schedule
    >>> pv = [10, 25, 45, 65, 85, 120, 150, 180, 200]
    >>> round(float(earned_schedule(pv, 90)), 2)
    5.14
    """
    pv = np.r_[0.0, np.asarray(pv_cumulative, dtype=float)]
    if np.any(np.diff(pv) < -1e-9 * max(1.0, float(np.abs(pv).max()))):
        raise PmkitError("earned_schedule: cumulative planned value must not decrease")
    ev = np.asarray(ev, dtype=float)
    n = len(pv) - 1
    c = np.clip(np.searchsorted(pv, ev, side="right") - 1, 0, n)
    nxt = np.minimum(c + 1, n)
    frac = _div(ev - pv[c], pv[nxt] - pv[c])
    es = np.where(c >= n, float(n), c + np.nan_to_num(frac))
    return np.where(np.isnan(ev), np.nan, es)


def earned_schedule_indices(es, at, pd_days, spi=None) -> dict[str, np.ndarray]:
    """SV(t), SPI(t) and IEAC(t) with performance factors 1, SPI and SPI(t).

    ``SV(t) = ES - AT``; ``SPI(t) = ES / AT`` (Lipke 2003);
    ``IEAC(t) = AT + (PD - ES) / PF`` (Henderson 2004; Vandevoorde & Vanhoucke, "A
    comparison of different project duration forecasting methods using earned value
    metrics", *Int. J. of Project Management* 24, 2006). With ``PF = SPI(t)`` this is
    Lipke's ``PD / SPI(t)``.

    Examples
    --------
    A 10-month project finished in month 12 (``ES = PD = 10``, ``AT = 12``):

    >>> from pmkit.project.evm import earned_schedule_indices
    >>> r = earned_schedule_indices(10.0, 12.0, 10.0, spi=1.0)
    >>> float(r["sv_t"]), round(float(r["spi_t"]), 3)
    (-2.0, 0.833)
    """
    es = np.asarray(es, dtype=float)
    at = np.asarray(at, dtype=float)
    spi_t = _div(es, at)
    remaining = pd_days - es
    out = {"sv_t": es - at, "spi_t": spi_t, "ieac_t_pf1": at + remaining}
    spi_arr = np.asarray(spi if spi is not None else np.nan, dtype=float)
    # when no schedule is left, the forecast is the time already spent
    out["ieac_t_spi"] = np.where(remaining <= 0, at, at + _div(remaining, spi_arr))
    out["ieac_t_spi_t"] = np.where(remaining <= 0, at, at + _div(remaining, spi_t))
    return out


def p_factor(task_pv_at_es: np.ndarray, task_ev: np.ndarray) -> float:
    """Schedule adherence: ``sum min(PV_i(ES), EV_i) / sum PV_i(ES)`` (Lipke 2004, 2009).

    1.0 means value was earned exactly in the planned order; lower values mean work was
    done out of sequence (impediments, likely rework).

    Examples
    --------
    >>> from pmkit.project.evm import p_factor
    >>> p_factor([50.0, 50.0, 0.0], [50.0, 30.0, 20.0])
    0.8
    """
    pv = np.asarray(task_pv_at_es, dtype=float)
    ev = np.asarray(task_ev, dtype=float)
    total = pv.sum()
    return float(np.minimum(pv, ev).sum() / total) if total > 0 else float("nan")


def _schedule_metrics(bl: _Baseline, status_date, ev_tasks: np.ndarray, spi: float) -> dict:
    """Earned schedule figures of the project at one status date (days of the project calendar)."""
    day_dates = _project_days(bl, bl.origin, bl.planned_finish)
    pv_days = bl.total_pv(day_dates)  # PV at the end of project day 1..PD
    ev = float(ev_tasks.sum())
    # snap EV that equals BAC up to rounding so a complete project earns the whole schedule
    if abs(ev - bl.bac) <= 1e-9 * max(1.0, bl.bac):
        ev = float(pv_days[-1]) if len(pv_days) else ev
    es = float(earned_schedule(pv_days, ev)) if len(pv_days) else float("nan")
    at = float(bl.time_of(np.datetime64(pd.Timestamp(status_date), "D")))
    idx = earned_schedule_indices(es, at, bl.pd_days, spi)
    # p-factor: task PV at time ES, interpolated inside day C+1 like ES itself
    c = int(np.floor(es)) if np.isfinite(es) else 0
    frac = es - c
    lo = bl.task_pv(day_dates[c - 1]) if c >= 1 else np.zeros(len(bl.cost))
    hi = bl.task_pv(day_dates[min(c, len(day_dates) - 1)]) if len(day_dates) else lo
    pv_at_es = lo + frac * (hi - lo)
    out = {"at_days": at, "pd_days": bl.pd_days, "es_days": es, "es_date": bl.date_of(es).item()
           if np.isfinite(es) else pd.NaT}
    out.update({k: float(v) for k, v in idx.items()})
    out["p_factor"] = p_factor(pv_at_es, ev_tasks[: len(bl.cost)])
    out["forecast_finish"] = pd.Timestamp(bl.date_of(out["ieac_t_spi_t"]).item()) \
        if np.isfinite(out["ieac_t_spi_t"]) else pd.NaT
    return out


# --------------------------------------------------------------------------- main entry

def earned_value(project: Project, by: str = "project", wbs_level: int = 1, status_dates=None,
                 eac_method: str = "cpi") -> pd.DataFrame:
    """Earned value (and, for the project, earned schedule) at every status date.

    Parameters
    ----------
    project : Project
        With ``baseline`` and ``status`` tables.
    by : {"project", "wbs", "task"}
        One row per status date (``"project"``), per status date and WBS branch
        (``"wbs"``, codes cut to ``wbs_level`` parts) or per status date and task.
    wbs_level : int
        Depth of the WBS roll-up, 1 for ``"1"``, 2 for ``"1.2"``.
    status_dates : date or list of dates, optional
        Default: every date of the ``status`` table.
    eac_method : {"cpi", "budget_rate", "cpi_spi", "composite"}
        The estimate at completion copied to ``eac`` and used by ``etc``, ``vac``,
        ``tcpi_eac``. Every method's estimate is in its own column.

    A project with no progress records yet gives a table with every column and no rows
    (also before it has a baseline); asking for explicit ``status_dates`` needs a baseline.

    Returns
    -------
    DataFrame
        ``status_date``, [``wbs`` | ``task_id``], ``bac``, ``pv``, ``ev``, ``ac``, ``sv``,
        ``cv``, ``spi``, ``cpi``, ``percent_complete``, ``percent_spent``,
        ``eac_budget_rate``, ``eac_cpi``, ``eac_cpi_spi``, ``eac_composite``, ``eac``,
        ``etc``, ``vac``, ``tcpi_bac``, ``tcpi_eac``; for ``by="project"`` also the earned
        schedule in working days of the project calendar: ``at_days``, ``pd_days``,
        ``es_days``, ``es_date``, ``sv_t``, ``spi_t``, ``ieac_t_pf1``, ``ieac_t_spi``,
        ``ieac_t_spi_t``, ``p_factor``, ``baseline_finish`` and ``forecast_finish``
        (the date by IEAC(t) with PF = SPI(t)); these schedule columns are always present,
        NaN / NaT where undefined (:data:`SCHEDULE_COLUMNS`).

    Notes
    -----
    Formulas and sources are listed in the module docstring (PMBOK Guide 7th ed.;
    PMI Practice Standard for EVM 2011; Lipke 2003, 2009; Henderson 2004).

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.evm import earned_value
    >>> ev = earned_value(pmkit.synth.project(60, seed=2))
    >>> bool((ev["ev"] <= ev["bac"] + 1e-9).all())
    True
    """
    if by not in ("project", "wbs", "task"):
        raise PmkitError(f"earned_value: by must be 'project', 'wbs' or 'task', not {by!r}")
    dates = _status_dates(project, status_dates)
    # nothing reported yet: no rows to compute, so a project not yet baselined is no error
    bl = _Baseline(project) if dates or len(project.baseline) else None
    frames = []
    for d in dates:
        tf = _task_frame(project, bl, d)
        if by == "task":
            frames.append(tf)
            continue
        if by == "wbs":
            wbs = tf["task_id"].map(project.tasks.set_index(project.tasks["task_id"].astype(str))["wbs"]).fillna("")
            g = tf.assign(wbs=wbs_prefix(wbs, wbs_level)).groupby("wbs", sort=True)[["bac", "pv", "ev", "ac"]].sum()
            frames.append(g.reset_index().assign(status_date=pd.Timestamp(d)))
            continue
        row = {"status_date": pd.Timestamp(d), **{c: float(tf[c].sum()) for c in ("bac", "pv", "ev", "ac")}}
        spi = row["ev"] / row["pv"] if row["pv"] else np.nan
        row.update(_schedule_metrics(bl, d, tf["ev"].to_numpy(dtype=float), spi))
        row["baseline_finish"] = pd.Timestamp(bl.planned_finish)
        frames.append(pd.DataFrame([row]))
    key = {"project": ["status_date"], "wbs": ["status_date", "wbs"], "task": ["status_date", "task_id"]}[by]
    if frames:
        df = pd.concat(frames, ignore_index=True)
    else:  # no progress reported yet: the same columns, no rows
        df = pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "status_date" else
                                        "float64" if c not in key else "str")
                           for c in [*key, "bac", "pv", "ev", "ac"]})
    df = df[key + [c for c in df.columns if c not in key]]
    out = performance_indices(df, eac_method)
    if by == "project":
        # the schedule columns are always present (NaN / NaT where undefined), after the cost
        # ones: cost first, then time
        for c in SCHEDULE_COLUMNS:
            if c not in out:
                out[c] = pd.Series(np.nan, index=out.index, dtype="float64")
        out = out[[c for c in out.columns if c not in SCHEDULE_COLUMNS] + list(SCHEDULE_COLUMNS)]
        for c in ("es_date", "baseline_finish", "forecast_finish"):
            out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    return out



#: Columns of :func:`evm_summary` and the label a report shows for each.
EVM_SUMMARY_LABELS = {"status_date": "Status date", "percent_complete": "% complete", "pv": "PV", "ev": "EV",
                      "ac": "AC", "cpi": "CPI", "spi": "SPI", "spi_t": "SPI(t)", "eac": "EAC",
                      "forecast_finish": "Forecast finish"}


def evm_summary(project: Project, eac_method: str = "cpi", evm: pd.DataFrame | None = None) -> pd.DataFrame:
    """The earned value figures a status report shows: ten columns per status date.

    A curated view of :func:`earned_value` (``by="project"``), whose 32 columns are for
    analysis: ``status_date``, ``percent_complete`` (EV / BAC in %), ``pv``, ``ev``,
    ``ac``, ``cpi``, ``spi``, ``spi_t``, ``eac`` (by ``eac_method``) and
    ``forecast_finish`` (IEAC(t) with PF = SPI(t)). Values are those of
    :func:`earned_value`, unchanged; :data:`EVM_SUMMARY_LABELS` gives the readers' labels
    (``rp.show_table(df, labels=EVM_SUMMARY_LABELS)``).

    Parameters
    ----------
    project : Project
    eac_method : {"cpi", "budget_rate", "cpi_spi", "composite"}
        The estimate at completion shown as ``eac``.
    evm : DataFrame, optional
        An :func:`earned_value` table of this project already computed (not recomputed).

    Notes
    -----
    The figures are those of the PMBOK Guide 7th ed. section 2.7 (PV, EV, AC, CPI, SPI,
    EAC) and of Lipke 2003 / 2009 (SPI(t), the forecast finish); formulas in the module
    docstring.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.evm import evm_summary
    >>> evm_summary(pmkit.synth.project(40, seed=3)).columns.tolist()[:5]
    ['status_date', 'percent_complete', 'pv', 'ev', 'ac']
    """
    if evm is None:
        evm = earned_value(project, eac_method=eac_method)
    missing = [c for c in EVM_SUMMARY_LABELS if c not in evm.columns]
    if missing:
        raise PmkitError(f"evm_summary of {project.project_id}: the earned value table lacks column(s) "
                         f"{', '.join(missing)}; pass earned_value(project) with by='project'")
    return evm[list(EVM_SUMMARY_LABELS)].reset_index(drop=True)


#: The series of :func:`s_curve_table`, in drawing order.
S_CURVE_SERIES = ("Planned value (PV)", "Earned value (EV)", "Actual cost (AC)", "Forecast (EAC)")


def s_curve_table(project: Project, eac_method: str = "cpi") -> pd.DataFrame:
    """The S-curve as a long table (drawn by :func:`pmkit.charts.evm.s_curve`): ``date``, ``value``, ``series``, ``dashed``.

    PV is the daily time-phased baseline; EV and AC are the values at each status date;
    the forecast runs from the last AC to the EAC at the forecast finish (IEAC(t) with
    PF = SPI(t)).

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.evm import s_curve_table
    >>> sorted(s_curve_table(pmkit.synth.project(40, seed=3))["series"].unique())[:2]
    ['Actual cost (AC)', 'Earned value (EV)']
    """
    pv = planned_value(project)
    parts = [pd.DataFrame({"date": pv["date"], "value": pv["pv_cumulative"], "series": S_CURVE_SERIES[0],
                           "dashed": False})]
    ev = earned_value(project, eac_method=eac_method)
    if len(ev):
        for col, name in (("ev", S_CURVE_SERIES[1]), ("ac", S_CURVE_SERIES[2])):
            parts.append(pd.DataFrame({"date": ev["status_date"], "value": ev[col], "series": name,
                                       "dashed": False}))
        last = ev.iloc[-1]
        if pd.notna(last["forecast_finish"]) and pd.notna(last["eac"]):
            parts.append(pd.DataFrame({"date": [last["status_date"], last["forecast_finish"]],
                                       "value": [last["ac"], last["eac"]], "series": S_CURVE_SERIES[3],
                                       "dashed": True}))
    return pd.concat(parts, ignore_index=True)

__all__ = ["S_CURVE_SERIES", "s_curve_table", "EAC_METHODS", "EVM_SUMMARY_LABELS", "evm_summary", "SCHEDULE_COLUMNS", "earned_schedule", "earned_schedule_indices", "earned_value",
           "p_factor", "performance_indices", "planned_value", "schedule_baseline", "task_values", "wbs_prefix"]
