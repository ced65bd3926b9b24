"""Compiled CPM passes for many iterations at once (private; used by :mod:`pmkit.project.montecarlo`).

The numpy kernel of :mod:`pmkit.project.scheduling` schedules ``k`` rows of durations level by
level; every level touches a ``(k, edges)`` slice, so a Monte Carlo run of 10,000
iterations on 5,000 activities moves gigabytes through memory. Here each iteration is one
sequential walk over the tasks in topological order with the links in CSR form (a few
hundred microseconds), and iterations run in parallel (``numba.prange``). The semantics are
those of :func:`pmkit.project.scheduling.forward_pass` and :func:`pmkit.project.scheduling.backward_pass`,
term by term:

* forward: ``R_j = max(lb_start, lb_finish - d_j, max over links i->j)`` of ``EF_i`` (FS,
  FF) or ``ES_i`` (SS, SF), carried to the successor's calendar through the continuous time
  axis (a finish at the end of its last working day, a start at the beginning of its day),
  plus the lag, minus ``d_j`` for FF/SF; then SNLT/FNLT caps (never before ``lb_start``),
  MSO/MFO dates, and actual dates of started/finished tasks;
* backward: ``LF_i = min(min(project finish, deadline)`` in the task's calendar, FNLT/MFO,
  ``SNLT/MSO + d_i``, over links ``i->j`` of ``LS_j`` (FS, SS) or ``LF_j`` (FF, SF) minus
  the lag, carried to the predecessor's calendar as a start, plus ``d_i`` for SS/SF)``; a
  link leaving the start of a manually scheduled task does not limit it; finished tasks
  keep their actual dates.

Working time of each calendar is a lookup table over a window of days (cumulative working
days per day and the day of every working day), like ``scheduling._TimeAxis``; a pass that
reaches outside the window reports how far it went and is run again on a wider one.

Random numbers come from a counter-based generator (SplitMix64, Steele, Lea & Flood,
"Fast splittable pseudorandom number generators", OOPSLA 2014) keyed by the seed, the
iteration and the task, so a run gives the same numbers whatever the number of threads.
Draws are turned into durations by quantile tables (see :func:`quantile_tables`).
"""

from __future__ import annotations

import functools
import math

import numba
import numpy as np
from numba import njit, prange

# rows of the per-node bounds array
LB_S, LB_F, UB_S, UB_F, FIX_S, FIX_F, LUB_S, LUB_F, ACT_S, ACT_F = range(10)
_SPECIAL, _FINISHED = 1, 2           # node flags
_FROM_FIN, _TO_FIN = 1, 2            # in-edge kinds
_OUT_TO_FIN, _OUT_FROM_START, _OUT_OPEN = 1, 2, 4  # out-edge kinds
_SNAP = 1e-7                         # as scheduling._SNAP
#: Blocks of rows of the passes (accumulators per block; fixed so sums do not depend on threads).
N_BLOCKS = 8
#: Blocks of a simulation: at most MAX_BLOCKS, and per-block accumulators of at most
#: _BLOCK_CELLS task values in all.
MAX_BLOCKS, _BLOCK_CELLS = 64, 4_000_000
#: Quantile tables: ``BODY_CELLS`` cells over ``u`` in [TAIL, 1 - TAIL], ``TAIL_CELLS`` over
#: ``log u`` (and ``log(1 - u)``) down to LOG_P_MIN, below the smallest draw, 2**-54.
TAIL, BODY_CELLS, TAIL_CELLS, LOG_P_MIN = 2.0 ** -6, 1024, 256, math.log(2.0 ** -55)
#: Table of the normal CDF on [-Z_MAX, 0] (the copula's normal scores back to probabilities).
Z_MAX, Z_CELLS = 8.5, 2048
#: Cells of the numerical beta CDF from which PERT quantiles are read.
X_CELLS = 2048
#: Columns of the quantile tables: mode positions k / SHAPE_CELLS (interpolated between).
SHAPE_CELLS = 256

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


# =========================================================================== network

