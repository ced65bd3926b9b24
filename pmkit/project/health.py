"""Schedule quality: the DCMA 14-point assessment of a project's schedule.

The US Defense Contract Management Agency's 14-point assessment (DCMA, *Earned Value
Management System Program Analysis Pamphlet*, DCMA-EA PAM 200.1, October 2012, §4.1-4.14;
first published in 2005 and revised in 2009) tests whether a schedule is built well enough
to be trusted: logic, leads and lags, relationship types, constraints, float, durations,
dates against the status date, resources, progress against the baseline, the critical path
and two forward-looking indices (CPLI, BEI). See ``docs/health.md``; Winter (2011),
*DCMA 14-Point Schedule Assessment*, discusses each check.

What is counted (the DCMA denominators, written down once):

* **tasks** are the non-summary rows of ``project.tasks`` (milestones included; pmkit has no
  level-of-effort type). A summary task is one named as another task's ``parent_id``.
* **incomplete** means not finished at the status date (no actual finish and percent
  complete below 100); without a status date every task is incomplete.
* checks 1, 5, 6, 7, 8 count incomplete tasks; check 10 incomplete tasks of at least one
  working day; checks 9 and 14 and the numerator of check 11 look at all tasks;
* checks 2, 3, 4 count **relationships** (rows of ``project.dependencies``) whose successor
  is incomplete (a link into finished work cannot change the forecast).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from ..data.model import Project
from ..errors import PmkitError
from .scheduling import (
    CRITICAL_TOLERANCE,
    _analyse,
    _leaf_descendants,
    _table,
    forward_pass,
    solve_network,
)

#: Constraint types DCMA calls "hard": they stop logic from moving a task (PAM 200.1 §4.5).
_HARD_CONSTRAINTS = ("MSO", "MFO", "SNLT", "FNLT")


@dataclass(frozen=True)
class DcmaThresholds:
    """Pass/fail limits of the 14 checks; the defaults are DCMA's (PAM 200.1, 2012).

    Percentages are 0-100 of the check's denominator; ``*_days`` are working days.

    Examples
    --------
    >>> from pmkit.project.health import DcmaThresholds
    >>> DcmaThresholds(high_float_days=20).high_float_days
    20.0
    >>> DcmaThresholds(lags_pct=120)
    Traceback (most recent call last):
    pmkit.errors.PmkitError: DcmaThresholds.lags_pct must be a percentage from 0 to 100, not 120.0
    """

    missing_logic_pct: float = 5.0       #: 1: at most this % of incomplete tasks lack a predecessor/successor
    leads_pct: float = 0.0               #: 2: at most this % of relationships have a lead (negative lag)
    lags_pct: float = 5.0                #: 3: at most this % of relationships have a positive lag
    fs_relationships_pct: float = 90.0   #: 4: at least this % of relationships are finish-to-start
    hard_constraints_pct: float = 5.0    #: 5: at most this % of incomplete tasks have a hard constraint
    high_float_pct: float = 5.0          #: 6: at most this % of incomplete tasks have high float
    high_float_days: float = 44.0        #: 6: total float above this is "high" (two months of work)
    negative_float_pct: float = 0.0      #: 7: at most this % of incomplete tasks have negative float
    high_duration_pct: float = 5.0       #: 8: at most this % of incomplete tasks are long
    high_duration_days: float = 44.0     #: 8: a baseline duration above this is "high"
    invalid_dates_pct: float = 0.0       #: 9: at most this % of tasks have invalid dates
    resources_pct: float = 0.0           #: 10: at most this % of incomplete tasks carry no resource or cost
    missed_tasks_pct: float = 5.0        #: 11: at most this % of tasks due by the baseline finished late
    critical_path_delay_days: float = 600.0  #: 12: delay added to a critical task (PAM 200.1 §4.12)
    cpli_min: float = 0.95               #: 13: critical path length index at least this
    bei_min: float = 0.95                #: 14: baseline execution index at least this

    def __post_init__(self) -> None:
        for f in fields(self):
            try:
                v = float(getattr(self, f.name))
            except (TypeError, ValueError):
                raise PmkitError(f"DcmaThresholds.{f.name} must be a number, not {getattr(self, f.name)!r}") from None
            if not np.isfinite(v):
                raise PmkitError(f"DcmaThresholds.{f.name} must be a finite number, not {v}")
            if f.name.endswith("_pct") and not 0 <= v <= 100:
                raise PmkitError(f"DcmaThresholds.{f.name} must be a percentage from 0 to 100, not {v}")
            if (f.name.endswith("_days") or f.name.endswith("_min")) and v <= 0:
                raise PmkitError(f"DcmaThresholds.{f.name} must be positive, not {v}")
            object.__setattr__(self, f.name, v)


#: number, check, what is counted, comparison, threshold field, unit of the value.
_CHECKS = (
    (1, "logic", "incomplete tasks without a predecessor or a successor", "<=", "missing_logic_pct", "%"),
    (2, "leads", "relationships with a lead (negative lag)", "<=", "leads_pct", "%"),
    (3, "lags", "relationships with a positive lag", "<=", "lags_pct", "%"),
    (4, "relationship_types", "finish-to-start relationships", ">=", "fs_relationships_pct", "%"),
    (5, "hard_constraints", "incomplete tasks with a hard constraint (MSO, MFO, SNLT, FNLT)", "<=",
     "hard_constraints_pct", "%"),
    (6, "high_float", "incomplete tasks with total float above {high_float_days:g} working days", "<=",
     "high_float_pct", "%"),
    (7, "negative_float", "incomplete tasks with negative total float", "<=", "negative_float_pct", "%"),
    (8, "high_duration", "incomplete tasks with a baseline duration above {high_duration_days:g} working days",
     "<=", "high_duration_pct", "%"),
    (9, "invalid_dates", "tasks with actual dates after or forecast dates before the status date", "<=",
     "invalid_dates_pct", "%"),
    (10, "resources", "incomplete tasks of 1+ working days with no assignment and no budget cost", "<=",
     "resources_pct", "%"),
    (11, "missed_tasks", "tasks due by their baseline finish that finished late or not at all", "<=",
     "missed_tasks_pct", "%"),
    (12, "critical_path_test", "project finish shift / delay of {critical_path_delay_days:g} working days "
     "added to a critical task", "==", None, "ratio"),
    (13, "cpli", "critical path length index (CPL + TF) / CPL (DCMA)", ">=", "cpli_min", "index"),
    (14, "bei", "baseline execution index: tasks finished / tasks due by their baseline finish", ">=",
     "bei_min", "index"),
)

_CHECK_COLUMNS = ["number", "check", "metric", "count", "denominator", "value", "unit", "comparison", "threshold",
                  "passed", "note"]
_OFFENDER_COLUMNS = ["number", "check", "task_id", "predecessor_id", "successor_id", "name", "value", "why"]


@dataclass(frozen=True, eq=False)
class ScheduleHealth:
    """The DCMA 14-point assessment of one project (what :func:`health` returns).

    Attributes
    ----------
    project_id : str
    status_date : pandas.Timestamp or None
        The status (data) date the checks were made at.
    checks : DataFrame
        One row per check: ``number, check, metric, count, denominator, value, unit``
        (``%`` of the denominator, ``ratio`` or ``index``), ``comparison, threshold, passed``
        (nullable boolean: ``<NA>`` when the check cannot be evaluated, e.g. no baseline)
        and ``note``.
    offenders : DataFrame
        One row per task or relationship that fails a check: ``number, check, task_id,
        predecessor_id, successor_id, name, value, why``.
    cpli : DataFrame
        Both definitions of the critical path length index (see :func:`health`).
    thresholds : DcmaThresholds
    """

    project_id: str
    status_date: pd.Timestamp | None
    checks: pd.DataFrame
    offenders: pd.DataFrame
    cpli: pd.DataFrame
    thresholds: DcmaThresholds

    @property
    def n_passed(self) -> int:
        return int(self.checks["passed"].fillna(False).astype(bool).sum())

    @property
    def n_failed(self) -> int:
        return int((~self.checks["passed"].fillna(True).astype(bool)).sum())

    @property
    def n_not_evaluated(self) -> int:
        return int(self.checks["passed"].isna().sum())

    @property
    def headline(self) -> str:
        """One line: project, status date and the passed / failed / not evaluated counts."""
        sd = f", status date {self.status_date:%Y-%m-%d}" if self.status_date is not None else ""
        return (f"DCMA 14-point assessment of project {self.project_id}{sd}: {self.n_passed} passed, "
                f"{self.n_failed} failed, {self.n_not_evaluated} not evaluated")

    def __repr__(self) -> str:
        lines = [self.headline]
        for r in self.checks.itertuples(index=False):
            verdict = "n/a " if pd.isna(r.passed) else ("pass" if r.passed else "FAIL")
            value = "-" if pd.isna(r.value) else f"{r.value:.3g}{'%' if r.unit == '%' else ''}"
            limit = "" if pd.isna(r.threshold) else f"{r.threshold:g}{'%' if r.unit == '%' else ''}"
            lines.append(f"  {r.number:>2} {r.check:<20} {verdict} {value:>8} {r.comparison} {limit:<6} "
                         f"{'' if pd.isna(r.count) else r.count}/{'' if pd.isna(r.denominator) else r.denominator}"
                         + (f"  ({r.note})" if r.note else ""))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        shown = self.checks.copy()
        shown["passed"] = shown["passed"].map(lambda v: "n/a" if pd.isna(v) else ("pass" if v else "FAIL"))
        return (f"<p><strong>{html.escape(self.headline)}</strong></p>"
                + shown.to_html(index=False, na_rep="", float_format=lambda v: f"{v:.3g}", escape=True))


# =========================================================================== the checks

def health(project: Project, status_date=None, thresholds: DcmaThresholds | None = None) -> ScheduleHealth:
    """Run the DCMA 14-point schedule assessment on a project.

    Parameters
    ----------
    project : pmkit.Project
    status_date : date-like, optional
        Status (data) date; default the project's (as :func:`pmkit.schedule`).
    thresholds : DcmaThresholds, optional
        Pass/fail limits; default DCMA's.

    Returns
    -------
    ScheduleHealth
        ``checks`` (one row per check), ``offenders`` (the tasks and links behind each
        failing count), ``cpli`` (both definitions), ``n_passed`` / ``n_failed``.

    Notes
    -----
    The checks and their DCMA limits (DCMA-EA PAM 200.1, 2012, §4.1-4.14):

    1. **logic**: incomplete tasks missing a predecessor or a successor, <= 5 %. Links on a
       summary task count for the tasks below it (pmkit schedules them so).
    2. **leads**: relationships with a negative lag, 0.
    3. **lags**: relationships with a positive lag, <= 5 %.
    4. **relationship types**: finish-to-start relationships, >= 90 %.
    5. **hard constraints** (MSO, MFO, SNLT, FNLT; and manually scheduled tasks pinned to
       a date, which do not move with logic either), <= 5 %.
    6. **high float**: total float > 44 working days, <= 5 %.
    7. **negative float**: total float < 0, 0.
    8. **high duration**: baseline duration (working days from baseline start to baseline
       finish; the planned ``duration_days`` without a baseline row) > 44, <= 5 %.
    9. **invalid dates**: an actual start or finish after the status date, or a forecast
       (early) start of an unstarted task or finish of an unfinished task before it, 0.
    10. **resources**: incomplete tasks of at least one working day with no assignment and
        no budget cost, 0 (DCMA sets no number; 0 is the common reading).
    11. **missed tasks**: tasks whose baseline finish is on or before the status date that
        finished after it or are not finished, <= 5 % of those tasks.
    12. **critical path test**: the incomplete critical task with the least total float
        (on the project calendar where possible) is delayed by 600 working days with
        pmkit's scheduler; the project finish must move by the same amount (ratio 1).
    13. **CPLI** >= 0.95, with DCMA's definition (PAM 200.1 §4.13; DAU Acquipedia,
        "Critical Path Length Index"): ``(CPL + TF) / CPL`` where CPL is the critical path
        length in working days from the status date to the forecast finish and TF the
        working days from the forecast finish to the baseline finish (the latest baseline
        finish; the project deadline without a baseline), negative when late. The common
        alternative (DAU Ask-a-Professional on CPLI; Bachman, *Defense Acquisition Research
        Journal*, Oct 2011) measures the remaining length to the baseline finish instead:
        ``(RD_b + TF) / RD_b``. Both are in ``result.cpli``; the check uses DCMA's.
    14. **BEI** >= 0.95 (PAM 200.1 §4.14): tasks finished (any baseline date) divided by
        tasks whose baseline finish is on or before the status date.

    Ratio checks compare before rounding; a check with nothing to count, or lacking its
    inputs (status date, baseline), is not evaluated (``passed`` is ``<NA>``).

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.health import health
    >>> h = health(pmkit.synth.project(200, seed=4))
    >>> len(h.checks), h.n_passed + h.n_failed + h.n_not_evaluated
    (14, 14)
    >>> bool(h.checks.loc[h.checks["check"] == "critical_path_test", "passed"].item())
    True
    """
    th = DcmaThresholds() if thresholds is None else thresholds
    if not isinstance(th, DcmaThresholds):
        raise PmkitError(f"thresholds must be a DcmaThresholds, not {type(th).__name__}")
    if not isinstance(project, Project):
        raise PmkitError(f"health() takes a pmkit.Project, not {type(project).__name__}")
    analysis = _analyse(project, status_date)
    sched = _table(analysis, project)
    sd = analysis.info.status_date
    ctx = _Context(project, sched, sd, th)
    rows, offenders = [], []
    for number, check, metric, comparison, field_name, unit in _CHECKS:
        count, den, value, note, off = _CHECK_FUNCS[number](ctx, analysis)
        if unit == "%" and value is None:
            value = 100.0 * count / den if den else np.nan
            if not den:
                note = note or "nothing to count"
        threshold = 1.0 if field_name is None else getattr(th, field_name)
        passed = pd.NA
        if value is not None and not pd.isna(value):
            if comparison == "<=":
                passed = bool(value <= threshold + 1e-12)
            elif comparison == ">=":
                passed = bool(value >= threshold - 1e-12)
            else:
                passed = bool(abs(value - threshold) <= 1e-6)
        rows.append({"number": number, "check": check, "metric": metric.format(**_as_dict(th)),
                     "count": count, "denominator": den, "value": np.nan if value is None else float(value),
                     "unit": unit, "comparison": comparison, "threshold": threshold, "passed": passed,
                     "note": note or ""})
        if off is not None and len(off):
            offenders.append(off.assign(number=number, check=check))
    checks = pd.DataFrame(rows, columns=_CHECK_COLUMNS)
    checks["count"] = checks["count"].astype("Int64")
    checks["denominator"] = checks["denominator"].astype("Int64")
    checks["passed"] = checks["passed"].astype("boolean")
    off_df = (pd.concat(offenders, ignore_index=True) if offenders
              else pd.DataFrame({c: pd.Series(dtype=object) for c in _OFFENDER_COLUMNS}))
    for c in ("task_id", "predecessor_id", "successor_id", "name", "why"):
        off_df[c] = off_df[c].fillna("").astype(object) if c in off_df else ""
    off_df["value"] = pd.to_numeric(off_df.get("value"), errors="coerce").astype(float)
    off_df = off_df[_OFFENDER_COLUMNS].reset_index(drop=True)
    off_df["number"] = off_df["number"].astype(int)
    return ScheduleHealth(project.project_id, sd, checks, off_df, ctx.cpli_table, th)


def _sub(mask: np.ndarray, values: np.ndarray, template: str) -> np.ndarray:
    """``template`` filled with each value, only where ``mask`` holds (text for the offenders only)."""
    out = np.full(len(mask), "", dtype=object)
    picked = values[mask]
    if np.issubdtype(picked.dtype, np.datetime64):
        picked = np.datetime_as_string(picked, unit="D")
    out[mask] = [template.format(v) for v in picked]
    return out


def _as_dict(th: DcmaThresholds) -> dict:
    return {f.name: getattr(th, f.name) for f in fields(th)}


class _Context:
    """What several checks share: the task frame with schedule columns, the scoped links."""

    def __init__(self, project: Project, sched: pd.DataFrame, sd: pd.Timestamp | None, th: DcmaThresholds):
        self.project, self.sd, self.th = project, sd, th
        self.cpli_table = _empty_cpli()
        t = sched
        self.ids = t["task_id"].to_numpy(dtype=object)
        self.names = t["name"].fillna("").astype(str).to_numpy(dtype=object)
        self.leaf = ~t["summary"].to_numpy(dtype=bool)
        self.finished = (t["progress"] == "finished").to_numpy()
        self.incomplete = self.leaf & ~self.finished
        self.sched = t
        deps = project.dependencies
        self.pred = deps["predecessor_id"].astype(str).to_numpy(dtype=object)
        self.succ = deps["successor_id"].astype(str).to_numpy(dtype=object)
        self.lag = deps["lag_days"].astype(float).fillna(0.0).to_numpy()
        codes, kinds = pd.factorize(deps["type"].fillna("FS").astype(str))  # a handful of distinct types
        self.type = np.array([k.upper() for k in kinds], dtype=object)[codes] if len(codes) else np.empty(0, object)
        self.index = pd.Index(self.ids)
        self.pred_pos = self.index.get_indexer(self.pred)
        self.succ_pos = pos = self.index.get_indexer(self.succ)
        # links into finished work cannot change the forecast: DCMA counts the others
        self.link_scope = (pos >= 0) & ~self.finished[np.maximum(pos, 0)]
        self._baseline = None

    def tasks_frame(self, mask: np.ndarray, value, why) -> pd.DataFrame:
        return pd.DataFrame({"task_id": self.ids[mask], "name": self.names[mask],
                             "value": np.broadcast_to(np.asarray(value, dtype=float), self.ids.shape)[mask]
                             if np.ndim(value) else float(value),
                             "why": np.broadcast_to(np.asarray(why, dtype=object), self.ids.shape)[mask]
                             if np.ndim(why) else why})

    def links_frame(self, mask: np.ndarray, value, why) -> pd.DataFrame:
        return pd.DataFrame({"predecessor_id": self.pred[mask], "successor_id": self.succ[mask],
                             "value": np.asarray(value, dtype=float)[mask] if np.ndim(value) else float(value),
                             "why": np.asarray(why, dtype=object)[mask] if np.ndim(why) else why})

    def baseline(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Baseline start and finish per task (NaT without a row) and whether it has one."""
        if self._baseline is None:
            bl = self.project.baseline
            b = bl.assign(task_id=bl["task_id"].astype(str)).drop_duplicates("task_id", keep="last")
            b = b.set_index("task_id").reindex(self.ids)
            bs = pd.to_datetime(b["baseline_start"]).to_numpy(dtype="datetime64[D]")
            bf = pd.to_datetime(b["baseline_finish"]).to_numpy(dtype="datetime64[D]")
            self._baseline = (bs, bf, ~np.isnat(bf))
        return self._baseline


