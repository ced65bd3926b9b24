"""Critical path scheduling: early and late dates, floats, critical and longest paths.

The critical path method (CPM) of Kelley & Walker (1959), extended to precedence
diagramming (FS, SS, FF, SF links with lags; Fondahl 1961, PMBOK Guide 7th ed. §2.4.2.4),
constraints, a project deadline, progress (retained logic or progress override, as in
MS Project and Primavera P6) and working calendars per task.

Two layers:

* the **kernel** (:class:`Network`, :func:`compile_network`, :func:`forward_pass`,
  :func:`backward_pass`, :func:`free_float`, :func:`solve_network`) works on numpy arrays and is
  vectorized level by level over a topological order, and over ``k`` rows of durations at
  once (Monte Carlo iterations). A million activities take well under a second.
* the **tables** (:func:`schedule`, :func:`critical_path`, :func:`longest_path`,
  :func:`project_finish`, :func:`resource_loading`) turn a :class:`pmkit.Project` into
  tidy DataFrames with dates.

Units and conventions
---------------------
Offsets are **working days of the task's own calendar counted from the start of the
project start date** (the origin). Tasks on the project calendar (all tasks in most
projects) therefore share one unit: working days of the project calendar, and
``max(early_finish)`` is the project length. Across calendars, offsets are converted
through a continuous time axis (calendar days from the origin): a start offset is placed
at the beginning of its working day, a finish offset at the end of the last working day
worked. :meth:`Network.project_length` returns the project length in working days of the
project calendar for any mix of calendars.

Dates shown for a task: **start** is the working day the task starts on, **finish** is
the last working day it works (as MS Project shows them); a 1-day task starts and
finishes on the same date. A milestone is shown on the day its driving event happens: the
finish date of its driving predecessor for FS/FF links (like MS Project), otherwise the
day it starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.calendars import Calendar
from ..data.network import CycleFound, TopoLevels, topological_levels
from ..data.schema import LIMITS
from ..errors import CycleError, PmkitError

#: Link type codes used in :attr:`Network.link_type`.
LINK_CODES = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}
_FROM_FINISH = np.array([1, 0, 1, 0], dtype=np.int64)  # FS, FF leave from the predecessor's finish
_TO_FINISH = np.array([0, 0, 1, 1], dtype=np.int64)    # FF, SF arrive at the successor's finish
#: Offsets closer than this to an integer are treated as that integer (float noise of sums).
_SNAP = 1e-7
#: Total float at or below this (working days) makes a task critical.
CRITICAL_TOLERANCE = 1e-6


# =========================================================================== limits

_EARLIEST = np.datetime64(LIMITS.earliest_date, "D")
_LATEST = np.datetime64(LIMITS.latest_date, "D")
#: Days the time axis may reach beyond LIMITS' dates (room for conversions at the edges).
_AXIS_MARGIN = 14


class _BeyondLimits(PmkitError):
    """The time axis was asked for a day outside LIMITS' date range (caught and named by the callers)."""


def _limits_message() -> str:
    return f"{LIMITS.earliest_date} to {LIMITS.latest_date} (pmkit.data.schema.LIMITS)"


# =========================================================================== time axis

class _TimeAxis:
    """Working time of several calendars on one continuous axis of days from the origin.

    Lookup tables over a window of days are grown on demand, so conversions are plain
    array gathers (a few milliseconds per million values) instead of ``np.busday_*`` calls.
    ``W(c, t)``: working days of calendar ``c`` elapsed from the origin to time ``t``.
    ``T(c, w)``: the time of working offset ``w``; a *start* lies at the beginning of a
    working period, a *finish* at the end of the last working period before it.
    """

    def __init__(self, origin: np.datetime64, calendars: tuple[Calendar, ...]):
        self.origin = np.datetime64(origin, "D")
        self.calendars = calendars
        # the window never grows beyond LIMITS' dates: a lag of a billion days cannot size it
        self.lo_limit = min(-400, int((_EARLIEST - self.origin).astype(np.int64)) - _AXIS_MARGIN)
        self.hi_limit = max(4000, int((_LATEST - self.origin).astype(np.int64)) + 1 + _AXIS_MARGIN)
        self._build(-400, 4000)

    def _beyond(self) -> _BeyondLimits:
        return _BeyondLimits(f"the schedule would reach dates outside {_limits_message()}")

    def _build(self, lo: int, hi: int) -> None:
        days = self.origin + np.arange(lo, hi)
        work = np.stack([np.is_busday(days, busdaycal=c.busdaycal) for c in self.calendars])
        # working days in [lo, 0) counted forwards (lo <= 0 always): numpy's count of a
        # reversed range includes the later end, so it is not the negative of ours
        base = -np.array([np.busday_count(self.origin + lo, self.origin, busdaycal=c.busdaycal)
                          for c in self.calendars], dtype=np.int64)
        cum = np.zeros((len(self.calendars), hi - lo + 1), dtype=np.int64)
        np.cumsum(work, axis=1, out=cum[:, 1:])
        cum += base[:, None]
        counts = work.sum(axis=1)
        wday = np.full((len(self.calendars), int(counts.max())), hi, dtype=np.int64)
        for c in range(len(self.calendars)):
            wday[c, :counts[c]] = lo + np.flatnonzero(work[c])
        self.lo, self.hi = lo, hi
        self.cum = cum.astype(np.float64).ravel()
        self.work = work.astype(np.float64).ravel()
        self.wday = wday.ravel()
        self.k0, self.counts = base, counts
        self.width_cum, self.width_work, self.width_wday = hi - lo + 1, hi - lo, wday.shape[1]

    def _grow_days(self, dmin: int, dmax: int) -> None:
        if dmin >= self.lo and dmax < self.hi:
            return
        if dmin < self.lo_limit or dmax >= self.hi_limit:
            raise self._beyond()
        span = self.hi - self.lo
        self._build(max(self.lo_limit, min(self.lo, dmin - span)), min(self.hi_limit, max(self.hi, dmax + span)))

    def working(self, cal, t) -> np.ndarray:
        """W(c, t) for times ``t`` (days from origin) in calendars ``cal`` (broadcast)."""
        t = _snap(np.asarray(t, dtype=np.float64))
        d = np.floor(t)
        if d.size:
            if not np.isfinite(d).all() or d.min() < self.lo_limit or d.max() >= self.hi_limit:
                raise self._beyond()
            self._grow_days(int(d.min()), int(d.max()) + 1)
        i = d.astype(np.int64) - self.lo
        cal = np.asarray(cal, dtype=np.int64)
        return self.cum[cal * self.width_cum + i] + self.work[cal * self.width_work + i] * (t - d)

    def _day_of(self, cal: np.ndarray, k: np.ndarray) -> np.ndarray:
        """Day index (from origin) of working day number ``k`` of each calendar."""
        while True:
            j = k - self.k0[cal]
            if not j.size or (j.min() >= 0 and (j - self.counts[cal]).max() < 0):
                return self.wday[cal * self.width_wday + j]
            if self.lo <= self.lo_limit and self.hi >= self.hi_limit:
                raise self._beyond()  # the widest window LIMITS allow does not hold these offsets
            # working days per calendar day >= 1/7 for any calendar: this window suffices
            kmin, kmax = float(np.min(k)), float(np.max(k))
            lo = int(max(min(0.0, kmin) * 7 - 14, self.lo_limit))
            hi = int(min(max(0.0, kmax) * 7 + 14, self.hi_limit))
            span = self.hi - self.lo
            self._build(max(self.lo_limit, min(self.lo, lo, self.lo - span)),
                        min(self.hi_limit, max(self.hi, hi, self.hi + span)))

    def time(self, cal, w, kind) -> np.ndarray:
        """T(c, w): time of offset ``w``; ``kind`` is True (or 1) for a finish, else a start."""
        w = _snap(np.asarray(w, dtype=np.float64))
        if w.size and np.nanmax(np.abs(np.where(np.isinf(w), 0.0, w)), initial=0.0) > self.hi_limit - self.lo_limit:
            raise self._beyond()  # more working days than LIMITS' date range holds
        cal = np.broadcast_to(np.asarray(cal, dtype=np.int64), w.shape)
        fin = np.broadcast_to(np.asarray(kind, dtype=bool), w.shape)
        k = np.where(fin, np.ceil(w) - 1, np.floor(w)).astype(np.int64)
        return self._day_of(cal, k) + np.where(fin, 1.0 - (np.ceil(w) - w), w - np.floor(w))

    def convert(self, w, cal_from, cal_to, kind) -> np.ndarray:
        """Offsets in ``cal_from`` to offsets in ``cal_to`` through the time axis."""
        return self.working(cal_to, self.time(cal_from, w, kind))

    def dates(self, cal, w, kind) -> np.ndarray:
        """datetime64[D] of the working day holding each offset (NaT where ``w`` is not finite)."""
        w = np.asarray(w, dtype=np.float64)
        ok = np.isfinite(w)
        safe = _snap(np.where(ok, w, 0.0))
        cal = np.broadcast_to(np.asarray(cal, dtype=np.int64), w.shape)
        fin = np.broadcast_to(np.asarray(kind, dtype=bool), w.shape)
        if safe.size and np.abs(safe).max() > self.hi_limit - self.lo_limit:
            raise self._beyond()
        k = np.where(fin, np.ceil(safe) - 1, np.floor(safe)).astype(np.int64)
        out = self.origin + self._day_of(cal, k)
        return np.where(ok, out, np.datetime64("NaT"))

    def offset_of_dates(self, cal, dates, end_of_day: bool = False) -> np.ndarray:
        """Working offset at the start (or end) of each date; NaN where the date is missing."""
        if isinstance(dates, pd.Series) and dates.dtype.kind == "M":
            d = dates.to_numpy(dtype="datetime64[D]")  # already dates: skip the parser
        else:
            d = pd.to_datetime(pd.Series(dates)).to_numpy(dtype="datetime64[D]")
        ok = ~np.isnat(d)
        days = np.where(ok, (d - self.origin).astype(np.int64), 0) + int(end_of_day)
        return np.where(ok, self.working(cal, days.astype(np.float64)), np.nan)


