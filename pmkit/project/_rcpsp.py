# numba compiles only the legacy np.random API (seeded per thread by seed_rng), not Generators.
# ruff: noqa: NPY002
"""Compiled kernels of resource-constrained scheduling (private; used by :mod:`pmkit.project.leveling`).

Everything here works on integer periods and plain arrays and is compiled with numba
(``cache=True``), because a population-based search needs thousands of schedules per
second and a pure-Python serial schedule generation scheme manages a few hundred.

The problem solved is the RCPSP with minimum start-to-start time lags:
``start[j] >= start[i] + delta`` for every link ``i -> j`` (any of the four link types with
a lag becomes one such inequality), ``start[j] >= release[j]``, and in every period the
load of each renewable resource at most its capacity.

Methods (numbers refer to the references in ``docs/leveling.md``):

* serial and parallel schedule generation schemes driven by a priority per activity
  (Kolisch 1996); the next activity is the eligible one with the smallest priority,
  so any priority vector (an activity list's positions, a priority rule's values, random
  keys) decodes to a precedence-feasible schedule;
* double justification, the forward-backward improvement of Valls, Ballestin &
  Quintanilla (2005): a right-justification in order of decreasing finish followed by a
  left-justification in order of increasing start; never longer, usually shorter;
* an activity-list genetic algorithm (Hartmann 1998) with the peak crossover of Valls,
  Ballestin & Quintanilla (2008), a two-point crossover of the parents' finish times read as
  random keys (Debels et al. 2006) and two-point list crossover, swap mutation, elitist selection
  that keeps schedules apart by a distance threshold (population management, Sorensen &
  Sevaux 2006) and the justified schedule written back into the individual (Valls et al. 2005);
  children are decoded forward or backward (bidirectional planning, Klein 2000) and justified
  once in the other direction.

Each application of a schedule generation scheme, forward or backward, counts as one
schedule, the convention of Kolisch & Hartmann (2006) for comparing heuristics.
"""

from __future__ import annotations

import numpy as np
from numba import njit

EPS = 1e-9
BIG = np.int64(1) << 40


# --------------------------------------------------------------------------- heap of (key, id)
@njit(cache=True, inline="always")
def _less(key, a, b):
    return key[a] < key[b] or (key[a] == key[b] and a < b)


@njit(cache=True)
def _eligible_heap(pptr, key):
    """Unscheduled-predecessor counts and a heap (by ``key``) of the activities without any."""
    n = pptr.size - 1
    npred = np.empty(n, np.int64)
    heap = np.empty(n, np.int64)
    size = 0
    for j in range(n):
        npred[j] = pptr[j + 1] - pptr[j]
        if npred[j] == 0:
            size = _heap_push(heap, size, key, j)
    return npred, heap, size


@njit(cache=True)
def _heap_push(heap, size, key, v):
    i = size
    heap[i] = v
    while i > 0:
        p = (i - 1) >> 1
        if _less(key, heap[i], heap[p]):
            heap[i], heap[p] = heap[p], heap[i]
            i = p
        else:
            break
    return size + 1


