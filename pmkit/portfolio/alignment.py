"""Strategic alignment: how much each project contributes to the strategic objectives.

Objectives are weighted (by AHP on pairwise comparisons when given, else by their own
weights), projects are scored 0-5 against each objective, and the alignment index
``sum_o w_o * score_po / 5`` is 0 for no contribution and 1 for an extreme contribution to
all objectives (the business-driver model of Microsoft Project Server; Saaty 1980 for the
weights). Spend by objective shows where the money goes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import PmkitError
from .financials import project_costs
from .prioritization import ahp, pairwise_matrix

SCORE_MAX = 5.0  # top of the alignment scale of the data format


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


def alignment_values(portfolio) -> tuple[pd.DataFrame, pd.Series]:
    """Alignment scores as a projects x objectives frame (0-1 = score/5) and the objective weights.

    The pair feeds :func:`ranking_sensitivity` and :func:`rank_stability`.
    """
    w = objective_weights(portfolio)
    oids = [str(o) for o in w.index]
    m = _score_matrix(portfolio.alignment, "project_id", "objective_id", "score", portfolio.project_ids, oids)
    return pd.DataFrame(m / SCORE_MAX, index=pd.Index(portfolio.project_ids, name="project_id"), columns=oids), w