def _empty_cpli() -> pd.DataFrame:
    return pd.DataFrame({"definition": ["dcma", "baseline_remaining"],
                         "critical_path_length_days": np.nan, "total_float_days": np.nan, "cpli": np.nan,
                         "target_date": pd.NaT, "source": ["DCMA-EA PAM 200.1 (2012) §4.13; DAU Acquipedia",
                                                            "DAU Ask-a-Professional; Bachman (2011)"]})


def _logic(c: _Context, a=None):
    """1. Missing logic: a link on the task or on one of its summary tasks counts."""
    n = len(c.ids)
    has_pred = np.bincount(c.succ_pos[c.succ_pos >= 0], minlength=n) > 0
    has_succ = np.bincount(c.pred_pos[c.pred_pos >= 0], minlength=n) > 0
    if (~c.leaf).any():  # a leaf inherits the links of the summaries above it
        pairs = _leaf_descendants(c.ids, c.sched["parent_id"].to_numpy(dtype=object), ~c.leaf)
        s_pos = c.index.get_indexer(pairs["summary_id"].to_numpy(dtype=object))
        l_pos = c.index.get_indexer(pairs["leaf_id"].to_numpy(dtype=object))
        has_pred[l_pos[has_pred[s_pos]]] = True
        has_succ[l_pos[has_succ[s_pos]]] = True
    bad = c.incomplete & ~(has_pred & has_succ)
    why = np.where(~has_pred & ~has_succ, "no predecessor and no successor",
                   np.where(~has_pred, "no predecessor", "no successor"))
    return int(bad.sum()), int(c.incomplete.sum()), None, "", c.tasks_frame(bad, np.nan, why)


