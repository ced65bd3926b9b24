"""Synthetic projects and portfolios of any size, reproducible from a seed.

For benchmarks and tests: the networks use all four link types with positive and
negative lags, fractional durations, milestones, a calendar with holidays and a second
task calendar, three-point estimates, resources, progress and risks. Generation is
vectorized, so a million activities take about a second.

The network is layered, like a large programme of parallel work streams: every
predecessor of a task lies in one of the few layers before it, which guarantees an
acyclic network whose depth (``n_layers``) is controlled.

Examples
--------
>>> from pmkit import synth
>>> prj = synth.project(200, seed=1)
>>> len(prj.tasks), prj.dependencies["type"].nunique()
(200, 4)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendars import Calendar
from .model import Portfolio, Project

_LINK_TYPES = np.array(["FS", "SS", "FF", "SF"])
LINK_P = np.array([0.70, 0.12, 0.12, 0.06])
ROLE_NAMES = ["Project manager", "Business analyst", "Architect", "Developer", "Tester",
              "Engineer", "Designer", "Technician"]


def holidays(years=range(2024, 2031), seed: int = 0) -> np.ndarray:
    """Fixed public holidays (1 Jan, 1 May, 25-26 Dec) plus two random days a year."""
    rng = np.random.default_rng(seed)
    days = []
    for y in years:
        days += [f"{y}-01-01", f"{y}-05-01", f"{y}-12-25", f"{y}-12-26"]
        base = np.datetime64(f"{y}-01-01")
        days += [str(base + int(d)) for d in rng.integers(30, 330, size=2)]
    return np.unique(np.array(days, dtype="datetime64[D]"))


def calendars(seed: int = 0) -> dict[str, Calendar]:
    """A Mon-Fri calendar with holidays and a Mon-Sat site calendar."""
    hol = tuple(holidays(seed=seed))
    return {
        "standard": Calendar("standard", "Mon-Fri with holidays", holidays=hol),
        "site": Calendar("site", "Mon-Sat site work", (True,) * 6 + (False,), hol),
    }


def network(n_tasks: int, seed: int = 0, links_per_task: float = 3.0, n_layers: int | None = None,
            project_id: str = "SYN") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tasks and dependencies tables of a random layered activity network.

    Parameters
    ----------
    n_tasks : int
        Number of activities.
    seed : int
        Random seed; the same seed gives the same network.
    links_per_task : float
        Average number of predecessors per task (the first layer has none).
    n_layers : int, optional
        Depth of the network; default ``max(5, 2 * sqrt(n_tasks))`` capped at ``n_tasks``.

    Returns
    -------
    tasks, dependencies : DataFrame
        Following the ``tasks`` and ``dependencies`` tables of the data format.
    """
    rng = np.random.default_rng(seed)
    n = int(n_tasks)
    if n_layers is None:
        n_layers = int(min(n, max(5, 2 * np.sqrt(n))))
    n_layers = max(1, min(int(n_layers), n))
    layer = np.sort(rng.integers(0, n_layers, size=n))
    layer[: min(n, n_layers)] = np.arange(min(n, n_layers))  # every layer non-empty
    layer.sort()
    layer_start = np.searchsorted(layer, np.arange(n_layers + 1))
    # durations: mostly whole days, some half days; 5% milestones
    dur = rng.gamma(2.0, 4.0, size=n).round()
    half = rng.random(n) < 0.1
    dur[half] += 0.5
    milestone = rng.random(n) < 0.05
    dur[milestone] = 0.0
    dur = np.maximum(dur, np.where(milestone, 0.0, 0.5))
    opt = np.round(dur * rng.uniform(0.6, 0.95, n), 1)
    pes = np.round(dur * rng.uniform(1.1, 2.0, n), 1)
    # repeated labels point at one string each (a million copies of "site" would cost ~50 MB)
    ids = np.array([f"T{i}" for i in range(1, n + 1)], dtype=object)
    cal = np.array(["", "site"], dtype=object)[(rng.random(n) < 0.05).astype(np.int8)]
    wbs_of_layer = np.array([f"{k // 10 + 1}.{k % 10 + 1}" for k in range(n_layers)], dtype=object)
    tasks = pd.DataFrame({
        "project_id": project_id, "task_id": ids, "name": np.array([f"Activity {i}" for i in range(1, n + 1)], dtype=object),
        "wbs": wbs_of_layer[layer],
        "duration_days": dur, "optimistic_days": opt, "most_likely_days": dur, "pessimistic_days": pes,
        "budget_cost": np.round(dur * rng.uniform(400, 1200, n), 2), "milestone": milestone,
        "constraint_type": "ASAP", "calendar_id": cal,
    })
    del cal, opt, pes
    # dependencies: successors outside layer 0 draw predecessors from the 1-3 layers before
    succ_pool = np.flatnonzero(layer > 0)
    m = int(round(links_per_task * succ_pool.size))
    if m and succ_pool.size:
        # temporaries are dropped as soon as used: at a million tasks each one is 24 MB
        succ = rng.choice(succ_pool, size=m)
        del succ_pool
        src_layer = layer[succ] - rng.integers(1, 4, size=m)
        np.maximum(src_layer, 0, out=src_layer)
        lo = layer_start[src_layer]
        width = layer_start[src_layer + 1] - lo
        del src_layer
        key = (rng.random(m) * width).astype(np.int64)
        del width
        key += lo
        del lo
        key *= n
        key += succ
        del succ
        key.sort()
        key = key[np.r_[True, key[1:] != key[:-1]]]  # drop repeated links
        m = key.size
        pred_id = ids[key // n]
        succ_id = ids[key % n]
        del key
        kind = _LINK_TYPES.astype(object)[rng.choice(4, size=m, p=LINK_P)]
        lag = np.zeros(m)
        r = rng.random(m)
        lag[r < 0.15] = rng.integers(1, 6, size=(r < 0.15).sum())
        neg = (r >= 0.15) & (r < 0.22)
        lag[neg] = -rng.integers(1, 3, size=neg.sum())
        del r, neg
        deps = pd.DataFrame({"project_id": project_id, "predecessor_id": pred_id, "successor_id": succ_id,
                             "type": kind, "lag_days": lag})
    else:
        deps = pd.DataFrame({"project_id": [], "predecessor_id": [], "successor_id": [], "type": [], "lag_days": []})
    return tasks, deps


def _approx_early_start(tasks: pd.DataFrame, deps: pd.DataFrame) -> np.ndarray:
    """Finish-to-start forward pass in working days (ignores link types; for synthetic baselines)."""
    from .network import topological_levels

    idx = pd.Index(tasks["task_id"])
    p = idx.get_indexer(deps["predecessor_id"])
    s = idx.get_indexer(deps["successor_id"])
    dur = tasks["duration_days"].to_numpy(dtype=float)
    lag = deps["lag_days"].to_numpy(dtype=float)
    es = np.zeros(len(tasks))
    levels = topological_levels(len(tasks), p, s)
    lvl_of = np.empty(len(tasks), dtype=np.int64)
    lvl_of[levels.order] = np.repeat(np.arange(levels.n_levels), np.diff(levels.bounds))
    edge_lvl = lvl_of[s]
    e_order = np.argsort(edge_lvl, kind="stable")
    bounds = np.searchsorted(edge_lvl[e_order], np.arange(levels.n_levels + 1))
    for k in range(1, levels.n_levels):
        e = e_order[bounds[k]:bounds[k + 1]]
        if e.size:
            np.maximum.at(es, s[e], es[p[e]] + dur[p[e]] + lag[e])
    return np.maximum(es, 0)


def project(n_tasks: int = 50, seed: int = 0, links_per_task: float = 3.0, project_id: str = "SYN",
            start: str = "2025-01-06", progress: float | None = 0.4, with_risks: bool = True,
            with_resources: bool = True, n_layers: int | None = None, name: str | None = None) -> Project:
    """A synthetic :class:`Project` with baseline, progress, resources and risks.

    Parameters
    ----------
    progress : float or None
        Fraction of the baseline length elapsed at the status date (None: no progress).
    """
    rng = np.random.default_rng(seed + 7919)
    tasks, deps = network(n_tasks, seed, links_per_task, n_layers, project_id)
    cals = calendars(seed)
    cal = cals["standard"]
    es = _approx_early_start(tasks, deps)
    dur = tasks["duration_days"].to_numpy()
    origin = np.datetime64(start, "D")
    b_start = cal.offset_to_date(origin, es)
    b_finish = cal.offset_to_date(origin, np.maximum(es + dur - 1e-9, es))
    baseline = pd.DataFrame({"project_id": project_id, "task_id": tasks["task_id"],
                             "baseline_start": pd.to_datetime(b_start), "baseline_finish": pd.to_datetime(b_finish),
                             "baseline_cost": tasks["budget_cost"]})
    status = None
    status_date = None
    if progress is not None and n_tasks:
        length = float((es + dur).max())
        sd_off = max(1.0, progress * length)
        status_date = pd.Timestamp(cal.offset_to_date(origin, sd_off))
        perf = rng.normal(1.0, 0.15, len(tasks)).clip(0.5, 1.5)  # schedule performance per task
        done_frac = np.clip((sd_off - es) / np.maximum(dur, 1e-9) * perf, 0, 1)
        done_frac[dur == 0] = (es[dur == 0] <= sd_off).astype(float)
        started = done_frac > 0
        pct = np.round(done_frac * 100, 1)
        a_start = np.where(started, b_start, np.datetime64("NaT"))
        a_finish = np.where(pct >= 100, np.minimum(b_finish, np.datetime64(status_date, "D")), np.datetime64("NaT"))
        cost_perf = rng.normal(1.05, 0.12, len(tasks)).clip(0.7, 1.6)
        keep = started
        status = pd.DataFrame({
            "project_id": project_id, "status_date": status_date, "task_id": tasks["task_id"][keep],
            "percent_complete": pct[keep], "actual_start": pd.to_datetime(a_start[keep]),
            "actual_finish": pd.to_datetime(a_finish[keep]),
            "actual_cost": np.round(tasks["budget_cost"].to_numpy()[keep] * done_frac[keep] * cost_perf[keep], 2),
        })
    roles = resources = assignments = None
    if with_resources:
        roles = pd.DataFrame({"role_id": [f"R{i + 1}" for i in range(len(ROLE_NAMES))], "name": ROLE_NAMES,
                              "cost_rate_per_day": [900, 700, 950, 650, 550, 750, 600, 500]})
        res_role = np.repeat(roles["role_id"].to_numpy(), 3)
        resources = pd.DataFrame({"resource_id": [f"U{i + 1}" for i in range(len(res_role))],
                                  "name": [f"Person {i + 1}" for i in range(len(res_role))],
                                  "role_id": res_role, "capacity_units": 1.0})
        named = rng.random(len(tasks)) < 0.3
        role_pick = roles["role_id"].to_numpy()[rng.integers(0, len(roles), len(tasks))]
        res_pick = resources["resource_id"].to_numpy()[rng.integers(0, len(resources), len(tasks))]
        assignments = pd.DataFrame({
            "project_id": project_id, "task_id": tasks["task_id"],
            "resource_id": np.where(named, res_pick, "").astype(object),
            "role_id": np.where(named, "", role_pick).astype(object),
            "units": rng.choice([0.5, 1.0, 1.0, 2.0], len(tasks)),
        })[tasks["duration_days"].to_numpy() > 0]
    risks = None
    if with_risks and n_tasks:
        k = max(1, n_tasks // 25)
        pick = rng.choice(len(tasks), size=min(k, len(tasks)), replace=False)
        risks = pd.DataFrame({
            "project_id": project_id, "risk_id": [f"K{i + 1}" for i in range(len(pick))],
            "description": [f"Risk on {t}" for t in tasks["task_id"].to_numpy()[pick]],
            "category": rng.choice(["technical", "external", "organizational", "commercial"], len(pick)),
            "probability": np.round(rng.uniform(0.05, 0.6, len(pick)), 2),
            "cost_impact": np.round(rng.uniform(1_000, 30_000, len(pick)), -2),
            "schedule_impact_days": rng.integers(1, 11, len(pick)).astype(float),
            "task_id": tasks["task_id"].to_numpy()[pick], "status": "open",
        })
    return Project(project_id=project_id, name=name or f"Synthetic {n_tasks}", start_date=pd.Timestamp(start),
                   status_date=status_date, state="active" if status is not None else "proposed",
                   budget=float(tasks["budget_cost"].sum() * 1.1), calendar=cals["standard"], calendars=cals,
                   tasks=tasks, dependencies=deps, baseline=baseline, status=status, risks=risks,
                   assignments=assignments, roles=roles, resources=resources, validate=False)


def portfolio(n_projects: int = 20, tasks_per_project: int = 40, seed: int = 0, n_roles: int = 8,
              months: int = 36, n_relations: int | None = None, start: str = "2025-01-01") -> Portfolio:
    """A synthetic :class:`Portfolio` with programs, objectives, cash flows, capacity and budgets.

    Each project is a :func:`project` network; projects start at random months within the
    horizon. ``n_relations`` (default ``n_projects // 20``) requires/excludes rules are drawn
    without contradictions.
    """
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp(start)
    n_prog = max(1, n_projects // 8)
    programs = pd.DataFrame({"program_id": [f"PG{i + 1}" for i in range(n_prog)],
                             "name": [f"Program {i + 1}" for i in range(n_prog)]})
    states = rng.choice(["proposed", "active", "active", "closed", "on_hold"], n_projects, p=[0.45, 0.3, 0.1, 0.1, 0.05])
    parts = {k: [] for k in ("tasks", "dependencies", "baseline", "status", "risks", "assignments")}
    rows = []
    roles = resources = None
    cals = calendars(seed)
    for i in range(n_projects):
        pid = f"S{i + 1:04d}"
        start_i = t0 + pd.DateOffset(months=int(rng.integers(0, max(1, months // 2))))
        progress = 0.4 if states[i] == "active" else (1.0 if states[i] == "closed" else None)
        prj = project(tasks_per_project, seed=seed * 100_003 + i, project_id=pid, start=str(start_i.date()),
                      progress=progress, n_layers=max(3, int(np.sqrt(tasks_per_project) * 1.5)))
        roles, resources = prj.roles, prj.resources
        for k in parts:
            parts[k].append(getattr(prj, k))
        rows.append({"project_id": pid, "name": f"Project {i + 1}", "program_id": f"PG{i % n_prog + 1}",
                     "state": states[i], "start_date": start_i, "status_date": prj.status_date,
                     "budget": prj.budget, "priority": float(rng.integers(1, 100)),
                     "kind": rng.choice(["IT", "construction", "marketing", "R&D"])})
    projects = pd.DataFrame(rows)
    objectives = pd.DataFrame({"objective_id": [f"SO{i + 1}" for i in range(5)],
                               "name": ["Grow revenue", "Cut cost", "Customer experience", "Compliance", "Innovation"],
                               "weight": [0.3, 0.2, 0.25, 0.1, 0.15]})
    align = pd.DataFrame([(p, o, float(rng.choice([0, 1, 3, 4, 5], p=[0.3, 0.25, 0.25, 0.12, 0.08])))
                          for p in projects["project_id"] for o in objectives["objective_id"]],
                         columns=["project_id", "objective_id", "score"])
    # cash flows: cost spread over the project's baseline months, benefits for 3 years after
    cf_rows = []
    for prj_bl, pid in zip(parts["baseline"], projects["project_id"], strict=True):
        b0, b1 = prj_bl["baseline_start"].min(), prj_bl["baseline_finish"].max()
        span = pd.period_range(b0, b1, freq="M")
        cost = prj_bl["baseline_cost"].sum()
        benefit_per_month = cost * rng.uniform(0.02, 0.07)
        for per in span:
            cf_rows.append((pid, per.start_time, round(cost / len(span), 2), 0.0))
        for j in range(1, 37):
            cf_rows.append((pid, (span[-1] + j).start_time, 0.0, round(benefit_per_month, 2)))
    cash = pd.DataFrame(cf_rows, columns=["project_id", "period_start", "cost", "benefit"])
    month_starts = pd.date_range(t0, periods=months, freq="MS")
    capacity = pd.DataFrame([(r, m, float(rng.integers(40, 120))) for r in roles["role_id"] for m in month_starts],
                            columns=["role_id", "month", "capacity_days"])
    years = sorted({d.year for d in month_starts})
    yearly_cost = cash.groupby(cash["period_start"].dt.year)["cost"].sum()
    budgets = pd.DataFrame({"year": years, "budget": [round(0.6 * float(yearly_cost.get(y, 0.0)), -3) for y in years]})
    n_rel = n_projects // 20 if n_relations is None else n_relations
    rel_rows, used = [], set()
    ids = projects["project_id"].to_numpy()
    while len(rel_rows) < n_rel and n_projects > 1:
        a, b = rng.choice(n_projects, 2, replace=False)
        a, b = (a, b) if a > b else (b, a)  # requires points to a lower index: no cycles
        if (a, b) in used:
            continue
        used.add((a, b))
        rel_rows.append((ids[a], "requires" if rng.random() < 0.6 else "excludes", ids[b]))
    relations = pd.DataFrame(rel_rows, columns=["project_id", "relation", "other_project_id"])
    cal_rows, hol_rows = zip(*(c.to_frame() for c in cals.values()), strict=True)
    return Portfolio(
        portfolio=pd.DataFrame([{"name": f"Synthetic portfolio ({n_projects} projects)", "currency": "EUR",
                                 "discount_rate": 0.08}]),
        programs=programs, projects=projects, strategic_objectives=objectives, alignment=align,
        cash_flows=cash, capacity=capacity, budgets=budgets, relations=relations, roles=roles,
        resources=resources, calendars=pd.concat(cal_rows, ignore_index=True),
        holidays=pd.concat(hol_rows, ignore_index=True),
        **{k: pd.concat([d for d in v if d is not None and len(d)], ignore_index=True) if any(
            d is not None and len(d) for d in v) else None for k, v in parts.items()},
        validate=False,
    )


def _forecast(tasks: pd.DataFrame, deps: pd.DataFrame, lower: np.ndarray, dur: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Early starts and total floats (working days) of a finish-to-start pass with lower bounds.

    Like :func:`_approx_early_start` (link types are read as finish-to-start), plus a
    backward pass; for synthetic progress only, the real schedule is :func:`pmkit.schedule`.
    """
    from .network import topological_levels

    idx = pd.Index(tasks["task_id"].astype(str))
    p = idx.get_indexer(deps["predecessor_id"].astype(str))
    s = idx.get_indexer(deps["successor_id"].astype(str))
    lag = deps["lag_days"].to_numpy(dtype=float)
    n = len(tasks)
    es = np.asarray(lower, dtype=float).copy()
    levels = topological_levels(n, p, s)
    lvl_of = np.empty(n, dtype=np.int64)
    lvl_of[levels.order] = np.repeat(np.arange(levels.n_levels), np.diff(levels.bounds))
    e_order = np.argsort(lvl_of[s], kind="stable")
    bounds = np.searchsorted(lvl_of[s][e_order], np.arange(levels.n_levels + 1))
    for k in range(1, levels.n_levels):
        e = e_order[bounds[k]:bounds[k + 1]]
        if e.size:
            np.maximum.at(es, s[e], es[p[e]] + dur[p[e]] + lag[e])
    ef = es + dur
    lf = np.full(n, ef.max() if n else 0.0)
    # backward: edges by the level of their predecessor, latest level first
    p_order = np.argsort(lvl_of[p], kind="stable")
    pb = np.searchsorted(lvl_of[p][p_order], np.arange(levels.n_levels + 1))
    for k in range(levels.n_levels - 1, -1, -1):
        e = p_order[pb[k]:pb[k + 1]]
        if e.size:
            np.minimum.at(lf, p[e], lf[s[e]] - dur[s[e]] - lag[e])
    return es, lf - ef


def update_series(project: Project, n_updates: int = 6, seed: int = 0) -> list[Project]:
    """Monthly status updates of one project with realistic progress and real revisions.

    Update ``k`` (1-based) has its data date at the end of the ``k``-th month after the
    project start. Progress is simulated month by month: each task works at its own rate
    (0.6-1.2 planned days per working day, from the seed), may start only when its
    predecessors have finished (link types read as finish-to-start, lags kept) and never
    before the previous data date, so slow tasks slip their successors and a few tasks run
    ahead. Progress never goes backwards: each update carries every earlier update's status
    block, and percent complete and actual dates only grow. From the second update on,
    each update also carries one revision of the not-started part of the plan, in turn:

    1. added work: a new activity ``X<k>`` inserted into an existing link ``A -> B``
       (``A -> X<k> -> B``, so no cycle can appear);
    2. changed logic: a link into a not-started task removed;
    3. a constraint: start no earlier than (SNET) ten working days after the task's forecast start;
    4. a changed duration: a not-started task's duration raised by 50 % (at least 2 days).

    Revisions pick not-started tasks forecast to start after the new data date, on the
    forecast critical path where there are some.

    Parameters
    ----------
    project : Project
        The plan (its own progress, if any, is ignored; tasks, links, baseline are kept).
    n_updates : int
        Number of updates (>= 1).
    seed : int
        Random seed; the same seed gives the same series.

    Returns
    -------
    list of Project
        ``n_updates`` validated projects with ascending data dates.

    Examples
    --------
    >>> from pmkit import synth
    >>> ups = synth.update_series(synth.project(40, seed=1, progress=None), n_updates=3)
    >>> [u.status_date.strftime("%Y-%m-%d") for u in ups]
    ['2025-01-31', '2025-02-28', '2025-03-31']
    >>> "X2" in set(ups[1].tasks["task_id"])
    True
    """
    import dataclasses

    from ..errors import PmkitError

    if int(n_updates) < 1:
        raise PmkitError(f"update_series: n_updates must be at least 1, not {n_updates}")
    rng = np.random.default_rng(seed)
    pid = project.project_id
    cal = project.calendar
    start = np.datetime64(pd.Timestamp(project.start_date).date(), "D")
    tasks = project.tasks.copy()
    deps = project.dependencies.copy()
    ids = tasks["task_id"].astype(str).to_numpy(dtype=object)
    n = len(ids)
    rate = rng.uniform(0.6, 1.2, n)
    cost_rate = rng.normal(1.05, 0.1, n).clip(0.8, 1.4)
    done = np.zeros(n)                     # planned days of work done
    a_start = np.full(n, np.nan)           # working-day offsets from the start
    a_finish = np.full(n, np.nan)
    blocks: list[pd.DataFrame] = []
    out: list[Project] = []
    base = dataclasses.replace(project, status=None, status_date=None, state="active", validate=False)
    prev_off = 0.0
    for k in range(1, int(n_updates) + 1):
        data_date = pd.Timestamp(project.start_date).normalize() + pd.offsets.MonthEnd(k)
        # working days in [start, data date]: work up to the end of the data date is done
        d_off = float(cal.working_days_between(start, np.datetime64(data_date.date(), "D") + 1))
        dur = tasks["duration_days"].to_numpy(dtype=float)
        finished = ~np.isnan(a_finish)
        rem = np.where(finished, 0.0, np.maximum(dur - done, 0.0))
        lower = np.where(finished, a_finish, prev_off)
        if k >= 2:  # a revision of the remaining plan, chosen on the current forecast
            es_fc, tf = _forecast(tasks, deps, lower, rem)
            tasks, deps = _revise(tasks, deps, es_fc, tf, ~np.isnan(a_start), d_off, (k - 2) % 4, k, rng, project)
            grow = len(tasks) - n
            if grow:  # added work: a new, not-started task
                rate = np.r_[rate, rng.uniform(0.6, 1.2, grow)]
                cost_rate = np.r_[cost_rate, np.ones(grow)]
                done, a_start, a_finish = (np.r_[done, np.zeros(grow)], np.r_[a_start, np.full(grow, np.nan)],
                                           np.r_[a_finish, np.full(grow, np.nan)])
                ids = tasks["task_id"].astype(str).to_numpy(dtype=object)
                n = len(ids)
            dur = tasks["duration_days"].to_numpy(dtype=float)
            finished = ~np.isnan(a_finish)
            rem = np.where(finished, 0.0, np.maximum(dur - done, 0.0))
            lower = np.where(finished, a_finish, prev_off)
        # what really happens this month: remaining work at each task's own rate
        real = rem / rate
        es, _ = _forecast(tasks, deps, lower, real)
        elapsed = np.clip(d_off - es, 0.0, real)
        now_started = np.isnan(a_start) & ~finished & (es < d_off) & ((real > 0) | (es <= d_off))
        a_start = np.where(now_started, es, a_start)
        now_finished = ~finished & ~np.isnan(a_start) & (es + real <= d_off)
        a_finish = np.where(now_finished, np.maximum(es + real, a_start), a_finish)
        done = np.where(now_finished, dur, np.where(finished, done, np.minimum(done + elapsed * rate, dur)))
        started = ~np.isnan(a_start)
        pct = np.where(~np.isnan(a_finish), 100.0,
                       np.minimum(np.round(done / np.maximum(dur, 1e-9) * 100, 1), 99.9))
        remaining = np.where(~np.isnan(a_finish), 0.0, np.round(np.maximum(dur - done, 0.0), 2))
        s_date = pd.to_datetime(cal.offset_to_date(start, np.nan_to_num(a_start[started])))
        f_off = a_finish[started]
        f_date = pd.to_datetime(np.where(np.isnan(f_off), np.datetime64("NaT"),
                                         cal.offset_to_date(start, np.nan_to_num(np.maximum(f_off - 1e-9, 0)))))
        budget = tasks["budget_cost"].to_numpy(dtype=float)
        block = pd.DataFrame({
            "project_id": pid, "status_date": data_date, "task_id": ids[started],
            "percent_complete": pct[started], "actual_start": s_date, "actual_finish": f_date,
            "actual_cost": np.round(np.nan_to_num(budget[started]) * pct[started] / 100 * cost_rate[started], 2),
            "remaining_days": remaining[started],
        })
        blocks.append(block)
        update = dataclasses.replace(base, status=pd.concat(blocks, ignore_index=True), status_date=data_date,
                                     tasks=tasks.reset_index(drop=True), dependencies=deps.reset_index(drop=True))
        out.append(update)  # validated by replace (a Project checks its tables when built)
        prev_off = d_off
    return out


def _revise(tasks: pd.DataFrame, deps: pd.DataFrame, es: np.ndarray, tf: np.ndarray, started: np.ndarray,
            horizon: float, which: int, k: int, rng: np.random.Generator, project: Project) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One revision of :func:`update_series` on the not-started part of the plan."""
    ids = tasks["task_id"].astype(str).to_numpy(dtype=object)
    dur = tasks["duration_days"].to_numpy(dtype=float)
    free = ~started & (dur > 0)
    # work forecast to start after this month, so the month's progress does not overwrite it
    later = free & (es >= horizon)
    for cand in (later & (tf <= 1e-6), later, free & (tf <= 1e-6), free):
        pool = np.flatnonzero(cand)
        if pool.size:
            break
    if not pool.size:
        return tasks, deps  # nothing left to revise
    succ = deps["successor_id"].astype(str).to_numpy(dtype=object)
    into_pool = np.flatnonzero(np.isin(succ, ids[pool]))
    if which == 0 and into_pool.size:  # added work inserted into a link A -> B
        link = deps.iloc[int(rng.choice(into_pool))]
        new_id = f"X{k}"
        d = float(rng.integers(3, 9))
        row = {c: np.nan for c in tasks.columns}
        row.update(project_id=project.project_id, task_id=new_id, name=f"Added work {k}",
                   wbs=tasks["wbs"].iloc[int(np.flatnonzero(ids == str(link["successor_id"]))[0])],
                   duration_days=d, most_likely_days=d, optimistic_days=round(d * 0.8, 1),
                   pessimistic_days=round(d * 1.5, 1), budget_cost=round(d * 800.0, 2), milestone=False,
                   constraint_type="ASAP", calendar_id="", parent_id="", manual=False)
        tasks = pd.concat([tasks, pd.DataFrame([{c: row[c] for c in tasks.columns}])], ignore_index=True)
        new_links = pd.DataFrame({"project_id": project.project_id,
                                  "predecessor_id": [str(link["predecessor_id"]), new_id],
                                  "successor_id": [new_id, str(link["successor_id"])],
                                  "type": ["FS", "FS"], "lag_days": [0.0, 0.0]})
        deps = pd.concat([deps, new_links.reindex(columns=deps.columns)], ignore_index=True)
    elif which == 1 and into_pool.size:  # changed logic: a link into a not-started task removed
        deps = deps.drop(index=deps.index[int(rng.choice(into_pool))]).reset_index(drop=True)
    elif which == 2:  # a start-no-earlier-than constraint after the forecast start
        i = int(rng.choice(pool))
        when = project.calendar.offset_to_date(np.datetime64(pd.Timestamp(project.start_date).date(), "D"),
                                               [es[i] + 10])[0]
        tasks = tasks.copy()
        tasks.loc[tasks.index[i], "constraint_type"] = "SNET"
        tasks.loc[tasks.index[i], "constraint_date"] = pd.Timestamp(when)
    else:  # a changed duration (also the fallback when no link qualifies)
        i = int(rng.choice(pool))
        tasks = tasks.copy()
        tasks.loc[tasks.index[i], "duration_days"] = max(dur[i] * 1.5, dur[i] + 2.0)
    return tasks, deps
