"""Capacity planning: demand per role and month against the ``capacity`` table.

Demand comes from each project's tasks and assignments: a task assigned ``units`` of a
role for ``duration_days`` working days needs ``units * duration_days`` person-days,
spread over the months it runs in proportion to the working days of the project calendar
each month holds. Task dates are the baseline dates when the project has a baseline, else
the early dates of :func:`pmkit.schedule` (when that module is installed). A named
resource's role is taken from the ``resources`` table.

This is the portfolio view (PMI *Standard for Portfolio Management*, 4th ed., capacity and
capability management): role-months, not individual people; leveling individual
resources inside one project is :mod:`pmkit.project.leveling`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import PmkitError

#: Project states whose work counts as demand by default.
OPEN_STATES = ("proposed", "active", "on_hold")

#: Utilization below this share of capacity is reported as ``under`` (idle capacity).
UNDER_THRESHOLD = 0.7


def month_number(dates) -> np.ndarray:
    """Months since year 0 (``year * 12 + month - 1``) of each date, as int64."""
    m = np.asarray(pd.to_datetime(pd.Series(dates)).to_numpy(dtype="datetime64[M]")).astype(np.int64)
    return m + 1970 * 12  # datetime64[M] counts from 1970-01


def month_start(number) -> pd.DatetimeIndex:
    """First day of the month for each :func:`month_number`."""
    n = np.asarray(number, dtype=np.int64) - 1970 * 12
    return pd.DatetimeIndex(n.astype("datetime64[M]").astype("datetime64[ns]"))


def _task_dates(project) -> pd.DataFrame | None:
    """``task_id, start, finish`` (finish = last working day) from the baseline or a schedule."""
    if len(project.baseline):
        b = project.baseline
        return pd.DataFrame({"task_id": b["task_id"].astype(str).to_numpy(),
                             "start": b["baseline_start"].to_numpy(), "finish": b["baseline_finish"].to_numpy()})
    try:
        from ..project.scheduling import schedule
    except ImportError:
        return None
    s = schedule(project)
    start = next((c for c in ("early_start", "start") if c in s.columns), None)
    finish = next((c for c in ("early_finish", "finish") if c in s.columns), None)
    if start is None or finish is None:
        return None
    return pd.DataFrame({"task_id": s["task_id"].astype(str).to_numpy(), "start": s[start].to_numpy(),
                         "finish": s[finish].to_numpy()})


def spread_over_months(start, finish, amount, calendar) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split each ``amount`` over the months of ``[start, finish]`` by working days.

    ``finish`` is the last working day (inclusive). Returns ``(row, month_number, share)``
    arrays, one element per row and month touched; a span without working days puts the
    whole amount in its start month. Linear in the number of row-months.
    """
    s = np.asarray(start, dtype="datetime64[D]")
    e = np.asarray(finish, dtype="datetime64[D]") + 1
    e = np.maximum(e, s + 1)
    ms = s.astype("datetime64[M]")
    span = (e - 1).astype("datetime64[M]").astype(np.int64) - ms.astype(np.int64) + 1
    row = np.repeat(np.arange(s.size), span)
    first = np.repeat(np.cumsum(span) - span, span)
    month = ms[row] + (np.arange(row.size) - first)
    lo = np.maximum(s[row], month.astype("datetime64[D]"))
    hi = np.minimum(e[row], (month + 1).astype("datetime64[D]"))
    cal = calendar.busdaycal
    wd = np.busday_count(lo, hi, busdaycal=cal).astype(float)
    total = np.busday_count(s, e, busdaycal=cal).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total[row] > 0, wd / total[row], (np.arange(row.size) == first).astype(float))
    amt = np.asarray(amount, dtype=float)[row] * share
    return row, month.astype(np.int64) + 1970 * 12, amt