def _leads(c: _Context, a=None):
    bad = c.link_scope & (c.lag < 0)
    return (int(bad.sum()), int(c.link_scope.sum()), None, "",
            c.links_frame(bad, c.lag, _sub(bad, -c.lag, "lead (negative lag) of {:g} working days")))


def _lags(c: _Context, a=None):
    bad = c.link_scope & (c.lag > 0)
    return (int(bad.sum()), int(c.link_scope.sum()), None, "",
            c.links_frame(bad, c.lag, _sub(bad, c.lag, "lag of {:g} working days")))


def _relationship_types(c: _Context, a=None):
    fs = c.link_scope & (c.type == "FS")
    bad = c.link_scope & ~fs
    return (int(fs.sum()), int(c.link_scope.sum()), None, "",
            c.links_frame(bad, np.nan, c.type + " relationship, not finish-to-start"))


def _hard_constraints(c: _Context, a=None):
    codes, kinds = pd.factorize(c.sched["constraint_type"].fillna("ASAP").astype(str))
    ct = np.array([k.upper() for k in kinds], dtype=object)[codes] if len(codes) else np.empty(0, object)
    tasks = c.project.tasks
    manual = (tasks["manual"].fillna(False).to_numpy(dtype=bool) if "manual" in tasks.columns
              else np.zeros(len(ct), bool))
    pinned = manual & c.sched["constraint_date"].notna().to_numpy()
    hard = np.isin(ct, _HARD_CONSTRAINTS)
    bad = c.incomplete & (hard | pinned)
    why = np.where(hard, ct + " constraint", "manually scheduled on its constraint_date")
    return int(bad.sum()), int(c.incomplete.sum()), None, "", c.tasks_frame(bad, np.nan, why)


