"""Selection: optimum against brute-force enumeration, rules, infeasibility, greedy, frontier."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from pmkit.data.model import Portfolio
from pmkit.portfolio.selection import SelectionInfeasible, compare_scenarios, frontier, select

MONTHS = ["2026-01-05", "2026-02-02", "2026-03-02"]  # Mondays: a task of <= 15 days stays in its month


def build(projects: list[dict], budgets: dict | None = None, capacity: dict | None = None,
          relations: list[tuple] = ()) -> Portfolio:
    """Portfolio with one task per project (one role, inside one month) and yearly costs.

    ``projects``: dicts with ``id``, ``costs`` {year: cost}, ``role``, ``month`` (index into
    MONTHS), ``days``, optional ``units``, ``forced``, ``state``, ``priority``, ``scores``.
    """
    prj, tasks, base, asg, cash, align = [], [], [], [], [], []
    for p in projects:
        start = pd.Timestamp(MONTHS[p.get("month", 0)])
        finish = pd.Timestamp(np.busday_offset(start.date(), int(p.get("days", 5)) - 1, roll="forward"))
        prj.append({"project_id": p["id"], "name": p["id"], "state": p.get("state", "proposed"),
                    "start_date": start, "forced": p.get("forced", ""), "priority": p.get("priority", np.nan),
                    "budget": sum(p["costs"].values())})
        tasks.append({"project_id": p["id"], "task_id": "T1", "name": "work", "duration_days": float(p.get("days", 5))})
        base.append({"project_id": p["id"], "task_id": "T1", "baseline_start": start, "baseline_finish": finish,
                     "baseline_cost": 1.0})
        asg.append({"project_id": p["id"], "task_id": "T1", "resource_id": "", "role_id": p.get("role", "R1"),
                    "units": float(p.get("units", 1.0))})
        for y, c in p["costs"].items():
            cash.append({"project_id": p["id"], "period_start": pd.Timestamp(f"{y}-01-01"), "cost": float(c),
                         "benefit": 0.0})
        for k, s in enumerate(p.get("scores", [3.0])):
            align.append({"project_id": p["id"], "objective_id": f"SO{k + 1}", "score": float(s)})
    n_obj = max(len(p.get("scores", [3.0])) for p in projects)
    tables = dict(
        projects=pd.DataFrame(prj), tasks=pd.DataFrame(tasks), baseline=pd.DataFrame(base),
        assignments=pd.DataFrame(asg), cash_flows=pd.DataFrame(cash), alignment=pd.DataFrame(align),
        roles=pd.DataFrame({"role_id": ["R1", "R2"], "name": ["Analyst", "Engineer"]}),
        strategic_objectives=pd.DataFrame({"objective_id": [f"SO{k + 1}" for k in range(n_obj)],
                                           "name": [f"Objective {k + 1}" for k in range(n_obj)],
                                           "weight": np.arange(n_obj, 0, -1, dtype=float)}),
    )
    if budgets:
        tables["budgets"] = pd.DataFrame({"year": list(budgets), "budget": [float(v) for v in budgets.values()]})
    if capacity:
        tables["capacity"] = pd.DataFrame([{"role_id": r, "month": pd.Timestamp(MONTHS[m]).replace(day=1),
                                            "capacity_days": float(c)} for (r, m), c in capacity.items()])
    if relations:
        tables["relations"] = pd.DataFrame(relations, columns=["project_id", "relation", "other_project_id"])
    return Portfolio(**tables)


def brute_force(projects, values, budgets, capacity, relations):
    """Best value over every subset that keeps every rule, or None when none does."""
    ids = [p["id"] for p in projects]
    best, best_set = None, None
    for r in range(len(ids) + 1):
        for combo in itertools.combinations(range(len(ids)), r):
            chosen = set(combo)
            if any(p.get("forced") == "in" and i not in chosen for i, p in enumerate(projects)):
                continue
            if any(p.get("forced") == "out" and i in chosen for i, p in enumerate(projects)):
                continue
            ok = True
            for a, kind, b in relations:
                ia, ib = ids.index(a), ids.index(b)
                if kind == "requires" and ia in chosen and ib not in chosen:
                    ok = False
                if kind == "excludes" and ia in chosen and ib in chosen:
                    ok = False
            for y, lim in budgets.items():
                if sum(projects[i]["costs"].get(y, 0.0) for i in chosen) > lim + 1e-9:
                    ok = False
            for (role, m), lim in capacity.items():
                use = sum(projects[i].get("units", 1.0) * projects[i]["days"] for i in chosen
                          if projects[i]["role"] == role and projects[i]["month"] == m)
                if use > lim + 1e-9:
                    ok = False
            if ok:
                v = sum(values[i] for i in chosen)
                if best is None or v > best + 1e-12:
                    best, best_set = v, chosen
    return best, best_set


def random_instance(seed: int, n: int = 9):
    rng = np.random.default_rng(seed)
    projects = []
    for i in range(n):
        years = {2026: float(rng.integers(10, 60))}
        if rng.random() < 0.5:
            years[2027] = float(rng.integers(5, 40))
        p = {"id": f"P{i}", "costs": years, "role": str(rng.choice(["R1", "R2"])), "month": int(rng.integers(0, 3)),
             "days": int(rng.integers(3, 15)), "units": float(rng.choice([0.5, 1.0, 2.0]))}
        if rng.random() < 0.08:
            p["forced"] = "in"
        elif rng.random() < 0.08:
            p["forced"] = "out"
        projects.append(p)
    budgets = {2026: float(rng.integers(60, 160)), 2027: float(rng.integers(20, 60))}
    capacity = {(r, m): float(rng.integers(8, 30)) for r in ("R1", "R2") for m in range(3)}
    relations, used = [], set()
    while len(relations) < 3:
        a, b = sorted(rng.choice(n, 2, replace=False))[::-1]
        if (a, b) in used:
            continue
        used.add((a, b))
        relations.append((f"P{a}", "requires" if rng.random() < 0.6 else "excludes", f"P{b}"))
    values = rng.integers(1, 100, n).astype(float)
    return projects, values, budgets, capacity, relations


@pytest.mark.parametrize("seed", range(12))
def test_optimum_matches_enumeration(seed):
    projects, values, budgets, capacity, relations = random_instance(seed)
    pf = build(projects, budgets, capacity, relations)
    value = pd.Series(values, index=[p["id"] for p in projects])
    best, best_set = brute_force(projects, values, budgets, capacity, relations)
    if best is None:
        with pytest.raises(SelectionInfeasible):
            select(pf, objective=value)
        return
    try:
        sel = select(pf, objective=value)
    except SelectionInfeasible:
        pytest.fail("pmkit reported infeasible, enumeration found a feasible selection")
    assert sel.status == "optimal"
    assert sel.value == pytest.approx(best, abs=1e-9)
    assert sel.gap == pytest.approx(0.0, abs=1e-9)
    greedy = select(pf, objective=value, method="greedy")
    assert greedy.value <= sel.value + 1e-9
    # the chosen set keeps every rule
    chosen = set(sel.selected_ids)
    for a, kind, b in relations:
        if kind == "requires":
            assert a not in chosen or b in chosen
        else:
            assert not (a in chosen and b in chosen)
    used = sel.constraints.set_index("key")
    assert (used["used"] <= used["limit"] + 1e-9).all()


def three_projects(**extra):
    # greedy by priority takes P1 (6 of 10) and then nothing fits; P2 + P3 is worth 10
    projects = [
        {"id": "P1", "costs": {2026: 6}, "priority": 3, "days": 3},
        {"id": "P2", "costs": {2026: 5}, "priority": 2, "days": 3},
        {"id": "P3", "costs": {2026: 5}, "priority": 1, "days": 3},
    ]
    for p in projects:
        p.update(extra.get(p["id"], {}))
    return projects


def test_greedy_reproduces_priority_fill_and_loses_value():
    pf = build(three_projects(), budgets={2026: 10})
    value = pd.Series({"P1": 6.0, "P2": 5.0, "P3": 5.0})
    opt = select(pf, objective=value)
    gr = select(pf, objective=value, method="greedy")
    assert sorted(opt.selected_ids) == ["P2", "P3"] and opt.value == 10
    assert gr.selected_ids == ["P1"] and gr.value == 6
    p1 = opt.projects.set_index("project_id").loc["P1"]
    assert "budget 2026 short by 6.0" in p1["reason"]
    # forcing P1 in, the best is P1 alone: 4 lost
    assert p1["value_lost_if_forced"] == pytest.approx(4.0)
    row = opt.constraints.set_index("key").loc["budget 2026"]
    assert row["used"] == 10 and row["binding"] and row["blocking"] == 1


def test_total_budget_and_frontier_are_monotone():
    pf = build(three_projects())
    value = pd.Series({"P1": 6.0, "P2": 5.0, "P3": 5.0})
    assert select(pf, budget=11, objective=value).value == 11  # P1 + P2 (or P3)
    fr = frontier(pf, [5, 6, 10, 11, 16], objective=value)
    assert fr["value"].tolist() == [5, 6, 10, 11, 16]
    assert (fr["status"] == "optimal").all()
    assert fr["value_lost_by_greedy"].tolist() == [0, 0, 4, 0, 0]


def test_relations_forced_and_states():
    projects = three_projects(P3={"forced": "out"})
    projects.append({"id": "P4", "costs": {2026: 1}, "state": "closed", "days": 1})
    pf = build(projects, budgets={2026: 20}, relations=[("P2", "requires", "P4"), ("P1", "excludes", "P2")])
    value = pd.Series({"P1": 6.0, "P2": 5.0, "P3": 5.0})
    sel = select(pf, objective=value)
    # P4 is closed: the requirement is met; P1 and P2 exclude each other; P3 forced out
    assert sel.selected_ids == ["P1"]
    reasons = sel.projects.set_index("project_id")["reason"]
    assert reasons["P3"] == "forced out"
    assert reasons["P2"] == "excludes P1 (selected)"
    assert "P4" not in sel.projects["project_id"].tolist()


def test_contradictory_rules_are_named():
    pf = build(three_projects(), budgets={2026: 20},
               relations=[("P3", "requires", "P2"), ("P3", "excludes", "P2")])
    with pytest.raises(SelectionInfeasible, match=r"P3 can never be selected: P3 requires P2; P3 excludes P2"):
        select(pf)
    chain = build(three_projects(), relations=[("P3", "requires", "P2"), ("P2", "requires", "P1"),
                                               ("P3", "excludes", "P1")])
    with pytest.raises(SelectionInfeasible, match=r"P3 requires P1 \(through other requirements\)"):
        select(chain)


def test_forced_in_conflicts_are_named():
    pf = build(three_projects(P1={"forced": "in"}, P2={"forced": "out"}), relations=[("P1", "requires", "P2")])
    with pytest.raises(SelectionInfeasible, match="P1 is forced in and requires P2, which is forced out"):
        select(pf)
    pf = build(three_projects(P1={"forced": "in"}, P3={"forced": "in"}), budgets={2026: 10})
    with pytest.raises(SelectionInfeasible, match=r"budget 2026: limit 10.00, .*need 11.00 \(P1 6, P3 5\)"):
        select(pf)
    pf = build(three_projects(), relations=[("P1", "excludes", "P3")])
    with pytest.raises(SelectionInfeasible, match="P1 .forced in. and P3 .forced in. exclude each other"):
        select(pf, force_in=["P1", "P3"])
    with pytest.raises(SelectionInfeasible, match="both forced in and forced out"):
        select(pf, force_in="P1", force_out="P1")
    with pytest.raises(SelectionInfeasible, match=r"R1 2026-01: limit 2.00 person-days, .* need 3.00 \(P1 3\)"):
        select(build(three_projects(P1={"forced": "in"})[:1], capacity={("R1", 0): 2}))


def test_capacity_and_start_shift():
    # both need 10 person-days of R1 in January; capacity 10 a month: only one fits unless one moves
    projects = [{"id": "A", "costs": {2026: 1}, "days": 10, "month": 0},
                {"id": "B", "costs": {2026: 1}, "days": 10, "month": 0}]
    cap = {("R1", 0): 10, ("R1", 1): 10, ("R1", 2): 10}
    pf = build(projects, capacity=cap)
    value = pd.Series({"A": 2.0, "B": 1.0})
    fixed = select(pf, objective=value)
    assert fixed.selected_ids == ["A"]
    assert "R1 2026-01 short by 10.0" in fixed.projects.set_index("project_id").loc["B", "reason"]
    moved = select(pf, objective=value, shift_months=2)
    assert sorted(moved.selected_ids) == ["A", "B"]
    shifts = moved.projects.set_index("project_id")["start_shift_months"]
    assert shifts["A"] != shifts["B"]  # never in the same month again
    assert moved.constraints["used"].max() <= 10 + 1e-9


def test_objectives_and_scenarios():
    projects = three_projects(P1={"scores": [5, 0]}, P2={"scores": [0, 5]}, P3={"scores": [1, 1]})
    pf = build(projects, budgets={2026: 6})
    # weights 2:1 -> P1 alignment 2/3, P2 1/3, P3 1/5
    sel = select(pf, objective="alignment")
    assert sel.selected_ids == ["P1"] and sel.value == pytest.approx(2 / 3)
    cmp = compare_scenarios(pf, {"base": {}, "rich": {"budget": 16}, "greedy": {"method": "greedy"}})
    s = cmp.summary.set_index("scenario")
    assert s.loc["rich", "selected"] == 3 and s.loc["rich", "total_alignment"] == pytest.approx(2 / 3 + 1 / 3 + 0.2)
    assert cmp.projects.set_index("project_id").loc["P1", "in_scenarios"] == 3


def test_unknown_inputs_raise_clear_errors():
    pf = build(three_projects())
    with pytest.raises(Exception, match="force_in: NOPE is not a candidate project"):
        select(pf, force_in=["NOPE"])
    with pytest.raises(Exception, match="unknown objective 'roi'"):
        select(pf, objective="roi")


@pytest.mark.parametrize("seed", [1, 4, 7])
def test_frontier_matches_enumeration_and_the_public_milp_path(seed, monkeypatch):
    import pmkit.portfolio.selection as selmod

    projects, values, budgets, capacity, relations = random_instance(seed)
    projects = [{**p, "forced": ""} for p in projects]
    pf = build(projects, budgets, capacity, relations)
    value = pd.Series(values, index=[p["id"] for p in projects])
    levels = [15.0, 60.0, 120.0, 400.0]  # the last one is beyond the cost of all candidates
    fr = frontier(pf, levels, objective=value, greedy_too=False)
    # every level against enumeration at that total budget (one budget row for all years)
    costs = [{2026: sum(p["costs"].values())} for p in projects]
    for row in fr.itertuples():
        best, _ = brute_force([{**p, "costs": c} for p, c in zip(projects, costs, strict=True)], values,
                              {2026: row.budget}, capacity, relations)
        assert row.status == "optimal" and row.value == pytest.approx(best, abs=1e-9)
    # the unbudgeted optimum bounds every level and is reached at the top one
    assert fr.attrs["unbudgeted_value"] == pytest.approx(fr["value"].iloc[-1])
    assert (fr["value"] <= fr.attrs["unbudgeted_value"] + 1e-9).all()
    # scipy's public milp() (used when its HiGHS binding is missing) gives the same frontier
    monkeypatch.setattr(selmod, "_highs", None)
    fr2 = frontier(pf, levels, objective=value, greedy_too=False)
    assert fr2["value"].tolist() == pytest.approx(fr["value"].tolist(), abs=1e-9)
    assert (fr2["status"] == "optimal").all()


def test_solver_incumbent_and_upper_bound_stop_at_the_optimum():
    import pmkit.portfolio.selection as selmod

    projects, values, budgets, capacity, relations = random_instance(2)
    projects = [{**p, "forced": ""} for p in projects]
    pf = build(projects, budgets, capacity, relations)
    value = pd.Series(values, index=[p["id"] for p in projects])
    opt = select(pf, objective=value, explain=False)
    pb = selmod._build(pf, None, value, True, True, (), (), 0, selmod.CANDIDATE_STATES)
    mip = selmod._Mip(pb)
    y = np.isin(pb.ids[pb.var_project], opt.selected_ids)
    # handed the optimum and its value as the proven bound, HiGHS has nothing left to search
    sol = mip.run(pb, 10.0, incumbent=y, upper=opt.value)
    assert sol.status == "optimal" and sol.value == pytest.approx(opt.value) and sol.gap == 0.0
    # an empty selection as incumbent (feasible: nothing forced) changes nothing in the result
    assert mip.run(pb, 10.0, incumbent=np.zeros_like(y)).value == pytest.approx(opt.value)


def test_frontier_cut_short_by_its_total_time_reports_time_limit_and_gap():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_selection import selection_portfolio

    pf = selection_portfolio(200, 24, 4, 10, seed=3)
    fr = frontier(pf, 4, objective="npv", scale="yearly", greedy_too=False, total_time_limit=0.0)
    assert set(fr["status"]) <= {"optimal", "time limit"} and (fr["status"] == "time limit").any()
    cut = fr[fr["status"] == "time limit"]
    # a level cut short still returns the best selection it has (the previous level's at
    # least) and a positive gap to a proven bound, never a silent "optimal"
    assert (cut["gap"] > 0).all() and (cut["value"] > 0).all()
    assert (fr["value"] <= fr.attrs["unbudgeted_value"] * (1 + 1e-9)).all() or \
        fr.attrs["unbudgeted_status"] != "optimal"
    assert fr["value"].is_monotonic_increasing


def test_as_of_makes_past_months_sunk():
    """Budget spent and capacity used before the status date do not bind a decision taken now."""
    import pmkit
    from pmkit.portfolio.selection import _as_of_month

    pf = pmkit.load(pmkit.sample_path())
    assert _as_of_month(pf, "auto") == 2026 * 12 + 9  # latest status date 2026-10-30
    assert _as_of_month(pf, None) is None
    with pytest.raises(pmkit.PmkitError, match="as_of: 'soon' is not a date"):
        _as_of_month(pf, "soon")
    # P01 is only blocked by months that are already past, so it is chosen from today on
    past = pmkit.select(pf, as_of=None, explain=False)
    now = pmkit.select(pf, explain=False)
    assert "P01" not in past.selected_ids and "P01" in now.selected_ids
    keys = [k for k in now.constraints["key"] if k.startswith("BA ")]
    assert keys and min(k.split()[1] for k in keys) >= "2026-10"
    budget_years = [k for k in now.constraints["key"] if k.startswith("budget ")]
    assert budget_years[0] == "budget 2026"  # 2025 is closed
    spent_2026 = pf.cash_flows.loc[(pf.cash_flows["period_start"] >= "2026-01-01")
                                   & (pf.cash_flows["period_start"] < "2026-10-01"), "cost"].sum()
    limit_2026 = now.constraints.set_index("key").loc["budget 2026", "limit"]
    assert limit_2026 == pytest.approx(pf.budgets.set_index("year").loc[2026, "budget"] - spent_2026)
