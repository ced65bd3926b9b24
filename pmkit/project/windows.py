"""Windows analysis of consecutive updates, with the half-step split of each window.

Forensic schedule analysis after AACE International Recommended Practice 29R-03
*Forensic Schedule Analysis* (rev. April 25, 2011):

* **MIP 3.3, Observational / Dynamic / Contemporaneous As-Is** ("windows analysis"): the
  project's own updates are taken as they were issued; each pair of consecutive updates
  ``U_k``, ``U_{k+1}`` is a *window*, and the movement of the forecast finish from one to
  the next is the delay (or gain) of that window. The critical path is the one of each
  update, so it may change from window to window (that is what "dynamic" means).
* **MIP 3.4, Observational / Dynamic / Contemporaneous Split** ("bifurcated", the
  *half-step*): each window is split in two. The half-step schedule is ``U_k``'s logic,
  durations and constraints with ``U_{k+1}``'s progress (actual dates, percent complete,
  remaining durations) and data date. Then

  - progress effect  = finish(half-step) - finish(U_k): what the work done (or not done) in
    the window did to the finish under the plan in force at its start;
  - revision effect  = finish(U_{k+1}) - finish(half-step): what the non-progress revisions
    of the update (added or deleted activities, logic, durations, constraints, calendars)
    did;
  - and the two add up to the window's total, finish(U_{k+1}) - finish(U_k).

Every schedule is pmkit's own CPM (:func:`pmkit.schedule`, retained logic by default), so
the three finishes are computed the same way. Days are working days of the later update's
project calendar; **positive = the finish moved later (days lost), negative = gained**.

Which activities drove a window (pmkit's attribution rule, a reading aid rather than a
part of the RP): for the progress half, the activities on the longest path of ``U_k`` or
of the half-step that ``U_k`` planned to start by the new data date, were not finished at
``U_k`` and whose forecast finish moved; for the revision half, the activities on the
longest path of the half-step or of ``U_{k+1}`` that were revised (see
:data:`pmkit.project.changes.REVISION_KINDS`; a link counts for its successor).

Sources: AACE RP 29R-03 §3.3 and §3.4 (MIPs 3.3 and 3.4); B. Furniss, C. Milburn, J. Orr,
"Implementation of the Half-Step Analysis During the Project" (AACE 2017, PS-2491);
G. Martin, "Windows Analysis versus Half-Step Analysis" (AACE 2013, CDR-1356).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.model import Project
from ..errors import PmkitError
from .changes import REVISION_KINDS, _finish_working_days, _scheduled, compare

_WINDOW_COLUMNS = ["window", "from_status_date", "to_status_date", "from_finish", "half_step_finish", "to_finish",
                   "progress_effect_days", "revision_effect_days", "total_effect_days", "outcome", "drivers"]
_DRIVER_COLUMNS = ["window", "effect", "task_id", "name", "reason", "old_finish", "new_finish",
                   "finish_moved_working_days"]


@dataclass(frozen=True, eq=False)
class WindowsAnalysis:
    """Result of :func:`windows_analysis`.

    ``windows``: one row per window (``window, from_status_date, to_status_date,
    from_finish, half_step_finish, to_finish, progress_effect_days, revision_effect_days,
    total_effect_days, outcome, drivers``); ``drivers``: one row per driving activity and
    half of a window (``window, effect`` progress/revision, ``task_id, name, reason,
    old_finish, new_finish, finish_moved_working_days``). Days: working days, positive =
    later finish (lost), negative = earlier (gained).
    """

    project_id: str
    windows: pd.DataFrame
    drivers: pd.DataFrame

    @property
    def total_effect_days(self) -> float:
        return float(self.windows["total_effect_days"].sum())

    def _headline(self) -> str:
        w = self.windows
        if not len(w):
            return f"project {self.project_id}: no windows"
        return (f"project {self.project_id}: {len(w)} windows {w['from_status_date'].iloc[0]:%Y-%m-%d} -> "
                f"{w['to_status_date'].iloc[-1]:%Y-%m-%d}; finish {w['from_finish'].iloc[0]:%Y-%m-%d} -> "
                f"{w['to_finish'].iloc[-1]:%Y-%m-%d}: progress {w['progress_effect_days'].sum():+g}, "
                f"revisions {w['revision_effect_days'].sum():+g}, total {self.total_effect_days:+g} working days")

    def __repr__(self) -> str:
        return f"WindowsAnalysis({self._headline()})"

    def _repr_html_(self) -> str:
        import html

        cols = ["window", "from_status_date", "to_status_date", "progress_effect_days", "revision_effect_days",
                "total_effect_days", "outcome", "drivers"]
        return f"<p><b>{html.escape(self._headline())}</b></p>{self.windows[cols].to_html(index=False)}"


def half_step(before: Project, after: Project) -> Project:
    """The half-step schedule of a window: ``before``'s plan with ``after``'s progress.

    AACE RP 29R-03 MIP 3.4 (the bifurcated / split contemporaneous period analysis): the
    tasks, links, durations, constraints and calendars are ``before``'s; the progress
    (status records: actual dates, percent complete, remaining durations) and the data
    date are ``after``'s. Progress of activities that ``after`` added is left out (they
    are revisions); activities that ``after`` deleted keep their progress of ``before``.

    Examples
    --------
    >>> from pmkit import synth
    >>> from pmkit.project.windows import half_step
    >>> u1, u2 = synth.update_series(synth.project(30, seed=1, progress=None), n_updates=2)
    >>> h = half_step(u1, u2)
    >>> h.status_date == u2.status_date, len(h.tasks) == len(u1.tasks)
    (True, True)
    """
    if after.status_date is None:
        raise PmkitError(f"half_step: the later update of project {after.project_id} has no status_date")
    sd = after.status_date
    ids = before.tasks["task_id"].astype(str)
    st = after.status
    st = st[(st["task_id"].astype(str).isin(ids)) & (st["status_date"] <= sd)]
    # activities deleted by the later update keep their last progress (a deletion is a revision)
    kept = before.status_at()
    gone = ~kept["task_id"].astype(str).isin(after.tasks["task_id"].astype(str))
    carried = kept[gone].assign(status_date=sd)
    status = pd.concat([st, carried], ignore_index=True) if len(carried) else st.reset_index(drop=True)
    # inputs are validated projects; the mix of the two is not re-validated (it would reject
    # nothing the scheduler does not handle, and costs a full check per window)
    return dataclasses.replace(before, status=status, status_date=sd, state=after.state, validate=False)


def _check_series(updates: Sequence[Project]) -> list[Project]:
    ups = list(updates)
    if len(ups) < 2:
        raise PmkitError(f"windows analysis needs at least two updates, got {len(ups)}")
    for i, u in enumerate(ups, 1):
        if not isinstance(u, Project):
            raise PmkitError(f"update {i} is a {type(u).__name__}, not a pmkit.Project")
        if u.status_date is None:
            raise PmkitError(f"update {i} of project {u.project_id} has no status_date (data date)")
    pids = {u.project_id for u in ups}
    if len(pids) > 1:
        raise PmkitError(f"the updates are of different projects: {', '.join(sorted(pids))}")
    for i, (a, b) in enumerate(zip(ups, ups[1:], strict=False), 1):
        if b.status_date <= a.status_date:
            raise PmkitError(f"project {a.project_id}: update {i + 1} (status date {b.status_date:%Y-%m-%d}) is not "
                             f"later than update {i} ({a.status_date:%Y-%m-%d}); give the updates in order")
    return ups


def _moved(cal, old: pd.Series, new: pd.Series) -> np.ndarray:
    """Working days from old to new (positive = later); blank where either is blank."""
    o = old.to_numpy(dtype="datetime64[D]")
    n = new.to_numpy(dtype="datetime64[D]")
    bad = np.isnat(o) | np.isnat(n)
    out = cal.working_days_between(np.where(bad, np.datetime64("2000-01-03"), o),
                                   np.where(bad, np.datetime64("2000-01-03"), n)).astype(float)
    return np.where(bad, np.nan, out)


def _progress_drivers(k: int, uk: Project, nxt: Project, s_k: pd.DataFrame, lp_k, s_h: pd.DataFrame, lp_h
                      ) -> pd.DataFrame:
    cols = ["task_id", "name", "early_start", "early_finish", "progress"]
    m = s_k[cols].merge(s_h[["task_id", "early_finish", "percent_complete", "progress"]], on="task_id",
                        suffixes=("_k", "_h"))
    on_path = m["task_id"].isin(np.r_[lp_k, lp_h])
    planned = m["early_start"] <= nxt.status_date
    moved = _moved(nxt.calendar, m["early_finish_k"], m["early_finish_h"])
    sel = on_path & planned & (m["progress_k"] != "finished") & (np.nan_to_num(moved) != 0)
    d = m[sel.to_numpy()].assign(finish_moved_working_days=moved[sel.to_numpy()])
    pct = np.array([f"{v:g}% complete" for v in d["percent_complete"]], dtype=object)
    state = np.where(d["progress_h"].to_numpy() == "finished", "finished", pct).astype(object)
    start = d["early_start"].dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    reason = state + f" at {nxt.status_date:%Y-%m-%d}; planned to start " + start
    return pd.DataFrame({"window": k, "effect": "progress", "task_id": d["task_id"], "name": d["name"],
                         "reason": reason, "old_finish": d["early_finish_k"], "new_finish": d["early_finish_h"],
                         "finish_moved_working_days": d["finish_moved_working_days"]})


def _revision_drivers(k: int, half: Project, nxt: Project, s_h: pd.DataFrame, lp_h, s_n: pd.DataFrame, lp_n
                      ) -> pd.DataFrame:
    ch = compare(half, nxt, schedules=False).changes
    ch = ch[ch["kind"].isin(REVISION_KINDS)]
    if not len(ch):
        return pd.DataFrame(columns=_DRIVER_COLUMNS)
    is_link = ch["task_id"] == ""
    task = ch["task_id"].where(~is_link, ch["successor_id"])
    detail = np.where(is_link, ch["kind"] + " " + ch["predecessor_id"] + "->" + ch["successor_id"],
                      ch["kind"] + np.where(ch["field"] != "", " " + ch["field"], ""))
    detail = detail + np.where((ch["old_value"] != "") | (ch["new_value"] != ""),
                               " " + ch["old_value"] + " -> " + ch["new_value"], "")
    r = pd.DataFrame({"task_id": task.to_numpy(), "detail": detail})
    r = r[r["task_id"].isin(np.r_[lp_h, lp_n])]
    if not len(r):
        return pd.DataFrame(columns=_DRIVER_COLUMNS)
    r = r.groupby("task_id", sort=False)["detail"].agg("; ".join).reset_index()
    names = pd.concat([s_h[["task_id", "name"]], s_n[["task_id", "name"]]]).drop_duplicates("task_id", keep="last")
    r = r.merge(names, on="task_id", how="left")
    r = r.merge(s_h[["task_id", "early_finish"]], on="task_id", how="left").merge(
        s_n[["task_id", "early_finish"]], on="task_id", how="left", suffixes=("_h", "_n"))
    return pd.DataFrame({"window": k, "effect": "revision", "task_id": r["task_id"], "name": r["name"],
                         "reason": r["detail"], "old_finish": r["early_finish_h"], "new_finish": r["early_finish_n"],
                         "finish_moved_working_days": _moved(nxt.calendar, r["early_finish_h"], r["early_finish_n"])})


def _outcome(days: float) -> str:
    if abs(days) < 1e-9:
        return "no change"
    return f"{'lost' if days > 0 else 'gained'} {round(abs(days), 2):g} working days"


def windows_analysis(updates: Sequence[Project], progress: str = "retained_logic") -> WindowsAnalysis:
    """Windows analysis (AACE RP 29R-03 MIP 3.3) with the half-step split (MIP 3.4).

    Parameters
    ----------
    updates : sequence of pmkit.Project
        Two or more updates of one project, in order of their (strictly increasing)
        ``status_date``; e.g. :func:`pmkit.synth.update_series` or files read with
        :func:`pmkit.read_project_file`.
    progress : {"retained_logic", "progress_override"}
        Progress mode of every schedule.

    Returns
    -------
    WindowsAnalysis
        ``windows`` (one row per pair of consecutive updates) and ``drivers``. Per window:
        ``progress_effect_days = finish(half-step) - finish(U_k)``,
        ``revision_effect_days = finish(U_{k+1}) - finish(half-step)``, their sum
        ``total_effect_days = finish(U_{k+1}) - finish(U_k)``, in working days of the later
        update's project calendar; positive = days lost, negative = gained. See
        :func:`half_step` and the module docstring for the rules and their sources.

    Examples
    --------
    >>> from pmkit import synth
    >>> from pmkit.project.windows import windows_analysis
    >>> ups = synth.update_series(synth.project(40, seed=1, progress=None), n_updates=4)
    >>> w = windows_analysis(ups).windows
    >>> bool(((w["progress_effect_days"] + w["revision_effect_days"] - w["total_effect_days"]).abs() < 1e-6).all())
    True
    """
    ups = _check_series(updates)
    scheduled = [_scheduled(u, progress) for u in ups]
    rows, drivers = [], []
    for k, (uk, nxt) in enumerate(zip(ups, ups[1:], strict=False), 1):
        (s_k, lp_k), (s_n, lp_n) = scheduled[k - 1], scheduled[k]
        half = half_step(uk, nxt)
        s_h, lp_h = _scheduled(half, progress)
        # all three finishes on one axis (the later update's calendar and start): the split adds up
        f_k, f_h, f_n = (_finish_working_days(s, p, nxt) for s, p in ((s_k, uk), (s_h, half), (s_n, nxt)))
        p_eff, r_eff = round(f_h - f_k, 9) + 0.0, round(f_n - f_h, 9) + 0.0
        d = pd.concat([_progress_drivers(k, uk, nxt, s_k[~s_k["summary"]], lp_k, s_h[~s_h["summary"]], lp_h),
                       _revision_drivers(k, half, nxt, s_h[~s_h["summary"]], lp_h, s_n[~s_n["summary"]], lp_n)],
                      ignore_index=True)
        drivers.append(d)
        # the most moved drivers first in the one-line summary
        top = d.assign(a=d["finish_moved_working_days"].abs().fillna(np.inf)).sort_values("a", ascending=False,
                                                                                         kind="stable")
        rows.append({
            "window": k, "from_status_date": uk.status_date, "to_status_date": nxt.status_date,
            "from_finish": s_k.attrs["project_finish"], "half_step_finish": s_h.attrs["project_finish"],
            "to_finish": s_n.attrs["project_finish"], "progress_effect_days": p_eff,
            "revision_effect_days": r_eff, "total_effect_days": p_eff + r_eff, "outcome": _outcome(p_eff + r_eff),
            "drivers": ", ".join(top["task_id"].drop_duplicates().head(5).astype(str)),
        })
    windows = pd.DataFrame(rows, columns=_WINDOW_COLUMNS)
    for c in ("from_status_date", "to_status_date", "from_finish", "half_step_finish", "to_finish"):
        windows[c] = pd.to_datetime(windows[c])
    drv = pd.concat([d for d in drivers if len(d)] or [pd.DataFrame(columns=_DRIVER_COLUMNS)],
                    ignore_index=True)[_DRIVER_COLUMNS]
    for c in ("old_finish", "new_finish"):
        drv[c] = pd.to_datetime(drv[c])
    drv["finish_moved_working_days"] = drv["finish_moved_working_days"].astype(float)
    drv["window"] = drv["window"].astype(np.int64)
    return WindowsAnalysis(project_id=ups[0].project_id, windows=windows, drivers=drv)


__all__ = ["WindowsAnalysis", "half_step", "windows_analysis"]