def _total_float(c: _Context) -> np.ndarray:
    return c.sched["total_float_days"].to_numpy(dtype=np.float64, na_value=np.nan)


def _high_float(c: _Context, a=None):
    tf = _total_float(c)
    bad = c.incomplete & (tf > c.th.high_float_days + CRITICAL_TOLERANCE)
    return (int(bad.sum()), int(c.incomplete.sum()), None, "",
            c.tasks_frame(bad, tf, f"total float above {c.th.high_float_days:g} working days"))


def _negative_float(c: _Context, a=None):
    tf = _total_float(c)
    bad = c.incomplete & (tf < -CRITICAL_TOLERANCE)
    return int(bad.sum()), int(c.incomplete.sum()), None, "", c.tasks_frame(bad, tf, "negative total float")


def _baseline_duration(c: _Context) -> tuple[np.ndarray, np.ndarray]:
    """Working days from baseline start to baseline finish (inclusive) on each task's calendar."""
    bs, bf, has = c.baseline()
    dur = c.sched["duration_days"].to_numpy(dtype=np.float64, na_value=np.nan).copy()
    has = has & ~np.isnat(bs)
    if has.any():
        cal_ids = c.sched["calendar_id"].fillna("").astype(str).to_numpy(dtype=object)
        for cal_id in pd.unique(cal_ids[has]):  # a handful of calendars: one vectorized count each
            m = has & (cal_ids == cal_id)
            cal = c.project.task_calendar(cal_id if cal_id in c.project.calendars else "")
            dur[m] = np.maximum(cal.working_days_between(bs[m], bf[m] + np.timedelta64(1, "D")), 0)
    return dur, has


