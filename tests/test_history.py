"""The update store: exact round trips, append-only versions, atomic writes, measures, trends, CLI."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import pmkit
import pmkit.cli
from pmkit import history as h
from pmkit.data.model import PROJECT_TABLES, Project
from pmkit.errors import PmkitError, UnknownIdError

TABLES = (*PROJECT_TABLES, "roles", "resources")
FIELDS = [f.name for f in dataclasses.fields(Project) if f.name not in TABLES]


@pytest.fixture(params=h.BACKENDS)
def store(request, tmp_path):
    name = "plan.history.duckdb" if request.param == "duckdb" else "plan.history"
    return h.UpdateStore(tmp_path / name, backend=request.param)


@pytest.fixture
def dstore(tmp_path):
    """DuckDB only: the trend tests read through the same code for both backends."""
    return h.UpdateStore(tmp_path / "plan.history.duckdb")


@pytest.fixture(scope="module")
def sample():
    return pmkit.load(pmkit.sample_path())


def chain(pid: str = "C1", program: str = "PG", ac1: float = 1200.0, pct2: float = 50.0) -> Project:
    """T1 -> T2 -> T3, 5 working days and 1000 each, baselined Mon 2025-01-06 .. Fri 2025-01-24.

    At 2025-01-17: T1 finished (AC ac1), T2 at pct2 % (AC 600); one open risk p=0.5 x 10000 / 4 days.
    """
    tasks = pd.DataFrame({"task_id": ["T1", "T2", "T3"], "name": ["Design", "Build", "Test"],
                          "duration_days": [5.0, 5.0, 5.0], "budget_cost": [1000.0] * 3})
    deps = pd.DataFrame({"predecessor_id": ["T1", "T2"], "successor_id": ["T2", "T3"]})
    bl = pd.DataFrame({"task_id": ["T1", "T2", "T3"],
                       "baseline_start": pd.to_datetime(["2025-01-06", "2025-01-13", "2025-01-20"]),
                       "baseline_finish": pd.to_datetime(["2025-01-10", "2025-01-17", "2025-01-24"]),
                       "baseline_cost": [1000.0] * 3})
    st = pd.DataFrame({"status_date": pd.to_datetime(["2025-01-17"] * 2), "task_id": ["T1", "T2"],
                       "percent_complete": [100.0, pct2],
                       "actual_start": pd.to_datetime(["2025-01-06", "2025-01-13"]),
                       "actual_finish": pd.to_datetime(["2025-01-10", None]), "actual_cost": [ac1, 600.0]})
    risks = pd.DataFrame({"risk_id": ["K1", "K2"], "description": ["late supplier", "closed one"],
                          "probability": [0.5, 0.9], "cost_impact": [10000.0, 500.0],
                          "schedule_impact_days": [4.0, 1.0], "status": ["open", "closed"]})
    return Project(pid, "Chain", start_date="2025-01-06", status_date="2025-01-17", program_id=program,
                   budget=3300.0, tasks=tasks, dependencies=deps, baseline=bl, status=st, risks=risks)


def hostile() -> Project:
    """Text that a careless store would turn into missing values, and extra columns of every kind."""
    p = chain("H1")
    tasks = p.tasks.copy()
    tasks["name"] = ["NA", "None", "N/A"]
    tasks["wbs"] = ["", "NA", "null"]
    tasks["note"] = pd.Series(["NA", None, np.nan], dtype=object)      # extra text: None and NaN kept apart
    tasks["blank_note"] = pd.Series([None, None, None], dtype=object)  # extra text, all missing
    tasks["points"] = np.array([1, 2, 3], dtype="int64")
    tasks["reviewed"] = pd.array([True, None, False], dtype="boolean")
    tasks["checked_on"] = pd.to_datetime(["2025-01-02", None, "2025-01-03 10:30"], format="ISO8601")
    tasks["weight"] = [0.5, np.nan, -0.0]
    return dataclasses.replace(p, tasks=tasks, description="NA", manager="", client="None",
                               deadline=pd.Timestamp("2025-02-28"), finish_date=None)


def assert_same_project(a: Project, b: Project) -> None:
    for t in TABLES:
        pd.testing.assert_frame_equal(getattr(a, t), getattr(b, t), obj=f"table {t}")
    for f in FIELDS:
        assert getattr(a, f) == getattr(b, f) or (getattr(a, f) is None and getattr(b, f) is None), f
    assert a.calendar == b.calendar


# ------------------------------------------------------------------ round trip, versions
def test_round_trip_is_exact_for_sample_and_hostile_projects(store, sample):
    record = h.record_update(store, sample, "2025-06-30", measures=False)
    assert len(record) == len(sample.projects) and (record["version"] == 1).all()
    for pid in ("P02", "P09"):
        assert_same_project(h.load_update(store, pid), sample.project(pid))
    h.record_update(store, hostile(), "2025-01-17", measures=False)
    back = h.load_update(store, "H1")
    assert_same_project(back, hostile())
    assert back.tasks["note"].iloc[1] is None and np.isnan(back.tasks["note"].iloc[2])
    assert back.tasks["name"].tolist() == ["NA", "None", "N/A"] and back.tasks["wbs"].tolist() == ["", "NA", "null"]
    assert back.description == "NA" and back.manager == "" and back.finish_date is None


def test_same_data_date_again_adds_a_version_and_keeps_the_first(store):
    h.record_update(store, chain(), "2025-01-17", measures=False)
    first = h.list_updates(store)
    h.record_update(store, chain(ac1=2000.0), "2025-01-17", measures=False)
    h.record_update(store, chain(ac1=900.0), "2025-01-24", measures=False)
    listed = h.list_updates(store)
    assert listed["version"].tolist() == [1, 2, 1]
    assert listed["latest"].tolist() == [False, True, True]
    pd.testing.assert_frame_equal(listed.iloc[:1].assign(latest=True), first)  # row 1 untouched
    assert h.load_update(store, "C1", as_of="2025-01-20").status["actual_cost"].iloc[0] == 2000.0
    assert h.load_update(store, "C1", as_of="2025-01-17", version=1).status["actual_cost"].iloc[0] == 1200.0
    assert h.load_update(store, "C1").status["actual_cost"].iloc[0] == 900.0
    with pytest.raises(PmkitError, match="no update on or before 2025-01-01"):
        h.load_update(store, "C1", as_of="2025-01-01")
    with pytest.raises(PmkitError, match="no version 3"):
        h.load_update(store, "C1", as_of="2025-01-17", version=3)
    with pytest.raises(UnknownIdError, match=r"no update of project 'C2' in the store \(recorded: C1\)"):
        h.load_update(store, "C2")


def _store_contents(store) -> dict:
    with h._reader(store) as con:
        names = sorted(h._tables_in(con))
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def test_a_write_failing_half_way_leaves_the_store_as_it_was(store, monkeypatch):
    h.record_update(store, chain(), "2025-01-17", measures=["evm"])
    before, listed = _store_contents(store), h.list_updates(store)
    name = "_append" if store.backend == "duckdb" else "_write_parquet"
    real, calls = getattr(h, name), []

    def fail_on_sixth(*args):
        calls.append(1)
        if len(calls) == 6:  # after the recording, updates and some snapshot tables were written
            raise OSError("disk full")
        return real(*args)

    monkeypatch.setattr(h, name, fail_on_sixth)
    with pytest.raises(OSError, match="disk full"):
        h.record_update(store, chain("C2"), "2025-01-24", measures=["evm"])
    assert len(calls) == 6
    assert _store_contents(store) == before
    pd.testing.assert_frame_equal(h.list_updates(store), listed)
    if store.backend == "parquet":
        assert not list(store.path.glob(".tmp-*"))  # no half-written recording left behind
    monkeypatch.setattr(h, name, real)
    h.record_update(store, chain("C2"), "2025-01-24", measures=False)  # and the store still works
    assert h.list_updates(store)["update_id"].tolist() == [1, 2]


def test_whole_portfolio_as_of_a_date(store, sample):
    h.record_update(store, sample, "2025-03-31", project_ids=["P01", "P02"], measures=False)
    h.record_update(store, sample, "2025-06-30", project_ids=["P02"], measures=False)
    pf = h.load_portfolio_update(store, "2025-04-30")
    assert pf.project_ids == ["P01", "P02"]
    assert_same_project(pf.project("P02"), sample.project("P02"))
    pd.testing.assert_frame_equal(pf.programs, sample.programs)
    assert h.list_updates(store)["data_date"].dt.strftime("%m-%d").tolist() == ["03-31", "03-31", "06-30"]


# ------------------------------------------------------------------ measures and trends
def test_measures_of_the_chain_are_the_hand_computed_ones():
    m = h.update_measures(chain(), "2025-01-17").iloc[0]
    # BAC 3000; PV 2000 (T1, T2 planned); EV 1000 + 50% x 1000; AC 1200 + 600
    assert (m["bac"], m["pv"], m["ev"], m["ac"]) == (3000.0, 2000.0, 1500.0, 1800.0)
    assert m["spi"] == pytest.approx(0.75) and m["cpi"] == pytest.approx(1500 / 1800)
    # ES = 1500 / 200 per day = 7.5 days, AT = 10 days; IEAC(t) = 10 + 7.5 / 0.75 = 20 days -> Fri 31 Jan
    assert m["spi_t"] == pytest.approx(0.75) and m["es_forecast_finish"] == pd.Timestamp("2025-01-31")
    # BEI: T1 done, T1 and T2 due
    assert (m["tasks_completed"], m["tasks_due"], m["bei"]) == (1.0, 2.0, 0.5)
    # CPM: T2 has 2.5 days left from Mon 20 Jan, T3 5 more: last working day Wed 29 Jan, 3 days late
    assert m["forecast_finish"] == pd.Timestamp("2025-01-29") and m["finish_slip_days"] == 3.0
    assert (m["remaining_tasks"], m["min_total_float_days"], m["mean_total_float_days"]) == (2.0, 0.0, 0.0)
    assert (m["open_risks"], m["risk_exposure_cost"], m["risk_exposure_days"]) == (1.0, 5000.0, 2.0)


def test_dcma_counts_match_the_health_checks():
    health = pytest.importorskip("pmkit.project.health")
    checks = health.health(chain(), status_date="2025-01-17").checks
    m = h.update_measures(chain(), "2025-01-17", ["dcma"]).iloc[0]
    assert m["dcma_checks"] == checks["passed"].notna().sum()
    assert m["dcma_passed"] == (checks["passed"] == True).sum()  # noqa: E712 - nullable boolean
    failed = checks.loc[checks["passed"] == False, "check"].tolist()  # noqa: E712
    assert m["dcma_failed"] == ", ".join(failed) and "bei" in failed  # BEI 0.5 < 0.95


def test_trends_roll_up_by_the_documented_rules(dstore):
    store = dstore
    h.record_update(store, chain("A", "PG1"), "2025-01-17", measures=["evm", "schedule", "risk"])
    h.record_update(store, chain("B", "PG1", ac1=900.0), "2025-01-17", measures=["evm", "schedule", "risk"])
    later = chain("A", "PG1", pct2=100.0)  # A reports again; B is carried forward
    h.record_update(store, later, "2025-01-24", measures=["evm", "schedule", "risk"])
    h.record_update(store, chain("C", "PG2"), "2025-01-24", measures=False)  # no measures: not in trends
    pt = h.project_trend(store, "A")
    assert pt["data_date"].dt.day.tolist() == [17, 24]
    # A's T2 finished: T3 alone remains, float 0 both times: no erosion
    assert pt["float_erosion_days"].iloc[1] == 0.0 and np.isnan(pt["float_erosion_days"].iloc[0])
    pg = h.program_trend(store, "PG1")
    first, second = pg.iloc[0], pg.iloc[1]
    assert first["projects"] == 2 and first["ev"] == 3000.0 and first["ac"] == 1800.0 + 1500.0
    assert first["cpi"] == pytest.approx(3000 / 3300)           # sum EV / sum AC
    assert first["bei"] == pytest.approx(2 / 4)                  # sum completed / sum due
    assert first["risk_exposure_cost"] == 10000.0 and first["risk_exposure_days"] == 2.0
    assert second["projects"] == 2 and second["ev"] == 2000.0 + 1500.0   # B carried forward
    # worst member: A, whose last progress is of 17 Jan, so T3 starts after 24 Jan: Fri 31 Jan, 5 days late
    assert second["finish_slip_days"] == 5.0 and pt["finish_slip_days"].tolist() == [3.0, 5.0]
    pf = h.portfolio_trend(store)
    assert pf["id"].unique().tolist() == ["portfolio"] and pf["projects"].tolist() == [2, 2]
    with pytest.raises(UnknownIdError, match="did you mean 'PG1'"):
        h.program_trend(store, "PG3")


def test_trend_chart_has_one_panel_per_measure(dstore):
    store = dstore
    from pmkit.charts.history import trend_chart

    h.record_update(store, chain(), "2025-01-17", measures=["evm", "risk"])
    spec = trend_chart(h.project_trend(store)).to_dict()
    assert spec["facet"]["row"]["field"] == "measure"
    shown = {r["measure"] for r in next(iter(spec["datasets"].values()))}
    assert shown == {"SPI(t)", "CPI", "BEI", "Risk exposure (EMV cost)"}
    with pytest.raises(PmkitError, match="no column 'nope'"):
        trend_chart(h.project_trend(store), ["nope"])


def test_bad_input_gets_clear_errors(tmp_path, sample):
    with pytest.raises(PmkitError, match="backend must be one of"):
        h.UpdateStore(tmp_path / "x.duckdb", backend="sqlite")
    with pytest.raises(UnknownIdError, match="unknown project 'P99'"):
        h.record_update(tmp_path / "x.duckdb", sample, "2025-01-31", project_ids=["P99"])
    with pytest.raises(PmkitError, match="unknown measure group 'evn'.*did you mean 'evm'"):
        h.record_update(tmp_path / "x.duckdb", chain(), "2025-01-31", measures=["evn"])
    bad = dataclasses.replace(chain(), tasks=chain().tasks.assign(blob=[[1], [2], [3]]))
    with pytest.raises(PmkitError, match="table tasks: column 'blob' holds mixed values, not text"):
        h.record_update(tmp_path / "x.duckdb", bad, "2025-01-31", measures=False)
    assert not (tmp_path / "x.duckdb").exists() or h.list_updates(tmp_path / "x.duckdb").empty


def test_default_store_sits_beside_the_data(tmp_path):
    (tmp_path / "northwind").mkdir()
    assert h.default_store_path(tmp_path / "northwind") == tmp_path / "northwind.history.duckdb"
    assert h.default_store_path(tmp_path / "plan.xlsx") == tmp_path / "plan.history.duckdb"
    assert h.UpdateStore.beside(tmp_path / "northwind", "parquet").path == tmp_path / "northwind.history"


# ------------------------------------------------------------------ CLI and docs
@pytest.fixture
def cli(monkeypatch):
    if "history" not in pmkit.cli.COMMANDS:
        monkeypatch.setitem(pmkit.cli.COMMANDS, "history", ("pmkit.cli.history", "status updates and trends"))
    return pmkit.cli.main


def test_cli_add_list_trend_show(cli, tmp_path, capsys):
    data = tmp_path / "chain"
    pmkit.save(h.project_as_portfolio(chain()), data)
    assert cli(["history", "add", str(data), "--as-of", "2025-01-17"]) == 0
    assert "recorded 1 update(s) at 2025-01-17" in capsys.readouterr().out
    assert (tmp_path / "chain.history.duckdb").is_file()
    assert cli(["history", "list", str(data), "--format", "json"]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    assert [(r["project_id"], r["version"], r["data_date"]) for r in rows] == [("C1", 1, "2025-01-17")]
    assert cli(["history", "trend", str(data), "--project", "C1", "--format", "csv"]) == 0
    trend = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert trend["finish_slip_days"].tolist() == [3.0] and trend["cpi"].round(4).tolist() == [0.8333]
    assert cli(["history", "trend", str(data), "--portfolio"]) == 0
    assert "portfolio" in capsys.readouterr().out
    out = tmp_path / "export"
    assert cli(["history", "show", str(data), "--project", "C1", "--as-of", "2025-01-20", "--out", str(out)]) == 0
    capsys.readouterr()
    assert_same_project(pmkit.load(out).project("C1"), pmkit.load(data).project("C1"))
    assert cli(["history", "show", "--store", str(tmp_path / "chain.history.duckdb"), "--project", "C9"]) == 1
    assert "no update of project 'C9'" in capsys.readouterr().err
    assert cli(["history", "add", str(data), "--as-of", "2025-02-30"]) == 1
    assert "--as-of '2025-02-30' is not a date" in capsys.readouterr().err


def test_docs_worked_example(tmp_path):
    """The numbers of the worked example in docs/history.md."""
    store = h.UpdateStore(tmp_path / "chain.history.duckdb")
    h.record_update(store, chain("A", "PG1"), "2025-01-17", measures=["evm", "schedule", "risk"])
    h.record_update(store, chain("B", "PG1", ac1=900.0), "2025-01-17", measures=["evm", "schedule", "risk"])
    t = h.program_trend(store, "PG1").iloc[0]
    assert round(t["cpi"], 3) == 0.909 and t["spi_t"] == 0.75 and t["bei"] == 0.5
    assert t["finish_slip_days"] == 3.0 and t["risk_exposure_cost"] == 10000.0
