"""The array kernel against an independent plain-Python CPM on random synthetic networks."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from pmkit import synth
from pmkit.errors import CycleError
from pmkit.project.scheduling import build_network, compile_network, forward_pass, solve_network


class Reference:
    """Textbook CPM, one task and one link at a time, with numpy's business-day functions."""

    def __init__(self, net):
        self.net = net
        self.o = net.origin

    def W(self, c, t):
        cal = self.net.calendars[c].busdaycal
        d = math.floor(t + 1e-9)
        day = self.o + np.timedelta64(d, "D")
        return float(np.busday_count(self.o, day, busdaycal=cal)) + float(np.is_busday(day, busdaycal=cal)) * (t - d)

    def T(self, c, w, finish):
        cal = self.net.calendars[c].busdaycal
        w = round(w) if abs(w - round(w)) < 1e-7 else w
        k = math.ceil(w) - 1 if finish else math.floor(w)
        day = (np.busday_offset(self.o, k, roll="forward", busdaycal=cal) - self.o).astype(int)
        return float(day) + ((1 - (math.ceil(w) - w)) if finish else (w - k))

    def conv(self, w, a, b, finish):
        return w if a == b else self.W(b, self.T(a, w, finish))

    def run(self):
        net = self.net
        n = net.n
        d = net.durations
        cal = net.calendar
        g = nx.DiGraph()
        g.add_nodes_from(range(n))
        ins = {i: [] for i in range(n)}
        outs = {i: [] for i in range(n)}
        for e, (p, s) in enumerate(zip(net.pred.tolist(), net.succ.tolist(), strict=True)):
            g.add_edge(p, s)
            ins[s].append(e)
            outs[p].append(e)
        order = list(nx.topological_sort(g))
        es, ef = [0.0] * n, [0.0] * n
        for j in order:
            r = 0.0
            for e in ins[j]:
                i, t, lag = int(net.pred[e]), int(net.link_type[e]), float(net.lag[e])
                from_fin, to_fin = t in (0, 2), t in (2, 3)
                src = self.conv(ef[i] if from_fin else es[i], cal[i], cal[j], from_fin)
                r = max(r, src + lag - (d[j] if to_fin else 0.0))
            es[j], ef[j] = r, r + d[j]
        pf = max([self.conv(ef[i], cal[i], 0, True) for i in range(n)] + [0.0])
        ls, lf = [0.0] * n, [0.0] * n
        for i in reversed(order):
            r = self.conv(pf, 0, cal[i], True)
            ff = r - ef[i]
            for e in outs[i]:
                j, t, lag = int(net.succ[e]), int(net.link_type[e]), float(net.lag[e])
                from_fin, to_fin = t in (0, 2), t in (2, 3)
                v = self.conv((lf[j] if to_fin else ls[j]) - lag, cal[j], cal[i], False)
                r = min(r, v + (0.0 if from_fin else d[i]))
                v_early = self.conv((ef[j] if to_fin else es[j]) - lag, cal[j], cal[i], False)
                ff_e = v_early - (ef[i] if from_fin else es[i])
                ff = ff_e if not outs[i] else min(ff if e != outs[i][0] else math.inf, ff_e)
            lf[i], ls[i] = r, r - d[i]
            self.ff = getattr(self, "ff", [0.0] * n)
            self.ff[i] = ff
        tf = np.array(lf) - np.array(ef)
        ffa = np.clip(np.minimum(self.ff, np.maximum(tf, 0)), 0, None)
        return np.array(es), np.array(ef), np.array(ls), np.array(lf), tf, ffa, pf


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("one_calendar", [True, False])
def test_kernel_matches_reference(seed, one_calendar):
    prj = synth.project(60 + 20 * seed, seed=seed, progress=None, with_risks=False, with_resources=False)
    if one_calendar:
        prj = type(prj)(project_id="SYN", name="x", start_date=prj.start_date, calendar=prj.calendar,
                        calendars=prj.calendars, tasks=prj.tasks.assign(calendar_id=""),
                        dependencies=prj.dependencies, validate=False)
    net = compile_network(prj)
    assert (net.calendar != 0).any() != one_calendar
    sol = solve_network(net)
    es, ef, ls, lf, tf, ff, pf = Reference(net).run()
    np.testing.assert_allclose(sol.early_start, es, atol=1e-9)
    np.testing.assert_allclose(sol.early_finish, ef, atol=1e-9)
    np.testing.assert_allclose(sol.late_start, ls, atol=1e-9)
    np.testing.assert_allclose(sol.late_finish, lf, atol=1e-9)
    np.testing.assert_allclose(sol.free_float, ff, atol=1e-9)
    assert sol.project_length == pytest.approx(pf)
    # invariants of an unconstrained network
    assert (sol.total_float >= -1e-9).all()
    assert (sol.total_float >= sol.free_float - 1e-9).all()
    assert sol.total_float.min() == pytest.approx(0.0, abs=1e-9)