def _high_duration(c: _Context, a=None):
    dur, has = _baseline_duration(c)
    bad = c.incomplete & (dur > c.th.high_duration_days + CRITICAL_TOLERANCE)
    why = np.where(has, f"baseline duration above {c.th.high_duration_days:g} working days",
                   f"planned duration above {c.th.high_duration_days:g} working days (no baseline)")
    return int(bad.sum()), int(c.incomplete.sum()), None, "", c.tasks_frame(bad, dur, why)


def _invalid_dates(c: _Context, a=None):
    if c.sd is None:
        return 0, int(c.leaf.sum()), np.nan, "no status date", None
    sd = np.datetime64(c.sd.date(), "D")
    s = c.sched
    a_start = s["actual_start"].to_numpy(dtype="datetime64[D]")
    a_finish = s["actual_finish"].to_numpy(dtype="datetime64[D]")
    e_start = s["early_start"].to_numpy(dtype="datetime64[D]")
    e_finish = s["early_finish"].to_numpy(dtype="datetime64[D]")
    not_started = (s["progress"] == "not started").to_numpy()
    with np.errstate(invalid="ignore"):
        late_actual = (~np.isnat(a_start) & (a_start > sd)) | (~np.isnat(a_finish) & (a_finish > sd))
        early_forecast = (not_started & ~np.isnat(e_start) & (e_start < sd)) | (
            ~c.finished & ~np.isnat(e_finish) & (e_finish < sd))
    bad = c.leaf & (late_actual | early_forecast)
    why = np.where(late_actual, f"actual date after the status date {c.sd:%Y-%m-%d}",
                   f"forecast date before the status date {c.sd:%Y-%m-%d}")
    return int(bad.sum()), int(c.leaf.sum()), None, "", c.tasks_frame(bad, np.nan, why)