def _snap(w: np.ndarray) -> np.ndarray:
    r = np.round(w)
    return np.where(np.abs(w - r) < _SNAP, r, w)


# =========================================================================== kernel

@dataclass(frozen=True)
class _Plan:
    """Edge orderings for the level-by-level passes (built once by :func:`compile_network`)."""

    level_of: np.ndarray
    # forward: edges sorted by (successor level, successor)
    f_src: np.ndarray      # 2 * pred + from_finish: index into the interleaved early events
    f_succ: np.ndarray
    f_lag: np.ndarray
    f_tofin: np.ndarray    # 1.0 for FF/SF
    f_eb: np.ndarray       # edge slice of each level
    f_anyfin: np.ndarray   # level has FF/SF edges
    f_grel: np.ndarray     # group starts relative to the level's first edge (for reduceat)
    f_gsucc: np.ndarray    # successor of each group
    f_gb: np.ndarray       # group slice of each level
    f_xpos: np.ndarray     # cross-calendar edges: position relative to level's first edge
    f_xfrom: np.ndarray
    f_xto: np.ndarray
    f_xkind: np.ndarray
    f_xb: np.ndarray
    # backward: edges sorted by (predecessor level, predecessor)
    b_tgt: np.ndarray      # 2 * succ + to_finish: index into the interleaved late events
    b_pred: np.ndarray
    b_lag: np.ndarray
    b_fromstart: np.ndarray  # 1.0 for SS/SF
    b_eb: np.ndarray
    b_anystart: np.ndarray
    b_grel: np.ndarray
    b_gpred: np.ndarray
    b_gstart: np.ndarray   # global group starts (for free float over all edges)
    b_gb: np.ndarray
    b_xpos: np.ndarray
    b_xfrom: np.ndarray
    b_xto: np.ndarray
    b_xb: np.ndarray
    b_openpos: np.ndarray  # links from a manual task's start (SS/SF): no late-finish limit
    b_openb: np.ndarray
    # nodes whose early dates need more than max(lower bound, logic), by level
    special: np.ndarray
    special_b: np.ndarray
    finished: np.ndarray
    finished_b: np.ndarray


@dataclass(frozen=True)
class Network:
    """A project's logic compiled to arrays: the input of the scheduling kernel.

    Node ``i`` is ``task_ids[i]`` (summary tasks are not nodes: their links are
    expanded to their leaf tasks). All offsets are working days of the node's own
    calendar from the origin (the start of the project start date); ``nan`` or ``inf``
    mean "none".

    Attributes
    ----------
    task_ids : ndarray of str
    pred, succ : ndarray of int
        Links as node positions, in the order of the dependencies table.
    link_type : ndarray of int8
        0 FS, 1 SS, 2 FF, 3 SF (:data:`LINK_CODES`).
    lag : ndarray of float
        Lag (negative: lead) in working days of the successor's calendar.
    calendar : ndarray of int
        Calendar code of each node; code 0 is the project calendar.
    calendars : tuple of Calendar
        The calendars by code.
    origin : numpy.datetime64
        The project start date.
    durations : ndarray of float
        Default durations: planned, remaining for tasks in progress, actual when finished.
    levels : pmkit.data.network.TopoLevels
        Topological levels: every predecessor of a node lies in an earlier level.
    lb_start, lb_finish : ndarray
        Earliest start / finish: project start, SNET/FNET, the status date for remaining work.
    ub_start, ub_finish : ndarray
        Latest early start / finish imposed by SNLT/FNLT (constraints win over logic).
    fix_start, fix_finish : ndarray
        MSO/MFO dates (and the status date for progress override).
    late_ub_start, late_ub_finish : ndarray
        Caps on the late dates: SNLT/MSO and FNLT/MFO.
    actual_start, actual_finish : ndarray
        Actual dates from progress records.
    alap : ndarray of bool
        As-late-as-possible tasks (placed at their late dates by :func:`solve_network`).
    manual : ndarray of bool
        Manually scheduled tasks (MS Project): links that leave their start (SS, SF) do not
        limit their late finish. Their fixed start is given as ``fix_start``.
    deadline : float
        Project deadline in working days of the project calendar (inf: none).
    """

    task_ids: np.ndarray
    pred: np.ndarray
    succ: np.ndarray
    link_type: np.ndarray
    lag: np.ndarray
    calendar: np.ndarray
    calendars: tuple[Calendar, ...]
    origin: np.datetime64
    durations: np.ndarray
    levels: TopoLevels
    lb_start: np.ndarray
    lb_finish: np.ndarray
    ub_start: np.ndarray
    ub_finish: np.ndarray
    fix_start: np.ndarray
    fix_finish: np.ndarray
    late_ub_start: np.ndarray
    late_ub_finish: np.ndarray
    actual_start: np.ndarray
    actual_finish: np.ndarray
    alap: np.ndarray
    deadline: float = np.inf
    project_id: str | None = None
    plan: _Plan = field(default=None, repr=False)
    axis: _TimeAxis = field(default=None, repr=False)
    manual: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.task_ids)

    @property
    def calendar_ids(self) -> tuple[str, ...]:
        return tuple(c.calendar_id for c in self.calendars)

    def to_dates(self, offsets, kind: str = "start") -> np.ndarray:
        """Dates (``datetime64[D]``) of node offsets, shape ``(n,)`` or ``(k, n)``.

        ``kind="start"``: the working day that begins at (or contains) the offset;
        ``kind="finish"``: the last working day worked up to the offset.
        """
        return self.axis.dates(self.calendar, offsets, kind == "finish")

    def to_time(self, offsets, kind: str = "start") -> np.ndarray:
        """Node offsets on the continuous time axis (calendar days from the origin)."""
        return self.axis.time(self.calendar, offsets, kind == "finish")

    def project_length(self, early_finish) -> np.ndarray | float:
        """Project length in working days of the project calendar (per row for ``(k, n)``)."""
        ef = np.asarray(early_finish, dtype=np.float64)
        if ef.shape[-1] == 0:
            return np.zeros(ef.shape[:-1]) if ef.ndim > 1 else 0.0
        other = self.calendar != 0
        if other.any():
            ef = ef.copy()
            ef[..., other] = self.axis.convert(ef[..., other], self.calendar[other], 0, True)
        out = np.maximum(ef.max(axis=-1), 0.0)
        return float(out) if out.ndim == 0 else out

    def _from_project_days(self, value: np.ndarray) -> np.ndarray:
        """Project-calendar offsets of shape (k,) as node offsets of shape (k, n) (finish kind)."""
        out = np.repeat(value[:, None], self.n, axis=1)
        other = np.flatnonzero(self.calendar != 0)
        if other.size:
            t = self.axis.time(0, value, True)
            out[:, other] = self.axis.working(self.calendar[other][None, :], t[:, None])
        return out


def _as_rows(network: Network, durations) -> tuple[np.ndarray, bool]:
    d = network.durations if durations is None else np.asarray(durations, dtype=np.float64)
    if d.shape[-1] != network.n:
        raise PmkitError(f"durations have {d.shape[-1]} columns but the network has {network.n} tasks")
    return (d[None, :], True) if d.ndim == 1 else (d, False)


def _special_values(network: Network, D: np.ndarray, fix_extra: np.ndarray | None):
    sp = network.plan.special
    Dsp = D[:, sp]
    ub = np.minimum(network.ub_start[sp], network.ub_finish[sp] - Dsp)
    fs, ff = network.fix_start[sp], network.fix_finish[sp]
    fx = np.where(np.isfinite(fs), fs, ff - Dsp)
    if fix_extra is not None:
        extra = fix_extra[:, sp]
        fx = np.where(np.isfinite(extra), extra, fx)
    return Dsp, ub, fx


def _apply_special(E, network, q0, q1, Dsp, ub, fx):
    """Constraints and actuals of special nodes ``special[q0:q1]`` (their R is in E already)."""
    nodes = network.plan.special[q0:q1]
    R = E[:, 2 * nodes]
    f = fx[:, q0:q1]
    # a start-no-later cap wins over logic but not over the project start or the status date
    capped = np.maximum(np.minimum(R, ub[:, q0:q1]), network.lb_start[nodes])
    R = np.where(np.isfinite(f), f, capped)
    a_s, a_f = network.actual_start[nodes], network.actual_finish[nodes]
    E[:, 2 * nodes] = np.where(np.isfinite(a_s), a_s, R)
    E[:, 2 * nodes + 1] = np.where(np.isfinite(a_f), a_f, R + Dsp[:, q0:q1])


def _forward_events(network: Network, D: np.ndarray, fix_extra: np.ndarray | None = None) -> np.ndarray:
    """Interleaved early events ``E[:, 2i] = ES_i``, ``E[:, 2i + 1] = EF_i`` for (k, n) durations."""
    p, ax = network.plan, network.axis
    k, n = D.shape
    lb = np.maximum(network.lb_start, network.lb_finish - D)
    E = np.empty((k, 2 * n))
    if n == 0:
        return E
    E[:, 0::2] = lb
    E[:, 1::2] = lb + D
    Dsp, ub, fx = _special_values(network, D, fix_extra)
    sb = p.special_b
    if sb[1] > sb[0]:
        _apply_special(E, network, sb[0], sb[1], Dsp, ub, fx)
    for lvl in range(1, network.levels.n_levels):
        e0, e1 = p.f_eb[lvl], p.f_eb[lvl + 1]
        vals = E[:, p.f_src[e0:e1]]
        x0, x1 = p.f_xb[lvl], p.f_xb[lvl + 1]
        if x1 > x0:
            pos = p.f_xpos[x0:x1]
            vals[:, pos] = ax.convert(vals[:, pos], p.f_xfrom[x0:x1], p.f_xto[x0:x1], p.f_xkind[x0:x1])
        vals += p.f_lag[e0:e1]
        if p.f_anyfin[lvl]:
            vals -= D[:, p.f_succ[e0:e1]] * p.f_tofin[e0:e1]
        g0, g1 = p.f_gb[lvl], p.f_gb[lvl + 1]
        red = np.maximum.reduceat(vals, p.f_grel[g0:g1], axis=1)
        s = p.f_gsucc[g0:g1]
        R = np.maximum(lb[:, s], red)
        E[:, 2 * s] = R
        E[:, 2 * s + 1] = R + D[:, s]
        if sb[lvl + 1] > sb[lvl]:
            _apply_special(E, network, sb[lvl], sb[lvl + 1], Dsp, ub, fx)
    return E