def test_rows_are_scheduled_independently():
    net = compile_network(synth.project(150, seed=4, progress=None))
    rng = np.random.default_rng(0)
    D = net.durations * rng.uniform(0.5, 2.0, size=(5, net.n))
    es, ef = forward_pass(net, D)
    assert es.shape == (5, net.n)
    for r in range(5):
        es1, ef1 = forward_pass(net, D[r])
        np.testing.assert_allclose(es[r], es1)
        np.testing.assert_allclose(ef[r], ef1)
    lengths = net.project_length(ef)
    assert lengths.shape == (5,)
    assert lengths[0] == pytest.approx(net.project_length(forward_pass(net, D[0])[1]))
    sol = solve_network(net, D)
    assert sol.total_float.shape == (5, net.n)
    assert ((sol.total_float <= 1e-6).sum(axis=1) > 0).all()


def test_cycle_error_names_tasks():
    with pytest.raises(CycleError, match=r"A -> B -> C -> A") as info:
        build_network(["A", "B", "C", "D"], [1, 1, 1, 1], [0, 1, 2, 2], [1, 2, 0, 3], project_id="P9")
    assert info.value.cycle == ["A", "B", "C"]
    assert "project P9" in str(info.value)
    with pytest.raises(CycleError, match="X -> X"):
        build_network(["X"], [1], [0], [0])


def test_to_dates_conventions():
    # origin Monday 2025-01-06; offsets 0..5 on a Mon-Fri calendar
    net = build_network(["A"], [5.0], [], [], origin="2025-01-06")
    starts = net.axis.dates(0, np.array([0.0, 4.0, 5.0, 5.5]), False)
    finishes = net.axis.dates(0, np.array([1.0, 5.0, 5.5, 0.5]), True)
    assert [str(d) for d in starts] == ["2025-01-06", "2025-01-10", "2025-01-13", "2025-01-13"]
    assert [str(d) for d in finishes] == ["2025-01-06", "2025-01-10", "2025-01-13", "2025-01-06"]
    # far dates grow the lookup tables instead of failing
    far = net.axis.dates(0, np.array([-3000.0, 30000.0]), False)
    assert far[0] < np.datetime64("2014-01-01") and far[1] > np.datetime64("2139-01-01")


@pytest.mark.parametrize("seed", [3, 4])
def test_compiled_passes_for_large_networks_equal_numpy(monkeypatch, seed):
    """Large networks take the numba passes; they must give the numpy kernel's numbers exactly."""
    import pmkit.project.scheduling as S
    from pmkit import synth

    prj = synth.project(400, seed=seed)  # progress, two calendars, all link types, lags
    numpy_sol = S.solve_network(S.compile_network(prj))
    monkeypatch.setattr(S, "COMPILED_MIN_TASKS", 1)
    net = S.compile_network(prj)
    fast = S.solve_network(net)
    assert net.__dict__.get("_compiled_kernel") is not None  # built on first use
    for field in ("early_start", "early_finish", "late_start", "late_finish", "total_float", "free_float"):
        np.testing.assert_array_equal(getattr(fast, field), getattr(numpy_sol, field), err_msg=field)
    rows = np.vstack([net.durations, net.durations * 1.5])  # (k, n) as Monte Carlo passes them
    monkeypatch.setattr(S, "COMPILED_MIN_TASKS", 10**9)
    es0, ef0 = S.forward_pass(S.compile_network(prj), rows)
    monkeypatch.setattr(S, "COMPILED_MIN_TASKS", 1)
    es1, ef1 = S.forward_pass(net, rows)
    np.testing.assert_array_equal(es1, es0)
    np.testing.assert_array_equal(ef1, ef0)
