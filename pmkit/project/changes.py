"""What changed between two versions (updates) of one project's schedule.

:func:`compare` diffs two :class:`pmkit.Project` versions of the same project the way a
scheduler reviews a new update before accepting it: activities and links added or
removed, changed durations, lags, link types, constraints, calendars, scheduled dates,
progress and costs, and the turnover of the critical path and of the longest path (which
activities joined, which left). It is the "update comparison" the AACE International
Recommended Practice 29R-03 *Forensic Schedule Analysis* (rev. 2011, §2.2 and MIP 3.3)
asks for before any windows analysis: every revision an update carries besides progress
must be identified ("the analyst should identify all changes ... between consecutive
updates"). The rule for each kind of change is a plain field comparison, listed in
``docs/forensics.md``.

Everything is vectorized (key merges on task ids and on predecessor/successor pairs), so
two 100,000-activity versions diff in well under a second without their schedules
(``schedules=False``); with them, the two CPM runs dominate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.model import Project
from ..errors import PmkitError

#: Kinds of change in the order the summary lists them.
CHANGE_KINDS = (
    "activity_added", "activity_removed", "link_added", "link_removed", "link_type_changed", "lag_changed",
    "duration_changed", "constraint_changed", "calendar_changed", "start_changed", "finish_changed",
    "progress_changed", "cost_changed", "critical_joined", "critical_left", "longest_path_joined",
    "longest_path_left",
)

#: Kinds that are revisions of the plan (not progress, not computed results): what MIP 3.4
#: calls the "non-progress revisions" of an update.
REVISION_KINDS = ("activity_added", "activity_removed", "link_added", "link_removed", "link_type_changed",
                  "lag_changed", "duration_changed", "constraint_changed", "calendar_changed")

_LONG_COLUMNS = ["kind", "task_id", "predecessor_id", "successor_id", "field", "old_value", "new_value"]
#: Two floats closer than this (days, currency, percent) are equal: CSV round trips add noise.
_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class ScheduleComparison:
    """The tables of :func:`compare` (each holds only what changed).

    ``activities`` (added / removed), ``links`` (added / removed / type or lag changed),
    ``durations``, ``constraints``, ``calendars``, ``dates`` (scheduled early start and
    finish), ``progress``, ``costs``, ``critical`` (joined / left the critical path or the
    longest path), ``changes`` (all of them in one long table: ``kind, task_id,
    predecessor_id, successor_id, field, old_value, new_value`` as text), ``summary``
    (``kind, count``) and ``finish`` (one row: status dates, old and new finish, days moved).
    """

    project_id: str
    activities: pd.DataFrame
    links: pd.DataFrame
    durations: pd.DataFrame
    constraints: pd.DataFrame
    calendars: pd.DataFrame
    dates: pd.DataFrame
    progress: pd.DataFrame
    costs: pd.DataFrame
    critical: pd.DataFrame
    changes: pd.DataFrame
    summary: pd.DataFrame
    finish: pd.DataFrame

    @property
    def finish_moved_working_days(self) -> float:
        """Working days (project calendar) the finish moved; positive = later."""
        return float(self.finish["finish_moved_working_days"].iloc[0])

    def count(self, kind: str) -> int:
        """Number of items (activities or links) with this kind of change."""
        if kind not in CHANGE_KINDS:
            raise PmkitError(f"unknown kind of change {kind!r}; kinds: {', '.join(CHANGE_KINDS)}")
        s = self.summary.set_index("kind")["count"]
        return int(s.get(kind, 0))

    def _headline(self) -> str:
        f = self.finish.iloc[0]

        def day(v):
            return "-" if pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d}"

        moved = f["finish_moved_working_days"]
        moved_txt = "not scheduled" if pd.isna(moved) else f"{moved:+g} working days"
        return (f"project {self.project_id}: status {day(f['old_status_date'])} -> {day(f['new_status_date'])}, "
                f"finish {day(f['old_finish'])} -> {day(f['new_finish'])} ({moved_txt})")

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={c}" for k, c in zip(self.summary["kind"], self.summary["count"], strict=True) if c)
        return f"ScheduleComparison({self._headline()}; {counts or 'no changes'})"

    def _repr_html_(self) -> str:
        import html

        shown = self.summary[self.summary["count"] > 0]
        table = shown.to_html(index=False) if len(shown) else "<p>No changes.</p>"
        return f"<p><b>{html.escape(self._headline())}</b></p>{table}"


# ---------------------------------------------------------------------------- helpers

def _differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Elementwise "not the same value"; two blanks are the same, floats within _TOL too."""
    a_na, b_na = a.isna().to_numpy(), b.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(a) and pd.api.types.is_datetime64_any_dtype(b):
        ne = a.to_numpy(dtype="datetime64[ns]").view(np.int64) != b.to_numpy(dtype="datetime64[ns]").view(np.int64)
    elif pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b) \
            and not pd.api.types.is_bool_dtype(a):
        x = a.to_numpy(dtype=np.float64, na_value=np.nan)
        y = b.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            ne = ~(np.abs(x - y) <= _TOL)
    else:
        ne = (a.to_numpy(dtype=object) != b.to_numpy(dtype=object))
    return np.where(a_na | b_na, a_na != b_na, ne)