def _backward_events(network: Network, D: np.ndarray, finish: np.ndarray) -> np.ndarray:
    """Interleaved late events ``L[:, 2i] = LS_i``, ``L[:, 2i + 1] = LF_i``."""
    p, ax = network.plan, network.axis
    k, n = D.shape
    if n == 0:
        return np.empty((k, 0))
    bound = np.minimum(finish, network.deadline)
    cap = np.minimum(network._from_project_days(bound), network.late_ub_finish)
    cap = np.minimum(cap, network.late_ub_start + D)
    L = np.empty((k, 2 * n))
    L[:, 1::2] = cap
    L[:, 0::2] = cap - D
    fin, fb = p.finished, p.finished_b

    def pin_finished(f0, f1):
        nodes = fin[f0:f1]
        L[:, 2 * nodes] = network.actual_start[nodes]
        L[:, 2 * nodes + 1] = network.actual_finish[nodes]

    pin_finished(0, len(fin))
    for lvl in range(network.levels.n_levels - 2, -1, -1):
        e0, e1 = p.b_eb[lvl], p.b_eb[lvl + 1]
        if e1 == e0:
            continue
        vals = L[:, p.b_tgt[e0:e1]] - p.b_lag[e0:e1]
        x0, x1 = p.b_xb[lvl], p.b_xb[lvl + 1]
        if x1 > x0:
            pos = p.b_xpos[x0:x1]
            vals[:, pos] = ax.convert(vals[:, pos], p.b_xfrom[x0:x1], p.b_xto[x0:x1], False)
        if p.b_anystart[lvl]:
            vals += D[:, p.b_pred[e0:e1]] * p.b_fromstart[e0:e1]
        o0, o1 = p.b_openb[lvl], p.b_openb[lvl + 1]
        if o1 > o0:
            vals[:, p.b_openpos[o0:o1]] = np.inf
        g0, g1 = p.b_gb[lvl], p.b_gb[lvl + 1]
        red = np.minimum.reduceat(vals, p.b_grel[g0:g1], axis=1)
        q = p.b_gpred[g0:g1]
        LF = np.minimum(cap[:, q], red)
        L[:, 2 * q + 1] = LF
        L[:, 2 * q] = LF - D[:, q]
        if fb[lvl + 1] > fb[lvl]:
            pin_finished(fb[lvl], fb[lvl + 1])
    return L


def _unrow(a: np.ndarray, single: bool) -> np.ndarray:
    return a[0] if single else a


#: Networks at least this large use the compiled (numba) passes of :mod:`pmkit.project._cpm_numba`,
#: which give the same numbers (tested) several times faster; small ones stay in numpy.
COMPILED_MIN_TASKS = 50_000


def _compiled_kernel(network: Network):
    """The numba kernel of a large network (built once, kept on it), or None to use numpy."""
    if network.n < COMPILED_MIN_TASKS or network.alap.any():
        return None
    kernel = network.__dict__.get("_compiled_kernel")
    if kernel is None:
        try:
            from . import _cpm_numba
        except ImportError:  # numba missing: the numpy passes serve
            return None
        kernel = _cpm_numba.Kernel(network)
        object.__setattr__(network, "_compiled_kernel", kernel)
    return kernel


def forward_pass(network: Network, durations=None) -> tuple[np.ndarray, np.ndarray]:
    """Early start and early finish offsets (the CPM forward pass).

    Parameters
    ----------
    network : Network
        From :func:`compile_network`.
    durations : array of shape (n,) or (k, n), optional
        Working days of each task's calendar (default ``network.durations``). With ``k``
        rows (e.g. Monte Carlo iterations) all rows are scheduled at once.

    Returns
    -------
    early_start, early_finish : ndarray
        Same shape as ``durations``; working days of each task's calendar from the origin.

    Notes
    -----
    ``ES_j = max(lower bounds, max over links i->j)`` of ``EF_i + lag`` (FS), ``ES_i + lag``
    (SS), ``EF_i + lag - d_j`` (FF), ``ES_i + lag - d_j`` (SF) (Kelley & Walker 1959;
    PMBOK Guide 7th ed.), then SNLT/FNLT caps and MSO/MFO dates, which win over logic
    (conflicts show as negative float). Levels of the topological order are processed one
    at a time with ``np.maximum.reduceat``, so the pass is linear in tasks + links.

    Examples
    --------
    >>> from pmkit import synth
    >>> net = compile_network(synth.project(30, seed=2, progress=None))
    >>> es, ef = forward_pass(net)
    >>> bool((ef >= es).all())
    True
    """
    D, single = _as_rows(network, durations)
    kernel = _compiled_kernel(network)
    if kernel is not None:
        from . import _cpm_numba

        es, ef = _cpm_numba.forward_pass(kernel, D)
        return _unrow(es, single), _unrow(ef, single)
    E = _forward_events(network, D)
    return _unrow(E[:, 0::2].copy(), single), _unrow(E[:, 1::2].copy(), single)


def backward_pass(network: Network, durations=None, project_finish=None) -> tuple[np.ndarray, np.ndarray]:
    """Late start and late finish offsets (the CPM backward pass).

    ``project_finish`` is the project length in working days of the project calendar
    (scalar or one per row; default: computed by a forward pass). Every task must finish
    by ``min(project_finish, deadline)`` and by its FNLT/MFO date, start by its SNLT/MSO
    date, and allow its successors' late dates:
    ``LF_i = min over links i->j`` of ``LS_j - lag`` (FS), ``LS_j - lag + d_i`` (SS),
    ``LF_j - lag`` (FF), ``LF_j - lag + d_i`` (SF).

    Examples
    --------
    >>> from pmkit import synth
    >>> net = compile_network(synth.project(30, seed=2, progress=None))
    >>> es, ef = forward_pass(net)
    >>> ls, lf = backward_pass(net)
    >>> bool(((lf - ef) >= -1e-9).all())    # no negative float without constraints
    True
    """
    D, single = _as_rows(network, durations)
    if project_finish is None:
        project_finish = network.project_length(forward_pass(network, D)[1])
    finish = np.broadcast_to(np.asarray(project_finish, dtype=np.float64), (D.shape[0],))
    kernel = _compiled_kernel(network)
    if kernel is not None:
        from . import _cpm_numba

        ls, lf = _cpm_numba.backward_pass(kernel, D, finish)
        return _unrow(ls, single), _unrow(lf, single)
    L = _backward_events(network, D, finish)
    return _unrow(L[:, 0::2].copy(), single), _unrow(L[:, 1::2].copy(), single)


def _edge_free_slack(network: Network, E: np.ndarray, D: np.ndarray) -> np.ndarray:
    """Slack of every link in backward order, in working days of the predecessor's calendar."""
    p = network.plan
    tgt_node = p.b_tgt // 2
    tofin = (p.b_tgt % 2).astype(np.float64)
    # successor's early event; for a started successor its resume point EF - d_remaining
    target = E[:, 2 * tgt_node + 1] - D[:, tgt_node] * (1.0 - tofin) - p.b_lag
    cross = network.calendar[p.b_pred] != network.calendar[tgt_node]
    if cross.any():
        target[:, cross] = network.axis.convert(target[:, cross], network.calendar[tgt_node[cross]],
                                                network.calendar[p.b_pred[cross]], False)
    src = E[:, 2 * p.b_pred + (1 - p.b_fromstart.astype(np.int64))]
    return target - src


def free_float(network: Network, early_start, early_finish, durations=None,
               total_float=None) -> np.ndarray:
    """Free float: how far a task can slip without delaying any successor's early date.

    ``FF_i = min over links i->j`` of the link's slack (e.g. ``ES_j - lag - EF_i`` for FS),
    and ``project finish - EF_i`` for tasks without successors (PMBOK Guide 7th ed.;
    MS Project "free slack"). Capped to ``[0, max(total_float, 0)]``.
    """
    D, single = _as_rows(network, durations)
    es = np.atleast_2d(np.asarray(early_start, dtype=np.float64))
    ef = np.atleast_2d(np.asarray(early_finish, dtype=np.float64))
    E = np.empty((es.shape[0], 2 * network.n))
    E[:, 0::2], E[:, 1::2] = es, ef
    ff = network._from_project_days(np.atleast_1d(network.project_length(ef))) - ef
    p = network.plan
    if p.b_pred.size:
        red = np.minimum.reduceat(_edge_free_slack(network, E, D), p.b_gstart, axis=1)
        q = p.b_pred[p.b_gstart]
        ff[:, q] = red
    if total_float is not None:
        ff = np.minimum(ff, np.maximum(np.atleast_2d(total_float), 0.0))
    return _unrow(np.maximum(ff, 0.0), single)


@dataclass(frozen=True)
class Solution:
    """Arrays of a solved network (offsets in working days of each task's calendar)."""

    early_start: np.ndarray
    early_finish: np.ndarray
    late_start: np.ndarray
    late_finish: np.ndarray
    total_float: np.ndarray
    free_float: np.ndarray
    project_length: np.ndarray | float


