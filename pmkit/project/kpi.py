"""Project KPIs with red / amber / green status, and the SMART check of objectives.

The four project success measures most organizations track (PMBOK Guide 7th ed., 2.7
"Measurement performance domain"; Kerzner, *Project Management Metrics, KPIs and
Dashboards*, 3rd ed., 2017):

* **on-time delivery**: forecast (or actual) finish against the baseline finish, and the
  share of due milestones finished on or before their baseline date;
* **on budget**: estimate at completion against budget at completion;
* **meeting specifications**: deliverables accepted by the client among those due;
* **client satisfaction**: survey average (1-5) and net promoter score (Reichheld, "The
  One Number You Need to Grow", *Harvard Business Review*, Dec 2003):
  ``NPS = % promoters (9-10) - % detractors (0-6)``.

Each KPI gets a status from its band in :class:`KpiThresholds`, which the user can change;
the project's colour is the worst of them (:func:`pmkit.rag.project_rag`, the project rule).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from ..data.model import Portfolio, Project
from ..errors import PmkitError
from ..rag import Band, RagVerdict, project_rag, rag_status


@dataclass(frozen=True)
class KpiThresholds:
    """Where each KPI turns amber and red.

    For "lower is better" measures (delay, overrun) a value ``<= *_green`` is green and
    ``> *_red`` is red; for "higher is better" ones a value ``>= *_green`` is green and
    ``< *_red`` is red; in between is amber. Percentages are 0-100.

    Examples
    --------
    >>> from pmkit.project.kpi import KpiThresholds
    >>> strict = KpiThresholds(cost_overrun_green=0.0, cost_overrun_red=5.0)
    >>> strict.cost_overrun_red
    5.0
    """

    schedule_delay_green: float = 5.0     #: forecast delay, % of the baseline duration
    schedule_delay_red: float = 10.0
    milestones_green: float = 90.0        #: % of due milestones finished on time
    milestones_red: float = 75.0
    cost_overrun_green: float = 5.0       #: (EAC / BAC - 1) x 100
    cost_overrun_red: float = 10.0
    acceptance_green: float = 95.0        #: % of due deliverables accepted
    acceptance_red: float = 85.0
    satisfaction_green: float = 4.0       #: survey average, 1-5
    satisfaction_red: float = 3.5
    nps_green: float = 30.0               #: net promoter score, -100..100
    nps_red: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            if not np.isfinite(getattr(self, f.name)):
                raise PmkitError(f"KpiThresholds.{f.name} must be a number")
        for name in ("schedule_delay", "cost_overrun"):
            if getattr(self, f"{name}_green") > getattr(self, f"{name}_red"):
                raise PmkitError(f"KpiThresholds: {name}_green must not exceed {name}_red (lower is better)")
        for name in ("milestones", "acceptance", "satisfaction", "nps"):
            if getattr(self, f"{name}_green") < getattr(self, f"{name}_red"):
                raise PmkitError(f"KpiThresholds: {name}_green must not be below {name}_red (higher is better)")


def net_promoter_score(recommend) -> float:
    """Net promoter score of 0-10 answers: % promoters (9-10) minus % detractors (0-6).

    Blank answers are ignored; NaN when there are none (Reichheld 2003).

    Examples
    --------
    >>> from pmkit.project.kpi import net_promoter_score
    >>> net_promoter_score([10, 9, 8, 7, 6, 3, 10, 9, 9, 5])
    20.0
    """
    r = pd.to_numeric(pd.Series(recommend, dtype="float64"), errors="coerce").dropna().to_numpy()
    if not r.size:
        return float("nan")
    return float(100.0 * ((r >= 9).mean() - (r <= 6).mean()))


def as_of_date(project: Project, status_date=None) -> pd.Timestamp:
    """The date KPIs are measured at: given, else actual finish of a closed project, else
    the project's status date, else its latest progress record, else today."""
    if status_date is not None:
        return pd.Timestamp(status_date)
    if project.state == "closed" and project.finish_date is not None:
        return project.finish_date
    if project.status_date is not None:
        return project.status_date
    if project.status_dates:
        return project.status_dates[-1]
    return pd.Timestamp.today().normalize()


def _latest_evm(project: Project, when: pd.Timestamp, eac_method: str) -> pd.Series | None:
    from .evm import earned_value

    if not len(project.baseline):
        return None
    dates = [d for d in project.status_dates if d <= when]
    if not dates:
        return None
    return earned_value(project, status_dates=dates[-1:], eac_method=eac_method).iloc[0]


