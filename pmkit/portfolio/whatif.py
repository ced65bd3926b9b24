"""What-if analysis across the two lenses: a late project and a budget cut.

Two questions the project and portfolio views answer together:

* **What if this project slips?** :func:`delay_project` returns a copy of the portfolio in
  which one project is ``days`` working days later, and :func:`delay_effects` shows how
  its project KPIs (on-time delivery, SPI(t), forecast finish, cost) and the portfolio
  KPIs (NPV, ROI, SPI, CPI) move.
* **What if the budget changes?** :func:`budget_scenarios` re-solves the portfolio
  selection (:func:`pmkit.select`) at each budget and lists which projects run.

The delay model (pmkit's, stated so it can be judged):

- *Progress* (active and on-hold projects): the project has earned, at its latest status
  date, the value the baseline planned ``days`` working days before its earned schedule,
  so ``ES`` falls by exactly ``days`` (Lipke 2003), and with it SV(t), SPI(t) and the
  IEAC(t) forecast finish. The lost value is taken from unfinished tasks first, in
  proportion to their earned value, then from finished ones (which are re-opened). Actual
  cost is unchanged: the same money bought less progress, so CPI falls too.
- *Cash flows*: every ``cash_flows`` row after the status date (all rows of a project that
  has not started) moves later by the calendar span of ``days`` working days, so benefits
  arrive later and NPV falls; undiscounted ROI does not change.
- *Proposed projects* (and projects without progress records or baseline) start ``days``
  working days later: ``start_date`` and all their cash flows move.

Examples
--------
>>> import pmkit
>>> from pmkit.portfolio.whatif import delay_project
>>> pf = pmkit.synth.portfolio(3, 20, seed=1)
>>> late = delay_project(pf, pf.project_ids[0], 10)
>>> late.project_ids == pf.project_ids
True
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..data.model import Portfolio, Project
from ..errors import PmkitError


def _shift_span(project: Project, origin: pd.Timestamp, days: int) -> pd.Timedelta:
    """Calendar time that ``days`` working days of the project calendar take from ``origin``."""
    if days == 0:
        return pd.Timedelta(0)
    end = pd.Timestamp(project.calendar.offset_to_date(np.datetime64(origin, "D"), int(days)))
    return end - origin


def _delayed_status(project: Project, status: pd.DataFrame, days: int) -> pd.DataFrame:
    """The project's status rows with the latest status date's progress set back ``days``."""
    from ..project.evm import _Baseline, _project_days, earned_value

    when = project.status_dates[-1]
    row = earned_value(project, status_dates=when).iloc[0]
    bl = _Baseline(project)
    pv_days = bl.total_pv(_project_days(bl, bl.origin, bl.planned_finish))
    es_new = max(float(row["es_days"]) - days, 0.0)
    # the PV curve is piecewise linear per day, so PV at a fractional day interpolates
    target_ev = float(np.interp(es_new, np.arange(len(pv_days) + 1), np.r_[0.0, pv_days]))
    ev_old = float(row["ev"])
    cut = max(ev_old - target_ev, 0.0)
    # every task's latest record (records carry forward), restated at the latest status date
    mine = status[status["project_id"].astype(str) == project.project_id]
    latest = (mine[mine["status_date"] <= when].sort_values("status_date", kind="stable")
              .drop_duplicates("task_id", keep="last").copy())
    latest["status_date"] = when
    cost = pd.Series(bl.cost, index=bl.task_ids)
    ev_task = latest["percent_complete"].to_numpy(dtype=float) / 100.0 * \
        cost.reindex(latest["task_id"].astype(str)).fillna(0.0).to_numpy()
    done = latest["percent_complete"].to_numpy(dtype=float) >= 100.0
    new_ev = ev_task.copy()
    for group in (~done, done):  # unfinished work absorbs the slip first
        have = new_ev[group].sum()
        if cut <= 0 or have <= 0:
            continue
        take = min(cut, have)
        new_ev[group] *= 1.0 - take / have
        cut -= take
    scale = np.divide(new_ev, ev_task, out=np.ones_like(new_ev), where=ev_task > 0)
    latest["percent_complete"] = latest["percent_complete"].to_numpy(dtype=float) * scale
    reopened = done & (latest["percent_complete"].to_numpy(dtype=float) < 100.0 - 1e-9)
    if "actual_finish" in latest:
        latest.loc[reopened, "actual_finish"] = pd.NaT
    others = status[~((status["project_id"].astype(str) == project.project_id) & (status["status_date"] == when))]
    return pd.concat([others, latest], ignore_index=True)


def delay_project(portfolio: Portfolio, project_id: str, days: int) -> Portfolio:
    """The portfolio with one project ``days`` working days late.

    See the module docstring for the model: the project's earned schedule at its latest
    status date falls by ``days`` (value taken from unfinished work first, actual cost
    unchanged), its future cash flows move later by the same working time, and a project
    that has not started starts later.

    Parameters
    ----------
    portfolio : Portfolio
    project_id : str
    days : int
        Working days of the project's calendar, 0 or more (0 returns the portfolio as is).

    Returns
    -------
    Portfolio
        A new, validated portfolio; the input is not changed.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.portfolio.whatif import delay_project
    >>> pf = pmkit.synth.portfolio(3, 20, seed=1)
    >>> pid = pf.project_ids[0]
    >>> late = delay_project(pf, pid, 15)
    >>> before = pmkit.earned_value(pf.project(pid)).iloc[-1]["es_days"]
    >>> after = pmkit.earned_value(late.project(pid)).iloc[-1]["es_days"]
    >>> bool(after < before)
    True
    """
    if int(days) != days or days < 0:
        raise PmkitError(f"delay_project: days must be a whole number of working days >= 0, not {days!r}")
    days = int(days)
    prj = portfolio.project(str(project_id))
    if days == 0:
        return portfolio
    tables: dict[str, pd.DataFrame] = {}
    started = prj.state != "proposed" and bool(prj.status_dates) and len(prj.baseline) > 0
    if started:
        origin = prj.status_dates[-1]
        tables["status"] = _delayed_status(prj, portfolio.status, days)
    else:  # not started: the whole project moves
        origin = prj.start_date - pd.Timedelta(days=1)
        projects = portfolio.projects.copy()
        row = projects["project_id"].astype(str) == prj.project_id
        shift = _shift_span(prj, prj.start_date, days)
        projects.loc[row, "start_date"] = projects.loc[row, "start_date"] + shift
        tables["projects"] = projects
    cf = portfolio.cash_flows
    if len(cf):
        shift = _shift_span(prj, origin, days)
        move = (cf["project_id"].astype(str) == prj.project_id) & (cf["period_start"] > origin)
        cf = cf.copy()
        cf.loc[move, "period_start"] = cf.loc[move, "period_start"] + shift
        tables["cash_flows"] = cf
    return portfolio.with_tables(**tables)


def _project_figures(project: Project) -> dict[str, float]:
    from ..project.evm import earned_value
    from ..project.kpi import project_kpis

    k = project_kpis(project).set_index("kpi")
    out = {"On-time delivery (% late)": float(k.at["On-time delivery", "value"]),
           "On budget (% over)": float(k.at["On budget", "value"])}
    ev = earned_value(project)
    if len(ev):
        last = ev.iloc[-1]
        out.update({"SPI(t)": float(last["spi_t"]), "CPI": float(last["cpi"]),
                    "forecast finish": pd.Timestamp(last["forecast_finish"]),
                    "EAC": float(last["eac"])})
    return out


def _portfolio_figures(portfolio: Portfolio) -> dict[str, float]:
    from .kpi import portfolio_kpis

    k = portfolio_kpis(portfolio).set_index("kpi")["value"]
    names = {"npv": "NPV", "roi": "ROI", "spi": "SPI", "cpi": "CPI",
             "resource_utilization": "resource utilization", "strategic_alignment": "strategic alignment"}
    return {label: float(k[key]) for key, label in names.items() if key in k.index}


def delay_effects(portfolio: Portfolio, project_id: str, days: int) -> pd.DataFrame:
    """How a delay of one project moves its KPIs and the portfolio's.

    Parameters
    ----------
    portfolio : Portfolio
    project_id : str
    days : int
        Working days of delay (see :func:`delay_project`).

    Returns
    -------
    DataFrame
        ``lens`` (project / portfolio), ``measure``, ``before``, ``after``, ``change``
        (after - before; days for the forecast finish).

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.portfolio.whatif import delay_effects
    >>> pf = pmkit.synth.portfolio(3, 20, seed=1)
    >>> fx = delay_effects(pf, pf.project_ids[0], 10)
    >>> sorted(set(fx["lens"]))
    ['portfolio', 'project']
    """
    late = delay_project(portfolio, project_id, days)
    rows = []
    for lens, fn, a, b in (("project", _project_figures, portfolio.project(str(project_id)),
                            late.project(str(project_id))),
                           ("portfolio", _portfolio_figures, portfolio, late)):
        before, after = fn(a), fn(b)
        for m, v0 in before.items():
            v1 = after.get(m)
            if isinstance(v0, pd.Timestamp):
                change = float((v1 - v0).days) if pd.notna(v0) and pd.notna(v1) else np.nan
            else:
                change = v1 - v0
            rows.append({"lens": lens, "measure": m, "before": v0, "after": v1, "change": change})
    return pd.DataFrame(rows, columns=["lens", "measure", "before", "after", "change"])


def budget_scenarios(portfolio: Portfolio, budgets: Iterable[float], **select_kwargs) -> pd.DataFrame:
    """The best portfolio at each total budget: which projects run, their value and cost.

    Calls :func:`pmkit.select` with ``budget=b`` for every ``b`` (a total budget over all
    years; the other arguments, such as ``objective``, pass through).

    Returns
    -------
    DataFrame
        ``budget``, ``status``, ``value``, ``cost``, ``projects`` (how many), ``selected``
        (ids, comma-separated), and ``added`` / ``dropped`` against the previous budget
        (budgets in the order given).

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.portfolio.whatif import budget_scenarios
    >>> pf = pmkit.synth.portfolio(6, 10, seed=3)
    >>> t = budget_scenarios(pf, [2e5, 1e9], capacity=False)
    >>> bool(t["value"].is_monotonic_increasing)
    True
    """
    from .selection import select

    rows, prev = [], None
    for b in budgets:
        sel = select(portfolio, budget=float(b), **select_kwargs)
        ids = list(sel.selected_ids)
        rows.append({"budget": float(b), "status": sel.status, "value": float(sel.value), "cost": float(sel.cost),
                     "projects": len(ids), "selected": ", ".join(ids),
                     "added": "" if prev is None else ", ".join(i for i in ids if i not in prev),
                     "dropped": "" if prev is None else ", ".join(i for i in prev if i not in ids)})
        prev = ids
    return pd.DataFrame(rows, columns=["budget", "status", "value", "cost", "projects", "selected", "added",
                                       "dropped"])


__all__ = ["budget_scenarios", "delay_effects", "delay_project"]