def solve_network(network: Network, durations=None) -> Solution:
    """Forward pass, backward pass, ALAP placement, total and free float in one call.

    ALAP tasks are placed at their late dates (consuming their float, as MS Project does)
    and the forward pass is repeated so that their successors follow. Total float is
    ``LF - EF`` (for tasks in progress only the remaining work can move).

    Examples
    --------
    >>> from pmkit import synth
    >>> sol = solve_network(compile_network(synth.project(50, seed=1, progress=None)))
    >>> bool((sol.total_float >= sol.free_float - 1e-9).all())
    True
    """
    D, single = _as_rows(network, durations)
    if _compiled_kernel(network) is not None:  # large network without ALAP tasks
        es, ef = forward_pass(network, D)
        finish = np.atleast_1d(network.project_length(ef))
        ls, lf = backward_pass(network, D, finish)
        tf = lf - ef
        ff = free_float(network, es, ef, D, tf)
        return Solution(*(_unrow(a, single) for a in (es, ef, ls, lf, tf)),
                        _unrow(ff, single), finish[0] if single else finish)
    E = _forward_events(network, D)
    finish = np.atleast_1d(network.project_length(E[:, 1::2]))
    L = _backward_events(network, D, finish)
    alap = network.alap
    if alap.any():
        fix = np.full(D.shape, np.nan)
        fix[:, alap] = np.maximum(L[:, 0::2][:, alap], E[:, 0::2][:, alap])
        E = _forward_events(network, D, fix)
        finish = np.atleast_1d(network.project_length(E[:, 1::2]))
        L = _backward_events(network, D, finish)
    es, ef, ls, lf = E[:, 0::2], E[:, 1::2], L[:, 0::2], L[:, 1::2]
    tf = lf - ef
    ff = free_float(network, es, ef, D, tf)
    return Solution(*(_unrow(a.copy(), single) for a in (es, ef, ls, lf, tf)),
                    _unrow(ff, single), finish[0] if single else finish)


# =========================================================================== compile