def role_demand(portfolio, project_ids: list[str] | None = None,
                states: tuple[str, ...] | None = OPEN_STATES) -> pd.DataFrame:
    """Demand in person-days per project, role and month.

    Parameters
    ----------
    portfolio : Portfolio
    project_ids : list of str, optional
        Projects to include (default: those in ``states``).
    states : tuple of str, optional
        Project states counted when ``project_ids`` is not given; None for all.

    Returns
    -------
    DataFrame
        ``project_id, role_id, month`` (first day), ``demand_days``. The attribute
        ``attrs["undated"]`` lists projects with assignments but no dates (no baseline and
        no scheduler available); their demand is missing.

    Examples
    --------
    >>> import pmkit
    >>> pf = pmkit.synth.portfolio(4, 10, seed=3)
    >>> d = role_demand(pf)
    >>> bool((d["demand_days"] > 0).all())
    True
    """
    p = portfolio.projects
    if project_ids is None:
        keep = p["state"].isin(states) if states is not None else pd.Series(True, index=p.index)
        project_ids = p.loc[keep, "project_id"].astype(str).tolist()
    asg = portfolio.assignments
    asg = asg[asg["project_id"].astype(str).isin(project_ids)]
    cols = ["project_id", "role_id", "month", "demand_days"]
    if not len(asg):
        out = pd.DataFrame({c: [] for c in cols}).astype({"demand_days": float})
        out["month"] = pd.to_datetime(out["month"])
        out.attrs["undated"] = []
        return out
    res_role = dict(zip(portfolio.resources["resource_id"].astype(str),
                        portfolio.resources["role_id"].astype(str), strict=True))
    role = asg["role_id"].astype(str).to_numpy(dtype=object)
    blank = role == ""
    role[blank] = [res_role.get(r, "") for r in asg["resource_id"].astype(str).to_numpy()[blank]]
    asg = asg.assign(role_id=role, project_id=asg["project_id"].astype(str), task_id=asg["task_id"].astype(str))
    asg = asg[asg["role_id"] != ""]
    tasks = portfolio.tasks
    dur = pd.Series(tasks["duration_days"].to_numpy(dtype=float),
                    index=pd.MultiIndex.from_arrays([tasks["project_id"].astype(str), tasks["task_id"].astype(str)]))
    parents = set(zip(tasks["project_id"].astype(str), tasks["parent_id"].astype(str), strict=True))
    # dates: the whole baseline table at once; other projects one by one through the scheduler
    bl = portfolio.baseline
    bl_pids = set(bl["project_id"].astype(str))
    dates = [pd.DataFrame({"project_id": bl["project_id"].astype(str).to_numpy(),
                           "task_id": bl["task_id"].astype(str).to_numpy(),
                           "start": bl["baseline_start"].to_numpy(), "finish": bl["baseline_finish"].to_numpy()})]
    undated = []
    for pid in sorted(set(asg["project_id"]) - bl_pids):
        d = _task_dates(portfolio.project(pid))
        if d is None:
            undated.append(pid)
        else:
            dates.append(d.assign(project_id=pid))
    dates = pd.concat(dates, ignore_index=True)
    a = asg.merge(dates, on=["project_id", "task_id"], how="inner")
    key = pd.MultiIndex.from_arrays([a["project_id"], a["task_id"]])
    a["effort"] = a["units"].to_numpy(dtype=float) * dur.reindex(key).fillna(0.0).to_numpy()
    is_summary = np.array([k in parents for k in zip(a["project_id"], a["task_id"], strict=True)], dtype=bool)
    a = a[(a["effort"] > 0) & ~is_summary & a["start"].notna() & a["finish"].notna()]
    cal_of = dict(zip(portfolio.projects["project_id"].astype(str), portfolio.projects["calendar_id"].astype(str),
                      strict=True))
    cals = portfolio.calendar_map()
    parts = []
    for cal_id, g in a.groupby(a["project_id"].map(cal_of).fillna("standard"), sort=False):
        row, month, amt = spread_over_months(g["start"].to_numpy(), g["finish"].to_numpy(), g["effort"].to_numpy(),
                                             cals.get(cal_id, cals["standard"]))
        parts.append(pd.DataFrame({"project_id": g["project_id"].to_numpy()[row],
                                   "role_id": g["role_id"].to_numpy()[row], "month": month, "demand_days": amt}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    out = out.groupby(["project_id", "role_id", "month"], as_index=False, sort=True)["demand_days"].sum()
    out["month"] = month_start(out["month"].to_numpy())
    out = out[out["demand_days"] > 0].reset_index(drop=True)[cols]
    out.attrs["undated"] = undated
    return out


def _ids_of(selection) -> list[str] | None:
    if selection is None:
        return None
    ids = getattr(selection, "selected_ids", selection)
    return [str(x) for x in ids]


def capacity_plan(portfolio, selection=None, states: tuple[str, ...] | None = OPEN_STATES,
                  under_threshold: float = UNDER_THRESHOLD) -> pd.DataFrame:
    """Demand against capacity per role and month, with over- and under-allocation.

    Parameters
    ----------
    portfolio : Portfolio
    selection : Selection or list of str, optional
        The projects whose demand counts (a :class:`pmkit.portfolio.selection.Selection` or ids);
        default every project in ``states``.
    under_threshold : float
        Utilization below which a role-month with capacity is ``under``-allocated.

    Returns
    -------
    DataFrame
        ``role_id, month, demand_days, capacity_days, balance_days`` (capacity - demand),
        ``utilization`` (demand / capacity; NaN without capacity) and ``status``:
        ``over`` (demand > capacity), ``under``, ``ok`` or ``no capacity`` (demand in a
        role-month the capacity table does not cover).
    """
    dem = role_demand(portfolio, _ids_of(selection), states)
    d = dem.groupby(["role_id", "month"], as_index=False)["demand_days"].sum()
    cap = portfolio.capacity[["role_id", "month", "capacity_days"]].assign(role_id=lambda c: c["role_id"].astype(str))
    cap = cap.groupby(["role_id", "month"], as_index=False)["capacity_days"].sum()
    out = d.merge(cap, on=["role_id", "month"], how="outer").sort_values(["role_id", "month"], kind="stable")
    out["demand_days"] = out["demand_days"].fillna(0.0)
    out["balance_days"] = out["capacity_days"] - out["demand_days"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["utilization"] = np.where(out["capacity_days"] > 0, out["demand_days"] / out["capacity_days"],
                                      np.where(out["demand_days"] > 0, np.inf, np.nan))
    status = np.select(
        [out["capacity_days"].isna(), out["demand_days"] > out["capacity_days"] + 1e-9,
         out["utilization"] < under_threshold],
        ["no capacity", "over", "under"], "ok")
    out["status"] = status
    out.attrs["undated"] = dem.attrs.get("undated", [])
    return out.reset_index(drop=True)


def utilization(portfolio, selection=None, states: tuple[str, ...] | None = OPEN_STATES) -> pd.DataFrame:
    """Utilization per role over the capacity horizon.

    ``utilization = sum(demand) / sum(capacity)`` over the months with capacity (a ratio of
    sums, not a mean of monthly ratios), with ``peak_utilization``, the number of
    ``over_months`` and the ``over_days`` (person-days above capacity, summed), plus an
    ``(all roles)`` row.
    """
    if not len(portfolio.capacity):
        raise PmkitError("capacity: the table is empty; utilization needs capacity per role and month")
    plan = capacity_plan(portfolio, selection, states)
    covered = plan[plan["capacity_days"].notna()]
    g = covered.groupby("role_id")
    out = pd.DataFrame({
        "demand_days": g["demand_days"].sum(), "capacity_days": g["capacity_days"].sum(),
        "peak_utilization": g["utilization"].max(),
        "over_months": g["status"].apply(lambda s: int((s == "over").sum())),
        "over_days": g["balance_days"].apply(lambda s: float((-s).clip(lower=0).sum())),
    }).reset_index()
    outside = plan[plan["capacity_days"].isna()].groupby("role_id")["demand_days"].sum()
    out["demand_outside_days"] = out["role_id"].map(outside).fillna(0.0)
    total = pd.DataFrame([{"role_id": "(all roles)", "demand_days": out["demand_days"].sum(),
                           "capacity_days": out["capacity_days"].sum(),
                           "peak_utilization": out["peak_utilization"].max() if len(out) else np.nan,
                           "over_months": int(out["over_months"].sum()), "over_days": out["over_days"].sum(),
                           "demand_outside_days": float(plan.loc[plan["capacity_days"].isna(), "demand_days"].sum())}])
    out = pd.concat([out, total], ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["utilization"] = np.where(out["capacity_days"] > 0, out["demand_days"] / out["capacity_days"], np.nan)
    return out[["role_id", "demand_days", "capacity_days", "utilization", "peak_utilization", "over_months",
                "over_days", "demand_outside_days"]]


__all__ = ["capacity_plan", "month_number", "month_start", "role_demand", "spread_over_months", "utilization"]