class Kernel:
    """A :class:`pmkit.project.scheduling.Network` as flat arrays for the compiled passes."""

    def __init__(self, net):
        n = net.n
        self.n = n
        # int32 positions while they fit: a million-task network stays well under 1 GB
        ix = np.int32 if max(n, len(net.pred)) < 2**31 - 1 else np.int64
        self.order = np.ascontiguousarray(net.levels.order, dtype=ix)
        pred = np.asarray(net.pred, dtype=ix)
        succ = np.asarray(net.succ, dtype=ix)
        lt = np.asarray(net.link_type)
        from_fin = (lt == 0) | (lt == 2)   # FS, FF leave the predecessor's finish
        to_fin = (lt == 2) | (lt == 3)     # FF, SF arrive at the successor's finish
        del lt
        lag = np.asarray(net.lag, dtype=np.float64)
        fo = np.argsort(succ, kind="stable")
        self.in_ptr = np.r_[0, np.cumsum(np.bincount(succ, minlength=n))].astype(ix)
        self.in_src = pred[fo]
        self.in_kind = (from_fin[fo] * _FROM_FIN + to_fin[fo] * _TO_FIN).astype(np.int8)
        self.in_lag = lag[fo]
        del fo
        bo = np.argsort(pred, kind="stable")
        manual = getattr(net, "manual", None)
        is_open = (np.asarray(manual, bool)[pred] & ~from_fin) if manual is not None else np.zeros(len(pred), bool)
        self.out_ptr = np.r_[0, np.cumsum(np.bincount(pred, minlength=n))].astype(ix)
        self.out_dst = succ[bo]
        self.out_kind = (to_fin[bo] * _OUT_TO_FIN + ~from_fin[bo] * _OUT_FROM_START
                         + is_open[bo] * _OUT_OPEN).astype(np.int8)
        self.out_lag = lag[bo]
        del bo, pred, succ, from_fin, to_fin, is_open
        self.cal = np.asarray(net.calendar, dtype=ix)
        self.bounds = np.ascontiguousarray(np.stack([
            np.asarray(getattr(net, name), dtype=np.float64) for name in (
                "lb_start", "lb_finish", "ub_start", "ub_finish", "fix_start", "fix_finish",
                "late_ub_start", "late_ub_finish", "actual_start", "actual_finish")]))
        b = self.bounds
        special = (np.isfinite(b[UB_S]) | np.isfinite(b[UB_F]) | np.isfinite(b[FIX_S]) | np.isfinite(b[FIX_F])
                   | np.isfinite(b[ACT_S]) | np.isfinite(b[ACT_F]))
        finished = np.isfinite(b[ACT_S]) & np.isfinite(b[ACT_F])
        self.flags = (special * _SPECIAL + finished * _FINISHED).astype(np.int8)
        self.deadline = float(net.deadline)
        self.calendars = tuple(net.calendars)
        self.origin = np.datetime64(net.origin, "D")
        self._axis(-400, 4000)

    def _axis(self, lo: int, hi: int) -> None:
        """Working-time tables over days ``[lo, hi)`` from the origin, one row per calendar."""
        days = self.origin + np.arange(lo, hi)
        work = np.stack([np.is_busday(days, busdaycal=c.busdaycal) for c in self.calendars])
        # working days in [lo, 0), so that day 0 starts at working offset 0
        before = np.array([np.busday_count(self.origin + lo, self.origin, busdaycal=c.busdaycal)
                           for c in self.calendars], dtype=np.int64)
        cum = np.zeros((len(self.calendars), hi - lo + 1))
        cum[:, 1:] = np.cumsum(work, axis=1)
        cum -= before[:, None]
        counts = work.sum(axis=1).astype(np.int64)
        wday = np.full((len(self.calendars), max(int(counts.max()), 1)), hi, dtype=np.int64)
        for c, row in enumerate(work):
            wday[c, :counts[c]] = lo + np.flatnonzero(row)
        self.ax_lo, self.ax_hi = lo, hi
        self.ax_cum, self.ax_work, self.ax_wday = cum, work.astype(np.float64), wday
        self.ax_k0, self.ax_counts = -before, counts

    def graph(self) -> tuple:
        return (self.order, self.in_ptr, self.in_src, self.in_kind, self.in_lag, self.out_ptr, self.out_dst,
                self.out_kind, self.out_lag, self.cal, self.bounds, self.flags, self.deadline)

    def axis(self) -> tuple:
        return (self.ax_lo, self.ax_cum, self.ax_work, self.ax_wday, self.ax_k0, self.ax_counts)

    def widen(self, need: np.ndarray) -> bool:
        """Grow the tables to what a pass asked for (``need``: min/max day, min/max working day).

        Returns False when nothing was out of range (the pass is valid).
        """
        dmin, dmax = int(need[:, 0].min()), int(need[:, 1].max())
        kmin, kmax = int(need[:, 2].min()), int(need[:, 3].max())
        if dmin > dmax and kmin > kmax:  # passes record only lookups outside the tables
            return False
        dmin, dmax = min(dmin, self.ax_lo), max(dmax, self.ax_hi)
        kmin, kmax = min(kmin, 0), max(kmax, 0)
        span = self.ax_hi - self.ax_lo
        # any calendar works at least one day a week: 7 days per working day suffice
        lo = min(self.ax_lo - span, dmin - 14, kmin * 7 - 14)
        hi = max(self.ax_hi + span, dmax + 14, kmax * 7 + 14)
        self._axis(lo, hi)
        return True


