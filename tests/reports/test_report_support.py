"""Shared, once-per-session report runs for the notebook and browser tests.

The sample portfolio (or, before it exists, a synthetic one) is copied to a temporary
folder with hostile text planted in it: a project and a task named
``<script>alert(1)</script>``, an ``<img onerror>`` description and a portfolio name with
markup. Its reports are generated once (``sample_reports``) and shared by
``test_notebooks.py`` and ``test_browser.py``.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pandas as pd

import pmkit
from pmkit import reports as rp

XSS = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
_CACHE: dict[str, object] = {}


def hostile_portfolio() -> pmkit.Portfolio:
    """The sample portfolio with hostile names, covering every project state."""
    try:
        pf = pmkit.load(pmkit.sample_path())
    except FileNotFoundError:
        pf = pmkit.synth.portfolio(6, 15, seed=11)
        states = ["active", "proposed", "closed", "on_hold", "cancelled", "active"]
        pf = pf.with_tables(projects=pf.projects.assign(state=states))
    projects = pf.projects.copy()
    active = projects.index[projects["state"] == "active"][0]
    pid = projects.at[active, "project_id"]
    projects.at[active, "name"] = XSS
    projects.at[active, "description"] = IMG
    tasks = pf.tasks.copy()
    first_task = tasks.index[tasks["project_id"] == pid][0]
    tasks.at[first_task, "name"] = XSS
    info = pf.portfolio.copy() if len(pf.portfolio) else pd.DataFrame([{"name": "x", "currency": "EUR"}])
    info.loc[:, "name"] = "Northwind <b>Group</b>"
    return pf.with_tables(projects=projects, tasks=tasks, portfolio=info)


def hostile_project_id(pf: pmkit.Portfolio) -> str:
    return str(pf.projects.loc[pf.projects["name"] == XSS, "project_id"].iloc[0])


def sample_reports() -> rp.ReportRun:
    """Reports of the hostile sample portfolio, generated once per test session."""
    if "run" not in _CACHE:
        root = Path(tempfile.mkdtemp(prefix="pmkit-reports-"))
        atexit.register(shutil.rmtree, root, True)
        pf = hostile_portfolio()
        pmkit.save(pf, root / "data")
        # the hostile project's monthly updates, so its report has a history to show (and escape)
        from pmkit.history import build_sample_history

        build_sample_history(root / "data", project_ids=[hostile_project_id(pf)])
        _CACHE["portfolio"], _CACHE["data"] = pf, root / "data"
        _CACHE["run"] = rp.run_reports(root / "data", root / "out", jobs=2, timeout=300, progress=False)
    return _CACHE["run"]  # type: ignore[return-value]


def test_hostile_portfolio_covers_every_reported_state_and_keeps_the_hostile_text():
    pf = hostile_portfolio()
    assert {"active", "proposed", "closed", "on_hold", "cancelled"} <= set(pf.projects["state"])
    pid = hostile_project_id(pf)
    assert pf.project(pid).description == IMG
    assert XSS in set(pf.project(pid).tasks["name"])