def _text(s: pd.Series) -> np.ndarray:
    """Values as short text for the long table (dates as YYYY-MM-DD, blanks as "")."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)
    if pd.api.types.is_float_dtype(s):
        v = s.to_numpy(dtype=np.float64)
        whole = np.isfinite(v) & (v == np.round(v))
        out = np.where(whole, np.round(np.nan_to_num(v)).astype(np.int64).astype(str), v.astype(str))
        return np.where(np.isnan(v), "", out).astype(object)
    return s.astype(object).where(s.notna(), "").astype(str).to_numpy(dtype=object)


def _long(kind: str, df: pd.DataFrame, field: str | None, old: str | None, new: str | None,
          link: bool = False) -> pd.DataFrame:
    n = len(df)
    blank = np.full(n, "", dtype=object)
    return pd.DataFrame({
        "kind": kind,
        "task_id": blank if link else df["task_id"].to_numpy(dtype=object),
        "predecessor_id": df["predecessor_id"].to_numpy(dtype=object) if link else blank,
        "successor_id": df["successor_id"].to_numpy(dtype=object) if link else blank,
        "field": field or "",
        "old_value": _text(df[old]) if old else blank,
        "new_value": _text(df[new]) if new else blank,
    })


def _upper(s: pd.Series) -> np.ndarray:
    """Upper-cased text; a million cells hold a handful of distinct codes, so map those only."""
    codes, uniques = pd.factorize(s.fillna("").astype(str))
    return np.asarray([u.upper() for u in uniques], dtype=object)[codes] if len(s) else np.empty(0, object)


def _align(old_keys: np.ndarray, new_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row positions of keys in both versions (old, new), only in old, only in new (one hash pass each)."""
    at_new = pd.Index(new_keys).get_indexer(old_keys)
    in_both = at_new >= 0
    hit = np.zeros(len(new_keys), dtype=bool)
    hit[at_new[in_both]] = True
    return np.flatnonzero(in_both), at_new[in_both], np.flatnonzero(~in_both), np.flatnonzero(~hit)


def _lookup(frame: pd.DataFrame, keys: np.ndarray, column: str, fill=np.nan) -> np.ndarray:
    """``frame[column]`` at the rows whose ``task_id`` is each key (``fill`` where absent)."""
    at = pd.Index(frame["task_id"].to_numpy()).get_indexer(keys)
    values = frame[column].to_numpy()
    out = np.where(at >= 0, values[np.maximum(at, 0)] if len(values) else fill, fill)
    return out


def _pair(old: pd.DataFrame, new: pd.DataFrame, o: np.ndarray, n: np.ndarray, keys: list[str]) -> pd.DataFrame:
    """Rows of both versions side by side: key columns, then ``<column>_old`` / ``<column>_new``."""
    out = {k: new[k].to_numpy()[n] for k in keys}
    for c in old.columns:
        if c not in keys:
            out[f"{c}_old"] = old[c].to_numpy()[o]
            out[f"{c}_new"] = new[c].to_numpy()[n]
    return pd.DataFrame(out)