def _new_need(blocks: int) -> np.ndarray:
    need = np.empty((blocks, 4), dtype=np.int64)
    need[:, 0] = need[:, 2] = np.iinfo(np.int64).max
    need[:, 1] = need[:, 3] = np.iinfo(np.int64).min
    return need


# =========================================================================== time axis

@njit(cache=True, inline="always")
def _snap(w):
    r = math.floor(w + 0.5)  # the nearest integer (halves never snap either way)
    return r if abs(w - r) < _SNAP else w


@njit(cache=True)
def _working(ax, c, t, need):
    """W(c, t): working days of calendar ``c`` from the origin to time ``t``."""
    lo, cum, work = ax[0], ax[1], ax[2]
    t = _snap(t)
    d = math.floor(t)
    i = int(d) - lo
    if i < 0 or i >= work.shape[1]:
        need[0] = min(need[0], int(d))
        need[1] = max(need[1], int(d))
        i = min(max(i, 0), work.shape[1] - 1)
    return cum[c, i] + work[c, i] * (t - d)


@njit(cache=True)
def _time(ax, c, w, finish, need):
    """T(c, w): time of offset ``w`` (a finish at the end of its last working day)."""
    wday, k0, counts = ax[3], ax[4], ax[5]
    w = _snap(w)
    if finish:
        k = math.ceil(w) - 1
        frac = 1.0 - (math.ceil(w) - w)
    else:
        k = math.floor(w)
        frac = w - math.floor(w)
    j = int(k) - k0[c]
    if j < 0 or j >= counts[c]:
        need[2] = min(need[2], int(k))
        need[3] = max(need[3], int(k))
        j = min(max(j, 0), counts[c] - 1)
    return wday[c, j] + frac


@njit(cache=True)
def _convert(ax, w, c_from, c_to, finish, need):
    return _working(ax, c_to, _time(ax, c_from, w, finish, need), need)


# =========================================================================== passes (one row)