def on_time_delivery(project: Project, status_date=None) -> dict:
    """Finish against baseline, and milestones hit on time.

    The finish is the actual ``finish_date`` of a closed project, else the earned schedule
    forecast (IEAC(t) with PF = SPI(t), Lipke 2009), else the baseline finish (no progress
    yet). Delay is in working days of the project calendar. A milestone is due when its
    baseline finish is on or before the as-of date or it is finished; it is on time when
    its actual finish is not after its baseline finish.

    Returns
    -------
    dict
        ``baseline_finish``, ``finish``, ``finish_kind`` (actual/forecast/baseline),
        ``delay_days``, ``delay_pct`` (of the baseline duration), ``milestones_due``,
        ``milestones_on_time``, ``milestones_on_time_pct``.
    """
    when = as_of_date(project, status_date)
    out: dict = {"baseline_finish": pd.NaT, "finish": pd.NaT, "finish_kind": "", "delay_days": np.nan,
                 "delay_pct": np.nan}
    bl = project.baseline
    if len(bl):
        b_finish = bl["baseline_finish"].max()
        b_start = min(bl["baseline_start"].min(), project.start_date)
        evm = _latest_evm(project, when, "cpi")
        if project.state == "closed" and project.finish_date is not None:
            finish, kind = project.finish_date, "actual"
        elif evm is not None and pd.notna(evm["forecast_finish"]):
            finish, kind = evm["forecast_finish"], "forecast"
        else:
            finish, kind = b_finish, "baseline"
        cal = project.calendar
        # +1: the baseline counts its finish day as worked
        planned_days = float(cal.working_days_between(b_start, b_finish + pd.Timedelta(days=1)))
        delay = float(cal.working_days_between(b_finish, finish))
        out.update(baseline_finish=b_finish, finish=finish, finish_kind=kind, delay_days=delay,
                   delay_pct=100.0 * delay / planned_days if planned_days else np.nan)
    out.update(_milestones(project, when))
    return out


def _milestones(project: Project, when: pd.Timestamp) -> dict:
    tasks = project.tasks
    ms = tasks.loc[tasks["milestone"].fillna(False).astype(bool), "task_id"].astype(str)
    bl = project.baseline.set_index(project.baseline["task_id"].astype(str))["baseline_finish"]
    st = project.status[project.status["status_date"] <= when]
    st = st.sort_values("status_date", kind="stable").drop_duplicates("task_id", keep="last")
    actual = st.set_index(st["task_id"].astype(str))["actual_finish"]
    # reindex, not map: map on an empty lookup would try to cast dates to float
    planned = pd.Series(bl.reindex(ms.to_numpy()).to_numpy(dtype="datetime64[ns]"))
    done = pd.Series(actual.reindex(ms.to_numpy()).to_numpy(dtype="datetime64[ns]"))
    known = planned.notna()
    due = known & ((planned <= when) | done.notna())
    on_time = due & done.notna() & (done <= planned)
    n_due = int(due.sum())
    return {"milestones_due": n_due, "milestones_on_time": int(on_time.sum()),
            "milestones_on_time_pct": 100.0 * on_time.sum() / n_due if n_due else np.nan}


def on_budget(project: Project, status_date=None, eac_method: str = "cpi") -> dict:
    """Estimate at completion against budget at completion (PMBOK Guide 7th ed., 2.7).

    Returns ``bac``, ``eac``, ``vac`` and ``cost_overrun_pct = (EAC / BAC - 1) x 100``;
    for a closed project EAC is the final actual cost. Without progress the EAC is the BAC.
    """
    when = as_of_date(project, status_date)
    bac = project.bac
    evm = _latest_evm(project, when, eac_method)
    if evm is None:
        eac = bac
    elif project.state == "closed":
        eac = float(evm["ac"])
    else:
        eac = float(evm["eac"])
    return {"bac": bac, "eac": eac, "vac": bac - eac,
            "cost_overrun_pct": 100.0 * (eac / bac - 1.0) if bac else np.nan}


def meeting_specifications(project: Project, status_date=None) -> dict:
    """Deliverables accepted among those due by the as-of date.

    Returns ``deliverables_due``, ``accepted``, ``rejected``, ``pending`` (due, not yet
    decided) and ``acceptance_pct``; deliverables accepted before their due date count in
    ``accepted_early``.
    """
    when = as_of_date(project, status_date)
    d = project.deliverables
    due = (d["due_date"] <= when).to_numpy()
    acc = d["accepted"]
    accepted = (acc == True).fillna(False).to_numpy()  # noqa: E712 - nullable boolean
    rejected = (acc == False).fillna(False).to_numpy()  # noqa: E712
    n_due = int(due.sum())
    return {"deliverables_due": n_due, "accepted": int((due & accepted).sum()),
            "rejected": int((due & rejected).sum()), "pending": int((due & ~accepted & ~rejected).sum()),
            "accepted_early": int((~due & accepted).sum()),
            "acceptance_pct": 100.0 * (due & accepted).sum() / n_due if n_due else np.nan}


