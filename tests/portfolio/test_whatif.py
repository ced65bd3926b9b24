"""What-if: a late project and budget scenarios (pmkit.portfolio.whatif)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmkit
from pmkit.errors import PmkitError
from pmkit.portfolio.financials import financials
from pmkit.portfolio.whatif import budget_scenarios, delay_effects, delay_project
from pmkit.project.evm import earned_value


@pytest.fixture(scope="module")
def pf() -> pmkit.Portfolio:
    p = pmkit.synth.portfolio(4, 25, seed=5)
    projects = p.projects.assign(state=["active", "active", "proposed", "proposed"])
    projects["status_date"] = projects["status_date"].where(projects["state"] == "active")
    running = projects.loc[projects["state"] == "active", "project_id"]
    # proposed projects have neither progress nor a baseline yet
    return p.with_tables(projects=projects, status=p.status[p.status["project_id"].isin(running)],
                         baseline=p.baseline[p.baseline["project_id"].isin(running)])


def _active(pf) -> str:
    return next(p.project_id for p in pf.iter_projects(("active",)) if p.status_dates and len(p.baseline))


def test_delay_sets_earned_schedule_back_by_exactly_the_delay(pf):
    pid = _active(pf)
    before = earned_value(pf.project(pid)).iloc[-1]
    assert before["es_days"] > 12  # the fixture must have progress to lose
    late = delay_project(pf, pid, 12)
    after = earned_value(late.project(pid)).iloc[-1]
    assert after["status_date"] == before["status_date"]
    assert after["es_days"] == pytest.approx(before["es_days"] - 12, abs=1e-6)
    assert after["sv_t"] == pytest.approx(before["sv_t"] - 12, abs=1e-6)
    assert after["spi_t"] < before["spi_t"] and after["forecast_finish"] > before["forecast_finish"]
    # the same money bought less progress
    assert after["ac"] == pytest.approx(before["ac"]) and after["ev"] < before["ev"]
    assert after["cpi"] < before["cpi"]
    # the other projects are untouched and so is the input
    other = next(i for i in pf.project_ids if i != pid)
    pd.testing.assert_frame_equal(earned_value(late.project(other)), earned_value(pf.project(other)))
    assert earned_value(pf.project(pid)).iloc[-1]["es_days"] == before["es_days"]


def test_delay_moves_future_cash_flows_and_lowers_npv(pf):
    pid = _active(pf)
    when = pf.project(pid).status_dates[-1]
    late = delay_project(pf, pid, 10)
    cf0 = pf.cash_flows[pf.cash_flows["project_id"] == pid].reset_index(drop=True)
    cf1 = late.cash_flows[late.cash_flows["project_id"] == pid].reset_index(drop=True)
    future = cf0["period_start"] > when
    assert future.any() and (~future).any()
    # 10 working days of a Monday-Friday calendar span 14 calendar days
    shift = (cf1["period_start"] - cf0["period_start"]).dt.days
    assert (shift[future] == 14).all() and (shift[~future] == 0).all()
    fin0 = financials(pf).set_index("project_id").loc[pid]
    fin1 = financials(late).set_index("project_id").loc[pid]
    assert fin1["roi"] == pytest.approx(fin0["roi"])  # undiscounted: unchanged
    assert fin1["npv"] != pytest.approx(fin0["npv"])


def test_delay_of_a_proposed_project_moves_its_start(pf):
    pid = pf.projects.loc[pf.projects["state"] == "proposed", "project_id"].iloc[0]
    start = pf.project(pid).start_date
    late = delay_project(pf, pid, 5)
    expected = pd.Timestamp(pf.project(pid).calendar.offset_to_date(np.datetime64(start, "D"), 5))
    assert late.project(pid).start_date == expected
    assert pmkit.project_finish(late.project(pid)) > pmkit.project_finish(pf.project(pid))


def test_delay_arguments(pf):
    pid = _active(pf)
    assert delay_project(pf, pid, 0) is pf
    with pytest.raises(PmkitError, match="days must be"):
        delay_project(pf, pid, -3)
    with pytest.raises(PmkitError, match="days must be"):
        delay_project(pf, pid, 2.5)
    with pytest.raises(PmkitError, match="unknown project 'NOPE'"):
        delay_project(pf, "NOPE", 3)


def test_delay_effects_table(pf):
    pid = _active(pf)
    fx = delay_effects(pf, pid, 12).set_index(["lens", "measure"])
    assert fx.loc[("project", "SPI(t)"), "change"] < 0
    assert fx.loc[("project", "forecast finish"), "change"] > 0
    assert fx.loc[("portfolio", "SPI"), "change"] < 0
    assert fx.loc[("portfolio", "ROI"), "change"] == pytest.approx(0.0)
    assert (delay_effects(pf, pid, 0)["change"].fillna(0) == 0).all()


def test_budget_scenarios_follow_select(pf):
    total = float(pf.projects["budget"].sum())
    budgets = [0.25 * total, 0.5 * total, 2 * total]
    t = budget_scenarios(pf, budgets, capacity=False)
    assert list(t["budget"]) == budgets and (t["status"] == "optimal").all()
    assert (t["cost"] <= t["budget"] + 1e-6).all()
    assert t["value"].is_monotonic_increasing  # more money never buys less value
    sel = pmkit.select(pf, budget=budgets[1], capacity=False)
    assert t.loc[1, "selected"] == ", ".join(sel.selected_ids) and t.loc[1, "value"] == pytest.approx(sel.value)
    for i in (1, 2):
        prev, cur = set(filter(None, t.loc[i - 1, "selected"].split(", "))), set(t.loc[i, "selected"].split(", "))
        assert set(filter(None, t.loc[i, "added"].split(", "))) == cur - prev
        assert set(filter(None, t.loc[i, "dropped"].split(", "))) == prev - cur
