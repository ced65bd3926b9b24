"""The sample's history of monthly updates: real progress, four real revisions, the last
update equal to the sample project itself."""

from __future__ import annotations

import pandas as pd
import pytest

import pmkit
from pmkit.history import build_sample_history, sample_updates
from pmkit.project.changes import compare


@pytest.fixture(scope="module")
def p02_updates():
    return pmkit.load(pmkit.sample_path()).project("P02"), sample_updates(
        pmkit.load(pmkit.sample_path()).project("P02"))


def test_one_update_per_status_date_and_the_last_is_the_project(p02_updates):
    project, ups = p02_updates
    assert [u.status_date for u in ups] == project.status_dates and len(ups) >= 6
    last = ups[-1]
    for name in ("tasks", "dependencies", "status", "baseline", "assignments", "risks"):
        pd.testing.assert_frame_equal(getattr(last, name).reset_index(drop=True),
                                      getattr(project, name).reset_index(drop=True), check_dtype=False)
    for earlier, later in zip(ups, ups[1:], strict=False):  # progress only grows
        assert set(earlier.status["status_date"]) < set(later.status["status_date"])
        assert earlier.status["status_date"].max() == earlier.status_date


def test_each_revision_is_found_by_compare(p02_updates):
    _, ups = p02_updates
    kinds = [compare(a, b).summary.set_index("kind")["count"] for a, b in zip(ups[:4], ups[1:5], strict=True)]
    assert kinds[0]["activity_added"] == 1 and kinds[0]["link_removed"] >= 1   # added work, bridged before
    assert kinds[1]["link_removed"] == 1 and kinds[1]["link_added"] == 0       # changed logic
    assert kinds[2]["duration_changed"] == 1                                   # a longer duration
    assert kinds[3]["constraint_changed"] == 1                                 # a constraint lifted
    for k in kinds[4:]:
        assert k[["activity_added", "link_removed", "duration_changed", "constraint_changed"]].sum() == 0
    lifted = compare(ups[3], ups[4]).constraints.iloc[0]
    assert lifted["old_constraint_type"] == "SNET" and lifted["new_constraint_type"] == "ASAP"


def test_sample_history_store_holds_every_update_of_the_running_projects(tmp_path):
    pf = pmkit.load(pmkit.sample_path())
    small = pf.with_tables(projects=pf.projects.assign(
        state=["active" if p == "P07" else ("closed" if s == "active" else s)
               for p, s in zip(pf.projects["project_id"], pf.projects["state"], strict=True)]))
    data = tmp_path / "data"
    pmkit.save(small, data)
    store = build_sample_history(data, states=("active",))
    assert store.path == tmp_path / "data.history.duckdb" and not list(tmp_path.glob(".*tmp"))
    listed = pmkit.list_updates(store)
    assert set(listed["project_id"]) == {"P07"} and len(listed) == len(pf.project("P07").status_dates)
    again = pmkit.load_update(store, "P07", as_of=listed["data_date"].iloc[2])
    assert len(again.status_dates) == 3
    # pmkit windows on the data folder reads the updates from the store beside it
    import io
    import json
    from contextlib import redirect_stdout

    from pmkit.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["windows", str(data), "--project", "P07", "--format", "json"]) == 0
    rows = json.loads(out.getvalue())
    expected = pmkit.windows_analysis(pmkit.project_updates(store, "P07")).windows
    assert len(rows) == len(listed) - 1 == len(expected)
    assert [r["revision_effect_days"] for r in rows] == pytest.approx(expected["revision_effect_days"].tolist())
    # pmkit diff on the data folder compares two recorded updates (default: the last two)
    dates = [f"{d:%Y-%m-%d}" for d in listed["data_date"]]
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["diff", str(data), "--project", "P07", "--as-of", dates[0], "--as-of", dates[1],
                     "--table", "activities", "--format", "json"]) == 0
    added = json.loads(out.getvalue())
    first, second = pmkit.project_updates(store, "P07")[:2]
    assert [a["task_id"] for a in added] == sorted(set(second.tasks["task_id"]) - set(first.tasks["task_id"]))
    assert len(added) == 1 and added[0]["change"] == "added"
    with redirect_stdout(io.StringIO()):
        assert main(["diff", str(data), "--project", "P07", "--as-of", dates[0]]) == 1  # one date is not a pair
