"""Portfolio risk: Monte Carlo of portfolio cost and value with correlated projects.

Each project's cost and benefit are uncertain around their plan, and its open risks may
occur. Projects do not move independently (a tight labour market makes every project
dearer), so the draws are correlated through a Gaussian copula with a one-factor
structure: ``Z_p = sqrt(rho) F + sqrt(rho_g) G_program(p) + sqrt(1 - rho - rho_g) e_p``, giving
correlation ``rho`` between any two projects and ``rho + rho_g`` inside a program
(Vose, *Risk Analysis: A Quantitative Guide*, 3rd ed., 2008, ch. 13 on correlation; the
one-factor Gaussian copula of Li 2000). ``Phi(Z_p)`` is then fed to each project's
triangular distribution (inverse CDF), so the marginals stay exactly triangular.

Marginals
    cost multiplier ``Tri(low, 1, high)``: from the tasks' three-point estimates when the
    project has them (``low = sum(cost * optimistic / most_likely) / sum(cost)``, ``high``
    likewise with pessimistic; cost assumed proportional to duration), else
    ``cost_spread``. The plan is the most likely cost, so a pessimistic skew moves the
    mean cost above plan: that is what the estimates say (and what overruns show,
    Flyvbjerg 2006). Benefit multiplier ``Tri(1 + benefit_spread[0], mode, 1 +
    benefit_spread[1])`` with the mode chosen so that the mean benefit equals the plan
    (``benefit_plan="mean"``, the default: a plan is read as the expected benefit, so
    the simulation adds no optimism or pessimism of its own), or ``mode = 1``
    (``benefit_plan="mode"``: the plan is the most likely benefit, the mean moves with
    the skew).
Correlation
    one-factor (``correlation``, ``program_correlation``) as above, or a full matrix
    between projects (a DataFrame labelled by project_id on both axes), which must be
    symmetric with a unit diagonal and positive semidefinite; its square root (from
    the eigendecomposition, so singular matrices are allowed) correlates the normal
    scores.
Risks
    every open risk of the project occurs with its ``probability`` (independently) and
    adds its ``cost_impact`` to cost and subtracts it from value (undiscounted).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr

from ..errors import PmkitError
from .capacity import OPEN_STATES


def _triangular_ppf(u: np.ndarray, low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Inverse CDF of the triangular distribution, broadcast over arrays."""
    span = np.maximum(high - low, 1e-300)
    fc = (mode - low) / span
    left = low + np.sqrt(u * span * (mode - low))
    right = high - np.sqrt((1 - u) * span * (high - mode))
    return np.where(u < fc, left, right)


