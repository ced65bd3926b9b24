"""Financial case of every project and of the portfolio: NPV, IRR, payback, ROI, BCR.

Formulas: PMBOK Guide 7th ed. (Measurement Performance Domain) and any corporate finance
text (e.g. Brealey, Myers & Allen). Discounting uses exact year fractions Actual/365, the
convention of Excel's XNPV and XIRR, so every figure can be checked in a spreadsheet.
Ratios of groups come from sums, never from averages of project ratios.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import brentq

#: Days per year of the exact year fractions used for discounting (Actual/365, the
#: convention of Excel's XNPV and XIRR, so results can be checked in a spreadsheet).
DAYS_PER_YEAR = 365.0


def project_costs(portfolio) -> pd.Series:
    """Total cost per project: the sum of its cash-flow costs, else its ``budget``."""
    cf = portfolio.cash_flows.groupby(portfolio.cash_flows["project_id"].astype(str))["cost"].sum()
    budget = pd.Series(portfolio.projects["budget"].to_numpy(dtype=float), index=portfolio.project_ids)
    return cf.reindex(budget.index).where(lambda s: s > 0).fillna(budget).rename("cost")


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