def _resources(c: _Context, a=None):
    dur = c.sched["duration_days"].to_numpy(dtype=np.float64, na_value=0.0)
    scope = c.incomplete & (dur >= 1)
    a_pos = c.index.get_indexer(c.project.assignments["task_id"].astype(str).to_numpy(dtype=object))
    assigned = np.bincount(a_pos[a_pos >= 0], minlength=len(c.ids)) > 0
    cost = (c.project.tasks.set_index(c.project.tasks["task_id"].astype(str))["budget_cost"]
            .reindex(c.ids).fillna(0.0).to_numpy(dtype=np.float64))
    bad = scope & ~assigned & ~(cost > 0)
    return (int(bad.sum()), int(scope.sum()), None, "",
            c.tasks_frame(bad, dur, "no assignment and no budget cost"))


def _missed_tasks(c: _Context, a=None):
    bs, bf, has = c.baseline()
    if c.sd is None or not has.any():
        return None, None, np.nan, "no status date" if c.sd is None else "no baseline", None
    sd = np.datetime64(c.sd.date(), "D")
    a_finish = c.sched["actual_finish"].to_numpy(dtype="datetime64[D]")
    due = c.leaf & has & (bf <= sd)
    with np.errstate(invalid="ignore"):
        late = ~c.finished | (~np.isnat(a_finish) & (a_finish > bf))
    bad = due & late
    why = np.where(~c.finished, _sub(bad, bf, "not finished; baseline finish {}"),
                   _sub(bad, bf, "finished after its baseline finish {}"))
    return int(bad.sum()), int(due.sum()), None, "", c.tasks_frame(bad, np.nan, why)


