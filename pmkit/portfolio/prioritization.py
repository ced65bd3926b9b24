"""Prioritization: AHP pairwise weights with their consistency, weighted scoring and how
sensitive a ranking is to its weights.

The reference is the portfolio analysis of Microsoft Project Server / Project Online:
business drivers weighted by pairwise comparison, projects rated against them, and a
priority per project. pmkit adds what that tool leaves out: the consistency check of the
comparisons with the pairs that disagree most, and how sensitive the ranking is to the
weights.

Formulas and sources
--------------------
* AHP weights: principal right eigenvector of the reciprocal comparison matrix, normalized
  to sum to 1; consistency index ``CI = (lambda_max - n) / (n - 1)``; consistency ratio
  ``CR = CI / RI(n)`` with Saaty's random index table :data:`RANDOM_INDEX`
  (Saaty, T. L., *The Analytic Hierarchy Process*, McGraw-Hill, 1980; Saaty 1990,
  "How to make a decision", EJOR 48, 9-26). ``CR > 0.1`` is flagged.
* Weighted score: min-max normalized criteria (reversed when lower is better) times the
  criteria weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import PmkitError

#: Saaty's random consistency index RI(n): the mean CI of random reciprocal matrices of
#: size n (Saaty 1980, Table 1.7, n = 1..10; extended to n = 15 in Saaty 1980/1994).
RANDOM_INDEX: dict[int, float] = {
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49,
    11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
}


#: Threshold above which Saaty advises revising the judgments.
CR_THRESHOLD = 0.1


@dataclass(frozen=True)
class AHPResult:
    """Weights and consistency of one pairwise comparison matrix.

    Attributes
    ----------
    weights : Series
        Principal-eigenvector weights by item, summing to 1.
    lambda_max, consistency_index, consistency_ratio : float
        Saaty's consistency measures; ``consistency_ratio`` is NaN for n <= 2
        (every 1x1 and 2x2 reciprocal matrix is consistent).
    consistent : bool
        ``consistency_ratio <= 0.1`` (always True for n <= 2).
    matrix : DataFrame
        The full reciprocal matrix.
    disagreements : DataFrame
        Pairs ``item_a, item_b`` with the judgment ``value``, the value the weights imply
        (``implied = w_a / w_b``) and ``disagreement = |a_ab * w_b / w_a - 1|``, largest first.
        Revising the top pairs lowers the CR most.
    """

    weights: pd.Series
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    consistent: bool
    matrix: pd.DataFrame
    disagreements: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """One row per item: weight and rank, with the consistency figures repeated."""
        w = self.weights
        return pd.DataFrame({
            "item": w.index.astype(str), "weight": w.to_numpy(),
            "rank": w.rank(ascending=False, method="min").astype(int).to_numpy(),
            "lambda_max": self.lambda_max, "consistency_index": self.consistency_index,
            "consistency_ratio": self.consistency_ratio, "consistent": self.consistent,
        })

    def __repr__(self) -> str:
        flag = "consistent" if self.consistent else f"INCONSISTENT (CR > {CR_THRESHOLD})"
        w = ", ".join(f"{k}={v:.3f}" for k, v in self.weights.items())
        return f"AHPResult({w}; lambda_max={self.lambda_max:.3f}, CR={self.consistency_ratio:.3f}, {flag})"


def pairwise_matrix(pairwise: pd.DataFrame, items: list[str] | None = None) -> pd.DataFrame:
    """The full reciprocal matrix from rows ``objective_a, objective_b, value``.

    Each unordered pair needs one judgment (``a_ba = 1 / a_ab`` is filled in); a pair given
    both ways must be reciprocal. Missing pairs raise :class:`PmkitError` naming them.

    Examples
    --------
    >>> import pandas as pd
    >>> pw = pd.DataFrame({"objective_a": ["A"], "objective_b": ["B"], "value": [3.0]})
    >>> round(float(pairwise_matrix(pw).loc["B", "A"]), 3)
    0.333
    """
    a = pairwise["objective_a"].astype(str).to_numpy()
    b = pairwise["objective_b"].astype(str).to_numpy()
    v = pairwise["value"].to_numpy(dtype=float)
    if items is None:
        items = list(dict.fromkeys([*a, *b]))
    idx = pd.Index(items)
    n = len(items)
    m = np.full((n, n), np.nan)
    np.fill_diagonal(m, 1.0)
    i, j = idx.get_indexer(a), idx.get_indexer(b)
    unknown = (i < 0) | (j < 0)
    if unknown.any():
        k = int(np.flatnonzero(unknown)[0])
        raise PmkitError(f"pairwise: comparison {a[k]} vs {b[k]} names an objective that is not in {items}")
    for ii, jj, vv, aa, bb in zip(i, j, v, a, b, strict=True):
        if ii == jj:
            if not np.isclose(vv, 1.0):
                raise PmkitError(f"pairwise: {aa} compared with itself must be 1, not {vv:g}")
            continue
        if not np.isnan(m[ii, jj]) and not np.isclose(m[ii, jj], vv, rtol=1e-6):
            raise PmkitError(f"pairwise: {aa} vs {bb} is given twice with different values "
                             f"({m[ii, jj]:g} and {vv:g}); give each pair once")
        m[ii, jj], m[jj, ii] = vv, 1.0 / vv
    missing = np.argwhere(np.isnan(np.triu(m)))
    if len(missing):
        pairs = ", ".join(f"{items[r]} vs {items[c]}" for r, c in missing[:10])
        raise PmkitError(f"pairwise: {len(missing)} comparison(s) missing: {pairs}; "
                         f"AHP needs all n(n-1)/2 = {n * (n - 1) // 2} pairs")
    return pd.DataFrame(m, index=idx, columns=idx)


def ahp(matrix, labels: list[str] | None = None) -> AHPResult:
    """Analytic Hierarchy Process: weights and consistency of a pairwise comparison matrix.

    Parameters
    ----------
    matrix : DataFrame, array-like or pairwise table
        A square reciprocal matrix (``a_ij`` = how much more important i is than j on
        Saaty's 1-9 scale), or a table with columns ``objective_a, objective_b, value``
        (the ``pairwise`` table of the data format).
    labels : list of str, optional
        Item names for an array input (default ``"1".."n"``).

    Returns
    -------
    AHPResult

    Notes
    -----
    Weights are the principal right eigenvector, normalized to sum 1;
    ``CI = (lambda_max - n) / (n - 1)`` and ``CR = CI / RI(n)`` with Saaty's random index
    :data:`RANDOM_INDEX` (Saaty 1980). A matrix with ``CR > 0.1`` should be revised; the
    pairs to revisit first are those whose judgment is furthest from what the weights
    imply, ``|a_ij * w_j / w_i - 1|`` (listed in ``disagreements``).

    Examples
    --------
    Saaty (1977)'s light-intensity experiment: four chairs at increasing distance.

    >>> r = ahp([[1, 5, 6, 7], [1/5, 1, 4, 6], [1/6, 1/4, 1, 4], [1/7, 1/6, 1/4, 1]])
    >>> r.weights.round(2).tolist(), round(r.lambda_max, 2)
    ([0.62, 0.24, 0.1, 0.05], 4.39)
    """
    if isinstance(matrix, pd.DataFrame) and {"objective_a", "objective_b", "value"} <= set(matrix.columns):
        matrix = pairwise_matrix(matrix, labels)
    if isinstance(matrix, pd.DataFrame):
        labels = [str(c) for c in matrix.columns]
        a = matrix.to_numpy(dtype=float)
    else:
        a = np.asarray(matrix, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise PmkitError(f"AHP needs a square comparison matrix, got shape {a.shape}")
    n = a.shape[0]
    labels = labels or [str(k + 1) for k in range(n)]
    if len(labels) != n:
        raise PmkitError(f"AHP: {len(labels)} labels for a {n}x{n} matrix")
    if not (np.all(np.isfinite(a)) and np.all(a > 0)):
        raise PmkitError("AHP: every comparison must be a positive number (1/9 .. 9)")
    bad = np.argwhere(~np.isclose(a * a.T, 1.0, rtol=1e-6))
    if len(bad):
        r, c = bad[0]
        raise PmkitError(f"AHP: matrix is not reciprocal: a[{labels[r]}, {labels[c]}] = {a[r, c]:g} but "
                         f"a[{labels[c]}, {labels[r]}] = {a[c, r]:g} (must be 1/{a[r, c]:g})")
    if n > max(RANDOM_INDEX):
        raise PmkitError(f"AHP: {n} items; Saaty's random index is tabulated up to {max(RANDOM_INDEX)} "
                         "(and people cannot compare more than about 9 items consistently)")
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))  # Perron root: real and largest for a positive matrix
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    lam = float(vals[k].real)
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = RANDOM_INDEX[n]
    cr = ci / ri if ri > 0 else float("nan")
    iu, ju = np.triu_indices(n, 1)
    dis = pd.DataFrame({
        "item_a": np.asarray(labels, dtype=object)[iu], "item_b": np.asarray(labels, dtype=object)[ju],
        "value": a[iu, ju], "implied": w[iu] / w[ju],
        "disagreement": np.abs(a[iu, ju] * w[ju] / w[iu] - 1.0),
    }).sort_values("disagreement", ascending=False, kind="stable").reset_index(drop=True)
    idx = pd.Index(labels)
    return AHPResult(
        weights=pd.Series(w, index=idx, name="weight"), lambda_max=lam, consistency_index=float(ci),
        consistency_ratio=float(cr), consistent=bool(not (cr > CR_THRESHOLD)),
        matrix=pd.DataFrame(a, index=idx, columns=idx), disagreements=dis,
    )


def criteria_matrix(portfolio) -> tuple[pd.DataFrame, pd.Series]:
    """Normalized criterion values (projects x criteria, 0-1, 1 = best) and criterion weights.

    Each criterion is min-max normalized across projects, ``(x - min) / (max - min)``,
    reversed (``(max - x) / (max - min)``) when ``higher_is_better`` is false; a criterion
    on which all projects score the same gives every project 1. A missing score is the
    worst (0). Weights are normalized to sum 1.
    """
    cr = portfolio.criteria
    if not len(cr):
        raise PmkitError("criteria: the table is empty; weighted scoring needs criteria and scores")
    cids = cr["criterion_id"].astype(str).tolist()
    pids = portfolio.project_ids
    sc = portfolio.scores
    raw = np.full((len(pids), len(cids)), np.nan)
    if len(sc):
        i = pd.Index(pids).get_indexer(sc["project_id"].astype(str))
        j = pd.Index(cids).get_indexer(sc["criterion_id"].astype(str))
        ok = (i >= 0) & (j >= 0)
        raw[i[ok], j[ok]] = sc["score"].to_numpy(dtype=float)[ok]
    lo, hi = np.nanmin(np.where(np.isnan(raw), np.inf, raw), 0), np.nanmax(np.where(np.isnan(raw), -np.inf, raw), 0)
    span = hi - lo
    hib = cr["higher_is_better"].fillna(True).to_numpy(dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = np.where(hib, raw - lo, hi - raw) / span
    norm = np.where(np.isfinite(span) & (span == 0), 1.0, norm)
    norm = np.nan_to_num(norm, nan=0.0)
    w = cr["weight"].to_numpy(dtype=float)
    if not w.sum() > 0:
        raise PmkitError("criteria: the weights sum to 0; give at least one criterion a positive weight")
    return (pd.DataFrame(norm, index=pd.Index(pids, name="project_id"), columns=cids),
            pd.Series(w / w.sum(), index=pd.Index(cids), name="weight"))


def weighted_scores(portfolio, weights: pd.Series | dict | None = None) -> pd.DataFrame:
    """Weighted score of every project on the user criteria, ranked.

    ``weighted_score = sum_c w_c * norm_pc`` (0-1) with the normalization of
    :func:`criteria_matrix` (min-max, reversed for lower-is-better criteria). Pass
    ``weights`` (by ``criterion_id``) to override the table's weights, e.g. from :func:`ahp`.

    Returns
    -------
    DataFrame
        ``project_id, name, weighted_score, rank`` plus one ``norm_<criterion>`` column each.
    """
    norm, w = criteria_matrix(portfolio)
    if weights is not None:
        w = pd.Series(weights, dtype=float).reindex(w.index).fillna(0.0)
        w = w / w.sum()
    score = norm.to_numpy() @ w.to_numpy()
    out = pd.DataFrame({"project_id": norm.index.to_numpy(), "name": portfolio.projects["name"].to_numpy(),
                        "weighted_score": score})
    out["rank"] = out["weighted_score"].rank(ascending=False, method="min").astype(int)
    for c in norm.columns:
        out[f"norm_{c}"] = norm[c].to_numpy()
    return out.sort_values(["rank", "project_id"], kind="stable").reset_index(drop=True)


def _crossings(s: np.ndarray, slope: np.ndarray, i: np.ndarray, j: np.ndarray, lo: float, hi: float):
    """Weight change where S_i(delta) = S_j(delta) for pairs with S_i > S_j now (up, down)."""
    ds = slope[j] - slope[i]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = (s[i] - s[j]) / ds
    apart = s[i] > s[j]  # tied projects have no order to reverse
    up = np.where(apart & (ds > 0) & (d <= hi), d, np.inf)
    down = np.where(apart & (ds < 0) & (d >= lo), d, -np.inf)
    return up, down


def ranking_sensitivity(values: pd.DataFrame, weights: pd.Series) -> pd.DataFrame:
    """How far each criterion's weight can move before the ranking changes.

    For each criterion ``k`` its weight moves by ``delta`` while the other weights keep
    their proportions and the weights still sum to 1 (Triantaphyllou & Sanchez 1997, "A
    sensitivity analysis approach for some deterministic multi-criteria decision-making
    methods", Decision Sciences 28(1)). Every project's score is then linear in
    ``delta``: ``S_i(delta) = S_i + delta * (v_ik - (S_i - v_ik w_k) / (1 - w_k))``, so the
    crossing points are exact. The first rank change always swaps two projects adjacent in
    the current ranking, so only those pairs are checked; exactly tied projects are skipped.

    Parameters
    ----------
    values : DataFrame
        Projects (index) x criteria (columns) on a common scale, e.g. from
        :func:`criteria_matrix` or alignment scores.
    weights : Series
        Weight per criterion (normalized here).

    Returns
    -------
    DataFrame
        One row per criterion: ``criterion, weight``, the smallest increase and decrease of
        the weight that changes who ranks first (``leader_up``/``leader_down`` with the new
        leader), and the smallest change of any adjacent pair (``any_up``/``any_down`` and
        the pair). NaN when no change happens within ``[0, 1]``.
    """
    w = weights.reindex(values.columns).to_numpy(dtype=float)
    w = w / w.sum()
    v = values.to_numpy(dtype=float)
    ids = np.asarray(values.index.astype(str), dtype=object)
    s = v @ w
    order = np.argsort(-s, kind="stable")
    rows = []
    for k, crit in enumerate(values.columns):
        if w[k] >= 1.0:
            slope = np.zeros_like(s)  # a single criterion: nothing to trade against
        else:
            slope = v[:, k] - (s - v[:, k] * w[k]) / (1.0 - w[k])
        lo, hi = -w[k], 1.0 - w[k]

        lead, rest = order[0], order[1:]
        up, down = _crossings(s, slope, np.full(rest.size, lead), rest, lo, hi)
        a_up, a_down = _crossings(s, slope, order[:-1], order[1:], lo, hi)
        row = {"criterion": str(crit), "weight": w[k]}
        for name, arr, pick, pairs in (("leader_up", up, np.argmin, None), ("leader_down", down, np.argmax, None),
                                       ("any_up", a_up, np.argmin, True), ("any_down", a_down, np.argmax, True)):
            if arr.size == 0 or not np.isfinite(arr[pick(arr)]):
                row[name] = np.nan
                row[name + ("_pair" if pairs else "_new_leader")] = ""
                continue
            q = int(pick(arr))
            row[name] = float(arr[q])
            row[name + ("_pair" if pairs else "_new_leader")] = (
                f"{ids[order[q]]} / {ids[order[q + 1]]}" if pairs else str(ids[rest[q]]))
        rows.append(row)
    return pd.DataFrame(rows)


def rank_stability(values: pd.DataFrame, weights: pd.Series, spread: float = 0.2, n: int = 2000,
                   seed: int = 0) -> pd.DataFrame:
    """Monte Carlo weight perturbation: how stable is each project's rank?

    Each weight is multiplied by an independent uniform factor in ``[1 - spread, 1 + spread]``
    and the weights renormalized; ``n`` draws. Returns per project ``rank`` (at the given
    weights), ``rank_p05, rank_median, rank_p95``, ``p_first`` (share of draws ranked 1)
    and ``p_same_rank``.
    """
    w = weights.reindex(values.columns).to_numpy(dtype=float)
    w = w / w.sum()
    v = values.to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    ws = w[:, None] * rng.uniform(1 - spread, 1 + spread, (w.size, n))
    ws /= ws.sum(axis=0)
    scores = v @ ws  # projects x draws
    ranks = (-scores).argsort(axis=0, kind="stable").argsort(axis=0, kind="stable") + 1
    base = (-(v @ w)).argsort(kind="stable").argsort(kind="stable") + 1
    out = pd.DataFrame({
        "project_id": values.index.astype(str), "rank": base,
        "rank_p05": np.percentile(ranks, 5, axis=1), "rank_median": np.median(ranks, axis=1),
        "rank_p95": np.percentile(ranks, 95, axis=1), "p_first": (ranks == 1).mean(axis=1),
        "p_same_rank": (ranks == base[:, None]).mean(axis=1),
    })
    return out.sort_values("rank", kind="stable").reset_index(drop=True)