def client_satisfaction(project: Project, status_date=None) -> dict:
    """Survey average (1-5) and net promoter score of responses up to the as-of date."""
    when = as_of_date(project, status_date)
    s = project.surveys[project.surveys["survey_date"] <= when]
    return {"responses": len(s),
            "satisfaction_avg": float(s["satisfaction"].mean()) if len(s) else np.nan,
            "nps": net_promoter_score(s["recommend"])}


def project_kpis(project: Project, thresholds: KpiThresholds | None = None, status_date=None,
         eac_method: str = "cpi") -> pd.DataFrame:
    """The project KPIs in one table with a red / amber / green status each.

    Parameters
    ----------
    project : Project
    thresholds : KpiThresholds, optional
        Where each KPI turns amber and red (defaults: :class:`KpiThresholds`).
    status_date : date-like, optional
        Measure as of this date (default: see :func:`as_of_date`).
    eac_method : str
        EAC formula for the budget KPI (see :func:`pmkit.project.evm.earned_value`).

    Returns
    -------
    DataFrame
        ``kpi``, ``value``, ``unit``, ``green``, ``red`` (thresholds), ``status``
        (green/amber/red/grey for no data), ``detail``.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.kpi import project_kpis
    >>> table = project_kpis(pmkit.synth.project(40, seed=3))
    >>> table["kpi"].tolist()[:3]
    ['On-time delivery', 'Milestones on time', 'On budget']
    """
    th = thresholds or KpiThresholds()
    t = on_time_delivery(project, status_date)
    b = on_budget(project, status_date, eac_method)
    s = meeting_specifications(project, status_date)
    c = client_satisfaction(project, status_date)

    def fmt_date(d) -> str:
        return "" if pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m-%d")

    rows = [
        ("On-time delivery", t["delay_pct"], "% of baseline duration late", th.schedule_delay_green,
         th.schedule_delay_red, False,
         f"{t['finish_kind']} finish {fmt_date(t['finish'])} vs baseline {fmt_date(t['baseline_finish'])}"
         f" ({t['delay_days']:+.0f} working days)" if t["finish_kind"] else "no baseline"),
        ("Milestones on time", t["milestones_on_time_pct"], "% of due milestones", th.milestones_green,
         th.milestones_red, True, f"{t['milestones_on_time']} of {t['milestones_due']} due milestones on time"),
        ("On budget", b["cost_overrun_pct"], "% over budget (EAC vs BAC)", th.cost_overrun_green,
         th.cost_overrun_red, False, f"EAC {b['eac']:,.0f} vs BAC {b['bac']:,.0f}"),
        ("Meeting specifications", s["acceptance_pct"], "% of due deliverables accepted", th.acceptance_green,
         th.acceptance_red, True, f"{s['accepted']} accepted, {s['rejected']} rejected, {s['pending']} pending "
         f"of {s['deliverables_due']} due"),
        ("Client satisfaction", c["satisfaction_avg"], "average score 1-5", th.satisfaction_green,
         th.satisfaction_red, True, f"{c['responses']} survey responses"),
        ("Net promoter score", c["nps"], "% promoters - % detractors", th.nps_green, th.nps_red, True,
         f"{c['responses']} survey responses"),
    ]
    return pd.DataFrame([{"kpi": k, "value": float(v), "unit": u, "green": g, "red": r,
                          "status": rag_status(float(v), Band(g, r, hib)), "detail": d}
                         for k, v, u, g, r, hib, d in rows])


def project_status(project: Project, thresholds: KpiThresholds | None = None, status_date=None) -> RagVerdict:
    """The project's colour by the project rule (:func:`pmkit.rag.project_rag`).

    Grey ("not assessed") while no progress is recorded: a plan has no delivery to rate.
    Otherwise the worst status of :func:`project_kpis`. Every page that colours a project
    (index, project report, portfolio dashboard, CLI) calls this.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.kpi import project_status
    >>> pf = pmkit.load(pmkit.sample_path())
    >>> project_status(pf.project("P09")).reason
    'no progress recorded yet'
    """
    if not len(project.status):
        return RagVerdict("project", "grey", "no progress recorded yet")
    return project_rag(project_kpis(project, thresholds, status_date))