def _bei(c: _Context, a=None):
    bs, bf, has = c.baseline()
    if c.sd is None or not has.any():
        return None, None, np.nan, "no status date" if c.sd is None else "no baseline", None
    sd = np.datetime64(c.sd.date(), "D")
    due = c.leaf & has & (bf <= sd)
    done = c.leaf & c.finished
    if not due.any():
        return int(done.sum()), 0, np.nan, "no task due by its baseline finish yet", None
    bad = due & ~c.finished
    return (int(done.sum()), int(due.sum()), done.sum() / due.sum(), "",
            c.tasks_frame(bad, np.nan, _sub(bad, bf, "due by its baseline finish {}, not finished")))


def _critical_path_test(c: _Context, a):
    """12. Delay one critical task and see the project finish move by as much (PAM 200.1 §4.12)."""
    net, info, sol = a.network, a.info, a.solution
    delay = c.th.critical_path_delay_days
    if not net.n:
        return None, None, np.nan, "no tasks", None
    tf = np.asarray(sol.total_float, dtype=np.float64)
    open_ = info.state != "finished"
    cand = np.flatnonzero(open_ & (tf <= np.nanmin(np.where(open_, tf, np.inf)) + CRITICAL_TOLERANCE))
    if not cand.size or not np.isfinite(tf[cand]).all():
        return None, None, np.nan, "no incomplete critical task", None
    on_project = cand[net.calendar[cand] == 0]  # delay and finish shift then share one unit
    cand = on_project if on_project.size else cand
    node = int(cand[np.lexsort((cand, np.asarray(sol.early_start)[cand]))][0])
    D = net.durations.astype(np.float64).copy()
    D[node] += delay
    if net.alap.any():  # ALAP placement needs the full solve
        new_length = float(solve_network(net, D).project_length)
    else:
        new_length = float(net.project_length(forward_pass(net, D)[1]))
    shift = new_length - float(sol.project_length)
    ratio = shift / delay
    tid = str(net.task_ids[node])
    note = f"task {tid} delayed {delay:g} working days: finish moved {shift:g}"
    off = None
    if abs(ratio - 1.0) > 1e-6:
        pos = int(info.leaf_pos[node])
        off = pd.DataFrame({"task_id": [tid], "name": [c.names[pos]], "value": [shift],
                            "why": [f"delayed {delay:g} working days, the project finish moved {shift:g}: "
                                    "the critical path is broken (constraints or missing logic)"]})
    return 1, 1, ratio, note, off


