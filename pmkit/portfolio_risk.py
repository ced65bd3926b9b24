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
    ``cost_spread``; benefit multiplier ``Tri(1 + benefit_spread[0], 1, 1 + benefit_spread[1])``.
Risks
    every open risk of the project occurs with its ``probability`` (independently) and
    adds its ``cost_impact`` to cost and subtracts it from value (undiscounted).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr

from .capacity import OPEN_STATES
from .errors import PmkitError


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
    """Draws of :func:`simulate`.

    ``cost`` and ``value`` are (draws x projects) arrays, ``projects`` the project table
    (``project_id, program_id, cost, npv, cost_low, cost_high, emv``) in column order.
    """

    projects: pd.DataFrame
    cost: np.ndarray
    value: np.ndarray
    correlation: float
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

    def by_project(self) -> pd.DataFrame:
        """Per project: planned cost and NPV, simulated mean and standard deviation of each, P10/P90 value."""
        p = self.projects
        return p.assign(
            cost_mean=self.cost.mean(axis=0), cost_std=self.cost.std(axis=0, ddof=1),
            value_mean=self.value.mean(axis=0), value_std=self.value.std(axis=0, ddof=1),
            value_p10=np.percentile(self.value, 10, axis=0), value_p90=np.percentile(self.value, 90, axis=0),
        )


def simulate(portfolio, n: int = 10_000, correlation: float = 0.3, program_correlation: float = 0.0,
             cost_spread: tuple[float, float] = (-0.1, 0.3), benefit_spread: tuple[float, float] = (-0.4, 0.2),
             states: tuple[str, ...] | None = OPEN_STATES, project_ids: list[str] | None = None,
             rate: float | None = None, seed: int = 0) -> PortfolioSimulation:
    """Monte Carlo of portfolio cost and value (NPV) with correlated projects.

    Parameters
    ----------
    n : int
        Number of draws.
    correlation : float
        Correlation (of the copula's normal scores) between any two projects, 0-1.
    program_correlation : float
        Extra correlation between projects of the same program; ``correlation +
        program_correlation`` must not exceed 1.
    cost_spread, benefit_spread : (float, float)
        Low and high relative deviation of cost (for projects without three-point
        estimates) and of benefit, e.g. ``(-0.1, 0.3)`` = Tri(0.9, 1, 1.3).
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
    >>> from pmkit.portfolio_risk import simulate
    >>> sim = simulate(pmkit.synth.portfolio(8, 10, seed=2), n=2000, seed=1)
    >>> s = sim.summary().set_index("measure")
    >>> bool(s.loc["cost", "p90"] > s.loc["cost", "p10"])
    True
    """
    from .portfolio import financials, project_costs

    if not 0 <= correlation <= 1 or not 0 <= program_correlation <= 1 - correlation:
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

    def scores() -> np.ndarray:
        z = np.sqrt(correlation) * rng.standard_normal((n, 1))
        if program_correlation > 0:
            z = z + np.sqrt(program_correlation) * rng.standard_normal((n, len(uniq)))[:, codes]
        return z + np.sqrt(1 - correlation - program_correlation) * rng.standard_normal((n, m))

    u_cost, u_ben = ndtr(scores()), ndtr(scores())
    mc = _triangular_ppf(u_cost, lo_c, np.ones(m), hi_c)
    mb = _triangular_ppf(u_ben, np.full(m, 1 + benefit_spread[0]), np.ones(m), np.full(m, 1 + benefit_spread[1]))
    risk_cost = np.zeros((n, m))
    if prob.size:
        occurs = rng.random((n, prob.size)) < prob
        # add each risk's impact to its project's column
        np.add.at(risk_cost.T, r_proj, (occurs * impact).T)
    sim_cost = cost * mc + risk_cost
    sim_value = pv_ben * mb - pv_cost * mc - risk_cost
    table = pd.DataFrame({"project_id": ids, "program_id": prog.to_numpy(), "cost": cost,
                          "npv": pv_ben - pv_cost, "cost_low": lo_c, "cost_high": hi_c, "emv": emv})
    return PortfolioSimulation(table, sim_cost, sim_value, correlation, program_correlation)


def risk_value(portfolio, sim: PortfolioSimulation | None = None, **kwargs) -> pd.DataFrame:
    """Per project: value (mean simulated NPV), risk (its standard deviation), cost, program.

    The data of the risk-value bubble chart (:func:`pmkit.charts.portfolio.risk_value_chart`).
    """
    sim = sim or simulate(portfolio, **kwargs)
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
    from .portfolio import financials, project_costs

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


__all__ = ["PortfolioSimulation", "concentration", "cost_spread_from_estimates", "risk_value", "simulate"]