def all_project_kpis(portfolio: Portfolio, thresholds: KpiThresholds | None = None,
                     states: tuple[str, ...] = ("active", "on_hold", "closed")) -> pd.DataFrame:
    """The project KPIs of every project: one row per project and KPI.

    Columns ``project_id``, ``name``, ``state`` and those of :func:`project_kpis`. This is
    the project lens applied to each project in turn; the portfolio's own KPIs are
    :func:`pmkit.portfolio.kpi.portfolio_kpis`.
    """
    frames = [project_kpis(p, thresholds).assign(project_id=p.project_id, name=p.name, state=p.state)
              for p in portfolio.iter_projects(states)]
    if not frames:
        return pd.DataFrame(columns=["project_id", "name", "state", "kpi", "value", "unit", "green", "red",
                                     "status", "detail"])
    df = pd.concat(frames, ignore_index=True)
    return df[["project_id", "name", "state", *[c for c in df.columns if c not in ("project_id", "name", "state")]]]


#: The five SMART properties (Doran, "There's a S.M.A.R.T. way to write management's goals
#: and objectives", *Management Review* 70(11), 1981) and what proves each one.
SMART = {
    "specific": "what is stated",
    "measurable": "metric and target are given",
    "achievable": "owner confirmed achievable = true",
    "relevant": "linked to a strategic objective",
    "time_bound": "deadline is set",
}


def smart_check(project: Project) -> pd.DataFrame:
    """Which of Specific / Measurable / Achievable / Relevant / Time-bound each objective lacks.

    Rules (Doran 1981): *specific* needs a ``what`` of at least three words; *measurable*
    needs both ``metric`` and ``target``; *achievable* needs ``achievable`` true (blank
    means not assessed); *relevant* needs a ``strategic_objective_id``; *time-bound* needs a
    ``deadline`` (and an ``owner`` to be accountable, reported in ``missing`` too).

    Returns
    -------
    DataFrame
        ``objective_id``, ``what``, one bool column per property, ``has_owner``, ``smart``
        (all five hold) and ``missing`` (readable list).

    Examples
    --------
    >>> import pandas as pd
    >>> from pmkit.data.model import Project
    >>> from pmkit.project.kpi import smart_check
    >>> obj = pd.DataFrame({"objective_id": ["O1"], "what": ["Cut order handling time"],
    ...                     "metric": ["median minutes"], "target": [""], "owner": ["Ann"]})
    >>> prj = Project("P", "P", start_date="2025-01-06",
    ...               tasks=pd.DataFrame({"task_id": ["T1"], "name": ["x"], "duration_days": [1.0]}),
    ...               objectives=obj)
    >>> smart_check(prj)["missing"].iloc[0]
    'measurable (no target), achievable (not assessed), relevant (no strategic objective), time-bound (no deadline)'
    """
    o = project.objectives

    def filled(col: str) -> np.ndarray:
        return (o[col].fillna("").astype(str).str.strip() != "").to_numpy()

    words = o["what"].fillna("").astype(str).str.split().str.len().fillna(0).to_numpy()
    ach = o["achievable"]
    out = pd.DataFrame({
        "objective_id": o["objective_id"].astype(str), "what": o["what"],
        "specific": words >= 3,
        "measurable": filled("metric") & filled("target"),
        "achievable": (ach == True).fillna(False).to_numpy(dtype=bool),  # noqa: E712 - nullable boolean
        "relevant": filled("strategic_objective_id"),
        "time_bound": o["deadline"].notna().to_numpy(),
        "has_owner": filled("owner"),
    })
    out["smart"] = out[list(SMART)].all(axis=1)
    reasons = []
    for i in range(len(o)):
        r = []
        if not out["specific"].iloc[i]:
            r.append("specific (state what in a few words)")
        if not out["measurable"].iloc[i]:
            gaps = [n for n, ok in (("metric", filled("metric")[i]), ("target", filled("target")[i])) if not ok]
            r.append(f"measurable (no {' or '.join(gaps)})")
        if not out["achievable"].iloc[i]:
            r.append("achievable (" + ("not assessed" if pd.isna(ach.iloc[i]) else "owner says no") + ")")
        if not out["relevant"].iloc[i]:
            r.append("relevant (no strategic objective)")
        if not out["time_bound"].iloc[i]:
            r.append("time-bound (no deadline)")
        if not out["has_owner"].iloc[i]:
            r.append("no owner")
        reasons.append(", ".join(r))
    out["missing"] = reasons
    return out


__all__ = ["SMART", "KpiThresholds", "as_of_date", "client_satisfaction", "meeting_specifications",
           "net_promoter_score", "on_budget", "on_time_delivery", "all_project_kpis", "project_kpis", "project_status", "smart_check"]