def _working_days_after(cal, a: np.datetime64, b: np.datetime64) -> float:
    """Working days in ``(a, b]``, negative (minus those in ``(b, a]``) when b is before a."""
    one = np.timedelta64(1, "D")
    if b >= a:
        return float(cal.working_days_between(a + one, b + one))
    return -float(cal.working_days_between(b + one, a + one))


def _cpli_check(c: _Context, a):
    """13. Critical path length index, DCMA's definition and the baseline-remaining one."""
    cal = c.project.calendar
    attrs = c.sched.attrs
    finish = attrs.get("project_finish")
    if finish is None or pd.isna(finish):
        return None, None, np.nan, "no tasks", None
    finish = np.datetime64(pd.Timestamp(finish).date(), "D")
    bs, bf, has = c.baseline()
    bf_leaf = bf[has & c.leaf]
    if bf_leaf.size:
        target, what = bf_leaf.max(), "baseline finish"
    elif c.project.deadline is not None:
        target, what = np.datetime64(c.project.deadline.date(), "D"), "project deadline (no baseline)"
    else:
        return None, None, np.nan, "no baseline and no deadline to measure float against", None
    if c.sd is not None:
        now = np.datetime64(c.sd.date(), "D")
    else:  # before execution the critical path runs from the project start
        now = np.datetime64(c.project.start_date.date(), "D") - np.timedelta64(1, "D")
    cpl = _working_days_after(cal, now, finish)
    total_float = _working_days_after(cal, finish, target)
    rd_b = _working_days_after(cal, now, target)
    dcma = (cpl + total_float) / cpl if cpl > 0 else np.nan
    alt = (rd_b + total_float) / rd_b if rd_b > 0 else np.nan
    c.cpli_table = c.cpli_table.assign(critical_path_length_days=[cpl, rd_b], total_float_days=total_float,
                                       cpli=[dcma, alt], target_date=pd.Timestamp(target))
    note = (f"CPL {cpl:g} d to finish {pd.Timestamp(finish):%Y-%m-%d}, TF {total_float:g} d to {what} "
            f"{pd.Timestamp(target):%Y-%m-%d}; alternative (to baseline) {alt:.3f}")
    if not cpl > 0:
        note = "the remaining critical path is empty (all work done by the status date)"
    return None, None, dcma, note, None


_CHECK_FUNCS = {1: _logic, 2: _leads, 3: _lags, 4: _relationship_types, 5: _hard_constraints, 6: _high_float,
                7: _negative_float, 8: _high_duration, 9: _invalid_dates, 10: _resources, 11: _missed_tasks,
                12: _critical_path_test, 13: _cpli_check, 14: _bei}


__all__ = ["DcmaThresholds", "ScheduleHealth", "health"]
