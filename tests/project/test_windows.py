"""Windows analysis with the half-step split on a hand-built 3-update series (hand-computed effects)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import pmkit
import pmkit.cli
from pmkit.data.calendars import STANDARD
from pmkit.data.model import Portfolio, Project
from pmkit.errors import PmkitError
from pmkit.project.windows import half_step, windows_analysis

T0 = pd.Timestamp("2025-01-06")  # a Monday; Mon-Fri calendar without holidays


def _rec(date, tid, pct, start, finish=None, remaining=None):
    return {"project_id": "W", "status_date": pd.Timestamp(date), "task_id": tid, "percent_complete": pct,
            "actual_start": pd.Timestamp(start), "actual_finish": pd.Timestamp(finish) if finish else pd.NaT,
            "actual_cost": 0.0, "remaining_days": remaining}


def _update(durations: dict, links, records, status_date) -> Project:
    tasks = pd.DataFrame({"task_id": list(durations), "name": [f"Task {t}" for t in durations],
                          "duration_days": [float(d) for d in durations.values()], "budget_cost": 1000.0})
    deps = pd.DataFrame([(p, s, "FS", 0.0) for p, s in links],
                        columns=["predecessor_id", "successor_id", "type", "lag_days"])
    return Project(project_id="W", name="Windows", start_date=T0, calendar=STANDARD, tasks=tasks, dependencies=deps,
                   status=pd.DataFrame(records), status_date=pd.Timestamp(status_date))


def worked_example() -> list[Project]:
    """The series of docs/forensics.md.

    Plan A5 -> B5 -> C5 (finish after 15 working days, Fri 24 Jan 2025).
    U1 (Fri 10 Jan): A finished on time.                                    finish day 15
    U2 (Fri 17 Jan): B started Mon 13 Jan but has 3 days left (planned: done) -> B ends day 13,
      C 13-18 in the half-step (progress +3); revision: X (2 days) added between B and C
      -> X 13-15, C 15-20 (revision +2).                                    finish day 20
    U3 (Fri 24 Jan): B finished Wed 22 Jan (on the U2 plan); X started Thu 23 Jan with 1 day
      left (planned: done) -> X 15-16, C 16-21 in the half-step (progress +1); revision: C
      cut from 5 to 3 days -> finish day 19 (revision -2).                  finish day 19
    """
    a1 = _rec("2025-01-10", "A", 100.0, "2025-01-06", "2025-01-10", 0.0)
    u1 = _update({"A": 5, "B": 5, "C": 5}, [("A", "B"), ("B", "C")], [a1], "2025-01-10")
    a2 = {**a1, "status_date": pd.Timestamp("2025-01-17")}
    b2 = _rec("2025-01-17", "B", 40.0, "2025-01-13", remaining=3.0)
    u2 = _update({"A": 5, "B": 5, "X": 2, "C": 5}, [("A", "B"), ("B", "C"), ("B", "X"), ("X", "C")],
                 [a1, a2, b2], "2025-01-17")
    a3 = {**a1, "status_date": pd.Timestamp("2025-01-24")}
    b3 = _rec("2025-01-24", "B", 100.0, "2025-01-13", "2025-01-22", 0.0)
    x3 = _rec("2025-01-24", "X", 50.0, "2025-01-23", remaining=1.0)
    u3 = _update({"A": 5, "B": 5, "X": 2, "C": 3}, [("A", "B"), ("B", "C"), ("B", "X"), ("X", "C")],
                 [a1, a2, b2, a3, b3, x3], "2025-01-24")
    return [u1, u2, u3]


@pytest.fixture(scope="module")
def result():
    return windows_analysis(worked_example())


def test_worked_example_half_step_split(result):
    w = result.windows
    assert w["progress_effect_days"].tolist() == [3.0, 1.0]
    assert w["revision_effect_days"].tolist() == [2.0, -2.0]
    assert w["total_effect_days"].tolist() == [5.0, -1.0]
    assert w["from_finish"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-24", "2025-01-31"]
    assert w["half_step_finish"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-29", "2025-02-03"]
    assert w["to_finish"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-31", "2025-01-30"]
    assert w["outcome"].tolist() == ["lost 5 working days", "gained 1 working days"]
    assert result.total_effect_days == 4.0


def test_drivers_name_the_slipped_and_the_revised_activities(result):
    d = result.drivers
    got = {(int(r.window), r.effect, r.task_id): r.finish_moved_working_days for r in d.itertuples()}
    # window 1: B slipped 3 days (progress); X added and the link X -> C (revisions)
    assert got[(1, "progress", "B")] == 3.0
    assert {k for k in got if k[:2] == (1, "revision")} == {(1, "revision", "X"), (1, "revision", "C")}
    # window 2: X slipped 1 day (progress); C's duration was cut (revision: its finish 2 days earlier)
    assert got[(2, "progress", "X")] == 1.0
    assert got[(2, "revision", "C")] == -2.0
    assert "duration_changed duration_days 5 -> 3" in d[(d["window"] == 2) & (d["effect"] == "revision")]["reason"].iloc[0]
    assert not ((d["window"] == 2) & (d["task_id"] == "B")).any()  # B kept to the U2 plan


def test_half_step_has_the_earlier_plan_and_the_later_progress():
    u1, u2, _ = worked_example()
    h = half_step(u1, u2)
    assert set(h.tasks["task_id"]) == {"A", "B", "C"} and len(h.dependencies) == 2
    assert h.status_date == u2.status_date
    assert h.status_at().set_index("task_id").loc["B", "remaining_days"] == 3.0


def test_progress_plus_revision_is_total_on_synthetic_series():
    for seed in (0, 1):
        ups = pmkit.synth.update_series(pmkit.synth.project(40, seed=seed + 3, progress=None), n_updates=5, seed=seed)
        w = windows_analysis(ups).windows
        assert len(w) == 4
        np.testing.assert_allclose(w["progress_effect_days"] + w["revision_effect_days"], w["total_effect_days"],
                                   atol=1e-9)
        # and the windows chain: each window starts where the previous one ended
        assert (w["from_finish"].iloc[1:].to_numpy() == w["to_finish"].iloc[:-1].to_numpy()).all()


def test_bad_series_is_a_clear_error():
    u1, u2, u3 = worked_example()
    with pytest.raises(PmkitError, match="at least two updates"):
        windows_analysis([u1])
    with pytest.raises(PmkitError, match="not later than update 1"):
        windows_analysis([u2, u1])
    with pytest.raises(PmkitError, match="not a pmkit.Project"):
        windows_analysis([u1, "u2"])


def test_waterfall_chart_steps(result):
    from pmkit.charts.changes import windows_waterfall

    spec = windows_waterfall(result).to_dict()
    values = next(iter(spec["datasets"].values()))
    assert [v["end"] for v in values] == [3.0, 5.0, 6.0, 4.0]  # cumulative: +3 +2 +1 -2
    assert [v["half"] for v in values] == ["progress", "revisions"] * 2


def _save(project: Project, path) -> str:
    cal_rows, hol_rows = zip(*(c.to_frame() for c in project.calendars.values()), strict=True)
    pmkit.save(Portfolio(projects=project.info_frame(), tasks=project.tasks, dependencies=project.dependencies,
                         status=project.status, calendars=pd.concat(cal_rows, ignore_index=True),
                         holidays=pd.concat(hol_rows, ignore_index=True)), path)
    return str(path)


@pytest.fixture()
def cli(monkeypatch):
    monkeypatch.setitem(pmkit.cli.COMMANDS, "windows", ("pmkit.cli.windows", "windows analysis of updates"))
    return pmkit.cli.main


def test_cli_windows_table_json_and_drivers(tmp_path, cli, capsys):
    paths = [_save(u, tmp_path / f"u{i}") for i, u in enumerate(worked_example(), 1)]
    assert cli(["windows", *paths]) == 0
    out = capsys.readouterr().out
    assert "lost 5 working days" in out and "gained 1 working days" in out
    assert cli(["windows", *paths, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["progress_effect_days"], r["revision_effect_days"]) for r in rows] == [(3.0, 2.0), (1.0, -2.0)]
    assert cli(["windows", *paths, "--drivers", "--format", "csv"]) == 0
    assert "2,revision,C" in capsys.readouterr().out


def test_cli_windows_one_path_uses_its_status_dates(tmp_path, cli, capsys):
    path = _save(worked_example()[-1], tmp_path / "u3")
    assert cli(["windows", path, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    # one plan (U3's): only progress moves the finish
    assert len(rows) == 2 and all(r["revision_effect_days"] == 0 for r in rows)
    assert cli(["windows", path, "--project", "W", "--drivers"]) == 0
    single = _save(worked_example()[0], tmp_path / "u1")
    assert cli(["windows", single]) == 1
    assert "1 status date" in capsys.readouterr().err