@njit(cache=True)
def _forward_row(g, ax, d, es, ef, need):
    order, in_ptr, in_src, in_kind, in_lag = g[0], g[1], g[2], g[3], g[4]
    cal, b, flags = g[9], g[10], g[11]
    for idx in range(order.size):
        j = order[idx]
        dj = d[j]
        lbs = b[LB_S, j]
        r = max(lbs, b[LB_F, j] - dj)
        cj = cal[j]
        for e in range(in_ptr[j], in_ptr[j + 1]):
            p = in_src[e]
            kind = in_kind[e]
            fin = (kind & _FROM_FIN) != 0
            v = ef[p] if fin else es[p]
            if cal[p] != cj:
                v = _convert(ax, v, cal[p], cj, fin, need)
            v += in_lag[e]
            if kind & _TO_FIN:
                v -= dj
            if v > r:
                r = v
        if flags[j] & _SPECIAL:
            ub = min(b[UB_S, j], b[UB_F, j] - dj)
            fx = b[FIX_S, j]
            if not np.isfinite(fx):
                fx = b[FIX_F, j] - dj
            # constraints win over logic, a start-no-later cap not over the start/status date
            r = fx if np.isfinite(fx) else max(min(r, ub), lbs)
            a_s, a_f = b[ACT_S, j], b[ACT_F, j]
            es[j] = a_s if np.isfinite(a_s) else r
            ef[j] = a_f if np.isfinite(a_f) else r + dj
        else:
            es[j] = r
            ef[j] = r + dj


@njit(cache=True)
def _length_row(g, ax, ef, latest, need):
    """Project length in working days of the project calendar (code 0).

    Conversion between calendars is monotone, so the latest finish of each calendar is
    converted once: the same value as converting every finish.
    """
    cal = g[9]
    latest[:] = -np.inf
    for j in range(ef.size):
        latest[cal[j]] = max(latest[cal[j]], ef[j])
    out = latest[0]
    for c in range(1, latest.size):
        if latest[c] > -np.inf:
            out = max(out, _convert(ax, latest[c], c, 0, True, need))
    return max(out, 0.0)


@njit(cache=True)
def _backward_row(g, ax, d, finish, ls, lf, capc, need):
    order, out_ptr, out_dst, out_kind, out_lag = g[0], g[5], g[6], g[7], g[8]
    cal, b, flags, deadline = g[9], g[10], g[11], g[12]
    bound = min(finish, deadline)
    capc[0] = bound
    for c in range(1, capc.size):
        capc[c] = _working(ax, c, _time(ax, 0, bound, True, need), need)
    for idx in range(order.size - 1, -1, -1):
        j = order[idx]
        if flags[j] & _FINISHED:
            ls[j] = b[ACT_S, j]
            lf[j] = b[ACT_F, j]
            continue
        dj = d[j]
        cj = cal[j]
        r = min(min(capc[cj], b[LUB_F, j]), b[LUB_S, j] + dj)
        for e in range(out_ptr[j], out_ptr[j + 1]):
            s = out_dst[e]
            kind = out_kind[e]
            v = lf[s] if kind & _OUT_TO_FIN else ls[s]
            v -= out_lag[e]
            if cal[s] != cj:
                v = _convert(ax, v, cal[s], cj, False, need)
            if kind & _OUT_FROM_START:
                v += dj
            if kind & _OUT_OPEN:
                v = np.inf
            if v < r:
                r = v
        lf[j] = r
        ls[j] = r - dj