def _task_frame(p: Project) -> pd.DataFrame:
    t = p.tasks
    return pd.DataFrame({
        "task_id": t["task_id"].astype(str).to_numpy(dtype=object),
        "name": t["name"].to_numpy(dtype=object),
        "duration_days": t["duration_days"].to_numpy(dtype=np.float64, na_value=np.nan),
        "constraint_type": _upper(t["constraint_type"].fillna("ASAP")),
        "constraint_date": pd.to_datetime(t["constraint_date"]).to_numpy(),
        "calendar_id": t["calendar_id"].fillna("").astype(str).replace("", p.calendar.calendar_id)
        .to_numpy(dtype=object),
        "budget_cost": t["budget_cost"].to_numpy(dtype=np.float64, na_value=np.nan),
    }).drop_duplicates("task_id", keep="last")


def _link_frame(p: Project) -> pd.DataFrame:
    d = p.dependencies
    return pd.DataFrame({
        "predecessor_id": d["predecessor_id"].astype(str).to_numpy(dtype=object),
        "successor_id": d["successor_id"].astype(str).to_numpy(dtype=object),
        "type": _upper(d["type"]),
        "lag_days": d["lag_days"].astype(float).fillna(0.0).to_numpy(),
    })  # repeated pairs are dropped on integer keys in compare (cheaper than on string pairs)


def _progress_frame(p: Project) -> pd.DataFrame:
    st = p.status_at()
    out = pd.DataFrame({
        "task_id": st["task_id"].astype(str).to_numpy(dtype=object),
        "percent_complete": st["percent_complete"].to_numpy(dtype=np.float64, na_value=np.nan),
        "actual_start": pd.to_datetime(st["actual_start"]).to_numpy(),
        "actual_finish": pd.to_datetime(st["actual_finish"]).to_numpy(),
        "remaining_days": st["remaining_days"].to_numpy(dtype=np.float64, na_value=np.nan),
        "actual_cost": st["actual_cost"].to_numpy(dtype=np.float64, na_value=np.nan),
    })
    return out.drop_duplicates("task_id", keep="last")


def _baseline_cost(p: Project) -> pd.DataFrame:
    b = p.baseline
    return pd.DataFrame({"task_id": b["task_id"].astype(str).to_numpy(dtype=object),
                         "baseline_cost": b["baseline_cost"].to_numpy(dtype=np.float64, na_value=np.nan)}
                        ).drop_duplicates("task_id", keep="last")


def _scheduled(project: Project, progress: str = "retained_logic") -> tuple[pd.DataFrame, np.ndarray]:
    """The schedule table and the task ids on the longest path (pmkit's own CPM)."""
    from .scheduling import longest_path, schedule

    sched = schedule(project, progress=progress)
    lp = longest_path(project, progress=progress)["task_id"].astype(str).to_numpy(dtype=object)
    return sched, lp


def _finish_working_days(sched: pd.DataFrame, project: Project, reference: Project) -> float:
    """The finish as working days of ``reference``'s calendar from ``reference``'s start.

    ``project_length_days`` counts from the version's own start; a start moved between
    versions is added so two versions are measured on one axis.
    """
    shift = 0.0
    if project.start_date != reference.start_date:
        shift = float(reference.calendar.working_days_between(reference.start_date, project.start_date))
    return float(sched.attrs["project_length_days"]) + shift


def _check_same_project(old: Project, new: Project) -> None:
    for label, p in (("old", old), ("new", new)):
        if not isinstance(p, Project):
            raise PmkitError(f"compare: the {label} version must be a pmkit.Project, not {type(p).__name__}")
    if old.project_id != new.project_id:
        raise PmkitError(f"compare: the versions are of different projects ({old.project_id!r} and "
                         f"{new.project_id!r}); compare two updates of the same project")