def cost_spread_from_estimates(portfolio, default: tuple[float, float] = (-0.1, 0.3)) -> pd.DataFrame:
    """Low and high cost multipliers per project from the tasks' three-point estimates."""
    t = portfolio.tasks
    ml = t["most_likely_days"].fillna(t["duration_days"]).to_numpy(dtype=float)
    ok = t["optimistic_days"].notna() & t["pessimistic_days"].notna() & (ml > 0)
    w = t["budget_cost"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(ok, w * t["optimistic_days"].to_numpy(dtype=float) / ml, 0.0)
        hi = np.where(ok, w * t["pessimistic_days"].to_numpy(dtype=float) / ml, 0.0)
    df = pd.DataFrame({"project_id": t["project_id"].astype(str), "w": np.where(ok, w, 0.0), "lo": lo, "hi": hi})
    g = df.groupby("project_id")[["w", "lo", "hi"]].sum()
    ids = portfolio.project_ids
    g = g.reindex(ids)
    has = g["w"].fillna(0) > 0
    return pd.DataFrame({
        "project_id": ids,
        "cost_low": np.where(has, g["lo"] / g["w"].where(has, 1.0), 1 + default[0]),
        "cost_high": np.where(has, g["hi"] / g["w"].where(has, 1.0), 1 + default[1]),
    })


@dataclass(frozen=True)
class PortfolioSimulation:
    """Draws of :func:`simulate_portfolio`.

    ``cost`` and ``value`` are (draws x projects) arrays, ``projects`` the project table
    (``project_id, program_id, cost, npv, cost_low, cost_high, emv`` and the mean effects
    ``benefit_effect, cost_effect, risk_effect`` of :meth:`value_bridge`) in column order.
    """

    projects: pd.DataFrame
    cost: np.ndarray
    value: np.ndarray
    correlation: float | pd.DataFrame
    program_correlation: float

    def totals(self) -> pd.DataFrame:
        """Portfolio totals per draw: ``cost, value``."""
        return pd.DataFrame({"cost": self.cost.sum(axis=1), "value": self.value.sum(axis=1)})

    def summary(self, percentiles=(5, 10, 50, 80, 90, 95)) -> pd.DataFrame:
        """Planned figure, mean, standard deviation and percentiles of portfolio cost and value.

        Includes ``p_below_plan`` (share of draws below the planned total) and, for
        value, ``p_negative`` (chance the portfolio destroys value).
        """
        tot = self.totals()
        plan = {"cost": float(self.projects["cost"].sum()), "value": float(self.projects["npv"].sum())}
        rows = []
        for m in ("cost", "value"):
            x = tot[m].to_numpy()
            row = {"measure": m, "planned": plan[m], "mean": x.mean(), "std": x.std(ddof=1) if x.size > 1 else 0.0}
            row.update({f"p{q}": float(np.percentile(x, q)) for q in percentiles})
            row["p_below_plan"] = float((x < plan[m]).mean())
            row["p_negative"] = float((x < 0).mean())
            rows.append(row)
        return pd.DataFrame(rows)

    def value_bridge(self) -> pd.DataFrame:
        """From planned NPV to mean simulated value: what each source of uncertainty adds.

        Rows ``planned npv``, ``benefit uncertainty`` (zero in expectation with the
        default ``benefit_plan="mean"``), ``cost uncertainty`` (above zero cost skew from
        pessimistic estimates lowers value), ``risk events`` (minus the cost of risks that
        occur, about their EMV) and ``simulated mean``; the middle rows add up to the
        last one exactly (sample means of the same draws).
        """
        p = self.projects
        parts = [("planned npv", float(p["npv"].sum())), ("benefit uncertainty", float(p["benefit_effect"].sum())),
                 ("cost uncertainty", float(p["cost_effect"].sum())), ("risk events", float(p["risk_effect"].sum()))]
        parts.append(("simulated mean", float(self.value.sum(axis=1).mean())))
        return pd.DataFrame(parts, columns=["step", "value"])

    def by_project(self) -> pd.DataFrame:
        """Per project: planned cost and NPV, simulated mean and standard deviation of each, P10/P90 value."""
        p = self.projects
        return p.assign(
            cost_mean=self.cost.mean(axis=0), cost_std=self.cost.std(axis=0, ddof=1),
            value_mean=self.value.mean(axis=0), value_std=self.value.std(axis=0, ddof=1),
            value_p10=np.percentile(self.value, 10, axis=0), value_p90=np.percentile(self.value, 90, axis=0),
        )


def _benefit_mode(low: float, high: float, plan: str) -> float:
    """Mode of the benefit multiplier's triangle: 1, or the one that puts its mean at 1."""
    if plan == "mode":
        return 1.0
    if plan != "mean":
        raise PmkitError(f"benefit_plan must be 'mean' or 'mode', not {plan!r}")
    mode = 3.0 - low - high  # mean of Tri(a, c, b) is (a + c + b) / 3
    if not low - 1e-12 <= mode <= high + 1e-12:
        raise PmkitError(f"benefit_spread ({low - 1:+g}, {high - 1:+g}) is too lopsided for a triangle whose mean "
                         f"is the plan (it would need its most likely value at {mode:g} x plan); widen the short "
                         "side or pass benefit_plan='mode'")
    return float(np.clip(mode, low, high))


def correlation_root(matrix: pd.DataFrame, ids: list[str], tol: float = 1e-9) -> np.ndarray:
    """Square root ``L`` (``L @ L.T = C``) of a correlation matrix between projects, validated.

    ``matrix`` is labelled by project_id on both axes; it is taken in the order of ``ids``
    (projects absent from it are an error). It must be symmetric, with ones on the
    diagonal, entries in [-1, 1], and positive semidefinite (no eigenvalue below
    ``-tol``). When it is not, the message names the projects whose correlations
    contradict each other: the smallest group, taken in order of their weight in the
    eigenvector of the most negative eigenvalue, whose own matrix is already not PSD.
    """
    if not isinstance(matrix, pd.DataFrame):
        raise PmkitError("correlation matrix: pass a DataFrame labelled by project_id on rows and columns")
    m = matrix.copy()
    m.index, m.columns = m.index.astype(str), m.columns.astype(str)
    missing = [p for p in ids if p not in m.index or p not in m.columns]
    if missing:
        raise PmkitError(f"correlation matrix: no row or column for {', '.join(missing[:10])}")
    c = m.loc[ids, ids].to_numpy(dtype=float)
    if not np.isfinite(c).all():
        i, j = np.argwhere(~np.isfinite(c))[0]
        raise PmkitError(f"correlation matrix: {ids[i]}-{ids[j]} is missing")
    bad = np.argwhere(np.abs(c - c.T) > tol)
    if bad.size:
        i, j = bad[0]
        raise PmkitError(f"correlation matrix is not symmetric: {ids[i]}-{ids[j]} is {c[i, j]:g} but "
                         f"{ids[j]}-{ids[i]} is {c[j, i]:g}")
    diag = np.flatnonzero(np.abs(np.diag(c) - 1) > tol)
    if diag.size:
        raise PmkitError(f"correlation matrix: the diagonal must be 1 ({ids[diag[0]]} has {c[diag[0], diag[0]]:g})")
    out = np.argwhere(np.abs(c) > 1 + tol)
    if out.size:
        i, j = out[0]
        raise PmkitError(f"correlation matrix: {ids[i]}-{ids[j]} is {c[i, j]:g}, outside [-1, 1]")
    w, v = np.linalg.eigh(c)
    if w[0] < -tol:
        order = np.argsort(-np.abs(v[:, 0]), kind="stable")
        for k in range(2, len(ids) + 1):
            sub = order[:k]
            if np.linalg.eigvalsh(c[np.ix_(sub, sub)])[0] < -tol:
                break
        names = [ids[q] for q in sorted(sub)]
        pairs = ", ".join(f"{ids[a]}-{ids[b]} {c[a, b]:+g}" for a, b in itertools.combinations(sorted(sub), 2)
                          if abs(c[a, b]) > 0)
        raise PmkitError(f"correlation matrix is not positive semidefinite (smallest eigenvalue {w[0]:.3g}): the "
                         f"correlations among {', '.join(names)} contradict each other ({pairs}); e.g. two "
                         "projects both strongly tied to a third cannot be opposed to each other")
    return v * np.sqrt(np.clip(w, 0.0, None))


def simulate_portfolio(portfolio, n: int = 10_000, correlation: float | pd.DataFrame = 0.3, program_correlation: float = 0.0,
             cost_spread: tuple[float, float] = (-0.1, 0.3), benefit_spread: tuple[float, float] = (-0.3, 0.3),
             benefit_plan: str = "mean", states: tuple[str, ...] | None = OPEN_STATES, project_ids: list[str] | None = None,
             rate: float | None = None, seed: int = 0) -> PortfolioSimulation:
    """Monte Carlo of portfolio cost and value (NPV) with correlated projects.

    Parameters
    ----------
    n : int
        Number of draws.
    correlation : float or DataFrame
        Correlation (of the copula's normal scores) between any two projects, 0-1; or a
        full matrix between projects (DataFrame labelled by project_id on both axes,
        symmetric, unit diagonal, positive semidefinite; see :func:`correlation_root`).
    program_correlation : float
        Extra correlation between projects of the same program; ``correlation +
        program_correlation`` must not exceed 1. Not with a matrix (put it in the matrix).
    cost_spread, benefit_spread : (float, float)
        Low and high relative deviation of cost (for projects without three-point
        estimates) and of benefit, e.g. ``(-0.1, 0.3)`` = Tri(0.9, 1, 1.3). The default
        benefit spread is symmetric, so the mean benefit is the plan.
    benefit_plan : {"mean", "mode"}
        What the planned benefit is: the mean (default; the triangle's mode is set to
        ``3 - low - high`` so that its mean is 1) or the most likely value (mode 1).
    states, project_ids
        Which projects are in the portfolio (default: open projects); pass
        ``Selection.selected_ids`` to assess a chosen portfolio.
    rate : float, optional
        Discount rate for NPV (default the portfolio's).

    Returns
    -------
    PortfolioSimulation

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.portfolio.risk import simulate_portfolio
    >>> sim = simulate_portfolio(pmkit.synth.portfolio(8, 10, seed=2), n=2000, seed=1)
    >>> s = sim.summary().set_index("measure")
    >>> bool(s.loc["cost", "p90"] > s.loc["cost", "p10"])
    True
    """
    from .financials import financials, project_costs

    matrix = correlation if isinstance(correlation, pd.DataFrame) else None
    if matrix is not None:
        if program_correlation:
            raise PmkitError("program_correlation cannot be combined with a correlation matrix: put the "
                             "program's correlations in the matrix")
    elif not 0 <= correlation <= 1 or not 0 <= program_correlation <= 1 - correlation:
        raise PmkitError(f"correlation {correlation} and program_correlation {program_correlation} must be "
                         "between 0 and 1 and sum to at most 1")
    p = portfolio.projects
    if project_ids is None:
        keep = p["state"].isin(states) if states is not None else pd.Series(True, index=p.index)
        project_ids = p.loc[keep, "project_id"].astype(str).tolist()
    ids = [str(x) for x in project_ids]
    if not ids:
        raise PmkitError("portfolio risk: no projects to simulate")
    prog = p.set_index(p["project_id"].astype(str))["program_id"].astype(str).reindex(ids).fillna("")
    cost = project_costs(portfolio).reindex(ids).to_numpy(dtype=float)
    fin = financials(portfolio, rate).set_index("project_id").reindex(ids)
    pv_cost = fin["pv_cost"].fillna(pd.Series(cost, index=ids)).to_numpy(dtype=float)
    pv_ben = fin["pv_benefit"].fillna(0.0).to_numpy(dtype=float)
    spread = cost_spread_from_estimates(portfolio, cost_spread).set_index("project_id").reindex(ids)
    lo_c = np.minimum(spread["cost_low"].to_numpy(dtype=float), 1.0)
    hi_c = np.maximum(spread["cost_high"].to_numpy(dtype=float), 1.0)
    r = portfolio.risks
    r = r[(r["status"].astype(str) != "closed") & r["project_id"].astype(str).isin(ids)]
    r_proj = pd.Index(ids).get_indexer(r["project_id"].astype(str))
    prob = r["probability"].to_numpy(dtype=float)
    impact = r["cost_impact"].to_numpy(dtype=float)
    emv = np.bincount(r_proj, weights=prob * impact, minlength=len(ids))
    rng = np.random.default_rng(seed)
    m = len(ids)
    codes, uniq = pd.factorize(prog)

    root = correlation_root(matrix, ids) if matrix is not None else None
    b_lo, b_hi = 1 + benefit_spread[0], 1 + benefit_spread[1]
    if not b_lo <= 1 <= b_hi:
        raise PmkitError(f"benefit_spread {benefit_spread}: low must be <= 0 <= high")
    b_mode = _benefit_mode(b_lo, b_hi, benefit_plan)

    def scores() -> np.ndarray:
        if root is not None:
            return rng.standard_normal((n, m)) @ root.T
        z = np.sqrt(correlation) * rng.standard_normal((n, 1))
        if program_correlation > 0:
            z = z + np.sqrt(program_correlation) * rng.standard_normal((n, len(uniq)))[:, codes]
        return z + np.sqrt(1 - correlation - program_correlation) * rng.standard_normal((n, m))

    u_cost, u_ben = ndtr(scores()), ndtr(scores())
    mc = _triangular_ppf(u_cost, lo_c, np.ones(m), hi_c)
    mb = _triangular_ppf(u_ben, np.full(m, b_lo), np.full(m, b_mode), np.full(m, b_hi))
    risk_cost = np.zeros((n, m))
    if prob.size:
        occurs = rng.random((n, prob.size)) < prob
        # add each risk's impact to its project's column
        np.add.at(risk_cost.T, r_proj, (occurs * impact).T)
    sim_cost = cost * mc + risk_cost
    sim_value = pv_ben * mb - pv_cost * mc - risk_cost
    table = pd.DataFrame({"project_id": ids, "program_id": prog.to_numpy(), "cost": cost,
                          "npv": pv_ben - pv_cost, "cost_low": lo_c, "cost_high": hi_c, "emv": emv,
                          # mean effect on value of each source of uncertainty (value_bridge)
                          "benefit_effect": pv_ben * (mb.mean(axis=0) - 1),
                          "cost_effect": -pv_cost * (mc.mean(axis=0) - 1),
                          "risk_effect": -risk_cost.mean(axis=0)})
    return PortfolioSimulation(table, sim_cost, sim_value, matrix.loc[ids, ids] if matrix is not None else correlation,
                               program_correlation)


def risk_value(portfolio, sim: PortfolioSimulation | None = None, **kwargs) -> pd.DataFrame:
    """Per project: value (mean simulated NPV), risk (its standard deviation), cost, program.

    The data of the risk-value bubble chart (:func:`pmkit.charts.portfolio.risk_value_chart`).
    """
    sim = sim or simulate_portfolio(portfolio, **kwargs)
    bp = sim.by_project()
    names = dict(zip(portfolio.projects["project_id"].astype(str), portfolio.projects["name"], strict=True))
    return pd.DataFrame({"project_id": bp["project_id"], "name": bp["project_id"].map(names),
                         "program_id": bp["program_id"], "cost": bp["cost"], "value": bp["value_mean"],
                         "risk": bp["value_std"], "emv": bp["emv"]})


def concentration(portfolio, states: tuple[str, ...] | None = OPEN_STATES, by: str = "program_id") -> pd.DataFrame:
    """Share of cost, NPV and risk exposure (EMV of open risks) by program (or ``by`` column).

    Adds a final row ``(HHI)`` with the Herfindahl-Hirschman index ``sum(share^2)`` of each
    share (1 = everything in one group, 1/k = spread evenly over k groups).
    """
    from .financials import financials, project_costs

    p = portfolio.projects
    keep = p["state"].isin(states) if states is not None else pd.Series(True, index=p.index)
    sub = p[keep]
    ids = sub["project_id"].astype(str)
    if by not in sub.columns:
        raise PmkitError(f"concentration: projects has no column {by!r}")
    r = portfolio.risks
    r = r[r["status"].astype(str) != "closed"]
    emv = (r["probability"] * r["cost_impact"]).groupby(r["project_id"].astype(str)).sum()
    npv = financials(portfolio).set_index("project_id")["npv"]
    df = pd.DataFrame({by: sub[by].astype(str).replace("", "(none)").to_numpy(),
                       "cost": project_costs(portfolio).reindex(ids).to_numpy(),
                       "npv": npv.reindex(ids).fillna(0.0).to_numpy(),
                       "emv": emv.reindex(ids).fillna(0.0).to_numpy()})
    g = df.groupby(by).agg(projects=("cost", "size"), cost=("cost", "sum"), npv=("npv", "sum"), emv=("emv", "sum"))
    for c in ("cost", "npv", "emv"):
        tot = g[c].sum()
        g[f"{c}_share"] = g[c] / tot if tot else np.nan
    out = g.reset_index()
    hhi = {by: "(HHI)", "projects": len(df)}
    hhi.update({c: np.nan for c in ("cost", "npv", "emv")})
    hhi.update({f"{c}_share": float((out[f"{c}_share"] ** 2).sum()) for c in ("cost", "npv", "emv")})
    return pd.concat([out, pd.DataFrame([hhi])], ignore_index=True)


__all__ = ["PortfolioSimulation", "concentration", "correlation_root", "cost_spread_from_estimates", "risk_value",
           "simulate_portfolio"]
