"""Portfolio prioritization: strategic alignment, AHP, weighted scoring and financials.

The reference is the portfolio analysis of Microsoft Project Server / Project Online:
business drivers (strategic objectives) weighted by pairwise comparison, projects rated
against the drivers, and a priority per project. pmkit adds what that tool leaves out:
the consistency check of the comparisons with the pairs that disagree most, how sensitive
the ranking is to the weights, and the financial case of every project from its cash flows.

Formulas and sources
--------------------
* AHP weights: principal right eigenvector of the reciprocal comparison matrix, normalized
  to sum to 1; consistency index ``CI = (lambda_max - n) / (n - 1)``; consistency ratio
  ``CR = CI / RI(n)`` with Saaty's random index table :data:`RANDOM_INDEX`
  (Saaty, T. L., *The Analytic Hierarchy Process*, McGraw-Hill, 1980; Saaty 1990,
  "How to make a decision", EJOR 48, 9-26). ``CR > 0.1`` is flagged.
* Alignment index: ``sum_o w_o * score_po / 5`` with ``w`` the normalized objective
  weights and ``score`` on the 0-5 scale, so 0 = no contribution, 1 = extreme to all.
* NPV, IRR, payback, ROI, benefit-cost ratio: PMBOK Guide 7th ed. (Measurement
  Performance Domain) and any corporate finance text (e.g. Brealey, Myers & Allen).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from .errors import PmkitError

#: Saaty's random consistency index RI(n): the mean CI of random reciprocal matrices of
#: size n (Saaty 1980, Table 1.7, n = 1..10; extended to n = 15 in Saaty 1980/1994).
RANDOM_INDEX: dict[int, float] = {
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49,
    11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
}

#: Threshold above which Saaty advises revising the judgments.
CR_THRESHOLD = 0.1

#: Days per year of the exact year fractions used for discounting (Actual/365, the
#: convention of Excel's XNPV and XIRR, so results can be checked in a spreadsheet).
DAYS_PER_YEAR = 365.0

SCORE_MAX = 5.0  # top of the alignment scale of the data format


# ============================================================================ AHP

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


# ============================================================================ alignment

def objective_weights(portfolio, method: str = "auto") -> pd.Series:
    """Normalized weights of the strategic objectives, by ``objective_id``.

    ``method="auto"`` uses AHP on the ``pairwise`` table when it has rows, else the
    ``weight`` column; ``"ahp"`` and ``"weight"`` force one of them.
    """
    so = portfolio.strategic_objectives
    if not len(so):
        raise PmkitError("strategic_objectives: the table is empty; alignment needs objectives with weights")
    ids = so["objective_id"].astype(str).tolist()
    use_ahp = method == "ahp" or (method == "auto" and len(portfolio.pairwise) > 0)
    if method not in ("auto", "ahp", "weight"):
        raise PmkitError(f"unknown weighting method {method!r} (auto, ahp, weight)")
    if use_ahp:
        return ahp(pairwise_matrix(portfolio.pairwise, ids)).weights.rename("weight")
    w = so["weight"].to_numpy(dtype=float)
    if not w.sum() > 0:
        raise PmkitError("strategic_objectives: the weights sum to 0; give at least one a positive weight")
    return pd.Series(w / w.sum(), index=pd.Index(ids), name="weight")


def _score_matrix(long: pd.DataFrame, row: str, col: str, value: str, rows: list[str],
                  cols: list[str]) -> np.ndarray:
    """Dense rows x cols matrix from a long table (missing cells 0)."""
    m = np.zeros((len(rows), len(cols)))
    if len(long):
        i = pd.Index(rows).get_indexer(long[row].astype(str))
        j = pd.Index(cols).get_indexer(long[col].astype(str))
        ok = (i >= 0) & (j >= 0)
        m[i[ok], j[ok]] = long[value].to_numpy(dtype=float)[ok]
    return m


def alignment_matrix(portfolio, weights: pd.Series | None = None) -> pd.DataFrame:
    """Tidy alignment matrix: one row per project and strategic objective.

    Columns ``project_id, name, objective_id, objective, weight, score, weighted_score``
    where ``weighted_score = weight * score / 5`` (its sum over objectives is the
    project's alignment index). Missing scores count as 0 (no contribution).
    """
    w = objective_weights(portfolio) if weights is None else weights
    so = portfolio.strategic_objectives
    names = dict(zip(so["objective_id"].astype(str), so["name"].astype(str), strict=True))
    pids = portfolio.project_ids
    oids = [str(o) for o in w.index]
    m = _score_matrix(portfolio.alignment, "project_id", "objective_id", "score", pids, oids)
    n, k = m.shape
    return pd.DataFrame({
        "project_id": np.repeat(pids, k), "name": np.repeat(portfolio.projects["name"].to_numpy(), k),
        "objective_id": np.tile(oids, n), "objective": np.tile([names.get(o, o) for o in oids], n),
        "weight": np.tile(w.to_numpy(), n), "score": m.ravel(),
        "weighted_score": (m * w.to_numpy() / SCORE_MAX).ravel(),
    })


def alignment(portfolio, weights: pd.Series | None = None) -> pd.DataFrame:
    """Weighted strategic alignment index of every project, ranked.

    Parameters
    ----------
    portfolio : Portfolio
    weights : Series, optional
        Objective weights by ``objective_id`` (default :func:`objective_weights`).

    Returns
    -------
    DataFrame
        ``project_id, name, program_id, state, alignment_index`` (0-1),
        ``alignment_score`` (0-5, the weighted mean score) and ``rank`` (1 = best).

    Notes
    -----
    ``alignment_index = sum_o w_o * score_po / 5`` with weights normalized to sum 1: the
    weighted scoring model of PMI's *Standard for Portfolio Management* (4th ed., 2017).

    Examples
    --------
    >>> import pmkit
    >>> pf = pmkit.synth.portfolio(6, 5, seed=1)
    >>> a = alignment(pf)
    >>> bool(a["alignment_index"].between(0, 1).all())
    True
    """
    mat = alignment_matrix(portfolio, weights)
    idx = mat.groupby("project_id", sort=False)["weighted_score"].sum()
    p = portfolio.projects
    out = pd.DataFrame({
        "project_id": p["project_id"].astype(str).to_numpy(), "name": p["name"].to_numpy(),
        "program_id": p["program_id"].to_numpy(), "state": p["state"].to_numpy(),
    })
    out["alignment_index"] = idx.reindex(out["project_id"]).to_numpy()
    out["alignment_score"] = out["alignment_index"] * SCORE_MAX
    out["rank"] = out["alignment_index"].rank(ascending=False, method="min").astype(int)
    return out.sort_values(["rank", "project_id"], kind="stable").reset_index(drop=True)


def project_costs(portfolio) -> pd.Series:
    """Total cost per project: the sum of its cash-flow costs, else its ``budget``."""
    cf = portfolio.cash_flows.groupby(portfolio.cash_flows["project_id"].astype(str))["cost"].sum()
    budget = pd.Series(portfolio.projects["budget"].to_numpy(dtype=float), index=portfolio.project_ids)
    return cf.reindex(budget.index).where(lambda s: s > 0).fillna(budget).rename("cost")


def spend_by_objective(portfolio, states: tuple[str, ...] | None = ("proposed", "active", "on_hold"),
                       ) -> pd.DataFrame:
    """Spend per strategic objective: each project's cost split by its contribution.

    A project's cost (:func:`project_costs`) is split across objectives in proportion to
    its alignment scores (``score_po / sum_o score_po``); projects scoring 0 everywhere go
    to an ``(unaligned)`` row. Comparing ``spend_share`` with ``weight`` shows whether money
    follows strategy.

    Returns
    -------
    DataFrame
        ``objective_id, objective, weight, spend, spend_share, projects`` (number of
        projects contributing).
    """
    projects = portfolio.projects
    keep = np.ones(len(projects), bool) if states is None else projects["state"].isin(states).to_numpy()
    pids = [p for p, k in zip(portfolio.project_ids, keep, strict=True) if k]
    w = objective_weights(portfolio)
    oids = [str(o) for o in w.index]
    m = _score_matrix(portfolio.alignment, "project_id", "objective_id", "score", pids, oids)
    cost = project_costs(portfolio).reindex(pids).to_numpy()
    tot = m.sum(axis=1)
    share = np.divide(m, tot[:, None], out=np.zeros_like(m), where=tot[:, None] > 0)
    spend = (share * cost[:, None]).sum(axis=0)
    so = portfolio.strategic_objectives
    names = dict(zip(so["objective_id"].astype(str), so["name"].astype(str), strict=True))
    out = pd.DataFrame({"objective_id": oids, "objective": [names.get(o, o) for o in oids],
                        "weight": w.to_numpy(), "spend": spend, "projects": (m > 0).sum(axis=0)})
    unaligned = tot <= 0
    if unaligned.any():
        out.loc[len(out)] = ["(unaligned)", "no contribution to any objective", 0.0,
                             float(cost[unaligned].sum()), int(unaligned.sum())]
    total = out["spend"].sum()
    out["spend_share"] = out["spend"] / total if total > 0 else 0.0
    return out[["objective_id", "objective", "weight", "spend", "spend_share", "projects"]]


# ============================================================================ scoring

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


def alignment_values(portfolio) -> tuple[pd.DataFrame, pd.Series]:
    """Alignment scores as a projects x objectives frame (0-1 = score/5) and the objective weights.

    The pair feeds :func:`ranking_sensitivity` and :func:`rank_stability`.
    """
    w = objective_weights(portfolio)
    oids = [str(o) for o in w.index]
    m = _score_matrix(portfolio.alignment, "project_id", "objective_id", "score", portfolio.project_ids, oids)
    return pd.DataFrame(m / SCORE_MAX, index=pd.Index(portfolio.project_ids, name="project_id"), columns=oids), w


# ============================================================================ financials

def _year_fraction(dates, origin) -> np.ndarray:
    d = pd.to_datetime(pd.Series(dates)).to_numpy(dtype="datetime64[D]").astype(np.int64)
    return (d - np.datetime64(pd.Timestamp(origin).date(), "D").astype(np.int64)) / DAYS_PER_YEAR


def npv(amounts, dates, rate: float, as_of=None) -> float:
    """Net present value of dated cash amounts (positive in, negative out).

    ``NPV = sum_t CF_t / (1 + r) ** t`` with ``t`` the exact year fraction
    ``days / 365`` (Excel's XNPV convention) from ``as_of`` (default: the first date) to each date; each period's
    cash counts at its ``period_start``.

    Examples
    --------
    >>> round(npv([-100, 60, 60], ["2025-01-01", "2026-01-01", "2027-01-01"], 0.10), 2)
    4.13
    """
    amounts = np.asarray(amounts, dtype=float)
    t = _year_fraction(dates, as_of if as_of is not None else pd.to_datetime(pd.Series(dates)).min())
    return float((amounts * (1.0 + rate) ** -t).sum())


def irr(amounts, dates) -> float | None:
    """Internal rate of return of dated cash amounts; None when there is none.

    Solves ``NPV(r) = 0`` (the timing of :func:`npv`) for ``r`` in (-99 %, 1000 %]: NPV is
    evaluated on a grid of 400 rates, every sign change is bracketed and refined with
    Brent's method. Without a sign change (all flows one sign) there is no IRR and None is
    returned. With several roots (flows that change sign more than once) the smallest is
    returned; :func:`financials` reports how many there were.

    Examples
    --------
    >>> round(irr([-100, 60, 60], ["2025-01-01", "2026-01-01", "2027-01-01"]), 4)
    0.1307
    """
    roots = _irr_roots(np.asarray(amounts, dtype=float), _year_fraction(dates, pd.to_datetime(pd.Series(dates)).min()))
    return roots[0] if roots else None


_IRR_GRID = np.expm1(np.linspace(np.log(0.01), np.log(11.0), 400))  # rates -0.99 .. 10


def _irr_roots(cf: np.ndarray, t: np.ndarray) -> list[float]:
    if not (np.any(cf > 0) and np.any(cf < 0)):
        return []

    def f(r: float) -> float:
        return float((cf * (1.0 + r) ** -t).sum())

    with np.errstate(over="ignore", invalid="ignore"):
        vals = (cf[None, :] * (1.0 + _IRR_GRID[:, None]) ** -t[None, :]).sum(axis=1)
    roots = []
    for k in np.flatnonzero(np.isfinite(vals[:-1]) & np.isfinite(vals[1:]) & (np.sign(vals[:-1]) != np.sign(vals[1:]))):
        if vals[k] == 0:
            roots.append(float(_IRR_GRID[k]))
        else:
            roots.append(float(brentq(f, _IRR_GRID[k], _IRR_GRID[k + 1], xtol=1e-12, rtol=1e-12)))
    return sorted(set(roots))


def _payback(t: np.ndarray, cum: np.ndarray) -> float:
    """First time the piecewise-linear cumulative curve through (t_k, cum_k) reaches 0."""
    if cum[0] >= 0:
        return 0.0
    hit = np.flatnonzero(cum >= 0)
    if not hit.size:
        return float("nan")
    k = int(hit[0])
    return float(t[k - 1] + (t[k] - t[k - 1]) * (-cum[k - 1]) / (cum[k] - cum[k - 1]))


def financials(portfolio, rate: float | None = None, as_of=None) -> pd.DataFrame:
    """Financial case of every project from its ``cash_flows``.

    Parameters
    ----------
    portfolio : Portfolio or Project
    rate : float, optional
        Yearly discount rate (default ``portfolio.discount_rate``, 8 % for a Project).
    as_of : date, optional
        Date all values are discounted to (default: the first ``period_start`` in the
        cash flows passed in, so every project's NPV is in money of the same date).

    Returns
    -------
    DataFrame
        One row per project with cash flows: ``cost, benefit, net`` (undiscounted sums),
        ``pv_cost, pv_benefit, npv`` (discounted to ``as_of``), ``irr`` (NaN when there is
        none) and ``irr_roots`` (how many), ``roi = (benefit - cost) / cost``,
        ``bcr = pv_benefit / pv_cost``, ``payback_years`` and ``discounted_payback_years``.

    Notes
    -----
    Timing convention: each row's ``cost`` and ``benefit`` are cash at its
    ``period_start``; discount factors are ``(1 + rate) ** -t`` with ``t`` the exact year
    fraction (Actual/365, as Excel's XNPV) from ``as_of``. Payback is measured from the project's first
    cash flow to the moment the cumulative net cash, drawn as a straight line between
    consecutive period starts, reaches 0 (the textbook interpolation "years before
    recovery + unrecovered / cash of the year"); NaN if never. The discounted payback uses
    discounted cash. IRR does not depend on ``as_of``.
    """
    cf = portfolio.cash_flows
    rate = float(portfolio.discount_rate if rate is None and hasattr(portfolio, "discount_rate")
                 else 0.08 if rate is None else rate)
    cols = ["project_id", "cost", "benefit", "net", "pv_cost", "pv_benefit", "npv", "irr", "irr_roots",
            "roi", "bcr", "payback_years", "discounted_payback_years"]
    if not len(cf):
        return pd.DataFrame(columns=cols)
    cf = cf.assign(project_id=cf["project_id"].astype(str)).sort_values(["project_id", "period_start"], kind="stable")
    origin = pd.Timestamp(as_of) if as_of is not None else cf["period_start"].min()
    t = _year_fraction(cf["period_start"], origin)
    df = (1.0 + rate) ** -t
    cost = cf["cost"].to_numpy(dtype=float)
    ben = cf["benefit"].to_numpy(dtype=float)
    work = pd.DataFrame({"project_id": cf["project_id"].to_numpy(), "cost": cost, "benefit": ben,
                         "pv_cost": cost * df, "pv_benefit": ben * df})
    g = work.groupby("project_id", sort=False)
    out = g[["cost", "benefit", "pv_cost", "pv_benefit"]].sum()
    out["net"] = out["benefit"] - out["cost"]
    out["npv"] = out["pv_benefit"] - out["pv_cost"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["roi"] = np.where(out["cost"] > 0, out["net"] / out["cost"], np.nan)
        out["bcr"] = np.where(out["pv_cost"] > 0, out["pv_benefit"] / out["pv_cost"], np.nan)
    net = ben - cost
    starts = np.r_[0, np.flatnonzero(work["project_id"].to_numpy()[1:] != work["project_id"].to_numpy()[:-1]) + 1,
                   len(work)]
    irr_v, n_roots, pay, dpay = [], [], [], []
    for a, b in zip(starts[:-1], starts[1:], strict=True):
        tt = t[a:b] - t[a]
        roots = _irr_roots(net[a:b], tt)
        irr_v.append(roots[0] if roots else np.nan)
        n_roots.append(len(roots))
        pay.append(_payback(tt, np.cumsum(net[a:b])))
        dpay.append(_payback(tt, np.cumsum(net[a:b] * df[a:b])))
    out["irr"], out["irr_roots"] = irr_v, n_roots
    out["payback_years"], out["discounted_payback_years"] = pay, dpay
    return out.reset_index()[cols]


def portfolio_financials(portfolio, rate: float | None = None, as_of=None,
                         states: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Totals of :func:`financials` per program and for the whole portfolio.

    Ratios come from sums, never from averages of project ratios:
    ``roi = sum(benefit - cost) / sum(cost)``, ``bcr = sum(pv_benefit) / sum(pv_cost)``;
    ``irr`` is the IRR of the summed cash flows (NaN for programs).

    Returns
    -------
    DataFrame
        ``level`` (``program`` or ``portfolio``), ``program_id``, ``projects``, ``cost,
        benefit, npv, pv_cost, pv_benefit, roi, bcr, irr``.
    """
    f = financials(portfolio, rate, as_of)
    p = portfolio.projects
    if states is not None:
        f = f[f["project_id"].isin(p.loc[p["state"].isin(states), "project_id"].astype(str))]
    prog = dict(zip(p["project_id"].astype(str), p["program_id"].astype(str), strict=True))
    f = f.assign(program_id=f["project_id"].map(prog).fillna(""))
    sums = ["cost", "benefit", "npv", "pv_cost", "pv_benefit"]
    by = f.groupby("program_id", sort=True)[sums].sum()
    by["projects"] = f.groupby("program_id", sort=True).size()
    by = by.reset_index().assign(level="program")
    total = pd.DataFrame([{**f[sums].sum().to_dict(), "projects": len(f), "program_id": "", "level": "portfolio"}])
    out = pd.concat([by, total], ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["roi"] = np.where(out["cost"] > 0, (out["benefit"] - out["cost"]) / out["cost"], np.nan)
        out["bcr"] = np.where(out["pv_cost"] > 0, out["pv_benefit"] / out["pv_cost"], np.nan)
    cf = portfolio.cash_flows[portfolio.cash_flows["project_id"].astype(str).isin(f["project_id"])]
    whole = cf.groupby("period_start")[["cost", "benefit"]].sum().reset_index()
    out["irr"] = np.nan
    if len(whole):
        r = irr((whole["benefit"] - whole["cost"]).to_numpy(), whole["period_start"])
        out.loc[out["level"] == "portfolio", "irr"] = np.nan if r is None else r
    return out[["level", "program_id", "projects", "cost", "benefit", "npv", "pv_cost", "pv_benefit",
                "roi", "bcr", "irr"]]


__all__ = [
    "CR_THRESHOLD", "RANDOM_INDEX", "AHPResult", "ahp", "alignment", "alignment_matrix", "alignment_values",
    "criteria_matrix", "financials", "irr", "npv", "objective_weights", "pairwise_matrix",
    "portfolio_financials", "project_costs", "rank_stability", "ranking_sensitivity", "spend_by_objective",
    "weighted_scores",
]
