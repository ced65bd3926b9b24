"""Graph helpers for activity networks, vectorized with numpy.

Nodes are integer positions ``0..n-1``; edges are two integer arrays ``pred -> succ``.
Used by validation (cycle detection) and by the scheduler (topological levels).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class CycleFound(ValueError):
    """Internal: the graph has a cycle; ``nodes`` are the positions on one cycle, in order."""

    def __init__(self, nodes: list[int]):
        self.nodes = nodes
        super().__init__(f"cycle through nodes {nodes}")


@dataclass(frozen=True)
class TopoLevels:
    """A topological order split into levels.

    ``order[bounds[k]:bounds[k + 1]]`` are the nodes of level ``k``: every predecessor of a
    node lies in an earlier level, so a level can be processed in one vectorized step.
    """

    order: np.ndarray
    bounds: np.ndarray

    @property
    def n_levels(self) -> int:
        return len(self.bounds) - 1

    def level(self, k: int) -> np.ndarray:
        return self.order[self.bounds[k]:self.bounds[k + 1]]


def _csr(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges grouped by ``src``: (start offsets of length n+1, sorted dst, edge permutation)."""
    perm = np.argsort(src, kind="stable")
    counts = np.bincount(src, minlength=n)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return starts, dst[perm], perm


def gather_ranges(starts: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(starts[v], starts[v + 1])`` for every v in ``nodes`` without a loop."""
    lo = starts[nodes]
    cnt = starts[nodes + 1] - lo
    total = int(cnt.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    # offset of each range's first element within the output
    first = np.zeros(len(nodes), dtype=np.int64)
    np.cumsum(cnt[:-1], out=first[1:])
    return np.repeat(lo - first, cnt) + np.arange(total, dtype=np.int64)


def unique_counts(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values of an integer array and how often each occurs (sort based)."""
    if a.size == 0:
        return a, np.empty(0, dtype=np.int64)
    s = np.sort(a)
    first = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    return s[first], np.diff(np.r_[first, s.size])


def topological_levels(n: int, pred: np.ndarray, succ: np.ndarray) -> TopoLevels:
    """Kahn's algorithm level by level; raises :class:`CycleFound` naming one cycle.

    Work per level is proportional to the edges leaving that level, so the whole pass is
    linear in nodes + edges (plus a small constant per level).
    """
    pred = np.asarray(pred, dtype=np.int64)
    succ = np.asarray(succ, dtype=np.int64)
    starts, out_dst, _ = _csr(n, pred, succ)
    indeg = np.bincount(succ, minlength=n).astype(np.int64)
    frontier = np.flatnonzero(indeg == 0)
    chunks = []
    bounds = [0]
    done = 0
    while frontier.size:
        chunks.append(frontier)
        done += frontier.size
        bounds.append(done)
        targets = out_dst[gather_ranges(starts, frontier)]
        if targets.size == 0:
            break
        uniq, cnt = unique_counts(targets)
        indeg[uniq] -= cnt
        frontier = uniq[indeg[uniq] == 0]
    if done < n:
        raise CycleFound(_find_cycle(n, pred, succ, indeg > 0))
    order = np.concatenate(chunks) if chunks else np.empty(0, dtype=np.int64)
    return TopoLevels(order=order, bounds=np.asarray(bounds, dtype=np.int64))


def _find_cycle(n: int, pred: np.ndarray, succ: np.ndarray, remaining: np.ndarray) -> list[int]:
    """One cycle among ``remaining`` nodes (each has a remaining predecessor)."""
    keep = remaining[pred] & remaining[succ]
    back: dict[int, int] = {}
    for p, s in zip(pred[keep].tolist(), succ[keep].tolist(), strict=True):
        back.setdefault(s, p)
    node = int(np.flatnonzero(remaining)[0])
    seen: dict[int, int] = {}
    path: list[int] = []
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = back[node]
    cycle = path[seen[node]:]
    cycle.reverse()  # walked backwards along predecessors; report in link direction
    k = cycle.index(min(cycle))  # start at the first task in input order: stable messages
    return cycle[k:] + cycle[:k]
