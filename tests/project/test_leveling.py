"""Resource leveling: feasibility, optimality on enumerable instances, modes, seeds, CLI."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from test_psplib import SMALL

import pmkit
from pmkit import synth
from pmkit.cli import main
from pmkit.data.model import Project
from pmkit.errors import CycleError, PmkitError
from pmkit.project.leveling import _Problem, level, solve_rcpsp


def _project(tasks, deps=(), assignments=(), resources=(("U", 1.0),), **kw) -> Project:
    t = pd.DataFrame(tasks, columns=["task_id", "duration_days"]).assign(name=lambda d: d["task_id"])
    d = pd.DataFrame(list(deps), columns=["predecessor_id", "successor_id", "type", "lag_days"])
    a = pd.DataFrame(list(assignments), columns=["task_id", "resource_id", "units"])
    r = pd.DataFrame(list(resources), columns=["resource_id", "capacity_units"]).assign(name=lambda x: x["resource_id"])
    return Project("T", "test", pd.Timestamp("2025-01-06"), tasks=t, dependencies=d, assignments=a, resources=r, **kw)


def _check_feasible(prj: Project, res, overload_ok: bool = False) -> None:
    """Every link holds in working days and no constraint is loaded above capacity."""
    s = res.schedule.set_index("task_id")
    st, fi = s["start_day"], s["finish_day"]
    for r in prj.dependencies.itertuples(index=False):
        p, q, lag = r.predecessor_id, r.successor_id, r.lag_days
        lhs, rhs = {"FS": (st[q], fi[p]), "SS": (st[q], st[p]), "FF": (fi[q], fi[p]), "SF": (fi[q], st[p])}[r.type]
        assert lhs >= rhs + lag - 1e-9, (r, lhs, rhs)
    assert (st >= -1e-9).all()
    assert overload_ok or res.overloaded.empty, res.overloaded.head()


def _serial(order, dur, preds, dem, cap):
    """Plain-Python serial SGS: the reference for enumeration."""
    start = {}
    usage = np.zeros((int(dur.sum()) + 1, cap.size))
    for j in order:
        t = max([start[i] + dur[i] for i in preds[j]], default=0)
        while (usage[t:t + dur[j]] + dem[j] > cap).any():
            t += 1
        usage[t:t + dur[j]] += dem[j]
        start[j] = t
    return max(start[j] + dur[j] for j in start)


@pytest.mark.parametrize("seed", range(6))
def test_search_finds_enumerated_optimum(seed):
    # the serial SGS over all precedence-feasible orders reaches an optimal schedule
    # (Kolisch 1996), so enumerating 7! orders of a small instance gives the optimum
    rng = np.random.default_rng(seed)
    n = 7
    dur = rng.integers(1, 6, n)
    pred, succ = [], []
    for j in range(1, n):
        for i in range(j):
            if rng.random() < 0.2:
                pred.append(i)
                succ.append(j)
    cap = np.array([4.0, 3.0])
    dem = rng.integers(0, 4, (n, 2)).astype(float)
    preds = {j: [i for i, k in zip(pred, succ, strict=True) if k == j] for j in range(n)}
    best = min(_serial(o, dur, preds, dem, cap) for o in itertools.permutations(range(n))
               if all(o.index(i) < o.index(j) for j in range(n) for i in preds[j]))
    p, s = np.array(pred, np.int64), np.array(succ, np.int64)
    prob = _Problem(dur=dur.astype(np.int64), pred=p, succ=s, delta=dur[p].astype(np.int64),
                    release=np.zeros(n, np.int64), dem=dem, cap=cap)
    found = solve_rcpsp(prob, max_schedules=3000, seed=seed)
    assert found.makespan == best
    assert solve_rcpsp(prob, method="rule").makespan >= best


def test_hand_worked_instance():
    # A and D need the whole resource (2 units); B and C one unit each and can run together:
    # work 3*2 + 2 + 2 + 1*2 = 12 unit-days at 2 units -> at least 6 days, and 6 is reachable
    prj = _project([("A", 3), ("B", 2), ("C", 2), ("D", 1)],
                   assignments=[("A", "U", 2), ("B", "U", 1), ("C", "U", 1), ("D", "U", 2)],
                   resources=[("U", 2.0)])
    res = level(prj, max_schedules=500, seed=0)
    assert res.length_days == 6 and res.cpm_length_days == 3
    _check_feasible(prj, res)
    s = res.schedule.set_index("task_id")
    assert s.loc["B", "start_day"] == s.loc["C", "start_day"]
    # no links: every early start is day 0, so the delayed tasks are those not starting on day 0,
    # at least two of them (only A, D or the pair B+C can run first)
    assert sorted(res.delayed["task_id"]) == sorted(s.index[s["start_day"] > 0]) and len(res.delayed) >= 2
    assert res.summary()["tasks_delayed"].iloc[0] == len(res.delayed)
    assert res.finish == pd.Timestamp("2025-01-13")  # 6 working days Mon 6 Jan .. Mon 13 Jan
    assert res.schedule["driving"].any()
    # the one-rule pass is feasible too, never better than the search
    assert level(prj, method="rule").length_days >= 6


def test_link_types_lags_and_fractions():
    prj = _project(
        [("A", 2.5), ("B", 3), ("C", 1.5), ("D", 2), ("E", 0)],
        deps=[("A", "B", "SS", 1), ("A", "C", "FF", 0.5), ("B", "D", "SF", 2), ("C", "E", "FS", -0.5),
              ("D", "E", "FS", 1)],
        assignments=[("A", "U", 1), ("B", "U", 1), ("C", "U", 1), ("D", "U", 1)])
    res = level(prj, max_schedules=400, seed=3)
    _check_feasible(prj, res)
    # one unit of U, 9 days of work -> at least 9 days; FS lag of 1 before milestone E
    assert res.length_days >= 9
    assert set(res.schedule["start_day"] * 2 % 1) == {0}  # half-day grid


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_synthetic_projects_are_feasible(seed):
    prj = synth.project(40, seed=seed, progress=None)
    res = level(prj, max_schedules=300, seed=seed)
    # a task needing more than a resource has runs alone on it; only such resources overload
    too_big = " ".join(res.problems["problem"][res.problems["problem"].str.contains("capacity is")])
    assert all(f"{k} {i} " in too_big for k, i in res.overloaded[["kind", "id"]].drop_duplicates().to_numpy())
    _check_feasible(prj, res, overload_ok=True)
    assert res.length_days >= res.cpm_length_days - 1e-9


@pytest.mark.parametrize("seed", [4, 5])
def test_within_float_never_moves_finish(seed):
    prj = synth.project(50, seed=seed, progress=None)
    free = level(prj, max_schedules=300, seed=1)
    tight = level(prj, within_float=True, max_schedules=300, seed=1)
    assert tight.length_days == pytest.approx(tight.cpm_length_days)
    assert tight.finish == tight.early_finish
    s = tight.schedule
    assert (s["delay_days"] >= -1e-9).all()
    # what could not be leveled is reported, task by task
    assert set(s.loc[~s["leveled"], "task_id"]) <= set(tight.problems["item"])
    assert free.length_days >= tight.length_days - 1e-9


def test_reproducible_from_seed():
    prj = synth.project(60, seed=8, progress=None)
    a = level(prj, max_schedules=600, seed=11)
    b = level(prj, max_schedules=600, seed=11)
    assert a.schedule["start_day"].tolist() == b.schedule["start_day"].tolist()
    assert a.schedules == b.schedules <= 600


def test_priorities_decide_who_waits():
    prj = _project([("A", 3), ("B", 3)], assignments=[("A", "U", 1), ("B", "U", 1)])
    first = {t: level(prj, priorities={t: 10}, max_schedules=200).schedule.set_index("task_id")["start_day"]
             for t in ("A", "B")}
    assert first["A"]["A"] == 0 and first["A"]["B"] == 3
    assert first["B"]["B"] == 0 and first["B"]["A"] == 3
    with pytest.raises(PmkitError, match="unknown task"):
        level(prj, priorities={"Z": 1})


def test_roles_count_named_and_role_assignments():
    # role R has two people; a role-only task and a task of person P1 share the role's 2 units
    roles = pd.DataFrame({"role_id": ["R"]})
    res_tab = pd.DataFrame({"resource_id": ["P1", "P2"], "name": ["P1", "P2"], "role_id": ["R", "R"],
                            "capacity_units": [1.0, 1.0]})
    t = pd.DataFrame({"task_id": ["A", "B"], "name": ["A", "B"], "duration_days": [2.0, 2.0]})
    a = pd.DataFrame({"task_id": ["A", "B"], "resource_id": ["", "P1"], "role_id": ["R", ""],
                      "units": [2.0, 1.0]})
    prj = Project("T", "t", pd.Timestamp("2025-01-06"), tasks=t, assignments=a, roles=roles, resources=res_tab)
    res = level(prj, max_schedules=100)
    assert res.length_days == 4
    assert set(res.loading["kind"]) == {"resource", "role"}


def test_demand_above_capacity_is_reported():
    prj = _project([("A", 2), ("B", 2)], assignments=[("A", "U", 2), ("B", "U", 1)])
    res = level(prj, max_schedules=50)
    assert res.length_days == 4  # A runs alone on U, then B
    # one line that says why, not a second generic "overloads" line for the same resource
    assert res.problems["item"].tolist() == ["A"]
    assert "capacity is 1" in res.problems["problem"].iloc[0]


def test_cycle_is_reported():
    t = pd.DataFrame({"task_id": ["A", "B"], "name": ["A", "B"], "duration_days": [1.0, 1.0]})
    d = pd.DataFrame({"predecessor_id": ["A", "B"], "successor_id": ["B", "A"]})
    with pytest.raises(CycleError, match="A -> B -> A|B -> A -> B"):
        level(Project("T", "t", pd.Timestamp("2025-01-06"), tasks=t, dependencies=d, validate=False))


def test_cli_levels_psplib_file(tmp_path, capsys):
    f = tmp_path / "tiny.sm"
    f.write_text(SMALL)
    assert main(["level", str(f), "--max-schedules", "200", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    start = {r["task_id"]: r["start_day"] for r in rows}
    finish = max(r["finish_day"] for r in rows)
    # J2 and J3 cannot overlap (R1: 2 + 2 > 3); J4 cannot overlap J3 (R2: 2 + 1 > 2); J5
    # needs all of R1. Best: J3 0-3, J2 3-5, then J4 5-9 and J5 5-6 -> 9 (checked by
    # enumerating every order with the plain serial SGS above)
    assert finish == 9
    assert start["J1"] == 0
    assert main(["level", str(f), "--method", "rule"]) == 0
    assert "leveled length 9 working days (critical path 6)" in capsys.readouterr().out
    # nothing delayed: a sentence, not an empty table
    f.write_text(SMALL.replace("    3    2\n***", "    9    9\n***"))   # ample capacity
    assert main(["level", str(f), "--delayed"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("no task is delayed by the leveling") and "Empty DataFrame" not in out
    assert main(["level", str(tmp_path / "nope.sm")]) == 1


def test_exported():
    assert pmkit.level is level


def _random_problem(seed, n=30, release=False):
    rng = np.random.default_rng(seed)
    pred, succ = [], []
    for j in range(1, n):
        for i in rng.choice(j, size=min(j, int(rng.integers(1, 3))), replace=False):
            pred.append(int(i))
            succ.append(j)
    p, s = np.array(pred, np.int64), np.array(succ, np.int64)
    dur = rng.integers(0, 9, n).astype(np.int64)
    dem = rng.integers(0, 6, (n, 3)).astype(float) * (rng.random((n, 3)) < 0.6)
    cap = np.array([6.0, 7.0, 5.0])
    rel = rng.integers(0, 12, n).astype(np.int64) * (rng.random(n) < 0.2) if release else np.zeros(n, np.int64)
    return _Problem(dur=dur, pred=p, succ=s, delta=dur[p], release=rel, dem=dem, cap=cap)


def _assert_schedule_feasible(prob, start, makespan):
    assert (start[prob.succ] >= start[prob.pred] + prob.delta).all()
    assert (start >= prob.release).all()
    finish = start + prob.dur
    assert finish.max() == makespan
    load = np.zeros((makespan + 1, prob.cap.size))
    for j in range(prob.n):
        load[start[j]:finish[j]] += prob.dem[j]
    assert (load <= prob.cap + 1e-9).all()


@pytest.mark.parametrize("seed", [0, 1, 2, 25])  # 25: the best is right-justified before the last pass
@pytest.mark.parametrize("release", [False, True])
def test_search_schedules_are_feasible_counted_and_reproducible(seed, release):
    # without release dates the search decodes forward and backward and justifies once per
    # child (2 schedules); with them it double-justifies (3): both must stay feasible, count
    # every pass within the budget, and repeat exactly from the seed
    prob = _random_problem(seed, release=release)
    budget = 997
    a = solve_rcpsp(prob, max_schedules=budget, seed=seed)
    b = solve_rcpsp(prob, max_schedules=budget, seed=seed)
    _assert_schedule_feasible(prob, a.start, a.makespan)
    assert a.forced == 0 and 0 < a.schedules <= budget
    assert a.start.tolist() == b.start.tolist() and a.schedules == b.schedules
    # the search beats one pass of the LFT rule or ties it
    rule = solve_rcpsp(prob, method="rule")
    _assert_schedule_feasible(prob, rule.start, rule.makespan)
    assert a.makespan <= rule.makespan
    # the returned schedule is left-justified: no activity can start one period earlier alone
    usage = np.zeros((a.makespan + 1, prob.cap.size))
    for j in range(prob.n):
        usage[a.start[j]:a.start[j] + prob.dur[j]] += prob.dem[j]
    for j in range(prob.n):
        t = a.start[j] - 1
        into = prob.succ == j
        earliest = max(int(prob.release[j]), int((a.start[prob.pred] + prob.delta)[into].max(initial=0)))
        if prob.dur[j] == 0 or t < earliest:
            continue
        d = prob.dur[j]
        trial = usage.copy()
        trial[t + 1:t + 1 + d] -= prob.dem[j]
        trial[t:t + d] += prob.dem[j]
        assert (trial > prob.cap + 1e-9).any(), j


def test_time_key_crossover_inherits_finish_times():
    # the child lists activities by finish time, taken from the father for one contiguous range
    # of activity numbers and from the mother for the rest
    from pmkit.project import _rcpsp as K
    rng = np.random.default_rng(4)
    n = 10
    dur = rng.integers(1, 6, n).astype(np.int64)
    mstart = rng.permutation(n * 3)[:n].astype(np.int64)   # distinct finish times
    fstart = rng.permutation(n * 3)[:n].astype(np.int64)
    key = np.empty(n)
    child = np.empty(n, np.int64)
    for seed in range(20):
        K.seed_rng(seed)
        K._time_key_crossover(mstart, fstart, dur, key, child)
        assert sorted(child.tolist()) == list(range(n))
        ok = False
        for q1, q2 in itertools.combinations_with_replacement(range(n + 1), 2):
            fin = np.where((np.arange(n) >= q1) & (np.arange(n) < q2), fstart, mstart) + dur
            if (np.diff(fin[child]) >= 0).all():
                ok = True
                break
        assert ok, child
    # identical parents: the child is the parents' finish order
    K._time_key_crossover(mstart, mstart, dur, key, child)
    assert (np.diff((mstart + dur)[child]) >= 0).all()


@pytest.mark.parametrize("seed", [3, 7])
def test_search_with_time_key_crossover_only(seed, monkeypatch):
    # every child from the finish-time key crossover: still feasible, within budget, reproducible
    from pmkit.project import leveling
    monkeypatch.setitem(leveling._TUNING, "time_key", 1.0)
    prob = _random_problem(seed)
    a = solve_rcpsp(prob, max_schedules=601, seed=seed)
    b = solve_rcpsp(prob, max_schedules=601, seed=seed)
    _assert_schedule_feasible(prob, a.start, a.makespan)
    assert a.forced == 0 and 0 < a.schedules <= 601
    assert a.start.tolist() == b.start.tolist()
    assert a.makespan <= solve_rcpsp(prob, method="rule").makespan


def test_equal_lengths_rank_by_activities_in_last_period():
    """Among schedules of equal length, fewer activities ending at the makespan rank first,
    whatever the delays; the length always comes first."""
    from pmkit.project._rcpsp import _score

    dur = np.array([3, 2, 2, 0], dtype=np.int64)
    es = np.zeros(4, dtype=np.int64)
    w = np.full(4, 0.25)
    # all length 5; A ends two activities at 5 (2+3 and 3+2), B one (2+3), B-later one, with
    # a larger delay than B
    a = _score(5, 0, np.array([2, 3, 0, 5], dtype=np.int64), es, w, dur)
    b = _score(5, 0, np.array([2, 0, 0, 5], dtype=np.int64), es, w, dur)
    b_later = _score(5, 0, np.array([2, 1, 0, 5], dtype=np.int64), es, w, dur)
    assert b < a and b_later < a          # zero-duration end milestones do not count
    assert b < b_later                    # then the mean delay decides
    assert _score(4, 0, np.array([0, 2, 2, 4], dtype=np.int64), es, w, dur) < b


def test_population_keeps_diverse_schedules_first():
    """A schedule enters the next population only if it differs from every better one kept in
    at least ``min_diff`` starts; near-copies fill up before exact copies; the result stays
    sorted by score."""
    from pmkit.project._rcpsp import select_diverse

    a = np.arange(10, dtype=np.int64)
    near = a.copy()
    near[9] += 1                     # differs from a in 1 start
    far = a.copy()
    far[:5] += 3                     # differs from a in 5 starts and from near in 6
    starts = np.vstack([far, a, near, a])            # a twice: an exact copy
    scores = np.array([4.0, 1.0, 2.0, 1.0])
    # threshold 3: a, far qualify; near (1 from a) fills before the copy of a
    assert select_diverse(scores, starts, 3, 3).tolist() == [1, 2, 0]
    # threshold 0: only exact copies are held back
    assert select_diverse(scores, starts, 3, 0).tolist() == [1, 2, 0]
    assert select_diverse(scores, starts, 2, 0).tolist() == [1, 2]
    # threshold 3 with room for two: the far schedule beats the better near-copy
    assert select_diverse(scores, starts, 2, 3).tolist() == [1, 0]
    # more room than distinct schedules: the copy comes last in the fill, order is by score
    assert sorted(select_diverse(scores, starts, 4, 3).tolist()) == [0, 1, 2, 3]
    assert np.diff(scores[select_diverse(scores, starts, 4, 3)]).min() >= 0
    # threshold above the number of activities: nothing qualifies after the best, near first
    assert select_diverse(scores, starts, 3, 11).tolist() == [1, 2, 0]


def test_loading_chart_keeps_the_steps_and_stays_small():
    """The loading chart draws only the days where a load changes (a step line), so a plan
    whose daily table passes Altair's 5,000-row limit still renders; the default rows are the
    resources most overloaded before leveling; redrawing the steps gives the daily loads back."""
    from pmkit.charts.leveling import leveled_loading

    res = level(synth.project(200, seed=1, progress=None), max_schedules=100, seed=1)
    daily = res.loading
    assert len(daily) > 5000
    chart = leveled_loading(res)
    spec = chart.to_dict()                                   # raises MaxRowsError if too big
    data = chart.data
    shown = spec["facet"]["row"]["sort"]
    ratio = (daily["load_before"] / daily["capacity"]).groupby(daily["kind"] + " " + daily["id"]).max()
    assert shown == ratio.sort_values(ascending=False, kind="stable").index[:8].tolist()
    assert ratio[shown[0]] == ratio.max()
    for name in shown[:3]:
        kind, rid = name.split(" ", 1)
        day = daily[(daily["kind"] == kind) & (daily["id"] == rid)].set_index("date")
        for when, col in (("before leveling", "load_before"), ("after leveling", "load_after")):
            pts = data[(data["resource"] == name) & (data["when"] == when)].set_index("date")["load"]
            assert len(pts) < len(day)
            redrawn = pts.reindex(day.index, method="ffill")
            assert np.allclose(redrawn.to_numpy(), day[col].to_numpy())


def test_loading_chart_draws_weekly_peaks_on_very_long_plans(monkeypatch):
    from pmkit.charts import leveling as charts

    res = level(synth.project(60, seed=2, progress=None), max_schedules=100, seed=1)
    monkeypatch.setattr(charts, "_MAX_POINTS", 10)
    data = charts.leveled_loading(res, ids=[res.loading["id"].iloc[0]]).data
    daily = res.loading[res.loading["id"] == res.loading["id"].iloc[0]]
    weeks = daily["date"].dt.to_period("W").dt.start_time
    peak = daily.groupby(weeks)["load_after"].max()
    after = data[data["when"] == "after leveling"].set_index("date")["load"]
    assert set(after.index) <= set(peak.index) and (after.index.day_of_week == 0).all()
    assert np.allclose(after.reindex(peak.index, method="ffill").to_numpy(), peak.to_numpy())


def test_loading_chart_of_a_project_without_assignments_says_so():
    import dataclasses
    import warnings

    from pmkit.charts.leveling import leveled_loading

    prj = synth.project(20, seed=1, progress=None)
    res = level(dataclasses.replace(prj, assignments=prj.assignments.head(0)))
    assert res.loading.empty and res.length_days == res.cpm_length_days
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # no Altair type-inference warning in a report
        spec = leveled_loading(res).to_dict()
    assert spec["mark"]["type"] == "text"
    assert "nothing to level" in json.dumps(spec["datasets"])
