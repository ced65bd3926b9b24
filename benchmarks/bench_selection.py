"""Benchmark: optimal portfolio selection with 1,000 candidate projects.

Builds a selection problem of the size in issue 5 (1,000 candidates, 36 months, 8 roles,
yearly budgets, 50 requires/excludes relations), solves it to proven optimality with
:func:`pmkit.select`, traces an efficient frontier of 20 budget levels, and prints the
value lost by the greedy priority order of Microsoft Project beside the optimum.

Baseline in the same process: the greedy priority-order fill (what the reference tool
does), and for a 16-project instance brute-force enumeration of all 65,536 subsets in
plain Python, which must match the solver's optimum.

The inputs are generated table by table with numpy (projects with one task per role they
need, baselines, assignments, cash flows, capacity, budgets, relations) because
:func:`pmkit.synth.portfolio` builds a full activity network for every project, which is
more than selection needs.

Usage::

    python benchmarks/bench_selection.py [--projects 1000] [--levels 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pmkit  # noqa: E402
from pmkit.data.model import Portfolio
from pmkit.portfolio.selection import frontier, select


def selection_portfolio(n: int = 1000, months: int = 36, n_roles: int = 8, n_relations: int = 50,
                        seed: int = 1, start: str = "2026-01-01", tightness: float = 0.45,
                        capacity_share: float = 0.8) -> Portfolio:
    """A portfolio of ``n`` candidate projects with what selection needs, vectorized.

    Each project runs 3-12 months inside the horizon, needs 2-4 roles (one task each,
    spanning part of the project), costs what its role-days cost, and yields benefits for
    three years after it ends. Yearly budgets are ``tightness`` times the cost of all
    candidates in the year. Capacity is flat per role, as headcount is:
    ``capacity_share`` times the role's mean monthly demand of all candidates, so it binds
    in the busy months.
    """
    rng = np.random.default_rng(seed)
    t0 = np.datetime64(start, "M")
    ids = np.array([f"C{i:04d}" for i in range(n)], dtype=object)
    dur_m = rng.integers(3, 13, n)
    start_m = rng.integers(0, np.maximum(1, months - dur_m + 1))
    p_start = (t0 + start_m).astype("datetime64[D]")
    p_end = (t0 + start_m + dur_m).astype("datetime64[D]") - 1
    roles = np.array([f"R{k + 1}" for k in range(n_roles)], dtype=object)
    rate = rng.uniform(500, 1000, n_roles).round(-1)
    k_roles = rng.integers(2, 5, n)
    t_proj = np.repeat(np.arange(n), k_roles)
    t_role = np.concatenate([rng.choice(n_roles, k, replace=False) for k in k_roles])
    # each task covers a random part of its project
    span = (p_end - p_start).astype(np.int64)[t_proj]
    a = (rng.uniform(0, 0.5, t_proj.size) * span).astype(np.int64)
    b = np.maximum(a + 10, (rng.uniform(0.5, 1.0, t_proj.size) * span).astype(np.int64))
    t_start = np.busday_offset(p_start[t_proj] + a, 0, roll="forward")
    t_finish = np.busday_offset(np.minimum(p_start[t_proj] + b, p_end[t_proj]), 0, roll="backward")
    t_finish = np.maximum(t_finish, t_start)
    wd = np.busday_count(t_start, t_finish + 1).astype(float)
    units = rng.choice([0.5, 1.0, 1.0, 2.0], t_proj.size)
    task_cost = wd * units * rate[t_role]
    tid = np.array([f"T{k}" for k in range(t_proj.size)], dtype=object)
    tasks = pd.DataFrame({"project_id": ids[t_proj], "task_id": tid, "name": tid, "duration_days": wd,
                          "budget_cost": task_cost})
    baseline = pd.DataFrame({"project_id": ids[t_proj], "task_id": tid,
                             "baseline_start": t_start.astype("datetime64[ns]"),
                             "baseline_finish": t_finish.astype("datetime64[ns]"), "baseline_cost": task_cost})
    assignments = pd.DataFrame({"project_id": ids[t_proj], "task_id": tid, "resource_id": "",
                                "role_id": roles[t_role], "units": units})
    cost = np.bincount(t_proj, weights=task_cost, minlength=n)
    # cash flows: cost evenly over the project months, benefit for 36 months after
    c_rep = np.repeat(np.arange(n), dur_m)
    c_month = t0 + start_m[c_rep] + (np.arange(c_rep.size) - np.repeat(np.cumsum(dur_m) - dur_m, dur_m))
    b_rep = np.repeat(np.arange(n), 36)
    b_month = t0 + start_m[b_rep] + dur_m[b_rep] + np.tile(np.arange(36), n)
    ratio = rng.lognormal(np.log(1.4), 0.35, n)  # benefit / cost
    cash = pd.DataFrame({
        "project_id": np.r_[ids[c_rep], ids[b_rep]],
        "period_start": np.r_[c_month, b_month].astype("datetime64[ns]"),
        "cost": np.r_[cost[c_rep] / dur_m[c_rep], np.zeros(b_rep.size)],
        "benefit": np.r_[np.zeros(c_rep.size), (cost * ratio / 36)[b_rep]],
    })
    obj = pd.DataFrame({"objective_id": [f"SO{k}" for k in range(1, 6)], "name": [f"Objective {k}" for k in range(1, 6)],
                        "weight": [0.3, 0.25, 0.2, 0.15, 0.1]})
    align = pd.DataFrame({"project_id": np.repeat(ids, 5), "objective_id": np.tile(obj["objective_id"], n),
                          "score": rng.choice([0.0, 1, 3, 4, 5], 5 * n, p=[0.3, 0.25, 0.25, 0.12, 0.08])})
    projects = pd.DataFrame({"project_id": ids, "name": [f"Candidate {i}" for i in range(n)],
                             "program_id": "", "state": "proposed",
                             "start_date": p_start.astype("datetime64[ns]"), "budget": cost,
                             "priority": rng.integers(1, 100, n).astype(float)})
    portfolio = Portfolio(projects=projects, tasks=tasks, baseline=baseline, assignments=assignments,
                          validate=False)
    demand = pmkit.portfolio.capacity.role_demand(portfolio)
    per_cell = demand.groupby(["role_id", "month"])["demand_days"].sum()
    month_index = pd.date_range(str(t0), periods=months, freq="MS")
    cells = pd.MultiIndex.from_product([roles, month_index], names=["role_id", "month"])
    full = per_cell.reindex(cells).fillna(0.0)
    flat = full.groupby(level="role_id").transform("mean") * capacity_share
    capacity = flat.round().rename("capacity_days").reset_index()
    year_cost = cash.groupby(cash["period_start"].dt.year)["cost"].sum()
    budgets = pd.DataFrame({"year": year_cost.index.astype(int), "budget": (year_cost * tightness).round(-3).to_numpy()})
    rel, used = [], set()
    while len(rel) < n_relations:
        x, y = sorted(rng.choice(n, 2, replace=False))[::-1]  # requires point to lower ids: no cycles
        if (x, y) in used:
            continue
        used.add((x, y))
        rel.append((ids[x], "requires" if rng.random() < 0.6 else "excludes", ids[y]))
    relations = pd.DataFrame(rel, columns=["project_id", "relation", "other_project_id"])
    return Portfolio(projects=projects, tasks=tasks, baseline=baseline, assignments=assignments, cash_flows=cash,
                     strategic_objectives=obj, alignment=align, capacity=capacity, budgets=budgets,
                     relations=relations,
                     roles=pd.DataFrame({"role_id": roles, "name": roles, "cost_rate_per_day": rate}),
                     portfolio=pd.DataFrame([{"name": "Selection benchmark", "discount_rate": 0.08}]),
                     validate=False)


def brute_force(values: np.ndarray, usage: np.ndarray, limits: np.ndarray) -> float:
    """Best total value over all subsets, in plain Python (the baseline of the small check)."""
    best = 0.0
    n = len(values)
    for r in range(n + 1):
        for combo in itertools.combinations(range(n), r):
            idx = list(combo)
            if np.all(usage[:, idx].sum(axis=1) <= limits + 1e-9):
                best = max(best, float(values[idx].sum()))
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=1000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--roles", type=int, default=8)
    ap.add_argument("--relations", type=int, default=50)
    ap.add_argument("--levels", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--objective", default="npv", choices=("npv", "alignment"))
    ap.add_argument("--time-limit", type=float, default=60.0, help="solver seconds for the whole frontier")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    pf = selection_portfolio(args.projects, args.months, args.roles, args.relations, args.seed)
    print(f"inputs: {args.projects} candidates, {args.months} months, {args.roles} roles, "
          f"{len(pf.budgets)} budget years, {len(pf.relations)} relations "
          f"(generated in {time.perf_counter() - t:.1f} s)")

    t = time.perf_counter()
    sel = select(pf, objective=args.objective, explain=False)
    total = time.perf_counter() - t
    t = time.perf_counter()
    gr = select(pf, objective=args.objective, method="greedy", explain=False)
    t_greedy = time.perf_counter() - t
    lost = sel.value - gr.value
    # a kinder baseline: the same greedy fill with priority = the objective's own value
    by_value = pf.with_tables(projects=pf.projects.assign(
        priority=sel.projects.set_index("project_id")["value"].reindex(pf.projects["project_id"]).to_numpy()))
    gv = select(by_value, objective=args.objective, method="greedy", explain=False)
    print(f"\nselection ({args.objective})            {'pmkit MILP':>16} {'greedy (reference)':>20}")
    print(f"  status                      {sel.status:>16} {gr.status:>20}")
    print(f"  value                       {sel.value:>16,.1f} {gr.value:>20,.1f}")
    print(f"  projects chosen             {len(sel.selected_ids):>16} {len(gr.selected_ids):>20}")
    print(f"  cost                        {sel.cost:>16,.0f} {gr.cost:>20,.0f}")
    print(f"  seconds (total / solver)    {total:>9.2f} / {sel.solve_seconds:<5.2f} {t_greedy:>20.2f}")
    print(f"  gap                         {sel.gap:>16.2e}")
    print(f"  value lost by greedy        {lost:>16,.1f} ({lost / sel.value:.1%} of the optimum)")
    print(f"  ... with priority = value   {sel.value - gv.value:>16,.1f} "
          f"({(sel.value - gv.value) / sel.value:.1%} of the optimum)")
    print(f"  binding or blocking constraints: {len(sel.binding)} of {len(sel.constraints)}")
    ok = sel.status == "optimal" and total < 10
    print(f"  target: proven optimal in < 10 s -> {'PASS' if ok else 'FAIL'}")

    t = time.perf_counter()
    fr = frontier(pf, args.levels, objective=args.objective, scale="yearly", time_limit=args.time_limit,
                  total_time_limit=args.time_limit)
    t_fr = time.perf_counter() - t
    print(f"\nefficient frontier, {args.levels} budget levels (yearly budgets scaled), {t_fr:.1f} s, of which "
          f"{fr.attrs['unbudgeted_seconds']:.1f} s for the unbudgeted optimum ({fr.attrs['unbudgeted_status']})")
    print(f"  levels proven optimal: {(fr['status'] == 'optimal').sum()} of {len(fr)}; largest gap "
          f"{fr['gap'].max():.1e} "
          f"-> {'PASS' if t_fr < 60 and (fr['status'] == 'optimal').all() else 'FAIL'} (target < 60 s, all optimal)")
    with pd.option_context("display.width", 160, "display.float_format", lambda v: f"{v:,.1f}"):
        print(fr[["budget", "value", "selected", "status", "gap", "greedy_value", "value_lost_by_greedy",
                  "solve_seconds"]].to_string(index=False, formatters={"gap": "{:.1e}".format}))

    # exactness check against enumeration on a small instance, same process
    small = selection_portfolio(16, 24, 4, 0, seed=args.seed + 7, tightness=0.4)
    s16 = select(small, objective=args.objective, explain=False)
    from pmkit.portfolio.selection import _build
    pb = _build(small, None, args.objective, True, True, (), (), 0, ("proposed",))
    t = time.perf_counter()
    best = brute_force(pb.value, pb.usage.toarray(), pb.row_limit)
    print(f"\n16-project check: MILP {s16.value:,.2f} vs brute force over 65,536 subsets {best:,.2f} "
          f"({time.perf_counter() - t:.1f} s in plain Python) -> {'PASS' if abs(s16.value - best) < 1e-6 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