@njit(cache=True)
def _heap_pop(heap, size, key):
    top = heap[0]
    size -= 1
    heap[0] = heap[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        c = left
        if left + 1 < size and _less(key, heap[left + 1], heap[left]):
            c = left + 1
        if _less(key, heap[c], heap[i]):
            heap[i], heap[c] = heap[c], heap[i]
            i = c
        else:
            break
    return top, size


# --------------------------------------------------------------------------- resource checks
@njit(cache=True)
def _latest_conflict(t, d, j, rptr, ridx, rchk, cap, usage):
    """Last period in ``[t, t + d)`` where activity ``j`` does not fit, or -1."""
    tau = t + d - 1
    while tau >= t:
        for e in range(rptr[j], rptr[j + 1]):
            r = ridx[e]
            if usage[tau, r] + rchk[e] > cap[r] + EPS:
                return tau
        tau -= 1
    return -1


@njit(cache=True)
def _book(t, d, j, rptr, ridx, rdem, usage, sign):
    for tau in range(t, t + d):
        for e in range(rptr[j], rptr[j + 1]):
            usage[tau, ridx[e]] += sign * rdem[e]


# --------------------------------------------------------------------------- serial SGS
@njit(cache=True)
def serial_sgs(prio, dur, pptr, pidx, pdelta, sptr, sidx, release, upper,
               rptr, ridx, rdem, rchk, cap, usage, start, order):
    """Serial schedule generation scheme (Kelley 1963; Kolisch 1996).

    Activities are taken one at a time, the eligible one (all predecessors scheduled) with
    the smallest ``prio`` first, and started at the earliest precedence- and
    resource-feasible period. ``upper[j]`` is a latest start: when no feasible period
    exists up to it the activity is placed at its precedence-feasible earliest start anyway
    (overloading a resource) and counted in ``forced``. ``usage`` (periods x resources)
    must be zero on entry and is zero again on return. Returns ``(makespan, forced)``;
    ``start`` receives the starts and ``order`` the scheduling order.
    """
    n = dur.size
    npred, heap, size = _eligible_heap(pptr, prio)
    makespan = 0
    forced = 0
    for k in range(n):
        j, size = _heap_pop(heap, size, prio)
        order[k] = j
        es = release[j]
        for e in range(pptr[j], pptr[j + 1]):
            v = start[pidx[e]] + pdelta[e]
            if v > es:
                es = v
        d = dur[j]
        t = es
        if d > 0 and rptr[j + 1] > rptr[j]:
            while True:
                c = _latest_conflict(t, d, j, rptr, ridx, rchk, cap, usage)
                if c < 0:
                    break
                t = c + 1
                if t > upper[j]:
                    t = es
                    forced += 1
                    break
            _book(t, d, j, rptr, ridx, rdem, usage, 1.0)
        start[j] = t
        if t + d > makespan:
            makespan = t + d
        for e in range(sptr[j], sptr[j + 1]):
            s = sidx[e]
            npred[s] -= 1
            if npred[s] == 0:
                size = _heap_push(heap, size, prio, s)
    usage[:makespan, :] = 0.0
    return makespan, forced


# --------------------------------------------------------------------------- parallel SGS
@njit(cache=True)
def parallel_sgs(prio, dur, pptr, pidx, pdelta, sptr, sidx, release, upper,
                 rptr, ridx, rdem, rchk, cap, usage, start, order):
    """Parallel schedule generation scheme (Kelley 1963; Kolisch 1996).

    Time moves forward over decision points; at each one the eligible activities whose
    earliest start has come are started in priority order while they fit. Produces
    non-delay schedules. Same arguments and result as :func:`serial_sgs`.
    """
    n = dur.size
    npred = np.empty(n, np.int64)
    es = np.empty(n, np.int64)
    done = np.zeros(n, np.bool_)
    ready = np.empty(n, np.int64)   # eligible, not yet started, sorted by priority
    n_ready = 0
    for j in range(n):
        npred[j] = pptr[j + 1] - pptr[j]
        es[j] = release[j]
    for j in range(n):
        if npred[j] == 0:
            n_ready = _insert_sorted(ready, n_ready, prio, j)
    t = 0
    k = 0
    makespan = 0
    forced = 0
    finish_next = np.empty(n, np.int64)
    n_fin = 0
    while k < n:
        i = 0
        while i < n_ready:
            j = ready[i]
            d = dur[j]
            fits = es[j] <= t
            late = fits and t > upper[j]
            if fits and not late and d > 0 and rptr[j + 1] > rptr[j]:
                fits = _latest_conflict(t, d, j, rptr, ridx, rchk, cap, usage) < 0
            if late:
                fits = True
                forced += 1
            if fits:
                st = es[j] if late else t
                if d > 0:
                    _book(st, d, j, rptr, ridx, rdem, usage, 1.0)
                start[j] = st
                done[j] = True
                order[k] = j
                k += 1
                if st + d > makespan:
                    makespan = st + d
                finish_next[n_fin] = st + d
                n_fin += 1
                for q in range(i, n_ready - 1):
                    ready[q] = ready[q + 1]
                n_ready -= 1
                for e in range(sptr[j], sptr[j + 1]):
                    s = sidx[e]
                    npred[s] -= 1
                    if npred[s] == 0:
                        v = release[s]
                        for f in range(pptr[s], pptr[s + 1]):
                            w = start[pidx[f]] + pdelta[f]
                            if w > v:
                                v = w
                        es[s] = v
                        n_ready = _insert_sorted(ready, n_ready, prio, s)
                i = 0  # a zero-lag successor may start now, ahead of lower priorities
            else:
                i += 1
        if k >= n:
            break
        # next decision point: the earliest finish or earliest start after t
        nxt = BIG
        for q in range(n_fin):
            if t < finish_next[q] < nxt:
                nxt = finish_next[q]
        for q in range(n_ready):
            if t < es[ready[q]] < nxt:
                nxt = es[ready[q]]
        if nxt == BIG:
            nxt = t + 1
        t = nxt
    usage[:makespan, :] = 0.0
    return makespan, forced


@njit(cache=True)
def _insert_sorted(arr, size, key, v):
    i = size
    while i > 0 and _less(key, v, arr[i - 1]):
        arr[i] = arr[i - 1]
        i -= 1
    arr[i] = v
    return size + 1


# --------------------------------------------------------------------------- justification
@njit(cache=True)
def double_justify(start, dur, fw, bw, rptr, ridx, rdem, rchk, cap, usage, tmp_start, order, key):
    """Double justification (Valls, Ballestin & Quintanilla 2005), in place on ``start``.

    ``fw``/``bw`` are the forward and mirrored (backward) networks as tuples
    ``(pptr, pidx, pdelta, sptr, sidx, release, upper)``. The backward pass schedules the
    mirrored problem (time reversed at the current makespan) in order of decreasing
    finish; the forward pass then starts every activity as early as possible in order of
    increasing start. Returns the new makespan; costs two schedules.
    """
    n = dur.size
    makespan = 0
    for j in range(n):
        if start[j] + dur[j] > makespan:
            makespan = start[j] + dur[j]
    for j in range(n):
        key[j] = -(start[j] + dur[j]) * 1.0
    serial_sgs(key, dur, bw[0], bw[1], bw[2], bw[3], bw[4], bw[5], bw[6],
               rptr, ridx, rdem, rchk, cap, usage, tmp_start, order)
    for j in range(n):
        key[j] = (makespan - tmp_start[j] - dur[j]) * 1.0
    return serial_sgs(key, dur, fw[0], fw[1], fw[2], fw[3], fw[4], fw[5], fw[6],
                      rptr, ridx, rdem, rchk, cap, usage, start, order)[0]


@njit(cache=True)
def right_justify(start, dur, bw, rptr, ridx, rdem, rchk, cap, usage, tmp_start, order, key):
    """Backward pass of :func:`double_justify` alone, in place on ``start`` (one schedule).

    Schedules the mirrored problem in order of decreasing finish and maps it back so that
    the project starts at period 0: a right-justified schedule, never longer. Only valid
    without release dates (the mirror ignores them). Returns the new makespan.
    """
    n = dur.size
    for j in range(n):
        key[j] = -(start[j] + dur[j]) * 1.0
    mk = serial_sgs(key, dur, bw[0], bw[1], bw[2], bw[3], bw[4], bw[5], bw[6],
                    rptr, ridx, rdem, rchk, cap, usage, tmp_start, order)[0]
    for j in range(n):
        start[j] = mk - tmp_start[j] - dur[j]
    return mk


# --------------------------------------------------------------------------- genetic algorithm
@njit(cache=True)
def seed_rng(seed):
    np.random.seed(seed)


@njit(cache=True)
def _score(makespan, forced, start, es, weight, dur):
    """Lexicographic objective folded into one float: forced placements, makespan, the number
    of activities that end at the makespan, then the weighted delays.

    Among schedules of equal length, the one with fewer activities in its last period is
    closer to a shorter one (fewer activities have to move to cut a period), so it ranks first.
    """
    delay = 0.0
    last = 0
    for j in range(start.size):
        delay += weight[j] * (start[j] - es[j])
        if dur[j] > 0 and start[j] + dur[j] == makespan:
            last += 1
    # the mean delay is at most the makespan: scaled below 1e3 it never reaches the terms above
    return forced * 1e12 + makespan * 1e6 + min(last, 99) * 1e4 + 1e3 * delay / max(makespan, 1)


@njit(cache=True)
def _evaluate_backward(order, dur, fw, bw, rptr, ridx, rdem, rchk, cap, usage, start, tmp_start,
                       tmp_order, key, es, weight):
    """Decode an activity list backward, then left-justify it (two schedules).

    The mirrored problem is scheduled taking the list from its end (bidirectional planning,
    Klein 2000); the forward serial pass in order of the resulting starts shifts every
    activity as early as possible. ``order`` becomes the final schedule's start order.
    Only valid without release dates. Returns ``(score, makespan, forced, schedules used)``.
    """
    n = dur.size
    for i in range(n):
        key[order[i]] = (n - i) * 1.0
    mk = serial_sgs(key, dur, bw[0], bw[1], bw[2], bw[3], bw[4], bw[5], bw[6],
                    rptr, ridx, rdem, rchk, cap, usage, tmp_start, tmp_order)[0]
    for j in range(n):
        key[j] = (mk - tmp_start[j] - dur[j]) * 1.0
    mk, forced = serial_sgs(key, dur, fw[0], fw[1], fw[2], fw[3], fw[4], fw[5], fw[6],
                            rptr, ridx, rdem, rchk, cap, usage, start, order)
    return _score(mk, forced, start, es, weight, dur), mk, forced, 2


@njit(cache=True)
def _evaluate(prio, use_parallel, justify, dur, fw, bw, rptr, ridx, rdem, rchk, cap, usage,
              start, order, tmp_start, tmp_order, key, es, weight):
    """Decode one priority vector; returns ``(score, makespan, forced, schedules used)``."""
    if use_parallel:
        mk, forced = parallel_sgs(prio, dur, fw[0], fw[1], fw[2], fw[3], fw[4], fw[5], fw[6],
                                  rptr, ridx, rdem, rchk, cap, usage, start, order)
    else:
        mk, forced = serial_sgs(prio, dur, fw[0], fw[1], fw[2], fw[3], fw[4], fw[5], fw[6],
                                rptr, ridx, rdem, rchk, cap, usage, start, order)
    used = 1
    if justify == 1 and forced == 0:
        mk = right_justify(start, dur, bw, rptr, ridx, rdem, rchk, cap, usage, tmp_start, tmp_order, key)
        used += 1
        for j in range(start.size):
            key[j] = start[j] * 1.0
        serial_order_by_key(key, fw[0], fw[3], fw[4], order)
    elif justify == 2 and forced == 0:
        mk = double_justify(start, dur, fw, bw, rptr, ridx, rdem, rchk, cap, usage, tmp_start,
                            tmp_order, key)
        used += 2
        # the individual becomes the justified schedule's order (Valls et al. 2005)
        for j in range(start.size):
            key[j] = start[j] * 1.0
        serial_order_by_key(key, fw[0], fw[3], fw[4], order)
    return _score(mk, forced, start, es, weight, dur), mk, forced, used


@njit(cache=True)
def serial_order_by_key(key, pptr, sptr, sidx, order):
    """Precedence-feasible order of all activities, smallest key first among eligible ones."""
    n = key.size
    npred, heap, size = _eligible_heap(pptr, key)
    for k in range(n):
        j, size = _heap_pop(heap, size, key)
        order[k] = j
        for e in range(sptr[j], sptr[j + 1]):
            s = sidx[e]
            npred[s] -= 1
            if npred[s] == 0:
                size = _heap_push(heap, size, key, s)


@njit(cache=True)
def _crossover(mother, father, q1, q2, child, used):
    """Two-point crossover of activity lists (Hartmann 1998): keeps both parents' relative orders."""
    n = mother.size
    used[:] = False
    k = 0
    for i in range(q1):
        child[k] = mother[i]
        used[mother[i]] = True
        k += 1
    for i in range(n):
        if k >= q2:
            break
        if not used[father[i]]:
            child[k] = father[i]
            used[father[i]] = True
            k += 1
    for i in range(n):
        if not used[mother[i]]:
            child[k] = mother[i]
            used[mother[i]] = True
            k += 1


@njit(cache=True)
def _time_key_crossover(mstart, fstart, dur, key, child):
    """Two-point crossover of the parents' finish times, read as priorities (random keys).

    Activities numbered inside a random range take their finish time in the father's schedule,
    the others in the mother's; the child lists activities by that key (ties broken at random).
    Unlike list crossover it passes on *when* activities ran, not only their order, the idea of
    the schedule-based random keys of Debels et al. (2006) and Debels & Vanhoucke (2007).
    """
    n = mstart.size
    q1 = np.random.randint(0, n + 1)
    q2 = np.random.randint(0, n + 1)
    if q1 > q2:
        q1, q2 = q2, q1
    for j in range(n):
        s = fstart[j] if q1 <= j < q2 else mstart[j]
        key[j] = s + dur[j] + np.random.random() * 1e-3
    idx = np.argsort(key)
    for i in range(n):
        child[i] = idx[i]


@njit(cache=True)
def _peak_crossover(mother, father, mstart, dur, rptr, ridx, rdem, cap, util, child, tries):
    """Peak crossover (Valls, Ballestin & Quintanilla 2008): inherit a well-packed interval.

    The mother's schedule is cut at a random-length interval of highest resource
    utilization; its activities starting there keep the mother's order, between those
    starting earlier and those starting later, each in the father's order.
    """
    n = mother.size
    mk = 0
    for j in range(n):
        if mstart[j] + dur[j] > mk:
            mk = mstart[j] + dur[j]
    if mk < 4:
        child[:] = mother
        return
    util[:mk + 1] = 0.0
    for j in range(n):
        w = 0.0
        for e in range(rptr[j], rptr[j + 1]):
            w += rdem[e] / cap[ridx[e]]
        if w > 0.0:
            for tau in range(mstart[j], mstart[j] + dur[j]):
                util[tau + 1] += w
    for tau in range(mk):  # prefix sums
        util[tau + 1] += util[tau]
    length = np.random.randint(max(1, mk // 5), max(2, mk // 2 + 1))
    t1 = 0
    bestw = -1.0
    if tries <= 0:
        for t in range(0, mk - length + 1):
            w = util[t + length] - util[t]
            if w > bestw + EPS:
                bestw = w
                t1 = t
    else:  # the densest of a few random windows: varied peaks, still well packed
        for _ in range(tries):
            t = np.random.randint(0, mk - length + 1)
            w = util[t + length] - util[t]
            if w > bestw + EPS:
                bestw = w
                t1 = t
    t2 = t1 + length
    k = 0
    for i in range(n):
        j = father[i]
        if mstart[j] < t1:
            child[k] = j
            k += 1
    for i in range(n):
        j = mother[i]
        if t1 <= mstart[j] < t2:
            child[k] = j
            k += 1
    for i in range(n):
        j = father[i]
        if mstart[j] >= t2:
            child[k] = j
            k += 1


@njit(cache=True)
def select_diverse(scores, starts, size, min_diff):
    """Indices of ``size`` schedules for the next population, best score first.

    Population management in the manner of Sorensen & Sevaux (2006): a schedule enters only
    if it differs from every schedule kept before it in the start of at least ``min_diff``
    activities (at least one: an exact copy never enters twice), so the population does not
    collapse onto near-copies of the best schedule. When too few schedules qualify, the best
    near-copies fill up, then exact copies. ``starts`` has one row per candidate.
    """
    total, n = starts.shape
    rank = np.argsort(scores, kind="mergesort")
    need = max(min_diff, 1)
    keep = np.empty(size, np.int64)
    near = np.empty(total, np.int64)
    copies = np.empty(total, np.int64)
    n_keep = 0
    n_near = 0
    n_copies = 0
    for i in range(total):
        if n_keep == size:
            break
        c = rank[i]
        closest = need
        for q in range(n_keep):
            o = keep[q]
            diff = 0
            for j in range(n):
                if starts[c, j] != starts[o, j]:
                    diff += 1
                    if diff >= need:
                        break
            if diff < closest:
                closest = diff
                if diff == 0:
                    break
        if closest >= need:
            keep[n_keep] = c
            n_keep += 1
        elif closest > 0:
            near[n_near] = c
            n_near += 1
        else:
            copies[n_copies] = c
            n_copies += 1
    fill = np.concatenate((near[:n_near], copies[:n_copies]))[:size - n_keep]
    keep[n_keep:n_keep + fill.size] = fill
    # the fill-ups come later in rank than what was kept: restore the order by score
    order = np.argsort(scores[keep], kind="mergesort")
    return keep[order]


@njit(cache=True)
def genetic_search(pop_lists, pop_scores, pop_makespan, pop_forced, pop_starts, budget, justify,
                   generations, opts, dur, fw, bw, rptr, ridx, rdem, rchk, cap, usage,
                   es, weight):
    """Run up to ``generations`` generations or ``budget`` schedules; returns schedules used.

    The population (lists, scores, makespans, forced counts, starts) is updated in place
    and stays sorted by score (best first). ``opts``: swap-mutation rate, share of peak
    crossovers, share of backward decoding, windows per peak, share of finish-time key
    crossovers, and the diversity threshold of :func:`select_diverse` as a share of the
    activities.
    """
    P, n = pop_lists.shape
    used_total = 0
    child_lists = np.empty((P, n), np.int64)
    child_scores = np.empty(P)
    child_mk = np.empty(P, np.int64)
    child_forced = np.empty(P, np.int64)
    child_starts = np.empty((P, n), np.int64)
    prio = np.empty(n)
    key = np.empty(n)
    tmp_start = np.empty(n, np.int64)
    tmp_order = np.empty(n, np.int64)
    flag = np.empty(n, np.bool_)
    all_starts = np.empty((2 * P, n), np.int64)
    util = np.empty(usage.shape[0] + 2)
    mutation_rate = opts[0]
    peak_rate = opts[1]
    backward_rate = opts[2]
    peak_tries = np.int64(opts[3])
    key_rate = opts[4]
    min_diff = np.int64(opts[5] * n)
    for _ in range(generations):
        if used_total + 1 + justify > budget:
            break
        perm = np.random.permutation(P)
        n_child = 0
        for pair in range(0, P - 1, 2):
            for side in range(2):
                if used_total + 1 + justify > budget or n_child >= P:
                    break
                a = perm[pair + side]
                b = perm[pair + 1 - side]
                child = child_lists[n_child]
                r = np.random.random()
                if r < key_rate:
                    _time_key_crossover(pop_starts[a], pop_starts[b], dur, prio, child)
                elif r < key_rate + (1.0 - key_rate) * peak_rate:
                    _peak_crossover(pop_lists[a], pop_lists[b], pop_starts[a], dur, rptr, ridx, rdem,
                                    cap, util, child, peak_tries)
                else:
                    q1 = np.random.randint(0, n + 1)
                    q2 = np.random.randint(0, n + 1)
                    if q1 > q2:
                        q1, q2 = q2, q1
                    _crossover(pop_lists[a], pop_lists[b], q1, q2, child, flag)
                for i in range(n - 1):
                    if np.random.random() < mutation_rate:
                        child[i], child[i + 1] = child[i + 1], child[i]
                if justify == 1 and np.random.random() < backward_rate:
                    sc, mk, fo, u = _evaluate_backward(child, dur, fw, bw, rptr, ridx, rdem, rchk,
                                                       cap, usage, child_starts[n_child], tmp_start,
                                                       tmp_order, key, es, weight)
                else:
                    for i in range(n):
                        prio[child[i]] = i
                    sc, mk, fo, u = _evaluate(prio, False, justify, dur, fw, bw, rptr, ridx, rdem,
                                              rchk, cap, usage, child_starts[n_child], child,
                                              tmp_start, tmp_order, key, es, weight)
                used_total += u
                child_scores[n_child] = sc
                child_mk[n_child] = mk
                child_forced[n_child] = fo
                n_child += 1
        # elitist selection from parents and children, kept apart by the diversity threshold
        total = P + n_child
        all_scores = np.empty(total)
        all_scores[:P] = pop_scores
        all_scores[P:] = child_scores[:n_child]
        all_starts[:P] = pop_starts
        all_starts[P:total] = child_starts[:n_child]
        keep = select_diverse(all_scores, all_starts[:total], P, min_diff)
        new_lists = np.empty((P, n), np.int64)
        new_starts = np.empty((P, n), np.int64)
        new_scores = np.empty(P)
        new_mk = np.empty(P, np.int64)
        new_fo = np.empty(P, np.int64)
        for q in range(P):
            c = keep[q]
            if c < P:
                new_lists[q] = pop_lists[c]
                new_starts[q] = pop_starts[c]
                new_scores[q] = pop_scores[c]
                new_mk[q] = pop_makespan[c]
                new_fo[q] = pop_forced[c]
            else:
                new_lists[q] = child_lists[c - P]
                new_starts[q] = child_starts[c - P]
                new_scores[q] = child_scores[c - P]
                new_mk[q] = child_mk[c - P]
                new_fo[q] = child_forced[c - P]
        pop_lists[:] = new_lists
        pop_starts[:] = new_starts
        pop_scores[:] = new_scores
        pop_makespan[:] = new_mk
        pop_forced[:] = new_fo
    return used_total


@njit(cache=True)
def evaluate_many(prios, use_parallel, justify, dur, fw, bw, rptr, ridx, rdem, rchk, cap, usage,
                  es, weight, lists, starts, scores, makespans, forced):
    """Decode each row of ``prios``; fills the population arrays; returns schedules used."""
    m, n = prios.shape
    key = np.empty(n)
    tmp_start = np.empty(n, np.int64)
    tmp_order = np.empty(n, np.int64)
    used = 0
    for i in range(m):
        sc, mk, fo, u = _evaluate(prios[i], use_parallel[i], justify, dur, fw, bw, rptr, ridx, rdem,
                                  rchk, cap, usage, starts[i], lists[i], tmp_start, tmp_order, key,
                                  es, weight)
        scores[i] = sc
        makespans[i] = mk
        forced[i] = fo
        used += u
    return used
