"""Resource leveling: schedules in which no resource or role is loaded above its capacity.

Leveling is the resource-constrained project scheduling problem (RCPSP): start every task
no earlier than its links allow, never load a resource above its capacity in any period,
and finish as early as possible. It is NP-hard (Blazewicz, Lenstra & Rinnooy Kan 1983), so
mainstream tools use one pass of a priority rule. pmkit searches instead: priority rules
with serial and parallel schedule generation schemes (Kolisch 1996), forward and backward
justification (Valls, Ballestin & Quintanilla 2005) and a genetic algorithm on justified
activity lists with peak crossover, finish-time key crossover, bidirectional decoding and a
population kept diverse by a falling distance threshold (Hartmann 1998; Valls, Ballestin &
Quintanilla 2008; Sorensen & Sevaux 2006), reproducible from a seed. The compiled kernels are in
:mod:`pmkit.project._rcpsp`; ``docs/leveling.md`` describes the method, the options and the
benchmark figures on PSPLIB.

Examples
--------
>>> import pmkit
>>> prj = pmkit.synth.project(40, seed=3, progress=None)
>>> res = pmkit.level(prj, max_schedules=500, seed=1)
>>> bool(res.length_days >= res.cpm_length_days)
True
>>> res.schedule.columns[:6].tolist()
['task_id', 'name', 'duration_days', 'early_start', 'start', 'finish']
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.model import Project
from ..data.network import CycleFound, topological_levels
from ..errors import CycleError, PmkitError
from . import _rcpsp as K

#: Search parameters, tuned on the full PSPLIB j30/j60 sets at 1,000 and 5,000 schedules:
#: population size = budget / (pop_div x schedules per child), clipped; adjacent-swap rate;
#: justify 1 = one pass opposite to the decoding (2 = double justification); share of
#: finish-time key crossovers, share of peak crossovers among the other children and windows
#: tried per peak; share of children decoded backward; diversity: share of activities whose
#: start must differ from every schedule kept before, at the start of the search (it falls
#: linearly to 0 as the budget is used).
_TUNING = {"pop_div": 20, "pop_min": 8, "pop_max": 60, "mutation": 0.05, "justify": 1, "time_key": 0.3,
           "peak": 0.8, "peak_tries": 2, "backward": 0.5, "diversity": 0.8}

#: Time resolutions tried (periods per working day) so that durations and lags are whole periods.
_RESOLUTIONS = (1, 2, 3, 4, 6, 8, 12, 24)


# =========================================================================== the problem
@dataclass(frozen=True, eq=False)
class _Problem:
    """Integer-period RCPSP with minimum start-to-start lags, as arrays for the kernels."""

    dur: np.ndarray                      # (n,) periods
    pred: np.ndarray                     # (m,) link i -> j as start[j] >= start[i] + delta
    succ: np.ndarray
    delta: np.ndarray
    release: np.ndarray                  # (n,) earliest start
    dem: np.ndarray                      # (n, r) units booked
    cap: np.ndarray                      # (r,)
    weight: np.ndarray = field(default=None)  # (n,) delay weight of each activity (sums to 1)

    @property
    def n(self) -> int:
        return int(self.dur.size)

    def horizon(self) -> int:
        """An upper bound on every start plus duration (sequential execution of all work)."""
        pos = np.maximum(self.delta, 0).sum() if self.delta.size else 0
        rel = int(self.release.max()) if self.n else 0
        return int(rel + self.dur.sum() + pos + self.dur.max(initial=0) + 2)


def _csr(n: int, key: np.ndarray, other: np.ndarray, delta: np.ndarray):
    order = np.argsort(key, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=n), out=ptr[1:])
    return ptr, np.ascontiguousarray(other[order], dtype=np.int64), np.ascontiguousarray(delta[order], dtype=np.int64)


@dataclass(eq=False)
class _Kernel:
    """The problem laid out for :mod:`pmkit.project._rcpsp` (forward and mirrored networks)."""

    prob: _Problem
    upper: np.ndarray

    def __post_init__(self) -> None:
        p = self.prob
        n = p.n
        pptr, pidx, pdelta = _csr(n, p.succ, p.pred, p.delta)
        sptr, sidx, _ = _csr(n, p.pred, p.succ, p.delta)
        self.fw = (pptr, pidx, pdelta, sptr, sidx, np.ascontiguousarray(p.release, dtype=np.int64),
                   np.ascontiguousarray(self.upper, dtype=np.int64))
        # mirror (time reversed): start'[i] >= start'[j] + delta + dur[j] - dur[i] for link i -> j
        mdelta = p.delta + p.dur[p.succ] - p.dur[p.pred]
        mpptr, mpidx, mpdelta = _csr(n, p.pred, p.succ, mdelta)
        msptr, msidx, _ = _csr(n, p.succ, p.pred, mdelta)
        self.bw = (mpptr, mpidx, mpdelta, msptr, msidx, np.zeros(n, np.int64), np.full(n, K.BIG, np.int64))
        job, res = np.nonzero(p.dem > 0)
        self.rptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(job, minlength=n), out=self.rptr[1:])
        self.ridx = res.astype(np.int64)
        self.rdem = p.dem[job, res].astype(np.float64)
        cap = p.cap.astype(np.float64)
        # a demand above capacity can only run alone on that resource (it is reported)
        self.rchk = np.minimum(self.rdem, cap[res]) if res.size else self.rdem.copy()
        self.cap = cap
        self.usage = np.zeros((p.horizon(), max(len(cap), 1)), dtype=np.float64)
        self.dur = np.ascontiguousarray(p.dur, dtype=np.int64)

    def args(self):
        return (self.dur, self.fw, self.bw, self.rptr, self.ridx, self.rdem, self.rchk, self.cap, self.usage)

    def run(self, prio, parallel: bool = False, network: tuple | None = None,
            resources: bool = True) -> tuple[np.ndarray, int, int]:
        """One schedule generation pass; returns (start, makespan, forced)."""
        net = self.fw if network is None else network
        fn = K.parallel_sgs if parallel else K.serial_sgs
        start = np.empty(self.prob.n, np.int64)
        order = np.empty(self.prob.n, np.int64)
        rptr = self.rptr if resources else np.zeros_like(self.rptr)
        mk, forced = fn(np.asarray(prio, dtype=np.float64), self.dur, *net, rptr, self.ridx, self.rdem,
                        self.rchk, self.cap, self.usage, start, order)
        return start, int(mk), int(forced)


def _check_acyclic(n: int, pred: np.ndarray, succ: np.ndarray, ids: np.ndarray, project_id: str) -> None:
    try:
        topological_levels(n, pred, succ)
    except CycleFound as exc:
        raise CycleError([str(ids[i]) for i in exc.nodes], project_id) from None


# =========================================================================== priority rules
def _cpm(kernel: _Kernel) -> tuple[np.ndarray, np.ndarray, int]:
    """Earliest and latest starts without resources (Kelley & Walker 1959), in periods."""
    n = kernel.prob.n
    rank = np.arange(n, dtype=np.float64)
    es, mk, _ = kernel.run(rank, resources=False)
    mirror, _, _ = kernel.run(rank, network=kernel.bw, resources=False)
    ls = mk - mirror - kernel.dur
    return es, ls, mk


def _total_successors(prob: _Problem, limit: int = 4000) -> np.ndarray:
    """Number of all (transitive) successors of each activity; zeros beyond ``limit`` tasks."""
    n = prob.n
    if n > limit:
        return np.zeros(n)
    lv = topological_levels(n, prob.pred, prob.succ)
    reach = [0] * n
    succs: list[list[int]] = [[] for _ in range(n)]
    for a, b in zip(prob.pred.tolist(), prob.succ.tolist(), strict=True):
        succs[a].append(b)
    for i in lv.order[::-1].tolist():
        r = 0
        for j in succs[i]:
            r |= reach[j] | (1 << j)
        reach[i] = r
    return np.array([r.bit_count() for r in reach], dtype=np.float64)


def priority_rules(prob: _Problem, es: np.ndarray, ls: np.ndarray, user: np.ndarray | None = None
                   ) -> dict[str, np.ndarray]:
    """Priority values (smaller first) of the classic rules (Kolisch 1996; Klein 2000).

    LFT latest finish time, LST latest start time, MSLK minimum slack, MTS most total
    successors, GRPW greatest rank positional weight; ties go to the smaller latest start.
    With user priorities (higher first) a rule ``USER`` ranks by them, then by LFT.
    """
    n = prob.n
    lf = (ls + prob.dur).astype(np.float64)
    scale = float(max(lf.max(initial=0), 1) + 1)
    tie = ls / scale
    grpw = prob.dur.astype(np.float64).copy()
    np.add.at(grpw, prob.pred, prob.dur[prob.succ])
    rules = {
        "LFT": lf + tie,
        "LST": ls + lf / scale,
        "MSLK": (ls - es) + tie,
        "MTS": -_total_successors(prob) + tie,
        "GRPW": -grpw + tie,
    }
    if user is not None and n:
        span = float(np.ptp(user)) or 1.0
        rules["USER"] = -(user - user.min()) / span * scale * 4 + lf + tie
    return rules


# =========================================================================== search
@dataclass(frozen=True)
class SearchResult:
    """Best schedule found by :func:`solve_rcpsp` (starts in integer periods)."""

    start: np.ndarray
    makespan: int
    forced: int
    schedules: int
    seconds: float
    rule: str


def solve_rcpsp(prob: _Problem, max_schedules: int = 5000, max_seconds: float | None = None, seed: int = 0,
          upper: np.ndarray | None = None, method: str = "ga", rule: str = "LFT",
          user_priority: np.ndarray | None = None) -> SearchResult:
    """Search for a short resource-feasible schedule of an integer-period problem.

    ``method="ga"`` runs priority rules (serial and parallel SGS), then the justified
    activity-list GA until ``max_schedules`` schedule-generation passes (or ``max_seconds``)
    are used (never more; each forward or backward pass counts); ``method="rule"`` runs one serial SGS pass with priority rule ``rule``.
    With ``upper`` (latest starts) activities are kept at or before them; an activity that
    cannot be placed there without overloading stays at its earliest start and counts as
    forced (the objective minimizes forced activities first).
    """
    t0 = time.perf_counter()
    n = prob.n
    if upper is None:
        upper = np.full(n, K.BIG, dtype=np.int64)
    kern = _Kernel(prob, upper)
    es, ls, _ = _cpm(kern)
    rules = priority_rules(prob, es, ls, user_priority)
    if method == "rule" or n <= 1:
        start, mk, forced = kern.run(rules[rule if rule in rules else "LFT"])
        return SearchResult(start, mk, forced, 1, time.perf_counter() - t0, rule)
    if method != "ga":
        raise PmkitError(f"unknown leveling method {method!r} (use 'ga' or 'rule')")
    justify = 0
    if (upper >= K.BIG).all():  # justification may move work past latest starts
        justify = _TUNING["justify"] if not prob.release.any() else 2
    cost = 1 + justify
    budget = max(int(max_schedules), 1)
    # the search keeps right-justified schedules (justify 1); one pass is kept back to shift
    # the best one as early as possible at the end
    final_pass = justify == 1 and budget > cost
    budget -= final_pass
    weight = np.ascontiguousarray(prob.weight if prob.weight is not None else np.full(n, 1.0 / n))
    es64 = np.ascontiguousarray(es, dtype=np.int64)
    K.seed_rng(int(seed) % (2**32))
    rng = np.random.default_rng(seed)

    pop_size = int(np.clip(budget // (_TUNING["pop_div"] * cost), _TUNING["pop_min"], _TUNING["pop_max"]))
    pop_size += pop_size % 2
    names = list(rules)
    init = [rules[k] for k in names] * 2
    parallel = [False] * len(names) + [True] * len(names)
    # regret-like biased sampling around LFT fills the rest (Kolisch & Drexl 1996)
    lf = rules["LFT"]
    spread = float(max(np.ptp(lf), 1.0))
    while len(init) < pop_size:
        noise = rng.random(n) * spread * rng.uniform(0.05, 0.6)
        init.append(lf + noise)
        parallel.append(bool(rng.random() < 0.3))
    rows = max(1, min(len(init), budget // cost))
    prios = np.ascontiguousarray(np.vstack(init[:rows]), dtype=np.float64)
    lists = np.empty((rows, n), np.int64)
    starts = np.empty((rows, n), np.int64)
    scores = np.empty(rows)
    mks = np.empty(rows, np.int64)
    forced = np.empty(rows, np.int64)
    used = K.evaluate_many(prios, np.array(parallel[:rows]), justify, *kern.args(), es64, weight,
                           lists, starts, scores, mks, forced)
    order = np.argsort(scores, kind="stable")
    best_rule = (["serial " + k for k in names] + ["parallel " + k for k in names]
                 + ["sampling"] * len(init))[int(order[0])]
    if rows < pop_size:
        return _result(kern, final_pass, starts[order[0]], mks[order[0]], forced[order[0]], used, t0, best_rule)
    pop = [a[order[:pop_size]].copy() for a in (lists, scores, mks, forced, starts)]
    chunk = 4  # generations between checks of the clock, the bound and the diversity threshold
    opts = np.array([_TUNING[k] for k in ("mutation", "peak", "backward", "peak_tries", "time_key", "diversity")],
                    dtype=np.float64)
    lb = int(_resource_bound(prob, es, kern.dur))
    while used + cost <= budget:
        if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
            break
        if pop[3][0] == 0 and pop[2][0] <= lb:
            break  # provably optimal: cannot beat a lower bound
        # diverse early, then closer and closer around the best: the threshold falls linearly
        # with the budget used, to exact copies only at the end
        opts[5] = _TUNING["diversity"] * (1.0 - used / budget)
        used += K.genetic_search(pop[0], pop[1], pop[2], pop[3], pop[4], budget - used, justify, chunk,
                                 opts, *kern.args(), es64, weight)
    return _result(kern, final_pass, pop[4][0], pop[2][0], pop[3][0], used, t0,
                   "genetic algorithm" if used > rows * cost else best_rule)


def _result(kern: _Kernel, final_pass: bool, start, mk, forced, used, t0, rule) -> SearchResult:
    """The best schedule, left-justified by one forward pass in its start order when asked.

    A serial pass in order of a feasible schedule's starts starts no activity later, so the
    makespan can only shrink (Valls et al. 2005).
    """
    start = np.asarray(start).copy()
    if final_pass and forced == 0:
        start, mk, forced = kern.run(start.astype(np.float64))
        used += 1
    return SearchResult(start, int(mk), int(forced), int(used), time.perf_counter() - t0, rule)


def _resource_bound(prob: _Problem, es: np.ndarray, dur: np.ndarray) -> float:
    """Lower bound on the makespan: critical path, and total work of each resource / capacity."""
    cp = float((es + dur).max(initial=0))
    if not prob.cap.size:
        return cp
    work = (prob.dem * dur[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lb = np.where(prob.cap > 0, np.ceil(work / np.where(prob.cap > 0, prob.cap, 1) - 1e-9), 0)
    return max(cp, float(lb.max(initial=0)))


# =========================================================================== PSPLIB arrays
def problem_from_psplib(inst) -> _Problem:
    """The integer problem of a :class:`pmkit.interop.psplib.PsplibInstance`."""
    pred, succ = inst.edges
    dur = inst.durations.astype(np.int64)
    return _Problem(dur=dur, pred=pred, succ=succ, delta=dur[pred].astype(np.int64),
                    release=np.zeros(inst.n_jobs, np.int64), dem=inst.demands.astype(np.float64),
                    cap=inst.capacities.astype(np.float64))


def solve_psplib(inst, max_schedules: int = 5000, seed: int = 0, method: str = "ga",
                 max_seconds: float | None = None) -> SearchResult:
    """Solve a PSPLIB instance (arrays) and return the best makespan found.

    Examples
    --------
    >>> from pmkit.interop.psplib import read_psplib_instance     # doctest: +SKIP
    >>> solve_psplib(read_psplib_instance("j301_1.sm")).makespan   # doctest: +SKIP
    43
    """
    return solve_rcpsp(problem_from_psplib(inst), max_schedules=max_schedules, seed=seed, method=method,
                 max_seconds=max_seconds)


# =========================================================================== projects
LINK_DELTA = {
    # start[j] >= start[i] + delta, in terms of duration d_i of i, d_j of j and the lag
    "FS": lambda di, dj, lag: di + lag,
    "SS": lambda di, dj, lag: lag,
    "FF": lambda di, dj, lag: di - dj + lag,
    "SF": lambda di, dj, lag: lag - dj,
}


def _resolution(values: np.ndarray) -> int:
    """Smallest number of periods per working day making every duration and lag whole."""
    v = np.abs(values[np.isfinite(values)])
    for s in _RESOLUTIONS:
        if np.allclose(v * s, np.round(v * s), atol=1e-6):
            return s
    return _RESOLUTIONS[-1]


@dataclass(frozen=True, eq=False)
class _Compiled:
    prob: _Problem
    ids: np.ndarray
    per_day: int
    labels: list[tuple[str, str]]         # (kind, id) of each constraint column
    notes: list[tuple[str, str]]          # (task_id or resource, problem) found while compiling


def _compile(project: Project, priorities) -> _Compiled:
    tasks = project.tasks
    ids = tasks["task_id"].astype(str).to_numpy(dtype=object)
    n = len(ids)
    index = pd.Index(ids)
    if index.has_duplicates:
        raise PmkitError(f"project {project.project_id}: duplicate task id "
                         f"{index[index.duplicated()][0]!r} in tasks")
    dur_days = tasks["duration_days"].to_numpy(dtype=float)
    deps = project.dependencies
    p = index.get_indexer(deps["predecessor_id"].astype(str))
    s = index.get_indexer(deps["successor_id"].astype(str))
    bad = np.flatnonzero((p < 0) | (s < 0))
    if bad.size:
        r = deps.iloc[int(bad[0])]
        raise PmkitError(f"project {project.project_id}: dependency {r['predecessor_id']} -> "
                         f"{r['successor_id']} names a task that is not in tasks")
    lag_days = deps["lag_days"].to_numpy(dtype=float)
    per_day = _resolution(np.concatenate([dur_days, lag_days]))
    dur = np.ceil(dur_days * per_day - 1e-6).astype(np.int64)
    # summary tasks roll up their children: they take no time or resources of their own here
    summary = np.isin(ids, tasks["parent_id"].astype(str).to_numpy(dtype=object))
    dur[summary] = 0
    lag = np.round(lag_days * per_day).astype(np.int64)
    kinds = deps["type"].astype(str).to_numpy()
    delta = np.zeros(len(deps), np.int64)
    for kind, fn in LINK_DELTA.items():
        m = kinds == kind
        delta[m] = fn(dur[p[m]], dur[s[m]], lag[m])
    _check_acyclic(n, p, s, ids, project.project_id)

    release = np.zeros(n, np.int64)
    ctype = tasks["constraint_type"].astype(str).to_numpy()
    has_date = tasks["constraint_date"].notna().to_numpy()
    for kinds_, shift in ((("SNET", "MSO"), False), (("FNET", "MFO"), True)):
        m = np.isin(ctype, kinds_) & has_date
        if m.any():
            off = project.calendar.date_to_offset(project.start_date, tasks["constraint_date"][m])
            release[m] = np.maximum(off * per_day - (dur[m] if shift else 0), 0)

    dem, cap, labels, notes = _demands(project, index, dur)
    weight = np.ones(n)
    if priorities is not None:
        pr = _priority_vector(project, priorities, ids)
        weight = 1.0 + (pr - pr.min()) / (float(np.ptp(pr)) or 1.0) * 9.0  # 1..10
    weight = weight / weight.sum() if n else weight
    prob = _Problem(dur=dur, pred=p.astype(np.int64), succ=s.astype(np.int64), delta=delta,
                    release=release, dem=dem, cap=cap, weight=weight)
    return _Compiled(prob, ids, per_day, labels, notes)


def _priority_vector(project: Project, priorities, ids: np.ndarray) -> np.ndarray:
    pr = pd.Series(priorities, dtype=float) if isinstance(priorities, Mapping) else pd.Series(priorities)
    pr.index = pr.index.astype(str)
    unknown = sorted(set(pr.index) - set(ids))
    if unknown:
        raise PmkitError(f"project {project.project_id}: priorities name unknown task(s) {unknown[:5]}")
    try:
        return pr.reindex(ids).fillna(0.0).to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise PmkitError(f"project {project.project_id}: priorities must be numbers (higher = leveled last)") from None


def _demands(project: Project, index: pd.Index, dur: np.ndarray):
    """Demand matrix (tasks x constraints) of named resources and of roles, and capacities.

    A named resource's capacity is its ``capacity_units``. A role's capacity is the sum of
    the capacities of its resources; a role is a constraint only when some assignment names
    the role without a resource (otherwise the per-resource limits already imply it), and
    then named assignments of its resources count against it too.
    """
    a = project.assignments
    notes: list[tuple[str, str]] = []
    n = len(index)
    if a is None or not len(a):
        return np.zeros((n, 0)), np.zeros(0), [], notes
    res = project.resources
    cap_of = dict(zip(res["resource_id"].astype(str), res["capacity_units"].astype(float), strict=True))
    role_of = dict(zip(res["resource_id"].astype(str), res["role_id"].astype(str), strict=True))
    role_cap = res.groupby(res["role_id"].astype(str))["capacity_units"].sum().to_dict()
    t = index.get_indexer(a["task_id"].astype(str))
    if (t < 0).any():
        bad = a["task_id"].astype(str)[t < 0].iloc[0]
        raise PmkitError(f"project {project.project_id}: assignment of unknown task {bad!r}")
    rid = a["resource_id"].astype(str).fillna("").to_numpy()
    role = a["role_id"].astype(str).fillna("").to_numpy()
    units = a["units"].to_numpy(dtype=float)
    keep = (units > 0) & (dur[t] > 0)
    unknown = sorted({r for r in rid[keep] if r and r not in cap_of})
    if unknown:
        raise PmkitError(f"project {project.project_id}: assignments name unknown resource(s) {unknown[:5]}")
    role_only = keep & (rid == "")
    limited_roles = sorted({r for r in role[role_only] if r})
    for r in limited_roles:
        if role_cap.get(r, 0.0) <= 0:
            notes.append((f"role {r}", "no resources with capacity in this role: not leveled"))
    limited_roles = [r for r in limited_roles if role_cap.get(r, 0.0) > 0]
    labels = [("resource", r) for r in sorted({r for r in rid[keep] if r})]
    labels += [("role", r) for r in limited_roles]
    col = {lab: k for k, lab in enumerate(labels)}
    dem = np.zeros((n, len(labels)))
    for ti, r, ro, u, k in zip(t, rid, role, units, keep, strict=True):
        if not k:
            continue
        if r:
            dem[ti, col[("resource", r)]] += u
            ro = ro or role_of.get(r, "")
            if ("role", ro) in col:
                dem[ti, col[("role", ro)]] += u
        elif ("role", ro) in col:
            dem[ti, col[("role", ro)]] += u
    cap = np.array([cap_of[i] if kind == "resource" else role_cap[i] for kind, i in labels], dtype=float)
    over = np.argwhere(dem > cap + 1e-9)
    for ti, k in over:
        kind, i = labels[k]
        notes.append((str(index[ti]), f"needs {dem[ti, k]:g} units of {kind} {i} but its capacity is "
                                      f"{cap[k]:g}: it runs alone on it and overloads it"))
    return dem, cap, labels, notes


@dataclass(frozen=True, eq=False)
class LevelingResult:
    """A leveled schedule and what it took.

    Attributes
    ----------
    schedule : DataFrame
        One row per task: ``task_id``, ``name``, ``duration_days``, ``early_start``
        (resource-unconstrained), ``start``, ``finish`` (leveled dates), ``start_day``,
        ``finish_day`` (working days from the project start), ``delay_days`` (leveled
        start minus early start), ``resource_float_days`` (how far the task could slip
        without delaying the leveled finish, keeping the other tasks' sequence),
        ``driving`` (zero resource float: these tasks drive the finish) and ``leveled``
        (False where the task could not be placed without overloading).
    finish : Timestamp
        Leveled finish date; ``early_finish`` is the resource-unconstrained one.
    length_days, cpm_length_days : float
        Leveled and critical-path project length in working days.
    problems : DataFrame
        ``item`` and ``problem``: tasks or resources that could not be leveled, and why.
    loading : DataFrame
        Load per constraint (``kind`` resource/role, ``id``) and working day before
        (``load_before``, early starts) and after (``load_after``) leveling, with ``capacity``.
    schedules, seconds, seed, method : int, float, int, str
        Effort spent, the seed and the rule or search that produced the best schedule.
    """

    project_id: str
    schedule: pd.DataFrame
    finish: pd.Timestamp
    early_finish: pd.Timestamp
    length_days: float
    cpm_length_days: float
    within_float: bool
    problems: pd.DataFrame
    loading: pd.DataFrame
    schedules: int
    seconds: float
    seed: int
    method: str

    @property
    def driving_tasks(self) -> list[str]:
        """Ids of the tasks with zero resource float, in start order."""
        s = self.schedule[self.schedule["driving"]].sort_values(["start_day", "finish_day"])
        return s["task_id"].tolist()

    @property
    def delayed(self) -> pd.DataFrame:
        """Rows of :attr:`schedule` of the tasks that leveling started later than their early start."""
        return self.schedule[self.schedule["delay_days"] > 0].reset_index(drop=True)

    @property
    def overloaded(self) -> pd.DataFrame:
        """Rows of :attr:`loading` where the leveled load exceeds the capacity."""
        return self.loading[self.loading["load_after"] > self.loading["capacity"] + 1e-9].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """One row: lengths, finish dates, delayed tasks, effort."""
        s = self.schedule
        return pd.DataFrame([{
            "project_id": self.project_id, "mode": "within float" if self.within_float else "finish may move",
            "cpm_length_days": self.cpm_length_days, "leveled_length_days": self.length_days,
            "early_finish": self.early_finish, "leveled_finish": self.finish,
            "tasks_delayed": len(self.delayed),
            "tasks_not_leveled": int((~s["leveled"]).sum()),
            "schedules": self.schedules, "seconds": round(self.seconds, 3), "method": self.method,
        }])

    def _repr_html_(self) -> str:
        from .._display import summary_html

        cols = [c for c in ("task_id", "name", "early_start", "start", "finish", "delay_days")
                if c in self.delayed.columns]
        return summary_html(f"Leveled schedule of {self.project_id}", [
            ("leveled length (working days)", float(self.length_days)),
            ("critical path (working days)", float(self.cpm_length_days)),
            ("finish", self.finish), ("unleveled finish", self.early_finish),
            ("tasks delayed", len(self.delayed)), ("schedules tried", int(self.schedules))],
            self.delayed[cols] if cols else None)

    def __repr__(self) -> str:
        return (f"LevelingResult({self.project_id!r}: {self.length_days:g} working days "
                f"(critical path {self.cpm_length_days:g}), finish {self.finish.date()}, "
                f"{self.schedules} schedules)")


def level(project: Project, *, within_float: bool = False,
          priorities: Mapping[str, float] | pd.Series | None = None,
          max_schedules: int = 5000, max_seconds: float | None = None, seed: int = 0,
          method: str = "ga") -> LevelingResult:
    """Level a project's resources: no resource or role above capacity in any period.

    Parameters
    ----------
    project : Project
        Tasks, dependencies (all four link types, with lags), assignments, resources.
    within_float : bool
        False (default): the finish may move; the search minimizes the project length.
        True: the finish stays at the critical-path finish; tasks move only within their
        total float, and tasks that cannot be placed without an overload stay at their
        early start and are listed in ``problems`` (like "level only within available
        slack" in desktop tools).
    priorities : mapping or Series, optional
        Task id -> priority, higher first (leveled last). Among schedules of equal length
        the one that delays high-priority tasks least is kept, and a priority rule ranks
        by them first.
    max_schedules : int
        Effort limit: schedule-generation passes (forward or backward) to try.
    max_seconds : float, optional
        Time limit, checked between generations of the search.
    seed : int
        Random seed; the same seed gives the same schedule.
    method : {"ga", "rule"}
        The full search, or one serial pass of the LFT priority rule (for comparison).

    Returns
    -------
    LevelingResult
        The schedule with delays, the finish, the driving tasks, loading before and after.

    Notes
    -----
    Time is cut into whole periods: working days of the project calendar, or a fraction of
    a day when durations or lags are fractional (half days, quarter days, up to hours).
    Every link becomes a minimum start-to-start time lag: FS ``d_i + lag``, SS ``lag``,
    FF ``d_i - d_j + lag``, SF ``lag - d_j`` (exact for fixed durations). SNET/FNET/MSO/MFO
    constraint dates become release dates. Status, resource calendars and the other
    projects' use of shared resources are not considered.

    References
    ----------
    Kolisch, R. (1996). Serial and parallel resource-constrained project scheduling methods
    revisited. EJOR 90, 320-333. Hartmann, S. (1998). A competitive genetic algorithm for
    resource-constrained project scheduling. Naval Research Logistics 45, 733-750.
    Valls, V., Ballestin, F. & Quintanilla, S. (2005). Justification and RCPSP: a technique
    that pays. EJOR 165, 375-386. Valls, V., Ballestin, F. & Quintanilla, S. (2008). A hybrid
    genetic algorithm for the resource-constrained project scheduling problem. EJOR 185, 495-508.

    Examples
    --------
    >>> import pmkit
    >>> prj = pmkit.synth.project(30, seed=2, progress=None)
    >>> res = pmkit.level(prj, max_schedules=300, seed=0)
    >>> bool(res.length_days >= res.cpm_length_days)
    True
    """
    comp = _compile(project, priorities)
    prob = comp.prob
    n = prob.n
    if n == 0:
        raise PmkitError(f"project {project.project_id}: no tasks to level")
    kern = _Kernel(prob, np.full(n, K.BIG, np.int64))
    es, ls, cpm_mk = _cpm(kern)
    upper = np.maximum(ls, es) if within_float else None
    user = _priority_vector(project, priorities, comp.ids) if priorities is not None else None
    found = solve_rcpsp(prob, max_schedules=max_schedules, max_seconds=max_seconds, seed=seed, upper=upper,
                  method=method, user_priority=user)
    start = found.start
    # resource float: right-justify the found schedule at its own finish
    if found.forced == 0:
        mirror, mk2, _ = kern.run(-(start + prob.dur).astype(np.float64), network=kern.bw)
        late = found.makespan - mirror - prob.dur
        rfloat = np.maximum(late - start, 0) if mk2 <= found.makespan else np.maximum(ls - start, 0)
    else:
        rfloat = np.maximum(ls - start, 0)
    return _build_result(project, comp, es, start, rfloat, cpm_mk, found, within_float, seed)


def _build_result(project, comp: _Compiled, es, start, rfloat, cpm_mk, found: SearchResult,
                  within_float: bool, seed: int) -> LevelingResult:
    prob, s = comp.prob, comp.per_day
    cal, origin = project.calendar, project.start_date
    tasks = project.tasks
    dur_days = tasks["duration_days"].to_numpy(dtype=float)
    start_day = start / s
    finish_day = start_day + dur_days
    es_day = es / s

    def dates(off):
        return pd.to_datetime(cal.offset_to_date(origin, off))

    def finish_dates(st, fi):
        return dates(np.maximum(fi - 1e-9, st))

    # a task is "not leveled" when it overloads a constraint in a period it runs
    load_after = _load(prob, start)
    over_p = load_after > prob.cap[None, :] + 1e-9
    not_leveled = np.zeros(prob.n, bool)
    if over_p.any():
        for j in range(prob.n):
            cols = prob.dem[j] > 0
            if cols.any() and prob.dur[j] > 0:
                not_leveled[j] = over_p[start[j]:start[j] + prob.dur[j]][:, cols].any()
    sched = pd.DataFrame({
        "task_id": comp.ids, "name": tasks["name"].astype(str).to_numpy(),
        "duration_days": dur_days,
        "early_start": dates(es_day), "start": dates(start_day), "finish": finish_dates(start_day, finish_day),
        "early_finish": finish_dates(es_day, es_day + dur_days),
        "early_start_day": es_day, "start_day": start_day, "finish_day": finish_day,
        "delay_days": (start - es) / s, "resource_float_days": rfloat / s,
        "driving": rfloat == 0, "leveled": ~not_leveled,
    })
    problems = [(item, why) for item, why in comp.notes]
    too_big = prob.dem > prob.cap + 1e-9   # already explained by a note: runs alone and overloads
    for j in np.flatnonzero(not_leveled):
        hits = over_p[start[j]:start[j] + prob.dur[j]].any(axis=0) & (prob.dem[j] > 0) & ~too_big[j]
        if hits.any():
            cols = [f"{k} {i}" for (k, i), hit in zip(comp.labels, hits, strict=True) if hit]
            problems.append((str(comp.ids[j]), "overloads " + ", ".join(cols)
                             + (" (no room within its float)" if within_float else "")))
    problems_df = pd.DataFrame(problems, columns=["item", "problem"]).drop_duplicates(ignore_index=True)
    length = float(finish_day.max(initial=0))
    cpm_len = float((es_day + dur_days).max(initial=0))
    return LevelingResult(
        project_id=project.project_id, schedule=sched,
        finish=pd.Timestamp(finish_dates(np.array([0.0]), np.array([length]))[0]) if length > 0 else pd.Timestamp(origin),
        early_finish=pd.Timestamp(finish_dates(np.array([0.0]), np.array([cpm_len]))[0]) if cpm_len > 0 else pd.Timestamp(origin),
        length_days=length, cpm_length_days=cpm_len, within_float=within_float, problems=problems_df,
        loading=_loading_frame(prob, comp, es, start, load_after, cal, origin),
        schedules=found.schedules, seconds=found.seconds, seed=seed, method=found.rule)


def _load(prob: _Problem, start: np.ndarray) -> np.ndarray:
    """Load of each constraint in each period (periods x constraints), vectorized by difference arrays."""
    T = int((start + prob.dur).max(initial=0)) + 1
    diff = np.zeros((T + 1, prob.cap.size))
    np.add.at(diff, start, prob.dem)
    np.add.at(diff, start + prob.dur, -prob.dem)
    return np.cumsum(diff, axis=0)[:T]


def _loading_frame(prob, comp, es, start, load_after, cal, origin) -> pd.DataFrame:
    """Tidy loading per constraint and working day (a day's load is its periods' maximum)."""
    if not prob.cap.size:
        return pd.DataFrame(columns=["kind", "id", "date", "day", "load_before", "load_after", "capacity"])
    before = _load(prob, es)
    T = max(before.shape[0], load_after.shape[0])
    pad = [np.vstack([m, np.zeros((T - m.shape[0], m.shape[1]))]) for m in (before, load_after)]
    s = comp.per_day
    days = np.arange(T) // s
    frames = []
    for k, (kind, i) in enumerate(comp.labels):
        b = pd.Series(pad[0][:, k]).groupby(days).max()
        a = pd.Series(pad[1][:, k]).groupby(days).max()
        frames.append(pd.DataFrame({"kind": kind, "id": i, "day": b.index.to_numpy(),
                                    "load_before": b.to_numpy(), "load_after": a.to_numpy(),
                                    "capacity": prob.cap[k]}))
    out = pd.concat(frames, ignore_index=True)
    out.insert(2, "date", pd.to_datetime(cal.offset_to_date(origin, out["day"].to_numpy(dtype=float))))
    last = int(np.ceil(max((start + prob.dur).max(initial=0), (es + prob.dur).max(initial=0)) / s))
    return out[out["day"] < max(last, 1)].reset_index(drop=True)


__all__ = ["LevelingResult", "SearchResult", "level", "priority_rules", "problem_from_psplib", "solve_rcpsp",
           "solve_psplib"]
