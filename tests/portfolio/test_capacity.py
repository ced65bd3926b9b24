"""Capacity planning: demand split over months by working days, against capacity."""

from __future__ import annotations

import pandas as pd
import pytest

from pmkit.data.calendars import STANDARD
from pmkit.data.model import Portfolio
from pmkit.portfolio.capacity import capacity_plan, role_demand, spread_over_months, utilization


def portfolio() -> Portfolio:
    # T1: 10 working days Mon 26 Jan - Fri 6 Feb 2026, 2 units of R1 -> 10 + 10 person-days
    # T2: 3 days in February on named resource U1 (role R2), half time -> 1.5 person-days
    return Portfolio(
        projects=pd.DataFrame({"project_id": ["P"], "name": ["p"], "state": ["active"],
                               "start_date": [pd.Timestamp("2026-01-26")]}),
        tasks=pd.DataFrame({"project_id": "P", "task_id": ["T1", "T2"], "name": ["a", "b"],
                            "duration_days": [10.0, 3.0]}),
        baseline=pd.DataFrame({"project_id": "P", "task_id": ["T1", "T2"],
                               "baseline_start": pd.to_datetime(["2026-01-26", "2026-02-10"]),
                               "baseline_finish": pd.to_datetime(["2026-02-06", "2026-02-12"]),
                               "baseline_cost": [1.0, 1.0]}),
        roles=pd.DataFrame({"role_id": ["R1", "R2"]}),
        resources=pd.DataFrame({"resource_id": ["U1"], "name": ["u"], "role_id": ["R2"]}),
        assignments=pd.DataFrame({"project_id": "P", "task_id": ["T1", "T2"], "resource_id": ["", "U1"],
                                  "role_id": ["R1", ""], "units": [2.0, 0.5]}),
        capacity=pd.DataFrame({"role_id": ["R1", "R1", "R2"],
                               "month": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-02-01"]),
                               "capacity_days": [8.0, 40.0, 10.0]}),
    )


def test_demand_split_by_working_days():
    d = role_demand(portfolio()).set_index(["role_id", "month"])["demand_days"]
    assert d[("R1", pd.Timestamp("2026-01-01"))] == pytest.approx(10.0)
    assert d[("R1", pd.Timestamp("2026-02-01"))] == pytest.approx(10.0)
    assert d[("R2", pd.Timestamp("2026-02-01"))] == pytest.approx(1.5)


def test_plan_status_and_utilization():
    plan = capacity_plan(portfolio()).set_index(["role_id", "month"])
    jan = plan.loc[("R1", pd.Timestamp("2026-01-01"))]
    assert jan["status"] == "over" and jan["balance_days"] == pytest.approx(-2.0)
    assert plan.loc[("R1", pd.Timestamp("2026-02-01")), "utilization"] == pytest.approx(0.25)
    u = utilization(portfolio()).set_index("role_id")
    assert u.loc["R1", "utilization"] == pytest.approx(20 / 48)  # ratio of sums, not mean of months
    assert u.loc["R1", "over_days"] == pytest.approx(2.0) and u.loc["R1", "over_months"] == 1


def test_spread_handles_weekends_and_long_spans():
    # Sat-Sun only: no working day, everything stays in the start month
    row, month, amt = spread_over_months(["2026-01-31"], ["2026-02-01"], [4.0], STANDARD)
    assert amt.tolist() == [4.0, 0.0]
    row, month, amt = spread_over_months(["2026-01-01"], ["2026-12-31"], [261.0], STANDARD)
    assert len(month) == 12 and amt.sum() == pytest.approx(261.0)
