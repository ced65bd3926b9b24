"""The compiled CPM passes of pmkit.project._cpm_numba against the numpy kernel, the quantile tables
against scipy, and reproducibility of the simulation whatever the number of threads."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy.special import betaincinv

import pmkit
from pmkit.data.calendars import Calendar
from pmkit.project import _cpm_numba as K
from pmkit.project.montecarlo import simulate
from pmkit.project.scheduling import backward_pass, build_network, compile_network, forward_pass


def random_rows(net, k, seed):
    rng = np.random.default_rng(seed)
    D = net.durations * rng.uniform(0.3, 2.5, (k, net.n))
    done = ~np.isnan(net.actual_finish)
    D[:, done] = net.durations[done]  # finished work keeps its actual duration
    return D


@pytest.mark.parametrize("seed", [3, 8])
def test_passes_equal_numpy_on_synth_networks(seed):
    net = compile_network(pmkit.synth.project(400, seed=seed))
    assert len(net.calendars) > 1 and set(np.unique(net.link_type)) == {0, 1, 2, 3}
    assert np.isfinite(net.actual_finish).any() and np.isfinite(net.actual_start).any()
    D = random_rows(net, 40, seed)
    kern = K.Kernel(net)
    es, ef = K.forward_pass(kern, D)
    es0, ef0 = forward_pass(net, D)
    assert np.array_equal(es, es0) and np.array_equal(ef, ef0)
    length = net.project_length(ef0)
    ls, lf = K.backward_pass(kern, D, length)
    ls0, lf0 = backward_pass(net, D, project_finish=length)
    assert np.array_equal(ls, ls0) and np.array_equal(lf, lf0)


def test_passes_equal_numpy_with_constraints_deadline_and_far_dates():
    """Three calendars, every constraint type, a deadline, leads, and dates far beyond the
    first lookup window (the tables must grow)."""
    site = Calendar("site", workdays=(1, 1, 1, 1, 1, 1, 0), holidays=["2001-01-01"])
    night = Calendar("night", workdays=(0, 1, 1, 1, 0, 0, 0))
    n = 8
    net = build_network(
        [f"T{i}" for i in range(n)], [300.0, 0.0, 900.0, 5.5, 2000.0, 3.25, 7.0, 1.0],
        pred=[0, 0, 1, 2, 3, 3, 4, 5, 6], succ=[1, 2, 3, 4, 4, 5, 6, 7, 7],
        link_type=["FS", "SS", "FF", "SF", "FS", "FS", "SS", "FF", "FS"], lag=[2, -1.5, 0, 3, 0, 1, 4, -2, 0],
        calendar=[0, 1, 2, 0, 1, 2, 0, 1], calendars=(pmkit.data.calendars.STANDARD, site, night), origin="2001-01-01",
        lb_start=[0, 0, 0, 10, 0, 0, 0, 0], ub_start=[np.inf] * 5 + [1500, np.inf, np.inf],
        fix_finish=[np.nan] * 6 + [3000.0, np.nan], late_ub_finish=[np.inf] * 6 + [3000.0, np.inf],
        deadline=2500.0)
    D = random_rows(net, 25, 1)
    kern = K.Kernel(net)
    es, ef = K.forward_pass(kern, D)
    es0, ef0 = forward_pass(net, D)
    assert kern.ax_hi > 4000  # grew
    assert np.array_equal(es, es0) and np.array_equal(ef, ef0)
    length = net.project_length(ef0)
    ls, lf = K.backward_pass(kern, D, length)
    ls0, lf0 = backward_pass(net, D, project_finish=length)
    assert np.array_equal(ls, ls0) and np.array_equal(lf, lf0)


@pytest.mark.parametrize("c", [0.0, 0.05, 1 / 3, 0.5, 0.77, 1.0])
def test_quantile_tables_against_scipy(c):
    rng = np.random.default_rng(4)
    u = np.r_[rng.random(2000), 10 ** rng.uniform(-14, -2, 300), 1 - 10 ** rng.uniform(-14, -2, 300)]
    pert = K.quantile("pert", c, u)
    assert np.abs(pert - betaincinv(1 + 4 * c, 5 - 4 * c, u)).max() < 1.5e-4
    tri = K.quantile("triangular", c, u)
    exact = np.where(u < c, np.sqrt(u * c), 1 - np.sqrt((1 - u) * (1 - c)))
    assert np.abs(tri - exact).max() < 2e-4
    assert np.all(np.diff(K.quantile("pert", c, np.sort(u))) >= 0)


def test_same_result_on_one_thread():
    prj = pmkit.synth.project(120, seed=5)
    two = simulate(prj, 300, seed=3, correlation=0.4)
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one = simulate(prj, 300, seed=3, correlation=0.4)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(one.finish_days, two.finish_days) and np.array_equal(one.cost, two.cost)
    assert one.tasks["criticality_index"].equals(two.tasks["criticality_index"])
    assert np.allclose(one.tasks["mean_days"], two.tasks["mean_days"], rtol=0, atol=1e-12)