@njit(parallel=True, cache=True)
def _forward_rows(g, ax, D, ES, EF, need):
    k = D.shape[0]
    nb = need.shape[0]
    for blk in prange(nb):
        for r in range(blk * k // nb, (blk + 1) * k // nb):
            _forward_row(g, ax, D[r], ES[r], EF[r], need[blk])


@njit(parallel=True, cache=True)
def _backward_rows(g, ax, D, finish, LS, LF, ncal, need):
    k = D.shape[0]
    nb = need.shape[0]
    for blk in prange(nb):
        capc = np.empty(ncal)
        for r in range(blk * k // nb, (blk + 1) * k // nb):
            _backward_row(g, ax, D[r], finish[r], LS[r], LF[r], capc, need[blk])


def _rows(kernel: Kernel, durations) -> np.ndarray:
    D = np.asarray(durations, dtype=np.float64)
    return np.ascontiguousarray(D[None, :] if D.ndim == 1 else D)


def forward_pass(kernel: Kernel, durations) -> tuple[np.ndarray, np.ndarray]:
    """Early start and finish offsets, shape ``(k, n)``, as :func:`pmkit.project.scheduling.forward_pass`."""
    D = _rows(kernel, durations)
    while True:
        ES, EF = np.empty_like(D), np.empty_like(D)
        need = _new_need(max(1, min(N_BLOCKS, D.shape[0])))
        _forward_rows(kernel.graph(), kernel.axis(), D, ES, EF, need)
        if not kernel.widen(need):
            return ES, EF


def backward_pass(kernel: Kernel, durations, project_finish) -> tuple[np.ndarray, np.ndarray]:
    """Late start and finish offsets, shape ``(k, n)``, as :func:`pmkit.project.scheduling.backward_pass`."""
    D = _rows(kernel, durations)
    finish = np.ascontiguousarray(np.broadcast_to(np.asarray(project_finish, np.float64), (D.shape[0],)))
    while True:
        LS, LF = np.empty_like(D), np.empty_like(D)
        need = _new_need(max(1, min(N_BLOCKS, D.shape[0])))
        _backward_rows(kernel.graph(), kernel.axis(), D, finish, LS, LF, len(kernel.calendars), need)
        if not kernel.widen(need):
            return LS, LF


# =========================================================================== random numbers

@njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def _uniform(key, counter):
    """Uniform on (0, 1) (never 0 or 1): SplitMix64 output for ``counter`` of stream ``key``."""
    x = _mix(key + (np.uint64(counter) + np.uint64(1)) * _GOLDEN)
    return (float(x >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def _lookup(table, s, sf, u, v):
    """Quantile at probability ``u`` (``v = 1 - u``, exact in the upper tail) for the shape
    ``sf`` of the way from column ``s`` to ``s + 1`` of ``table`` (probabilities by shapes).

    Linear interpolation between the shapes and in ``u`` over the body, in ``log u`` (or
    ``log v``) over each tail, where the quantile functions of bounded densities bend like
    powers of ``u``. The body holds 97% of the draws: its branch is the predictable one.
    """
    if u >= TAIL and v >= TAIL:
        pos = min((u - TAIL) * (BODY_CELLS / (1.0 - 2.0 * TAIL)), BODY_CELLS - 1e-9)
        i = int(pos)
    else:
        pos = (math.log(min(u, v)) - LOG_P_MIN) * (TAIL_CELLS / (math.log(TAIL) - LOG_P_MIN))
        pos = min(max(pos, 0.0), TAIL_CELLS - 1e-9)
        i = int(pos)
        pos += BODY_CELLS + 1 + (TAIL_CELLS + 1 if v < u else 0)
        i += BODY_CELLS + 1 + (TAIL_CELLS + 1 if v < u else 0)
    f = pos - i
    lo = table[i, s] + sf * (table[i, s + 1] - table[i, s])
    hi = table[i + 1, s] + sf * (table[i + 1, s + 1] - table[i + 1, s])
    return lo + f * (hi - lo)


@njit(cache=True, inline="always")
def _normal(normal, key, counter):
    u = _uniform(key, counter)
    return _lookup(normal, 0, 0.0, u, 1.0 - u)


@njit(cache=True, inline="always")
def _probabilities(phi, z):
    """``(u, 1 - u)`` for ``u = Phi(z)``, from the table of Phi on ``[-Z_MAX, 0]`` (tails exact)."""
    pos = min(max((Z_MAX - abs(z)) * (Z_CELLS / Z_MAX), 0.0), Z_CELLS - 1e-9)
    i = int(pos)
    p = phi[i] + (pos - i) * (phi[i + 1] - phi[i])
    return (1.0 - p, p) if z > 0.0 else (p, 1.0 - p)


@njit(cache=True, inline="always")
def _common(normal, keys, row, w_common):
    """The shared factor of iteration ``row``, weighted (0 without correlation)."""
    return w_common * _normal(normal, keys[1], row) if w_common > 0.0 else 0.0


@njit(cache=True, inline="always")
def _quantile(table, s, sf, normal, phi, keys, row, col, cols, w_own, common, copula):
    """Standard quantile of task ``col`` in iteration ``row``: independent, or through the
    one-factor Gaussian copula ``z = sqrt(1 - rho) e + sqrt(rho) f``."""
    if copula:
        u, v = _probabilities(phi, w_own * _normal(normal, keys[0], row * cols + col) + common)
    else:
        u = _uniform(keys[0], row * cols + col)
        v = 1.0 - u
    return _lookup(table, s, sf, u, v)


@njit(parallel=True, cache=True)
def _scores(normal, keys, rows, cols, w_own, w_common):
    out = np.empty((rows, cols))
    for r in prange(rows):
        f = _common(normal, keys, r, w_common)
        for c in range(cols):
            out[r, c] = w_own * _normal(normal, keys[0], r * cols + c) + f
    return out


def stream_keys(seed) -> np.ndarray:
    """Three 64-bit stream keys (durations, common factor, risk events) from a seed."""
    return np.random.SeedSequence(seed).generate_state(3, dtype=np.uint64)


def normal_scores(seed, rows: int, cols: int, rho: float = 0.0) -> np.ndarray:
    """The copula's normal scores (pairwise correlation ``rho``), for checks."""
    return _scores(_normal_table(), stream_keys(seed), rows, cols, math.sqrt(1.0 - rho), math.sqrt(rho))


# =========================================================================== quantile tables

def _grid() -> tuple[np.ndarray, np.ndarray]:
    """Probabilities ``u`` and ``1 - u`` (each exact) of the table columns."""
    body = np.linspace(TAIL, 1.0 - TAIL, BODY_CELLS + 1)
    tail = np.exp(np.linspace(LOG_P_MIN, math.log(TAIL), TAIL_CELLS + 1))
    return np.r_[body, tail, 1.0 - tail], np.r_[1.0 - body, 1.0 - tail, tail]


@functools.cache
def _normal_table() -> np.ndarray:
    from scipy.special import ndtri

    u, upper = _grid()
    q = np.where(u <= 0.5, ndtri(u), -ndtri(upper))
    return np.stack([q, q], axis=1)  # two equal "shapes": the lookup reads a pair


@functools.cache
def _phi_table() -> np.ndarray:
    from scipy.special import ndtr

    return ndtr(np.linspace(-Z_MAX, 0.0, Z_CELLS + 1))


@njit(cache=True, inline="always")
def _cell_fraction(mass, p0, p1, h):
    """Where in a cell of width ``h`` with linear density ``p0 -> p1`` the mass ``mass`` is reached."""
    m = mass / h
    root = math.sqrt(max(p0 * p0 + 2.0 * (p1 - p0) * m, 0.0))
    return 2.0 * m / (p0 + root) if p0 + root > 0 else 0.0


@njit(parallel=True, cache=True)
def _pert_tables(c, u, upper):
    """Standard PERT-beta quantiles at increasing probabilities ``u`` (``upper = 1 - u``).

    The beta(1 + 4c, 5 - 4c) density is integrated on X_CELLS cells (trapezoids, i.e. a
    linear density in each cell, solved exactly for the quantile; the end cells, where the
    density behaves like a power of x or 1 - x, in closed form), from the left for
    ``u <= 1/2`` and from the right above, so that tail probabilities keep their precision.
    """
    m = X_CELLS
    h = 1.0 / m
    out = np.empty((c.size, u.size))
    for s in prange(c.size):
        al = 1.0 + 4.0 * c[s]
        be = 5.0 - 4.0 * c[s]
        pdf = np.empty(m + 1)
        for i in range(m + 1):
            x = i * h
            left = x ** (al - 1.0) if i > 0 else (1.0 if al == 1.0 else 0.0)
            right = (1.0 - x) ** (be - 1.0) if i < m else (1.0 if be == 1.0 else 0.0)
            pdf[i] = left * right
        cell = np.empty(m)
        for i in range(m):
            cell[i] = 0.5 * h * (pdf[i] + pdf[i + 1])
        # end cells: x^(a-1) (1-x)^(b-1) integrates to about h^a / a (1 - h/2)^(b-1)
        cell[0] = h ** al / al * (1.0 - 0.5 * h) ** (be - 1.0)
        cell[m - 1] = h ** be / be * (1.0 - 0.5 * h) ** (al - 1.0)
        F = np.zeros(m + 1)   # mass left of x_i
        S = np.zeros(m + 1)   # mass right of x_i
        for i in range(m):
            F[i + 1] = F[i] + cell[i]
            S[m - 1 - i] = S[m - i] + cell[m - 1 - i]
        total = F[m]
        i = 0
        for gi in range(u.size):
            if u[gi] <= 0.5:
                target = u[gi] * total
                while i < m - 1 and F[i + 1] < target:
                    i += 1
                mass = target - F[i]
            else:
                target = upper[gi] * total
                while i < m - 1 and S[i + 1] > target:
                    i += 1
                mass = S[i] - target
            mass = min(max(mass, 0.0), cell[i])
            if cell[i] <= 0:
                t = 0.0
            elif i == 0:
                t = (mass / cell[0]) ** (1.0 / al)
            elif i == m - 1:
                t = 1.0 - ((cell[i] - mass) / cell[i]) ** (1.0 / be)
            else:
                t = _cell_fraction(mass, pdf[i], pdf[i + 1], h)
            out[s, gi] = (i + min(max(t, 0.0), 1.0)) * h
    return out


def _standard_quantiles(mode_position: np.ndarray, distribution: str) -> np.ndarray:
    """Standard quantiles (on [0, 1]) at the table's probabilities, one row per mode position."""
    u, upper = _grid()
    c = np.asarray(mode_position, dtype=np.float64)
    if distribution == "pert":
        order = np.lexsort((-upper, u))
        out = np.empty((c.size, u.size))
        out[:, order] = _pert_tables(c, u[order], upper[order])
        return out
    c2 = c[:, None]
    with np.errstate(invalid="ignore"):
        left = np.sqrt(u * c2)
        right = 1.0 - np.sqrt(upper * (1.0 - c2))
    return np.where(u < c2, left, right)


@functools.cache
def quantile_table(distribution: str) -> np.ndarray:
    """Standard quantiles by probability (rows) and mode position ``k / SHAPE_CELLS`` (columns).

    The mode position of ``(a, m, b)`` is ``(m - a) / (b - a)``; a duration is
    ``a + (b - a) q``. One small table (3 MB) serves every task and stays in cache.
    """
    return np.ascontiguousarray(_standard_quantiles(np.arange(SHAPE_CELLS + 1) / SHAPE_CELLS, distribution).T)


def shape_position(mode_position) -> tuple[np.ndarray, np.ndarray]:
    """Column of :func:`quantile_table` left of each mode position, and the fraction beyond it."""
    pos = np.clip(np.asarray(mode_position, dtype=np.float64), 0.0, 1.0) * SHAPE_CELLS
    col = np.minimum(np.floor(pos), SHAPE_CELLS - 1).astype(np.int64)
    return col, pos - col


@njit(cache=True)
def _lookup_at(table, s, sf, u, v):
    return _lookup(table, s, sf, u, v)


def quantile(distribution: str, mode_position: float, u) -> np.ndarray:
    """Standard quantiles at probabilities ``u`` as the simulation reads them from the table."""
    col, frac = shape_position(mode_position)
    table = quantile_table(distribution)
    return np.array([_lookup_at(table, int(col), float(frac), float(x), 1.0 - float(x)) for x in np.atleast_1d(u)])


# =========================================================================== simulation

@njit(parallel=True, cache=True)
def _simulate(g, ax, keys, w_own, w_common, normal, phi, det, vary, shape, shape_frac, table, low, width, budget_rem, cost_base,
              follow, r_prob, r_delay, r_cost, r_pos, criticality, tol, finish, cost, crit, dsum, fired,
              sens, need):
    n = det.size
    nv = vary.size
    nr = r_prob.size
    k = finish.size
    nb = need.shape[0]
    ncal = ax[1].shape[0]
    for blk in prange(nb):
        d = np.empty(n)
        es, ef, ls, lf = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
        capc = np.empty(ncal)
        for r in range(blk * k // nb, (blk + 1) * k // nb):
            d[:] = det
            c = cost_base
            f = _common(normal, keys, r, w_common)
            for v in range(nv):
                j = vary[v]
                dv = low[v] + width[v] * _quantile(table, shape[v], shape_frac[v], normal, phi, keys, r, v, nv,
                                                   w_own, f, w_common > 0.0)
                d[j] = dv
                if follow and det[j] > 0:
                    c += budget_rem[j] * (dv / det[j])
                else:
                    c += budget_rem[j]
            extra = 0.0
            for q in range(nr):
                if _uniform(keys[2], r * nr + q) < r_prob[q]:
                    fired[blk, q] += 1
                    c += r_cost[q]
                    if r_pos[q] >= 0:
                        d[r_pos[q]] += r_delay[q]
                    else:
                        extra += r_delay[q]
            for q in range(nr):  # opportunities cannot make a task negative
                if r_pos[q] >= 0:
                    d[r_pos[q]] = max(d[r_pos[q]], 0.0)
            _forward_row(g, ax, d, es, ef, need[blk])
            length = _length_row(g, ax, ef, capc, need[blk])
            if criticality:
                _backward_row(g, ax, d, length, ls, lf, capc, need[blk])
                for j in range(n):
                    if lf[j] - ef[j] <= tol:
                        crit[blk, j] += 1
            for j in range(n):
                dsum[blk, j] += d[j]
            if r < sens.shape[1]:
                for v in range(nv):
                    sens[v, r] = d[vary[v]]
            finish[r] = max(length + extra, 0.0)
            cost[r] = c


def simulate(kernel: Kernel, iterations: int, seed, correlation: float, det, vary, shape, shape_frac, table, low,
             width, budget_rem, cost_base, follow, risks, criticality: bool, tol: float, sens_rows: int) -> dict:
    """Run all iterations; see :func:`pmkit.project.montecarlo.simulate` for the model."""
    keys = stream_keys(seed)
    n = kernel.n
    # blocks are handed to threads as they come free (the machine may be shared); their
    # accumulators are per block, so sums never depend on the number of threads
    blocks = max(1, min(iterations, MAX_BLOCKS, _BLOCK_CELLS // max(n, 1)))
    prob, delay, rcost, rpos = risks
    while True:
        out = {"finish": np.empty(iterations), "cost": np.empty(iterations),
               "crit": np.zeros((blocks, n), np.int64), "dsum": np.zeros((blocks, n)),
               "fired": np.zeros((blocks, prob.size), np.int64),
               "sens": np.empty((vary.size, sens_rows), np.float32)}
        need = _new_need(blocks)
        with numba.parallel_chunksize(1):
            _simulate(kernel.graph(), kernel.axis(), keys, math.sqrt(1.0 - correlation), math.sqrt(correlation),
                      _normal_table(), _phi_table(), det, vary, shape, shape_frac, table, low, width, budget_rem,
                      float(cost_base), bool(follow), prob, delay, rcost, rpos, bool(criticality), float(tol),
                      out["finish"], out["cost"], out["crit"], out["dsum"], out["fired"], out["sens"], need)
        if not kernel.widen(need):
            return out


# =========================================================================== sensitivity

@njit(cache=True)
def _average_ranks(x):
    order = np.argsort(x)
    ranks = np.empty(x.size)
    i = 0
    while i < x.size:
        j = i
        while j + 1 < x.size and x[order[j + 1]] == x[order[i]]:
            j += 1
        for t in range(i, j + 1):
            ranks[order[t]] = 0.5 * (i + j) + 1.0
        i = j + 1
    return ranks


@njit(parallel=True, cache=True)
def spearman_rows(x, y):
    """Spearman correlation (average ranks for ties) of every row of ``x`` with ``y``; NaN if constant."""
    p, m = x.shape
    ry = _average_ranks(y)
    ry -= ry.mean()
    syy = (ry * ry).sum()
    out = np.full(p, np.nan)
    for j in prange(p):
        rx = _average_ranks(x[j].astype(np.float64))
        rx -= rx.mean()
        den = math.sqrt((rx * rx).sum() * syy)
        if den > 0:
            out[j] = (rx * ry).sum() / den
    return out
