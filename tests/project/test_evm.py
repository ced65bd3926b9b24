"""Earned value and earned schedule against hand-worked numbers and published examples.

The hand example (Mon-Fri calendar, no holidays, start Monday 2025-01-06):

* A  2025-01-06..01-10 (5 days)   1000  -> 200 per day, days 1-5
* B  2025-01-13..01-24 (10 days)  2000  -> 200 per day, days 6-15
* C  2025-01-13..01-17 (5 days)    500  -> 100 per day, days 6-10
* M  milestone 2025-01-24, no cost

Cumulative PV by working day: 200, 400, 600, 800, 1000 | 1300, 1600, 1900, 2200, 2500 |
2700, 2900, 3100, 3300, 3500. BAC 3500, PD 15 days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmkit
from pmkit.data.calendars import Calendar
from pmkit.data.model import Project
from pmkit.errors import PmkitError
from pmkit.project.evm import (
    earned_schedule,
    earned_schedule_indices,
    earned_value,
    p_factor,
    performance_indices,
    planned_value,
    schedule_baseline,
    task_values,
    wbs_prefix,
)

CAL = Calendar("std")
T = pd.Timestamp


def demo_project(status_rows=None, **kw) -> Project:
    tasks = pd.DataFrame({
        "task_id": ["A", "B", "C", "M"], "name": ["Design", "Build", "Test plan", "Handover"],
        "wbs": ["1.1", "1.2", "2.1", "2.2"], "duration_days": [5.0, 10.0, 5.0, 0.0],
        "budget_cost": [1000.0, 2000.0, 500.0, 0.0], "milestone": [False, False, False, True],
    })
    baseline = pd.DataFrame({
        "task_id": ["A", "B", "C", "M"],
        "baseline_start": pd.to_datetime(["2025-01-06", "2025-01-13", "2025-01-13", "2025-01-24"]),
        "baseline_finish": pd.to_datetime(["2025-01-10", "2025-01-24", "2025-01-17", "2025-01-24"]),
        "baseline_cost": [1000.0, 2000.0, 500.0, 0.0],
    })
    if status_rows is None:
        status_rows = [
            # status 1, Friday 10 Jan (AT 5): ahead of schedule
            ("2025-01-10", "A", 100.0, 1100.0), ("2025-01-10", "B", 20.0, 420.0),
            # status 2, Friday 17 Jan (AT 10): late; A is not reported again and carries forward
            ("2025-01-17", "B", 40.0, 900.0), ("2025-01-17", "C", 60.0, 350.0),
            # status 3, Friday 31 Jan (AT 20): finished one week late
            ("2025-01-31", "A", 100.0, 1100.0), ("2025-01-31", "B", 100.0, 2100.0),
            ("2025-01-31", "C", 100.0, 450.0), ("2025-01-31", "M", 100.0, 0.0),
        ]
    status = pd.DataFrame(status_rows, columns=["status_date", "task_id", "percent_complete", "actual_cost"])
    status["status_date"] = pd.to_datetime(status["status_date"])
    return Project("P", "Demo", start_date=T("2025-01-06"), calendar=CAL, tasks=tasks, baseline=baseline,
                   status=status, **kw)


def rebuild(pid: str = "P", calendars=None, **tables) -> Project:
    """A project from (possibly another project's) tables, re-keyed to ``pid``."""
    tables = {k: v.drop(columns="project_id", errors="ignore") for k, v in tables.items()}
    cals = calendars or {"std": CAL}
    return Project(pid, pid, start_date=T("2025-01-06"), calendar=CAL, calendars=cals, **tables)


@pytest.fixture(scope="module")
def demo() -> Project:
    return demo_project()


@pytest.fixture(scope="module")
def evm(demo) -> pd.DataFrame:
    return earned_value(demo).set_index("status_date")


def test_planned_value_daily_curve(demo):
    pv = planned_value(demo)
    expected = [200, 400, 600, 800, 1000, 1300, 1600, 1900, 2200, 2500, 2700, 2900, 3100, 3300, 3500]
    assert pv["pv_cumulative"].tolist() == pytest.approx(expected)
    assert pv["pv"].tolist() == pytest.approx([200] * 5 + [300] * 5 + [200] * 5)
    assert pv["date"].iloc[0] == T("2025-01-06") and pv["date"].iloc[-1] == T("2025-01-24")
    assert len(pv) == 15  # weekends are not working days


def test_planned_value_weekly_and_monthly(demo):
    weekly = planned_value(demo, freq="W")
    assert weekly["date"].tolist() == [T("2025-01-12"), T("2025-01-19"), T("2025-01-26")]
    assert weekly["pv"].tolist() == pytest.approx([1000, 1500, 1000])
    monthly = planned_value(demo, freq="M")
    assert monthly["pv_cumulative"].tolist() == pytest.approx([3500])


def test_planned_value_follows_task_calendar():
    # C runs on a Mon-Sat site calendar: 6 working days 13-18 Jan, 100 per day
    site = Calendar("site", workdays=(True,) * 6 + (False,))
    prj = demo_project()
    tasks = prj.tasks.assign(calendar_id=["", "", "site", ""])
    bl = prj.baseline.copy()
    bl.loc[bl["task_id"] == "C", ["baseline_finish", "baseline_cost"]] = [T("2025-01-18"), 600.0]
    prj = rebuild(calendars={"std": CAL, "site": site}, tasks=tasks, baseline=bl, status=prj.status)
    tv = task_values(prj, "2025-01-17").set_index("task_id")
    assert tv.loc["C", "pv"] == pytest.approx(500.0)  # Mon-Fri of its six days
    curve = planned_value(prj).set_index("date")["pv_cumulative"]
    # Saturday's 100 shows on Monday 20th, the next day of the project calendar
    assert curve[T("2025-01-17")] == pytest.approx(1000 + 5 * 200 + 500)
    assert curve[T("2025-01-20")] == pytest.approx(1000 + 6 * 200 + 600)


def test_status_1_ahead_of_schedule(evm):
    r = evm.loc[T("2025-01-10")]
    assert (r["bac"], r["pv"], r["ev"], r["ac"]) == pytest.approx((3500, 1000, 1400, 1520))
    assert r["sv"] == pytest.approx(400) and r["cv"] == pytest.approx(-120)
    assert r["spi"] == pytest.approx(1.4) and r["cpi"] == pytest.approx(1400 / 1520)
    # ES: PV day 6 = 1300 <= 1400 < 1600 = PV day 7
    assert r["at_days"] == 5 and r["pd_days"] == 15
    assert r["es_days"] == pytest.approx(6 + 100 / 300)
    assert r["sv_t"] == pytest.approx(6 + 1 / 3 - 5)
    assert r["spi_t"] == pytest.approx((6 + 1 / 3) / 5)
    assert r["es_date"] == T("2025-01-14")  # inside working day 7
    # p-factor at ES 6.33: PV_A 1000, PV_B 266.67, PV_C 133.33; EV_A 1000, EV_B 400, EV_C 0
    assert r["p_factor"] == pytest.approx((1000 + 4 / 3 * 200) / 1400)


def test_status_2_late_and_carry_forward(evm):
    r = evm.loc[T("2025-01-17")]
    # A (100 %, 1100) carries forward from the previous status date
    assert (r["pv"], r["ev"], r["ac"]) == pytest.approx((2500, 2100, 2350))
    assert r["spi"] == pytest.approx(0.84) and r["cpi"] == pytest.approx(2100 / 2350)
    es = 8 + 200 / 300
    assert r["es_days"] == pytest.approx(es)
    assert r["sv_t"] == pytest.approx(es - 10) and r["spi_t"] == pytest.approx(es / 10)
    assert r["ieac_t_pf1"] == pytest.approx(10 + 15 - es)
    assert r["ieac_t_spi"] == pytest.approx(10 + (15 - es) / 0.84)
    assert r["ieac_t_spi_t"] == pytest.approx(15 / (es / 10))  # Lipke's PD / SPI(t)
    assert r["forecast_finish"] == T("2025-01-29")  # 17.3 days -> the 18th working day
    assert r["baseline_finish"] == T("2025-01-24")
    assert r["p_factor"] == pytest.approx((1000 + 733.3333333 + 300) / 2100)


def test_status_2_cost_forecasts(evm):
    r = evm.loc[T("2025-01-17")]
    bac, ev, ac, pv = 3500.0, 2100.0, 2350.0, 2500.0
    cpi, spi = ev / ac, ev / pv
    assert r["eac_budget_rate"] == pytest.approx(ac + bac - ev)  # 3750
    assert r["eac_cpi"] == pytest.approx(bac / cpi)  # 3916.67
    assert r["eac_cpi_spi"] == pytest.approx(ac + (bac - ev) / (cpi * spi))
    assert r["eac_composite"] == pytest.approx(ac + (bac - ev) / (0.8 * cpi + 0.2 * spi))
    assert r["eac"] == pytest.approx(r["eac_cpi"])
    assert r["etc"] == pytest.approx(bac / cpi - ac)
    assert r["vac"] == pytest.approx(bac - bac / cpi)
    assert r["tcpi_bac"] == pytest.approx((bac - ev) / (bac - ac))  # 1.12
    # TCPI to the CPI-based EAC is the CPI itself
    assert r["tcpi_eac"] == pytest.approx(cpi)
    assert r["percent_complete"] == pytest.approx(60.0)


def test_status_3_finished_late_shows_the_spi_quirk(evm):
    r = evm.loc[T("2025-01-31")]
    # cost-based schedule indicators report a perfect schedule at the end...
    assert r["sv"] == pytest.approx(0) and r["spi"] == pytest.approx(1)
    # ...earned schedule shows the week lost
    assert r["es_days"] == 15 and r["at_days"] == 20
    assert r["sv_t"] == -5 and r["spi_t"] == pytest.approx(0.75)
    for c in ("ieac_t_pf1", "ieac_t_spi", "ieac_t_spi_t"):
        assert r[c] == 20
    assert r["forecast_finish"] == T("2025-01-31")
    for c in ("eac_budget_rate", "eac_cpi", "eac_cpi_spi", "eac_composite", "eac"):
        assert r[c] == pytest.approx(3650)
    assert np.isnan(r["tcpi_bac"]) and r["p_factor"] == pytest.approx(1.0)


def test_eac_method_selects_eac(demo):
    for method, col in (("budget_rate", "eac_budget_rate"), ("cpi_spi", "eac_cpi_spi"),
                        ("composite", "eac_composite")):
        df = earned_value(demo, eac_method=method)
        assert df["eac"].tolist() == pytest.approx(df[col].tolist())
        assert df["vac"].tolist() == pytest.approx((df["bac"] - df[col]).tolist())
    with pytest.raises(PmkitError, match="eac_method"):
        earned_value(demo, eac_method="magic")


def test_wbs_rollup_sums_not_averages(demo):
    w = earned_value(demo, by="wbs").set_index(["status_date", "wbs"])
    g1 = w.loc[(T("2025-01-17"), "1")]
    assert (g1["bac"], g1["pv"], g1["ev"], g1["ac"]) == pytest.approx((3000, 2000, 1800, 2000))
    assert g1["cpi"] == pytest.approx(0.9) and g1["spi"] == pytest.approx(0.9)
    g2 = w.loc[(T("2025-01-17"), "2")]
    assert (g2["pv"], g2["ev"], g2["ac"]) == pytest.approx((500, 300, 350))
    proj = earned_value(demo).set_index("status_date")
    total = w.groupby("status_date")[["pv", "ev", "ac"]].sum()
    assert np.allclose(total.to_numpy(), proj[["pv", "ev", "ac"]].to_numpy())
    # project CPI is total EV / total AC, not the mean of the branch CPIs
    mean_cpi = w.loc[T("2025-01-17"), "cpi"].mean()
    assert proj.loc[T("2025-01-17"), "cpi"] == pytest.approx(2100 / 2350)
    assert mean_cpi != pytest.approx(2100 / 2350)
    level2 = earned_value(demo, by="wbs", wbs_level=2)
    assert set(level2["wbs"]) == {"1.1", "1.2", "2.1", "2.2"}


def test_task_values(demo):
    tv = task_values(demo, "2025-01-17").set_index("task_id")
    assert tv.loc["A", "ev"] == 1000 and tv.loc["A", "ac"] == 1100
    assert tv.loc["B", "pv"] == pytest.approx(1000) and tv.loc["B", "ev"] == pytest.approx(800)
    assert tv.loc["C", "cpi"] == pytest.approx(300 / 350)
    assert tv.loc["M", "ev"] == 0 and np.isnan(tv.loc["M", "spi"])
    assert tv.loc["B", "name"] == "Build" and tv.loc["B", "wbs"] == "1.2"
    by_task = earned_value(demo, by="task")
    assert len(by_task) == 3 * 4


def test_unbaselined_work_costs_but_earns_nothing():
    prj = demo_project()
    tasks = pd.concat([prj.tasks, pd.DataFrame({"task_id": ["X"], "name": ["Extra"], "duration_days": [1.0]})])
    status = pd.concat([prj.status, pd.DataFrame({"status_date": [T("2025-01-17")], "task_id": ["X"],
                                                  "percent_complete": [50.0], "actual_cost": [77.0]})])
    prj = rebuild(tasks=tasks, baseline=prj.baseline, status=status)
    r = earned_value(prj).set_index("status_date").loc[T("2025-01-17")]
    assert r["ac"] == pytest.approx(2350 + 77) and r["ev"] == pytest.approx(2100) and r["bac"] == 3500


def test_summary_tasks_are_not_counted_twice():
    prj = demo_project()
    tasks = pd.concat([prj.tasks.assign(parent_id=["S", "S", "S", "S"]),
                       pd.DataFrame({"task_id": ["S"], "name": ["Summary"], "duration_days": [15.0]})])
    bl = pd.concat([prj.baseline, pd.DataFrame({"task_id": ["S"], "baseline_start": [T("2025-01-06")],
                                                "baseline_finish": [T("2025-01-24")], "baseline_cost": [3500.0]})])
    prj = rebuild(tasks=tasks, baseline=bl, status=prj.status)
    assert earned_value(prj)["bac"].iloc[0] == 3500


def test_errors_name_the_project():
    prj = demo_project()
    no_bl = rebuild("Q", tasks=prj.tasks, status=prj.status)
    with pytest.raises(PmkitError, match="project Q: no baseline"):
        earned_value(no_bl)
    with pytest.raises(PmkitError, match="by must be"):
        earned_value(prj, by="month")
    with pytest.raises(PmkitError, match="freq"):
        planned_value(prj, freq="Q")
    with pytest.raises(PmkitError, match="no status"):
        task_values(rebuild("R", tasks=prj.tasks, baseline=prj.baseline))


def test_no_status_gives_empty_table(demo):
    prj = rebuild("R", tasks=demo.tasks, baseline=demo.baseline)
    out = earned_value(prj)
    assert out.empty and "cpi" in out.columns


# ------------------------------------------------------------------ published examples

def test_vanhoucke_week_7_example():
    # PM Knowledge Center (Vanhoucke), "Measuring time: earned value or earned schedule?":
    # week 7, EV = 90, PV week 5 = 85, PV week 6 = 120 -> ES = 5 + 5/35 = 5.14 weeks.
    pv = [10, 25, 45, 65, 85, 120, 150, 180, 200]
    es = float(earned_schedule(pv, 90))
    assert round(es, 2) == 5.14
    r = earned_schedule_indices(es, 7, 9)
    assert round(float(r["spi_t"]), 2) == 0.73 and round(float(r["sv_t"]), 2) == -1.86


def test_lipke_late_project_example():
    # Lipke (2003) / MPUG "Earned Schedule Management": ten 100,000 modules planned one per
    # month over 10 months, finished after 12 months: SV = 0 and SPI = 1, but
    # SV(t) = -2 months and SPI(t) = 10 / 12.
    pv = np.arange(1, 11) * 100_000.0
    es = float(earned_schedule(pv, 1_000_000.0))
    assert es == 10
    r = earned_schedule_indices(es, 12, 10, spi=1.0)
    assert float(r["sv_t"]) == -2 and float(r["spi_t"]) == pytest.approx(0.8333, abs=1e-4)
    # at month 6 only 4 modules done: ES 4, SPI(t) 0.667, IEAC(t) = PD / SPI(t) = 15 months
    r6 = earned_schedule_indices(float(earned_schedule(pv, 400_000.0)), 6, 10, spi=400 / 600)
    assert float(r6["spi_t"]) == pytest.approx(4 / 6)
    assert float(r6["ieac_t_spi_t"]) == pytest.approx(15.0)
    assert float(r6["ieac_t_pf1"]) == pytest.approx(12.0)


def test_earned_schedule_edge_cases():
    pv = [100.0, 100.0, 300.0]  # nothing planned in period 2
    assert earned_schedule(pv, [0.0, 50.0, 100.0, 200.0, 300.0, 400.0]).tolist() == \
        pytest.approx([0.0, 0.5, 2.0, 2.5, 3.0, 3.0])
    assert np.isnan(earned_schedule(pv, np.nan))
    with pytest.raises(PmkitError):
        earned_schedule([100.0, 50.0], 10.0)


def test_p_factor_bounds():
    assert p_factor([50.0, 50.0, 0.0], [50.0, 30.0, 20.0]) == pytest.approx(0.8)
    assert p_factor([10.0, 20.0], [10.0, 20.0]) == 1.0
    assert np.isnan(p_factor([0.0], [5.0]))


def test_performance_indices_zero_denominators():
    out = performance_indices(pd.DataFrame({"bac": [100.0], "pv": [0.0], "ev": [0.0], "ac": [0.0]}))
    assert np.isnan(out["spi"].iloc[0]) and np.isnan(out["cpi"].iloc[0])
    assert out["eac_budget_rate"].iloc[0] == 100


def test_wbs_prefix():
    s = pd.Series(["1.2.3", "2", "", "1.10.1"])
    assert wbs_prefix(s, 2).tolist() == ["1.2", "2", "", "1.10"]
    with pytest.raises(PmkitError):
        wbs_prefix(s, 0)


def test_synthetic_project_invariants():
    prj = pmkit.synth.project(300, seed=5)
    ev = earned_value(prj).iloc[0]
    assert ev["bac"] == pytest.approx(prj.bac)
    assert 0 <= ev["ev"] <= ev["bac"] and 0 <= ev["p_factor"] <= 1
    # PV at the status date equals the cumulative curve on that day
    curve = planned_value(prj).set_index("date")["pv_cumulative"]
    assert ev["pv"] == pytest.approx(curve[: ev["status_date"]].iloc[-1])
    # total PV from tasks equals the fast prefix-sum curve
    tv = task_values(prj)
    assert tv["pv"].sum() == pytest.approx(ev["pv"])


# ------------------------------------------------------------------ regressions

def test_schedule_columns_are_always_present(demo):
    # no progress records: no rows, but every column (earned schedule ones too)
    bare = rebuild("R", tasks=demo.tasks, baseline=demo.baseline)
    empty = earned_value(bare)
    for col in ("spi_t", "sv_t", "es_days", "forecast_finish", "baseline_finish", "p_factor"):
        assert col in empty.columns
    assert list(empty.columns) == list(earned_value(demo).columns)
    assert str(empty["forecast_finish"].dtype).startswith("datetime64")


def test_status_date_without_records_earns_nothing(demo):
    # regression: _progress_at indexed an empty status table with -1 (IndexError)
    bare = rebuild("R", tasks=demo.tasks, baseline=demo.baseline)
    row = earned_value(bare, status_dates="2025-01-10").iloc[0]
    assert row["pv"] == pytest.approx(1000.0)  # A done by plan; B and C start on the 13th
    assert row["ev"] == 0 and row["ac"] == 0 and np.isnan(row["cpi"]) and row["spi"] == 0
    assert row["es_days"] == 0 and row["spi_t"] == 0 and row["at_days"] == 5
    # before any record of a project that has records, tasks read 0 % as well
    early = earned_value(demo, status_dates="2025-01-08").iloc[0]
    assert early["ev"] == 0 and early["pv"] == pytest.approx(600.0)


def test_planned_value_of_a_project_without_baseline_follows_the_schedule(demo):
    # a proposed project: no baseline rows, tasks with budgets and no links, so every task
    # starts on Monday 6 Jan; A 5 days (1000), B 10 days (2000), C 5 days (500), M milestone
    plan = rebuild("N", tasks=demo.tasks)
    sb = schedule_baseline(plan).set_index("task_id")
    assert sb.loc["B", "baseline_start"] == T("2025-01-06") and sb.loc["B", "baseline_finish"] == T("2025-01-17")
    pv = planned_value(plan).set_index("date")
    assert pv.attrs["basis"] == "schedule"
    assert pv.loc[T("2025-01-06"), "pv_cumulative"] == pytest.approx(200 + 200 + 100)
    assert pv.loc[T("2025-01-10"), "pv_cumulative"] == pytest.approx(1000 + 1000 + 500)
    assert pv["pv_cumulative"].iloc[-1] == pytest.approx(3500.0) and pv.index[-1] == T("2025-01-17")
    # a baselined project keeps its baseline unless asked for the schedule
    assert planned_value(demo).attrs["basis"] == "baseline"
    started = demo_project(status_rows=[("2025-01-08", "A", 40.0, 400.0)])
    assert planned_value(started, basis="schedule").attrs["basis"] == "schedule"
    with pytest.raises(PmkitError, match="tasks A, B, C, M have no scheduled or actual dates"):
        planned_value(demo, basis="schedule")  # all finished, no actual dates reported
    with pytest.raises(PmkitError, match="no baseline"):
        planned_value(plan, basis="baseline")
    with pytest.raises(PmkitError, match="basis must be"):
        planned_value(plan, basis="plan")
    # no progress and no baseline: earned value has nothing to report, and says so with no rows
    assert earned_value(plan).empty
    with pytest.raises(PmkitError, match="no baseline"):
        earned_value(plan, status_dates="2025-01-10")


def test_s_curve_legend_lists_only_series_with_data():
    import pmkit
    from pmkit.charts.evm import s_curve
    from pmkit.project.evm import s_curve_table

    pf = pmkit.load(pmkit.sample_path())
    proposed = s_curve(s_curve_table(pf.project("P09"))).to_dict()
    assert proposed["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["Planned value (PV)"]
    active = s_curve(s_curve_table(pf.project("P02"))).to_dict()
    assert len(active["layer"][0]["encoding"]["color"]["scale"]["domain"]) == 4