def _any_per_level(flags: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    cs = np.zeros(flags.size + 1, dtype=np.int64)
    np.cumsum(flags, out=cs[1:])
    return (cs[bounds[1:]] - cs[bounds[:-1]]) > 0


def _index_dtype(size: int) -> type:
    """int32 positions while they fit: half the memory of the edge arrays at a million links."""
    return np.int32 if size < 2**30 else np.int64


def _plan(network_n: int, pred, succ, link_type, lag, cal, levels: TopoLevels,
          special: np.ndarray, finished: np.ndarray, manual: np.ndarray | None = None) -> _Plan:
    nlev = levels.n_levels
    m = len(pred)
    it = _index_dtype(max(2 * network_n, m) + 2)
    level_of = np.empty(network_n, dtype=it)
    level_of[levels.order] = np.repeat(np.arange(nlev, dtype=it), np.diff(levels.bounds))
    # rank of each node in (level, node) order: levels.order lists each level's nodes sorted,
    # so one stable argsort of the rank sorts links by (level, node, input order)
    rank = np.empty(network_n, dtype=it)
    rank[levels.order] = np.arange(network_n, dtype=it)
    lv_range = np.arange(nlev + 1)
    link_type = np.asarray(link_type)
    from_fin = _FROM_FINISH.astype(np.int8)[link_type]
    to_fin = _TO_FINISH.astype(np.int8)[link_type]
    cal = np.asarray(cal)
    cal = cal.astype(np.int16) if cal.size and cal.max() < 2**15 else cal

    def grouped(key_node):
        order = np.argsort(rank[key_node], kind="stable").astype(it)
        kn = key_node[order]
        kl = level_of[kn]
        eb = np.searchsorted(kl, lv_range)
        del kl
        first = (np.flatnonzero(np.r_[True, kn[1:] != kn[:-1]]).astype(it) if kn.size
                 else np.empty(0, it))
        gnode = kn[first]
        glev = level_of[gnode]
        gb = np.searchsorted(glev, lv_range)
        grel = (first - eb[glev]).astype(it)
        return order, kn, eb, first, gnode, gb, grel

    def cross(a, b, lvl_node, eb):
        x = np.flatnonzero(cal[a] != cal[b]).astype(it)
        x_lvl = level_of[lvl_node[x]]
        return x, x_lvl, (x - eb[x_lvl]).astype(it), np.searchsorted(x_lvl, lv_range)

    pred = pred.astype(it, copy=False)
    succ = succ.astype(it, copy=False)
    # forward: links sorted by (successor level, successor)
    fo, fs, f_eb, _, f_gsucc, f_gb, f_grel = grouped(succ)
    fp = pred[fo]
    fx, _, f_xpos, f_xb = cross(fp, fs, fs, f_eb)
    f_from = from_fin[fo]
    f_src = 2 * fp + f_from
    f_tofin = to_fin[fo]
    f_lag = lag[fo]
    del fo
    f_kw = dict(f_src=f_src, f_succ=fs, f_lag=f_lag, f_tofin=f_tofin, f_eb=f_eb,
                f_anyfin=_any_per_level(f_tofin, f_eb), f_grel=f_grel, f_gsucc=f_gsucc, f_gb=f_gb,
                f_xpos=f_xpos, f_xfrom=cal[fp[fx]].astype(np.int64), f_xto=cal[fs[fx]].astype(np.int64),
                f_xkind=f_from[fx].astype(bool), f_xb=f_xb)
    del fp, f_from, fx
    # backward: links sorted by (predecessor level, predecessor)
    bo, bp, b_eb, b_first, b_gpred, b_gb, b_grel = grouped(pred)
    bs = succ[bo]
    bx, _, b_xpos, b_xb = cross(bp, bs, bp, b_eb)
    b_fromstart = (1 - from_fin[bo]).astype(np.int8)
    # MS Project gives a manually scheduled task the project finish as late finish through
    # the links that leave its start (MPXJ MicrosoftScheduler; saved MSPDI files agree)
    bo_open = (np.flatnonzero(manual[bp] & (b_fromstart > 0)).astype(it)
               if manual is not None and manual.any() else np.empty(0, it))
    bo_lvl = level_of[bp[bo_open]]
    b_kw = dict(b_tgt=2 * bs + to_fin[bo], b_pred=bp, b_lag=lag[bo], b_fromstart=b_fromstart, b_eb=b_eb,
                b_anystart=_any_per_level(b_fromstart, b_eb), b_grel=b_grel, b_gpred=b_gpred,
                b_gstart=b_first, b_gb=b_gb, b_xpos=b_xpos, b_xfrom=cal[bs[bx]].astype(np.int64),
                b_xto=cal[bp[bx]].astype(np.int64), b_xb=b_xb,
                b_openpos=(bo_open - b_eb[bo_lvl]).astype(it), b_openb=np.searchsorted(bo_lvl, lv_range))
    del bo, bs, bx
    special = special[np.argsort(level_of[special], kind="stable")]
    finished = finished[np.argsort(level_of[finished], kind="stable")]
    return _Plan(
        level_of=level_of, **f_kw, **b_kw,
        special=special, special_b=np.searchsorted(level_of[special], lv_range),
        finished=finished, finished_b=np.searchsorted(level_of[finished], lv_range),
    )


def _owned(a: np.ndarray, copy: bool) -> np.ndarray:
    """``a`` itself when allowed and writeable (pandas copy-on-write hands out read-only views)."""
    return a.copy() if copy or not a.flags.writeable else a


def build_network(task_ids, durations, pred, succ, link_type="FS", lag=0.0, *,
                  calendar=None, calendars: tuple[Calendar, ...] | None = None,
                  origin="2000-01-03", project_id: str | None = None, axis: _TimeAxis | None = None,
                  copy: bool = True, **bounds) -> Network:
    """A :class:`Network` straight from arrays (for interop readers, PSPLIB, tests).

    ``link_type`` may be codes (0-3) or names (``"FS"``...); ``calendar`` holds codes
    into ``calendars`` (default: one standard Mon-Fri calendar). ``bounds`` may set any
    of the per-node arrays of :class:`Network` (``lb_start``, ``fix_start``, ``alap``, ...)
    and ``deadline``. Raises :class:`pmkit.errors.CycleError` naming the tasks of a cycle.
    ``copy=False`` lets the network keep the given float arrays instead of copies (saves
    memory at a million tasks; the caller must not change them afterwards).
    """
    from ..data.calendars import STANDARD

    ids = np.asarray(task_ids, dtype=object)
    n = len(ids)
    # int32 positions stay int32 (half the memory at a million links); anything else -> int64
    pred, succ = np.asarray(pred), np.asarray(succ)
    keep = pred.dtype == succ.dtype == np.int32 and n < 2**30
    pred = pred if keep else pred.astype(np.int64)
    succ = succ if keep else succ.astype(np.int64)
    m = len(pred)
    lt = np.asarray(link_type)
    if lt.dtype.kind in "UO":
        lt = np.vectorize(LINK_CODES.__getitem__, otypes=[np.int64])(lt) if lt.size else lt.astype(np.int64)
    lt = np.broadcast_to(lt.astype(np.int8), (m,)).copy()
    lag = _owned(np.broadcast_to(np.asarray(lag, dtype=np.float64), (m,)), copy)
    cals = tuple(calendars) if calendars else (STANDARD,)
    cal = np.zeros(n, np.int64) if calendar is None else np.asarray(calendar, dtype=np.int64)
    self_loop = np.flatnonzero(pred == succ)
    if self_loop.size:
        raise CycleError([str(ids[pred[self_loop[0]]])], project_id)
    try:
        levels = topological_levels(n, pred, succ)
    except CycleFound as exc:
        raise CycleError([str(ids[i]) for i in exc.nodes], project_id) from None

    def arr(name, fill):
        v = bounds.pop(name, None)
        if v is None:
            return np.full(n, fill, np.float64)
        return _owned(np.asarray(v, dtype=np.float64), copy)

    lb_start = np.maximum(arr("lb_start", 0.0), 0.0)
    nets = dict(
        lb_start=lb_start, lb_finish=arr("lb_finish", -np.inf), ub_start=arr("ub_start", np.inf),
        ub_finish=arr("ub_finish", np.inf), fix_start=arr("fix_start", np.nan),
        fix_finish=arr("fix_finish", np.nan), late_ub_start=arr("late_ub_start", np.inf),
        late_ub_finish=arr("late_ub_finish", np.inf), actual_start=arr("actual_start", np.nan),
        actual_finish=arr("actual_finish", np.nan),
    )
    alap = np.zeros(n, bool) if bounds.get("alap") is None else np.asarray(bounds.pop("alap"), bool)
    bounds.pop("alap", None)
    manual = bounds.pop("manual", None)
    manual = np.zeros(n, bool) if manual is None else np.asarray(manual, bool)
    deadline = float(bounds.pop("deadline", np.inf))
    if bounds:
        raise TypeError(f"unknown network arrays: {', '.join(bounds)}")
    special = np.flatnonzero(np.isfinite(nets["ub_start"]) | np.isfinite(nets["ub_finish"])
                             | np.isfinite(nets["fix_start"]) | np.isfinite(nets["fix_finish"])
                             | np.isfinite(nets["actual_start"]) | np.isfinite(nets["actual_finish"])
                             | alap)
    finished = np.flatnonzero(np.isfinite(nets["actual_start"]) & np.isfinite(nets["actual_finish"]))
    plan = _plan(n, pred, succ, lt.astype(np.int64), lag, cal, levels, special, finished, manual)
    if axis is None:
        axis = _TimeAxis(np.datetime64(pd.Timestamp(origin).date(), "D"), cals)
    return Network(task_ids=ids, pred=pred, succ=succ, link_type=lt, lag=lag, calendar=cal,
                   calendars=cals, origin=axis.origin, durations=_owned(np.asarray(durations, np.float64), copy),
                   levels=levels, alap=alap, deadline=deadline, project_id=project_id, plan=plan,
                   axis=axis, manual=manual, **nets)


PROGRESS_MODES = ("retained_logic", "progress_override")


@dataclass(frozen=True)
class _Info:
    """Per-node facts of the compiled project the table layer needs besides the network."""

    leaf_pos: np.ndarray        # row of each node in project.tasks
    state: np.ndarray           # "not started" / "in progress" / "finished"
    percent_complete: np.ndarray
    remaining: np.ndarray
    actual_start: np.ndarray    # datetime64[D] as recorded
    actual_finish: np.ndarray
    status_date: pd.Timestamp | None


def _leaf_descendants(ids: np.ndarray, parent: np.ndarray, is_summary: np.ndarray) -> pd.DataFrame:
    """Pairs (summary_id, leaf_id) for every leaf below every summary task."""
    parent_of = pd.Series(parent, index=ids)
    leaf = ids[~is_summary]
    anc = parent_of.reindex(leaf).fillna("").to_numpy(dtype=object)
    rows_s, rows_l = [], []
    for _ in range(len(ids)):  # depth of the outline; a parent loop cannot run longer
        has = anc != ""
        if not has.any():
            break
        rows_s.append(anc[has])
        rows_l.append(leaf[has])
        leaf, anc = leaf[has], parent_of.reindex(anc[has]).fillna("").to_numpy(dtype=object)
    if not rows_s:
        return pd.DataFrame({"summary_id": [], "leaf_id": []}, dtype=object)
    return pd.DataFrame({"summary_id": np.concatenate(rows_s), "leaf_id": np.concatenate(rows_l)})


def _task_label(tasks: pd.DataFrame, pos: int) -> str:
    """``task T1 (Dig)``: the id and name of the task at row ``pos``."""
    tid = str(tasks["task_id"].iloc[pos])
    name = tasks["name"].iloc[pos] if "name" in tasks.columns else ""
    name = "" if name is None or (isinstance(name, float) and np.isnan(name)) else str(name)
    return f"task {tid} ({name})" if name and name != tid else f"task {tid}"


def _check_dates(pid, what: str, values, labels=None) -> None:
    """PmkitError when a date lies outside LIMITS' range (naming the task or field)."""
    d = pd.to_datetime(pd.Series(values)).to_numpy(dtype="datetime64[D]")
    bad = np.flatnonzero(~np.isnat(d) & ((d < _EARLIEST) | (d > _LATEST)))
    if bad.size:
        i = int(bad[0])
        where = f"{labels(i)}: " if labels is not None else ""
        raise PmkitError(f"project {pid}: {where}{what} {d[i]} is outside the dates pmkit schedules, "
                         f"{_limits_message()}")


def _check_limits(project, tasks: pd.DataFrame, leaf_pos: np.ndarray, dur: np.ndarray, deps: pd.DataFrame,
                  lag: np.ndarray, sd) -> None:
    """Refuse durations, lags and dates beyond LIMITS before any array is sized by them."""
    pid = project.project_id
    _check_dates(pid, "start_date", [project.start_date])
    if project.deadline is not None:
        _check_dates(pid, "deadline", [project.deadline])
    if sd is not None:
        _check_dates(pid, "status date", [sd])
    big = np.flatnonzero(dur > LIMITS.max_duration_days)
    if big.size:
        i = int(big[0])
        raise PmkitError(f"project {pid}: {_task_label(tasks, int(leaf_pos[i]))}: duration_days {dur[i]:.6g} is "
                         f"beyond the limit of {LIMITS.max_duration_days:,.0f} working days (pmkit.data.schema.LIMITS)")
    big = np.flatnonzero(~(np.abs(lag) <= LIMITS.max_lag_days))
    if big.size:
        i = int(big[0])
        raise PmkitError(f"project {pid}: link {deps['predecessor_id'].iloc[i]} -> {deps['successor_id'].iloc[i]}: "
                         f"lag_days {lag[i]:.6g} is beyond the limit of {LIMITS.max_lag_days:,.0f} working days "
                         "(pmkit.data.schema.LIMITS)")
    leaf = tasks.iloc[leaf_pos]
    _check_dates(pid, "constraint_date", leaf["constraint_date"],
                 lambda i: _task_label(tasks, int(leaf_pos[i])))
    st = project.status
    if st is not None and len(st):
        ids = st["task_id"].astype(str).tolist()
        for col in ("actual_start", "actual_finish"):
            if col in st.columns:
                _check_dates(pid, col, st[col], lambda i: f"task {ids[i]}")
        if "remaining_days" in st.columns:
            rem = pd.to_numeric(st["remaining_days"], errors="coerce").to_numpy(dtype=np.float64)
            big = np.flatnonzero(np.abs(np.nan_to_num(rem)) > LIMITS.max_duration_days)
            if big.size:
                i = int(big[0])
                raise PmkitError(f"project {pid}: task {ids[i]}: remaining_days {rem[i]:.6g} is beyond the limit "
                                 f"of {LIMITS.max_duration_days:,.0f} working days (pmkit.data.schema.LIMITS)")


def _compile(project, status_date=None, progress: str = "retained_logic") -> tuple[Network, _Info]:
    if progress not in PROGRESS_MODES:
        raise PmkitError(f"progress must be one of {', '.join(PROGRESS_MODES)}, not {progress!r}")
    pid = project.project_id
    tasks = project.tasks
    ids = tasks["task_id"].astype(str).to_numpy(dtype=object)
    parent = tasks["parent_id"].fillna("").astype(str).to_numpy(dtype=object)
    is_summary = np.isin(ids, parent[parent != ""])
    leaf_pos = np.flatnonzero(~is_summary)
    leaf_ids = ids[leaf_pos]
    # links: summary ends expand to every leaf below the summary (MS Project semantics for FS/SS
    # into a summary and FS/FF out of one; approximate for the other cases, see docs)
    deps = project.dependencies
    # positions, not strings: a million links stay a few int arrays
    all_ids = pd.Index(ids)
    pi = all_ids.get_indexer(deps["predecessor_id"].astype(str))
    si = all_ids.get_indexer(deps["successor_id"].astype(str))
    if (pi < 0).any() or (si < 0).any():
        unknown = pd.concat([deps["predecessor_id"][pi < 0], deps["successor_id"][si < 0]]).astype(str)
        raise PmkitError(f"project {pid}: dependencies name unknown tasks: {', '.join(sorted(set(unknown))[:10])}")
    # factorize: a million links hold a handful of distinct type strings
    codes, kinds = pd.factorize(deps["type"].astype(str))
    lt = pd.Index(list(LINK_CODES)).get_indexer(kinds).astype(np.int8)[codes]
    del codes
    if (lt < 0).any():
        i = int(np.argmax(lt < 0))
        raise PmkitError(f"project {pid}: link {ids[pi[i]]} -> {ids[si[i]]} has unknown type "
                         f"{deps['type'].iloc[i]!r} (use FS, SS, FF or SF)")
    lag = deps["lag_days"].astype(float).fillna(0.0).to_numpy()
    if is_summary.any():
        # links to or from a summary task hold for every leaf task below it
        pairs = _leaf_descendants(ids, parent, is_summary)
        expand = pd.DataFrame({"pos": np.r_[all_ids.get_indexer(pairs["summary_id"]), leaf_pos],
                               "leaf": np.r_[all_ids.get_indexer(pairs["leaf_id"]), leaf_pos]})
        links = pd.DataFrame({"pos": pi, "s": si, "lt": lt, "lag": lag}).merge(expand, on="pos")
        links = links.assign(pos=links["s"]).drop(columns="s").rename(columns={"leaf": "p"}).merge(expand, on="pos")
        pi, si = links["p"].to_numpy(), links["leaf"].to_numpy()
        lt, lag = links["lt"].to_numpy(), links["lag"].to_numpy()
    node_of = np.full(len(ids), -1, dtype=np.int64)
    node_of[leaf_pos] = np.arange(len(leaf_pos))
    it = _index_dtype(2 * len(ids) + 2)
    if is_summary.any():
        pred, succ = node_of[pi].astype(it), node_of[si].astype(it)
    else:  # every task is a node: positions are node numbers already
        pred, succ = pi.astype(it), si.astype(it)
    del pi, si, all_ids, node_of
    leaf = tasks.iloc[leaf_pos] if len(leaf_pos) < len(tasks) else tasks
    dur = leaf["duration_days"].to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isnan(dur).any() or (dur < 0).any():
        bad = leaf_ids[np.isnan(dur) | (dur < 0)]
        raise PmkitError(f"project {pid}: tasks without a valid duration_days: {', '.join(bad[:10])}")
    _check_limits(project, tasks, leaf_pos, dur, deps, deps["lag_days"].astype(float).fillna(0.0).to_numpy(),
                  _status_date(project, status_date))
    # calendars: code 0 is the project calendar
    cal_codes, cal_names = pd.factorize(leaf["calendar_id"].fillna("").astype(str))
    cal_names = np.where(cal_names == project.calendar.calendar_id, "", np.asarray(cal_names, dtype=object))
    others = sorted(set(cal_names) - {""})
    missing = [c for c in others if c not in project.calendars]
    if missing:
        raise PmkitError(f"project {pid}: tasks use unknown calendars: {', '.join(missing)}")
    cals = (project.calendar, *(project.calendars[c] for c in others))
    code = ["", *others]  # position = calendar code
    cal = pd.Index(list(code)).get_indexer(cal_names)[cal_codes].astype(np.int64)
    del cal_codes
    axis = _TimeAxis(np.datetime64(project.start_date.date(), "D"), cals)
    n = len(leaf_ids)
    # constraints: start dates at the beginning of the day, finish dates at its end
    ct_codes, ct_names = pd.factorize(leaf["constraint_type"].fillna("ASAP").astype(str))
    ctype = np.array([c.upper() for c in ct_names], dtype=object)[ct_codes] if n else np.empty(0, object)
    del ct_codes
    cdate = leaf["constraint_date"]
    c_start = axis.offset_of_dates(cal, cdate)
    c_fin = axis.offset_of_dates(cal, cdate, end_of_day=True)
    dated = np.isin(ctype, ["SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO"])
    undated = dated & np.isnan(c_start)
    if undated.any():
        raise PmkitError(f"project {pid}: constraint without constraint_date on tasks "
                         f"{', '.join(leaf_ids[undated][:10])}")
    # manually scheduled tasks stay on their own start (the constraint_date); MS Project does
    # not apply a constraint type to them
    manual = (leaf["manual"].fillna(False).to_numpy(dtype=bool) if "manual" in leaf.columns
              else np.zeros(n, bool))
    pinned = manual & ~np.isnan(c_start)
    if manual.any():
        ctype = np.where(manual, "ASAP", ctype)
    inf = np.full(n, np.inf)
    b = {
        "lb_start": np.where(ctype == "SNET", c_start, 0.0),
        "lb_finish": np.where(ctype == "FNET", c_fin, -np.inf),
        "ub_start": np.where(ctype == "SNLT", c_start, inf),
        "ub_finish": np.where(ctype == "FNLT", c_fin, inf),
        "fix_start": np.where((ctype == "MSO") | pinned, c_start, np.nan),
        "fix_finish": np.where(ctype == "MFO", c_fin, np.nan),
        "late_ub_start": np.where(np.isin(ctype, ["SNLT", "MSO"]), c_start, inf),
        "late_ub_finish": np.where(np.isin(ctype, ["FNLT", "MFO"]), c_fin, inf),
        "actual_start": np.full(n, np.nan), "actual_finish": np.full(n, np.nan),
        "alap": ctype == "ALAP",
    }
    del c_start, c_fin, inf, cdate
    deadline = np.inf
    if project.deadline is not None:
        deadline = float(axis.offset_of_dates(0, [project.deadline], end_of_day=True)[0])
    state = np.full(n, "not started", dtype=object)
    pct = np.zeros(n)
    remaining = dur.copy()
    a_start = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    a_finish = a_start.copy()
    sd = _status_date(project, status_date)
    if sd is not None:
        st = project.status_at(sd)
        rec = st.assign(task_id=st["task_id"].astype(str)).drop_duplicates("task_id", keep="last")
        rec = rec.set_index("task_id").reindex(leaf_ids)
        pct = rec["percent_complete"].to_numpy(dtype=np.float64, na_value=np.nan)
        pct = np.nan_to_num(pct, nan=0.0)
        a_start = rec["actual_start"].to_numpy(dtype="datetime64[D]")
        a_finish = rec["actual_finish"].to_numpy(dtype="datetime64[D]")
        rem = rec["remaining_days"].to_numpy(dtype=np.float64, na_value=np.nan)
        status_off = axis.working(cal, float((np.datetime64(sd.date(), "D") - axis.origin).astype(np.int64) + 1))
        finished = ~np.isnat(a_finish) | (pct >= 100)
        started = ~finished & (~np.isnat(a_start) | (pct > 0))
        as_off = axis.offset_of_dates(cal, a_start)
        af_off = axis.offset_of_dates(cal, a_finish, end_of_day=True)
        # finished work keeps its actual dates (missing ones are inferred from the duration)
        af_off = np.where(np.isnan(af_off), np.minimum(np.nan_to_num(as_off, nan=-np.inf) + dur, status_off), af_off)
        as_off = np.where(np.isnan(as_off), af_off - dur, as_off)
        as_off = np.where(finished, np.minimum(as_off, af_off), as_off)
        # work in progress: remaining duration from the record or from percent complete
        rem = np.where(np.isnan(rem), dur * (1 - pct / 100), rem)
        as_off = np.where(started & np.isnan(as_off), status_off - dur * pct / 100, as_off)
        progressed = finished | started
        for key in ("ub_start", "late_ub_start"):
            b[key] = np.where(progressed, np.inf, b[key])
        b["fix_start"] = np.where(progressed, np.nan, b["fix_start"])
        b["alap"] = b["alap"] & ~progressed
        b["lb_start"] = np.where(progressed, 0.0, np.maximum(b["lb_start"], status_off))
        if progress == "retained_logic":
            b["lb_start"] = np.where(started, status_off, b["lb_start"])
        else:  # progress override: remaining work resumes at the status date whatever the logic
            b["fix_start"] = np.where(started, status_off, b["fix_start"])
        b["actual_start"] = np.where(progressed, as_off, np.nan)
        b["actual_finish"] = np.where(finished, af_off, np.nan)
        with np.errstate(invalid="ignore"):  # inf - inf where not finished; discarded by where
            dur = np.where(finished, af_off - as_off, np.where(started, rem, dur))
        remaining = np.where(finished, 0.0, np.where(started, rem, remaining))
        pct = np.where(finished, 100.0, pct)
        state = np.where(finished, "finished", np.where(started, "in progress", "not started")).astype(object)
    net = build_network(leaf_ids, dur, pred, succ, lt, lag, calendar=cal,
                        calendars=cals, origin=project.start_date, project_id=pid, axis=axis,
                        deadline=deadline, manual=manual, copy=False, **b)
    info = _Info(leaf_pos, state, pct, remaining, a_start, a_finish, sd)
    return net, info


def _status_date(project, status_date) -> pd.Timestamp | None:
    if status_date is not None:
        return pd.Timestamp(status_date).normalize()
    if project.status_date is not None:
        return project.status_date.normalize()
    if project.status is None or not len(project.status):
        return None
    dates = project.status_dates
    return pd.Timestamp(dates[-1]) if dates else None


def compile_network(project, status_date=None, progress: str = "retained_logic") -> Network:
    """Compile a :class:`pmkit.Project` into a :class:`Network` for the kernel.

    Parameters
    ----------
    project : pmkit.Project
    status_date : date-like, optional
        Status (data) date; default the project's ``status_date`` or its latest status
        records. Work up to the end of this day is done; remaining work is scheduled from
        the next working day.
    progress : {"retained_logic", "progress_override"}
        Retained logic (default): the remaining work of a started task still waits for its
        unfinished predecessors. Progress override: it resumes at the status date.

    Raises
    ------
    pmkit.errors.CycleError
        When the links form a cycle (the message names its tasks).
    pmkit.errors.PmkitError
        For unknown tasks or calendars, missing constraint dates, bad durations.

    Examples
    --------
    >>> from pmkit import synth
    >>> net = compile_network(synth.project(100, seed=3))
    >>> net.n, net.calendar_ids
    (100, ('standard', 'site'))
    """
    return _compile(project, status_date, progress)[0]


# =========================================================================== tables

@dataclass(frozen=True)
class _Analysis:
    network: Network
    info: _Info
    solution: Solution
    link_slack: np.ndarray   # per link (network order), working days of the successor's calendar
    driving: np.ndarray      # per node: position of the driving link or -1


def _offset_limits(net: Network) -> tuple[np.ndarray, np.ndarray]:
    """Per calendar: the working offsets of the start of LIMITS' earliest and the end of its latest date."""
    lo = np.array([-float(np.busday_count(_EARLIEST, net.origin, busdaycal=c.busdaycal)) for c in net.calendars])
    hi = np.array([float(np.busday_count(net.origin, _LATEST + 1, busdaycal=c.busdaycal)) for c in net.calendars])
    return lo, hi


def _out_of_range(net: Network, offsets: tuple[np.ndarray, ...], calendar: np.ndarray,
                  limits: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    lo, hi = limits[0][calendar], limits[1][calendar]
    bad = np.zeros(net.n, dtype=bool)
    for w in offsets:
        w = np.asarray(w, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            bad |= np.isfinite(w) & ((w < lo - _SNAP) | (w > hi + _SNAP))
    return bad


def _range_error(net: Network, project, bad: np.ndarray, es: np.ndarray) -> PmkitError:
    """A PmkitError naming the first task (by early start) whose dates leave LIMITS' range."""
    nodes = np.flatnonzero(bad)
    first = int(nodes[np.argmin(np.nan_to_num(np.asarray(es, dtype=np.float64)[nodes], nan=np.inf))])
    tasks = project.tasks
    pos = int(np.flatnonzero(tasks["task_id"].astype(str).to_numpy() == str(net.task_ids[first]))[0])
    more = f" ({nodes.size - 1} more task(s) after it)" if nodes.size > 1 else ""
    return PmkitError(f"project {project.project_id}: {_task_label(tasks, pos)}{more} would be scheduled outside "
                      f"the dates pmkit schedules, {_limits_message()}; check its duration_days and the lags "
                      "leading to it")


def _refuse_out_of_range(net: Network, project) -> PmkitError:
    """The error for a network whose time axis left LIMITS while solving (mixed calendars).

    The task is found by a forward pass on the project calendar alone (pure arithmetic,
    no time axis), which is close enough to name where the dates run away.
    """
    flat = build_network(net.task_ids, net.durations, net.pred, net.succ, net.link_type, net.lag,
                         calendars=(net.calendars[0],), origin=net.origin, lb_start=net.lb_start,
                         actual_start=net.actual_start, actual_finish=net.actual_finish)
    es, ef = forward_pass(flat)
    bad = _out_of_range(flat, (es, ef), np.zeros(net.n, np.int64), _offset_limits(flat))
    if not bad.any():
        return PmkitError(f"project {project.project_id}: the schedule would reach dates outside "
                          f"{_limits_message()}; check the durations and lags of tasks on other calendars")
    return _range_error(net, project, bad, es)


def _analyse(project, status_date=None, progress: str = "retained_logic") -> _Analysis:
    net, info = _compile(project, status_date, progress)
    try:
        sol = solve_network(net)
    except _BeyondLimits:
        raise _refuse_out_of_range(net, project) from None
    if net.n:  # every date shown must lie within LIMITS: refuse before the axis is sized for it
        bad = _out_of_range(net, (sol.early_start, sol.early_finish, sol.late_start, sol.late_finish),
                            net.calendar, _offset_limits(net))
        if bad.any():
            raise _range_error(net, project, bad, sol.early_start)
    es, ef, d = sol.early_start, sol.early_finish, net.durations
    to_fin = _TO_FINISH[net.link_type.astype(np.int64)]
    from_fin = _FROM_FINISH[net.link_type.astype(np.int64)]
    src = np.where(from_fin == 1, ef[net.pred], es[net.pred])
    cross = net.calendar[net.pred] != net.calendar[net.succ]
    if cross.any():
        src[cross] = net.axis.convert(src[cross], net.calendar[net.pred[cross]],
                                      net.calendar[net.succ[cross]], from_fin[cross].astype(bool))
    # against the successor's (resume) start or its finish
    target = np.where(to_fin == 1, ef[net.succ], ef[net.succ] - d[net.succ])
    slack = target - (src + net.lag)
    driving = np.full(net.n, -1, dtype=np.int64)
    if len(slack):
        order = np.lexsort((np.arange(len(slack)), slack, net.succ))
        first = order[np.r_[True, net.succ[order][1:] != net.succ[order][:-1]]]
        ok = (slack[first] <= CRITICAL_TOLERANCE) & (info.state[net.succ[first]] != "finished")
        driving[net.succ[first[ok]]] = first[ok]
    return _Analysis(net, info, sol, slack, driving)


def _dates(a: _Analysis) -> dict[str, np.ndarray]:
    """Display dates: start = working day started on, finish = last working day worked."""
    net, sol, info = a.network, a.solution, a.info
    zero = net.durations <= 0
    # a zero-duration task sits at its driving predecessor's finish (FS/FF) else at a start
    drv = a.driving
    by_finish = np.zeros(net.n, dtype=bool)
    has = drv >= 0
    by_finish[has] = _FROM_FINISH[net.link_type[drv[has]].astype(np.int64)] == 1
    by_finish &= zero
    ms_kind = by_finish | (zero & ~has & (sol.early_start > 0) & (net.lb_start <= 0))
    out = {}
    for name, off, kind in (("early_start", sol.early_start, False), ("early_finish", sol.early_finish, True),
                            ("late_start", sol.late_start, False), ("late_finish", sol.late_finish, True)):
        k = np.where(zero, ms_kind, kind)
        out[name] = net.axis.dates(net.calendar, off, k)
    started = ~np.isnat(info.actual_start)
    out["early_start"] = np.where(started & (info.state != "not started"), info.actual_start, out["early_start"])
    done = (info.state == "finished") & ~np.isnat(info.actual_finish)
    out["early_finish"] = np.where(done, info.actual_finish, out["early_finish"])
    for late, early in (("late_start", "early_start"), ("late_finish", "early_finish")):
        out[late] = np.where(info.state == "finished", out[early], out[late])
    return out


_COLUMNS = ["task_id", "name", "wbs", "parent_id", "summary", "milestone", "calendar_id", "duration_days",
            "remaining_days", "percent_complete", "progress", "early_start", "early_finish", "late_start",
            "late_finish", "total_float_days", "free_float_days", "critical", "driving_predecessor",
            "constraint_type", "constraint_date", "actual_start", "actual_finish"]


def schedule(project, status_date=None, progress: str = "retained_logic") -> pd.DataFrame:
    """Critical path schedule of a project: one row per task.

    Parameters
    ----------
    project : pmkit.Project
    status_date : date-like, optional
        Status (data) date; default the project's status date or its latest progress
        records. Without one, the plan is scheduled from the project start.
    progress : {"retained_logic", "progress_override"}
        How the remaining work of started tasks treats unfinished predecessors.

    Returns
    -------
    DataFrame
        In the order of ``project.tasks``: ``task_id, name, wbs, parent_id, summary,
        milestone, calendar_id, duration_days, remaining_days, percent_complete, progress``
        (not started / in progress / finished), ``early_start, early_finish, late_start,
        late_finish`` (dates: start = working day the task starts on, finish = last working
        day worked), ``total_float_days, free_float_days`` (working days of the task's
        calendar), ``critical`` (total float <= 0 and not finished), ``driving_predecessor``
        (the predecessor whose link sets the early start; blank when a constraint, the
        project start or the status date does), ``constraint_type, constraint_date,
        actual_start, actual_finish``. ``df.attrs`` holds ``project_id``, ``status_date``,
        ``project_finish`` and ``project_length_days``.

    Notes
    -----
    Critical path method (Kelley & Walker 1959) with precedence links and lags (PMBOK
    Guide 7th ed. §2.4.2.4): forward pass for early dates, backward pass from
    ``min(project finish, deadline)`` for late dates, total float ``LF - EF``, free float
    the smallest link slack. Constraints win over logic; conflicts give negative float.
    Summary tasks (named as ``parent_id``) roll up their leaf tasks: earliest start,
    latest finish, smallest total float. Finished tasks keep their actual dates.

    Examples
    --------
    >>> import pmkit
    >>> prj = pmkit.synth.project(40, seed=1)
    >>> df = pmkit.schedule(prj)
    >>> list(df.columns[:4])
    ['task_id', 'name', 'wbs', 'parent_id']
    >>> bool(df["critical"].any())
    True
    """
    return _table(_analyse(project, status_date, progress), project)


def _table(a: _Analysis, project) -> pd.DataFrame:
    net, sol, info = a.network, a.solution, a.info
    tasks = project.tasks
    n_all = len(tasks)
    pos = info.leaf_pos
    dates = _dates(a)

    def full(values, fill, dtype=None):
        out = np.full(n_all, fill, dtype=dtype or np.asarray(values).dtype)
        out[pos] = values
        return out

    nat = np.datetime64("NaT", "D")
    df = pd.DataFrame({
        "task_id": tasks["task_id"].astype(str).to_numpy(dtype=object),
        "name": tasks["name"].to_numpy(dtype=object),
        "wbs": tasks["wbs"].fillna("").to_numpy(dtype=object),
        "parent_id": tasks["parent_id"].fillna("").astype(str).to_numpy(dtype=object),
        "summary": full(np.zeros(net.n, bool), True),
        "milestone": tasks["milestone"].fillna(False).to_numpy(dtype=bool) | full(net.durations <= 0, False),
        "calendar_id": full(np.array(net.calendar_ids, dtype=object)[net.calendar], "", object),
        "duration_days": tasks["duration_days"].to_numpy(dtype=np.float64, na_value=np.nan),
        "remaining_days": full(info.remaining, np.nan),
        "percent_complete": full(info.percent_complete, np.nan),
        "progress": full(info.state, "", object),
        **{k: full(v, nat) for k, v in dates.items()},
        "total_float_days": full(_tidy(sol.total_float), np.nan),
        "free_float_days": full(_tidy(sol.free_float), np.nan),
        "critical": full((sol.total_float <= CRITICAL_TOLERANCE) & (info.state != "finished"), False),
        "driving_predecessor": full(np.where(a.driving >= 0, net.task_ids[net.pred[np.maximum(a.driving, 0)]]
                                             if len(net.pred) else "", ""), "", object),
        "constraint_type": tasks["constraint_type"].fillna("ASAP").astype(str).to_numpy(dtype=object),
        "constraint_date": tasks["constraint_date"].to_numpy(dtype="datetime64[ns]"),
        "actual_start": full(info.actual_start, nat),
        "actual_finish": full(info.actual_finish, nat),
    })
    df["calendar_id"] = np.where(df["calendar_id"] == "", project.calendar.calendar_id, df["calendar_id"])
    for c in ("early_start", "early_finish", "late_start", "late_finish", "actual_start", "actual_finish"):
        df[c] = pd.to_datetime(df[c])
    if n_all > net.n:
        df = _roll_up(df, project)
    length = float(sol.project_length)
    finish = net.axis.dates(0, np.array([length]), True)[0] if net.n else np.datetime64("NaT")
    df.attrs.update(project_id=project.project_id, status_date=info.status_date,
                    project_finish=pd.Timestamp(finish), project_length_days=float(_tidy(length)))
    return df[_COLUMNS]


def _tidy(x):
    """Floats without summation noise (7e-15 float shows as 0)."""
    return np.round(_snap(np.asarray(x, dtype=np.float64)), 9) + 0.0


def _roll_up(df: pd.DataFrame, project) -> pd.DataFrame:
    """Summary rows from their leaf tasks (nested summaries included)."""
    ids = df["task_id"].to_numpy(dtype=object)
    pairs = _leaf_descendants(ids, df["parent_id"].to_numpy(dtype=object), ~np.isin(ids, ids[~df["summary"]]))
    leaf = df.set_index("task_id").loc[pairs["leaf_id"]].reset_index(drop=True)
    leaf["summary_id"] = pairs["summary_id"].to_numpy()
    leaf["weight"] = leaf["duration_days"].clip(lower=1e-9)
    leaf["done"] = leaf["weight"] * leaf["percent_complete"]
    g = leaf.groupby("summary_id")
    agg = pd.DataFrame({
        "early_start": g["early_start"].min(), "early_finish": g["early_finish"].max(),
        "late_start": g["late_start"].min(), "late_finish": g["late_finish"].max(),
        "total_float_days": g["total_float_days"].min(), "critical": g["critical"].any(),
        "percent_complete": g["done"].sum() / g["weight"].sum(),
        "actual_start": g["actual_start"].min(),
    })
    done = g["progress"].agg(lambda s: (s == "finished").all())
    agg["actual_finish"] = g["actual_finish"].max().where(done)
    agg["progress"] = np.where(done, "finished", np.where(agg["percent_complete"] > 0, "in progress", "not started"))
    cal = project.calendar
    agg["duration_days"] = cal.working_days_between(agg["early_start"], agg["early_finish"] + pd.Timedelta(days=1))
    rows = df["summary"].to_numpy()
    sub = agg.reindex(df.loc[rows, "task_id"])
    for c in agg.columns:
        df.loc[rows, c] = sub[c].to_numpy()
    df.loc[rows, "remaining_days"] = np.nan
    df.loc[rows, "free_float_days"] = np.nan
    return df


def project_finish(project, status_date=None, progress: str = "retained_logic") -> pd.Timestamp:
    """The project's early finish date (the last working day of its last task).

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.scheduling import project_finish
    >>> project_finish(pmkit.synth.project(40, seed=1, progress=None)) > pd.Timestamp("2025-01-06")
    True
    """
    a = _analyse(project, status_date, progress)
    if not a.network.n:
        return pd.Timestamp(project.start_date)
    return pd.Timestamp(a.network.axis.dates(0, np.array([float(a.solution.project_length)]), True)[0])


def _rows(a: _Analysis, project, nodes: np.ndarray, extra: dict) -> pd.DataFrame:
    table = _table(a, project)
    out = table.iloc[a.info.leaf_pos[nodes]].assign(**extra)
    return out.sort_values(["early_start", "early_finish", "task_id"], kind="stable").reset_index(drop=True)


def critical_path(project, status_date=None, progress: str = "retained_logic") -> pd.DataFrame:
    """Critical tasks (total float <= 0), grouped into paths, in order of early start.

    Tasks joined by critical links (zero slack between two critical tasks) form one path;
    ``path`` numbers the paths 1, 2, ... by their earliest start. A project whose
    deadline lies before its finish has a negative-float critical path.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.scheduling import critical_path
    >>> cp = critical_path(pmkit.synth.project(60, seed=5, progress=None))
    >>> bool((cp["total_float_days"] <= 0).all()), int(cp["path"].min())
    (True, 1)
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    a = _analyse(project, status_date, progress)
    net = a.network
    crit = (a.solution.total_float <= CRITICAL_TOLERANCE) & (a.info.state != "finished")
    nodes = np.flatnonzero(crit)
    link = crit[net.pred] & crit[net.succ] & (a.link_slack <= CRITICAL_TOLERANCE)
    g = coo_matrix((np.ones(int(link.sum())), (net.pred[link], net.succ[link])), shape=(net.n, net.n))
    _, comp = connected_components(g, directed=True, connection="weak")
    first = pd.Series(a.solution.early_start[nodes]).groupby(comp[nodes]).transform("min").to_numpy()
    rank = pd.Series(first * 1e6 + comp[nodes]).rank(method="dense").to_numpy(dtype=np.int64) if nodes.size else []
    return _rows(a, project, nodes, {"path": rank})


def longest_path(project, status_date=None, progress: str = "retained_logic") -> pd.DataFrame:
    """The longest path: the chain(s) of driving links that end at the project finish.

    Unlike "total float <= 0", it does not depend on constraints or a deadline (the
    Primavera P6 definition). A task on it may show a little float when a successor's
    calendar does not work when the task ends (e.g. a Mon-Sat task ending mid-Saturday
    before a Mon-Fri successor). Tasks are in order of early start.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.scheduling import longest_path
    >>> prj = pmkit.synth.project(60, seed=5, progress=None)
    >>> lp = longest_path(prj)
    >>> lp["early_finish"].max() == project_finish(prj)
    True
    """
    a = _analyse(project, status_date, progress)
    net, sol = a.network, a.solution
    if not net.n:
        return _rows(a, project, np.empty(0, np.int64), {})
    other = net.calendar != 0
    ef = sol.early_finish.copy()
    if other.any():
        ef[other] = net.axis.convert(ef[other], net.calendar[other], 0, True)
    on = np.abs(ef - float(sol.project_length)) <= CRITICAL_TOLERANCE
    # walk driving links backwards, one frontier at a time
    drv = a.driving
    frontier = np.flatnonzero(on)
    while frontier.size:
        e = drv[frontier]
        prev = net.pred[e[e >= 0]]
        frontier = prev[~on[prev]]
        on[frontier] = True
    return _rows(a, project, np.flatnonzero(on), {})


def resource_loading(project, schedule_df: pd.DataFrame | None = None, freq: str = "W",
                     capacity: pd.DataFrame | None = None) -> pd.DataFrame:
    """Demand and capacity per role and period from the scheduled (early) dates.

    Parameters
    ----------
    project : pmkit.Project
        Its ``assignments`` give the demand (``units`` while the task runs, spread evenly
        over the task's working days); its ``resources`` give each role's capacity
        (sum of ``capacity_units`` per working day).
    schedule_df : DataFrame, optional
        From :func:`schedule` (computed when omitted).
    freq : str
        pandas period frequency: ``"D"``, ``"W"`` (weeks from Monday), ``"M"``, ``"Q"``.
    capacity : DataFrame, optional
        The portfolio ``capacity`` table (person-days per role and month); with monthly
        periods it replaces the capacity from resources.

    Returns
    -------
    DataFrame
        One row per role and period: ``role_id, period_start, period_end, working_days,
        demand_days`` (person-days), ``capacity_days`` (person-days), ``utilization``
        (demand / capacity; NaN without capacity), ``overloaded`` (bool).

    Examples
    --------
    >>> import pmkit
    >>> prj = pmkit.synth.project(60, seed=1)
    >>> load = resource_loading(prj, freq="M")
    >>> bool((load["demand_days"] >= 0).all())
    True
    """
    sched = schedule(project) if schedule_df is None else schedule_df
    cal = project.calendar
    asg = _assignment_roles(project)
    leaf = sched[~sched["summary"]].set_index("task_id")
    asg = asg[asg["task_id"].isin(leaf.index)]
    cols = ["role_id", "period_start", "period_end", "working_days", "demand_days", "capacity_days",
            "utilization", "overloaded"]
    if asg.empty or leaf["early_start"].isna().all():
        return pd.DataFrame({c: [] for c in cols})
    start = leaf["early_start"].min()
    end = leaf["early_finish"].max()
    periods = pd.period_range(start, end, freq=freq)
    p_start = periods.start_time.normalize().to_numpy(dtype="datetime64[D]")
    p_end = (periods.end_time.normalize() + pd.Timedelta(days=1)).to_numpy(dtype="datetime64[D]")
    origin = p_start[0]
    # working offsets (project calendar) of each task's [start, end of finish day) and periods
    t_s = cal.date_to_offset(origin, leaf.loc[asg["task_id"], "early_start"].to_numpy(dtype="datetime64[D]"))
    t_f = cal.date_to_offset(origin, leaf.loc[asg["task_id"], "early_finish"].to_numpy(dtype="datetime64[D]")
                             + np.timedelta64(1, "D"))
    t_f = np.maximum(t_f, t_s)
    b = cal.date_to_offset(origin, np.r_[p_start, p_end[-1:]]).astype(np.float64)
    units = asg["units"].to_numpy(dtype=np.float64)
    # person-days up to each boundary: sum u * clip(b - start, 0, length); sorted prefix sums
    rows = []
    roles = asg["role_id"].to_numpy(dtype=object)
    for role in sorted(set(roles)):
        m = roles == role
        cum = _cumulative_work(t_s[m].astype(float), t_f[m].astype(float), units[m], b)
        rows.append(pd.DataFrame({"role_id": role, "period_start": p_start, "period_end": p_end - np.timedelta64(1, "D"),
                                  "working_days": np.diff(b), "demand_days": np.diff(cum)}))
    out = pd.concat(rows, ignore_index=True)
    out["period_start"] = pd.to_datetime(out["period_start"])
    out["period_end"] = pd.to_datetime(out["period_end"])
    res = project.resources
    per_role = res.groupby(res["role_id"].astype(str))["capacity_units"].sum() if len(res) else pd.Series(dtype=float)
    out["capacity_days"] = out["role_id"].map(per_role).astype(float) * out["working_days"]
    if capacity is not None and len(capacity) and freq.upper().startswith("M"):
        cap = capacity.assign(period_start=pd.to_datetime(capacity["month"]).dt.to_period("M").dt.start_time)
        cap = cap.groupby(["role_id", "period_start"])["capacity_days"].sum()
        key = pd.MultiIndex.from_arrays([out["role_id"], out["period_start"]])
        out["capacity_days"] = cap.reindex(key).to_numpy()
    out["utilization"] = out["demand_days"] / out["capacity_days"].where(out["capacity_days"] > 0)
    out["overloaded"] = (out["demand_days"] > out["capacity_days"] + 1e-9).fillna(False)
    return out[cols]


def _assignment_roles(project) -> pd.DataFrame:
    """Assignments with the role filled in from the named resource when blank."""
    asg = project.assignments
    if asg is None or not len(asg):
        return pd.DataFrame({"task_id": [], "role_id": [], "units": []})
    res = project.resources
    role_of = dict(zip(res["resource_id"].astype(str), res["role_id"].astype(str), strict=True)) if len(res) else {}
    role = asg["role_id"].fillna("").astype(str)
    named = asg["resource_id"].fillna("").astype(str).map(role_of).fillna("")
    role = role.where(role != "", named).replace("", "(unassigned role)")
    return pd.DataFrame({"task_id": asg["task_id"].astype(str).to_numpy(), "role_id": role.to_numpy(),
                         "units": asg["units"].astype(float).fillna(1.0).to_numpy()})


def _cumulative_work(start: np.ndarray, finish: np.ndarray, units: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``sum_i units_i * clip(at - start_i, 0, finish_i - start_i)`` for each ``at``, in O((n + m) log n)."""

    def ramp(x: np.ndarray) -> np.ndarray:  # sum over x_i < at of u_i * (at - x_i)
        o = np.argsort(x)
        xs, us = x[o], units[o]
        cu = np.r_[0.0, np.cumsum(us)]
        cux = np.r_[0.0, np.cumsum(us * xs)]
        k = np.searchsorted(xs, at, side="left")
        return cu[k] * at - cux[k]

    return ramp(start) - ramp(finish)


__all__ = [
    "CRITICAL_TOLERANCE", "LINK_CODES", "PROGRESS_MODES", "Network", "Solution", "backward_pass",
    "build_network", "compile_network", "critical_path", "forward_pass", "free_float", "longest_path",
    "project_finish", "resource_loading", "schedule", "solve_network",
]