# ---------------------------------------------------------------------------- compare

def compare(old: Project, new: Project, *, schedules: bool = True,
            progress: str = "retained_logic") -> ScheduleComparison:
    """What changed from one version (update) of a project to the next.

    Parameters
    ----------
    old, new : pmkit.Project
        Two versions of the same project (same ``project_id``), e.g. two monthly updates.
    schedules : bool
        Also schedule both versions with :func:`pmkit.schedule` (pmkit's CPM) and compare
        scheduled dates, the critical path (total float <= 0) and the longest path (the
        Primavera P6 definition, :func:`pmkit.longest_path`). ``False`` compares the data
        only (much faster on very large networks); ``dates``, ``critical`` and the finish
        are then empty.
    progress : {"retained_logic", "progress_override"}
        Progress mode of both schedules.

    Returns
    -------
    ScheduleComparison
        Tidy tables of what changed (see :class:`ScheduleComparison`). Rules: an activity
        or link is *added* / *removed* when its key (``task_id``; ``predecessor_id,
        successor_id``) is only in the new / old version; a field *changed* when the values
        of a key present in both differ (blanks equal blanks, numbers within 1e-9).
        Progress compares each version's latest status records (``Project.status_at``);
        costs compare ``budget_cost``, ``baseline_cost`` and ``actual_cost``. Days moved are
        working days of the new version's project calendar (positive = later); task
        dates move in calendar days.

    Notes
    -----
    Identifying every revision between consecutive updates is the first step of the
    observational windows methods of AACE RP 29R-03 *Forensic Schedule Analysis* (MIP 3.3
    and 3.4); the critical and longest path turnover is the "critical path shift" the
    RP asks the analyst to track window by window.

    Examples
    --------
    >>> import dataclasses, pmkit
    >>> from pmkit.project.changes import compare
    >>> old = pmkit.synth.project(30, seed=2, progress=None)
    >>> t = old.tasks.copy()
    >>> t.loc[t["task_id"] == "T5", "duration_days"] += 10
    >>> c = compare(old, dataclasses.replace(old, tasks=t))
    >>> c.durations[["task_id", "change_days"]].to_dict("records")
    [{'task_id': 'T5', 'change_days': 10.0}]
    >>> c.count("duration_changed")
    1
    """
    _check_same_project(old, new)
    parts: list[pd.DataFrame] = []

    # activities: outer merge on task_id, the indicator says which side has it
    to, tn = _task_frame(old), _task_frame(new)
    o, n, o_only, n_only = _align(to["task_id"].to_numpy(), tn["task_id"].to_numpy())
    both = _pair(to, tn, o, n, ["task_id"])
    both["name"] = both["name_new"].where(both["name_new"].notna(), both["name_old"])
    added = tn.iloc[n_only][["task_id", "name", "duration_days"]].assign(change="added")
    removed = to.iloc[o_only][["task_id", "name", "duration_days"]].assign(change="removed")
    activities = pd.concat([added, removed], ignore_index=True)[["task_id", "name", "change", "duration_days"]]
    parts += [_long("activity_added", added, None, None, "duration_days"),
              _long("activity_removed", removed, None, "duration_days", None)]

    # durations, constraints, calendars, budget of the activities in both versions
    m = _differs(both["duration_days_old"], both["duration_days_new"])
    durations = both.loc[m, ["task_id", "name", "duration_days_old", "duration_days_new"]].rename(
        columns={"duration_days_old": "old_duration_days", "duration_days_new": "new_duration_days"})
    durations["change_days"] = durations["new_duration_days"] - durations["old_duration_days"]
    parts.append(_long("duration_changed", durations, "duration_days", "old_duration_days", "new_duration_days"))

    m_type = _differs(both["constraint_type_old"], both["constraint_type_new"])
    m_date = _differs(both["constraint_date_old"], both["constraint_date_new"])
    constraints = both.loc[m_type | m_date, ["task_id", "name", "constraint_type_old", "constraint_date_old",
                                             "constraint_type_new", "constraint_date_new"]]
    constraints.columns = ["task_id", "name", "old_constraint_type", "old_constraint_date", "new_constraint_type",
                           "new_constraint_date"]
    parts += [_long("constraint_changed", both[m_type], "constraint_type", "constraint_type_old",
                    "constraint_type_new"),
              _long("constraint_changed", both[m_date], "constraint_date", "constraint_date_old",
                    "constraint_date_new")]

    m = _differs(both["calendar_id_old"], both["calendar_id_new"])
    calendars = both.loc[m, ["task_id", "name", "calendar_id_old", "calendar_id_new"]].rename(
        columns={"calendar_id_old": "old_calendar_id", "calendar_id_new": "new_calendar_id"})
    parts.append(_long("calendar_changed", calendars, "calendar_id", "old_calendar_id", "new_calendar_id"))

    # links: key is the (predecessor, successor) pair, as in the dependencies table
    lo, ln = _link_frame(old), _link_frame(new)
    # integer pair keys over one id index: hashing ints is far cheaper than pairs of strings
    # (links of a valid project name its own tasks; an unknown id gets code -1 on both sides)
    uni = pd.Index(np.concatenate([to["task_id"].to_numpy(), tn["task_id"].to_numpy()[n_only]]))
    width = np.int64(len(uni) + 1)

    def pair_key(df: pd.DataFrame) -> np.ndarray:
        return (uni.get_indexer(df["predecessor_id"]).astype(np.int64) * width
                + uni.get_indexer(df["successor_id"]).astype(np.int64))

    ko, kn = pair_key(lo), pair_key(ln)
    last_o, last_n = ~pd.Series(ko).duplicated(keep="last").to_numpy(), ~pd.Series(kn).duplicated(keep="last").to_numpy()
    lo, ln, ko, kn = lo[last_o].reset_index(drop=True), ln[last_n].reset_index(drop=True), ko[last_o], kn[last_n]
    lo_, ln_, lo_only, ln_only = _align(ko, kn)
    lk = pd.concat([_pair(lo, ln, lo_, ln_, ["predecessor_id", "successor_id"]),
                    lo.iloc[lo_only].rename(columns={"type": "type_old", "lag_days": "lag_days_old"}),
                    ln.iloc[ln_only].rename(columns={"type": "type_new", "lag_days": "lag_days_new"})],
                   ignore_index=True)
    lside = np.repeat(np.array(["both", "left_only", "right_only"], dtype=object),
                      [len(lo_), len(lo_only), len(ln_only)])
    lboth = lk.iloc[:len(lo_)]
    m_lt = _differs(lboth["type_old"], lboth["type_new"])
    m_lag = _differs(lboth["lag_days_old"], lboth["lag_days_new"])
    change = np.select([lside == "right_only", lside == "left_only"], ["added", "removed"], default="")
    changed_both = np.zeros(len(lk), dtype=bool)
    changed_both[np.flatnonzero(lside == "both")] = m_lt | m_lag
    lag_txt = np.zeros(len(lk), dtype=bool)
    lag_txt[np.flatnonzero(lside == "both")] = m_lag
    type_txt = np.zeros(len(lk), dtype=bool)
    type_txt[np.flatnonzero(lside == "both")] = m_lt
    change = np.where(changed_both, np.where(type_txt & lag_txt, "type and lag changed",
                                             np.where(type_txt, "type changed", "lag changed")), change)
    keep = change != ""
    links = lk.loc[keep, ["predecessor_id", "successor_id", "type_old", "lag_days_old", "type_new",
                          "lag_days_new"]].copy()
    links.columns = ["predecessor_id", "successor_id", "old_type", "old_lag_days", "new_type", "new_lag_days"]
    links.insert(2, "change", change[keep])
    links = links.reset_index(drop=True)
    parts += [
        _long("link_added", lk[lside == "right_only"], "type", None, "type_new", link=True),
        _long("link_removed", lk[lside == "left_only"], "type", "type_old", None, link=True),
        _long("link_type_changed", lboth[m_lt], "type", "type_old", "type_new", link=True),
        _long("lag_changed", lboth[m_lag], "lag_days", "lag_days_old", "lag_days_new", link=True),
    ]

    # progress: each version's latest records, tasks of both versions only (blank = 0 % done)
    po, pn = _progress_frame(old), _progress_frame(new)
    ids = both[["task_id", "name"]]
    pr = ids.copy()
    for frame, suffix in ((po, "_old"), (pn, "_new")):
        at = pd.Index(frame["task_id"].to_numpy()).get_indexer(ids["task_id"].to_numpy())
        for c in frame.columns[1:]:
            pr[c + suffix] = frame[c].reindex(range(-1, len(frame))).to_numpy()[at + 1] if len(frame) else \
                pd.Series(np.full(len(ids), np.nan)).astype(frame[c].dtype).to_numpy()
    for c in ("percent_complete_old", "percent_complete_new"):
        pr[c] = pr[c].fillna(0.0)
    fields = ("percent_complete", "actual_start", "actual_finish", "remaining_days")
    masks = {f: _differs(pr[f"{f}_old"], pr[f"{f}_new"]) for f in fields}
    any_p = np.logical_or.reduce(list(masks.values())) if len(pr) else np.zeros(0, bool)
    progress_tbl = pr.loc[any_p, ["task_id", "name", *[f"{f}_{s}" for s in ("old", "new") for f in fields]]]
    progress_tbl.columns = ["task_id", "name", *[f"{s}_{f}" for s in ("old", "new") for f in fields]]
    progress_tbl = progress_tbl.reset_index(drop=True)
    for f in fields:
        parts.append(_long("progress_changed", pr[masks[f]], f, f"{f}_old", f"{f}_new"))

    # costs: budget (tasks), baseline (baseline table), actual (latest status)
    bo, bn = _baseline_cost(old), _baseline_cost(new)
    cs = ids.assign(old_budget_cost=both["budget_cost_old"].to_numpy(),
                    new_budget_cost=both["budget_cost_new"].to_numpy())
    cs["old_baseline_cost"] = _lookup(bo, cs["task_id"].to_numpy(), "baseline_cost").astype(np.float64)
    cs["new_baseline_cost"] = _lookup(bn, cs["task_id"].to_numpy(), "baseline_cost").astype(np.float64)
    cs["old_actual_cost"] = pr["actual_cost_old"].fillna(0.0).to_numpy()
    cs["new_actual_cost"] = pr["actual_cost_new"].fillna(0.0).to_numpy()
    cost_fields = ("budget_cost", "baseline_cost", "actual_cost")
    cmask = {f: _differs(cs[f"old_{f}"], cs[f"new_{f}"]) for f in cost_fields}
    any_c = np.logical_or.reduce(list(cmask.values())) if len(cs) else np.zeros(0, bool)
    costs = cs[any_c].reset_index(drop=True)
    for f in cost_fields:
        parts.append(_long("cost_changed", cs[cmask[f]], f, f"old_{f}", f"new_{f}"))

    # scheduled dates, critical and longest path turnover
    dates = pd.DataFrame(columns=["task_id", "name", "old_early_start", "new_early_start",
                                  "start_moved_calendar_days", "old_early_finish", "new_early_finish",
                                  "finish_moved_calendar_days"])
    critical = pd.DataFrame(columns=["task_id", "name", "path", "change"])
    old_finish = new_finish = pd.NaT
    moved = moved_cal = np.nan
    if schedules:
        so, lp_o = _scheduled(old, progress)
        sn, lp_n = _scheduled(new, progress)
        keep_cols = ["task_id", "early_start", "early_finish", "critical"]
        sd = ids.merge(so[keep_cols], on="task_id", how="left").merge(sn[keep_cols], on="task_id", how="left",
                                                                      suffixes=("_old", "_new"))
        m_s = _differs(sd["early_start_old"], sd["early_start_new"])
        m_f = _differs(sd["early_finish_old"], sd["early_finish_new"])
        dates = pd.DataFrame({
            "task_id": sd["task_id"], "name": sd["name"],
            "old_early_start": sd["early_start_old"], "new_early_start": sd["early_start_new"],
            "start_moved_calendar_days": (sd["early_start_new"] - sd["early_start_old"]).dt.days,
            "old_early_finish": sd["early_finish_old"], "new_early_finish": sd["early_finish_new"],
            "finish_moved_calendar_days": (sd["early_finish_new"] - sd["early_finish_old"]).dt.days,
        })[m_s | m_f].reset_index(drop=True)
        parts += [_long("start_changed", sd[m_s], "early_start", "early_start_old", "early_start_new"),
                  _long("finish_changed", sd[m_f], "early_finish", "early_finish_old", "early_finish_new")]
        names = pd.concat([so[["task_id", "name"]], sn[["task_id", "name"]]]).drop_duplicates("task_id", keep="last")
        crit_o = so.loc[so["critical"].to_numpy(dtype=bool) & ~so["summary"].to_numpy(dtype=bool), "task_id"]
        crit_n = sn.loc[sn["critical"].to_numpy(dtype=bool) & ~sn["summary"].to_numpy(dtype=bool), "task_id"]
        turn = []
        for path, a, b in (("critical", crit_o.to_numpy(dtype=object), crit_n.to_numpy(dtype=object)),
                           ("longest", lp_o, lp_n)):
            joined, left = b[~pd.Index(b).isin(a)], a[~pd.Index(a).isin(b)]
            turn += [pd.DataFrame({"task_id": joined, "path": path, "change": "joined"}),
                     pd.DataFrame({"task_id": left, "path": path, "change": "left"})]
        critical = pd.concat(turn, ignore_index=True).merge(names, on="task_id", how="left")
        critical = critical[["task_id", "name", "path", "change"]]
        for path, kind in (("critical", "critical"), ("longest", "longest_path")):
            for ch in ("joined", "left"):
                sel = critical[(critical["path"] == path) & (critical["change"] == ch)]
                parts.append(_long(f"{kind}_{ch}", sel, None, None, None))
        old_finish = so.attrs["project_finish"]
        new_finish = sn.attrs["project_finish"]
        moved = _finish_working_days(sn, new, new) - _finish_working_days(so, old, new)
        moved_cal = float((new_finish - old_finish).days)

    # items per kind: fields of one item (e.g. percent and actual start of one task) count once
    counts = {}
    for part in parts:
        if len(part):
            kind = part["kind"].iloc[0]
            items = part["task_id"] + "\x1f" + part["predecessor_id"] + "\x1f" + part["successor_id"]
            counts.setdefault(kind, []).append(items.to_numpy())
    counts = {k: len(pd.unique(np.concatenate(v))) if len(v) > 1 else len(v[0]) for k, v in counts.items()}
    changes = pd.concat([p for p in parts if len(p)] or [pd.DataFrame(columns=_LONG_COLUMNS)],
                        ignore_index=True)[_LONG_COLUMNS]
    summary = pd.DataFrame({"kind": list(CHANGE_KINDS),
                            "count": [int(counts.get(k, 0)) for k in CHANGE_KINDS]})
    finish = pd.DataFrame([{
        "project_id": new.project_id, "old_status_date": old.status_date, "new_status_date": new.status_date,
        "old_finish": old_finish, "new_finish": new_finish,
        "finish_moved_working_days": moved, "finish_moved_calendar_days": moved_cal,
    }])
    for c in ("old_status_date", "new_status_date", "old_finish", "new_finish"):
        finish[c] = pd.to_datetime(finish[c])
    return ScheduleComparison(
        project_id=new.project_id, activities=activities, links=links, durations=durations.reset_index(drop=True),
        constraints=constraints.reset_index(drop=True), calendars=calendars.reset_index(drop=True),
        dates=dates, progress=progress_tbl, costs=costs, critical=critical, changes=changes,
        summary=summary, finish=finish)


__all__ = ["CHANGE_KINDS", "REVISION_KINDS", "ScheduleComparison", "compare"]
