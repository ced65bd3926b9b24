"""Portfolio KPIs and the red / amber / green dashboard.

Roll-ups add up the underlying quantities and compute ratios from the sums, never
averages of project ratios: ``CPI = sum(EV) / sum(AC)``, ``SPI = sum(EV) / sum(PV)``,
``ROI = sum(benefit - cost) / sum(cost)`` (PMI *Practice Standard for Earned Value
Management*, 2nd ed., 2011, on summarizing EVM data; PMI *Standard for Portfolio
Management*, 4th ed., 2017, on portfolio performance). Earned value comes from
:func:`pmkit.evm.earned_value` at each project's latest status date.

The KPIs named in pmkit's mission: ROI, strategic alignment, resource utilization and
portfolio risk, with cost and schedule performance from the EVM roll-up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .capacity import OPEN_STATES
from .errors import PmkitError

#: RAG thresholds: (green when >= first, amber when >= second, else red) for "higher is
#: better" measures; for "lower is better" ones (``risk_exposure``, ``utilization_over``)
#: green when <= first, amber when <= second. CPI/SPI bands follow common practice
#: (0.95 / 0.90, e.g. the US DoD and NASA EVM guides); the others are defaults to tune.
THRESHOLDS: dict[str, tuple[float, float, str]] = {
    "cpi": (0.95, 0.90, "higher"),
    "spi": (0.95, 0.90, "higher"),
    "roi": (0.20, 0.0, "higher"),
    "alignment": (0.50, 0.30, "higher"),
    "utilization": (0.70, 0.50, "higher"),
    "utilization_over": (0.0, 0.05, "lower"),
    "risk_exposure": (0.05, 0.10, "lower"),
}


def rag(values, measure: str, thresholds: dict | None = None) -> np.ndarray:
    """``green``/``amber``/``red`` for each value of a measure (``grey`` when unknown).

    Examples
    --------
    >>> rag([1.0, 0.92, 0.8, float("nan")], "cpi").tolist()
    ['green', 'amber', 'red', 'grey']
    """
    g, a, sense = (thresholds or THRESHOLDS)[measure]
    v = np.asarray(values, dtype=float)
    if sense == "higher":
        out = np.where(v >= g, "green", np.where(v >= a, "amber", "red"))
    else:
        out = np.where(v <= g, "green", np.where(v <= a, "amber", "red"))
    return np.where(np.isnan(v), "grey", out).astype(object)


def _evm_latest(portfolio, ids: list[str]) -> pd.DataFrame:
    """``project_id, status_date, bac, pv, ev, ac`` at each project's latest status date."""
    from .evm import earned_value

    rows = []
    with_status = set(portfolio.status["project_id"].astype(str))
    with_base = set(portfolio.baseline["project_id"].astype(str))
    for pid in ids:
        if pid not in with_status or pid not in with_base:
            continue
        try:
            ev = earned_value(portfolio.project(pid))
        except PmkitError:
            continue  # a project whose EVM cannot be computed stays grey, not fatal for the portfolio
        if len(ev):
            last = ev.iloc[-1]
            rows.append({"project_id": pid, "status_date": last["status_date"], "bac": last["bac"],
                         "pv": last["pv"], "ev": last["ev"], "ac": last["ac"]})
    return pd.DataFrame(rows, columns=["project_id", "status_date", "bac", "pv", "ev", "ac"])


def project_kpis(portfolio, states: tuple[str, ...] | None = OPEN_STATES) -> pd.DataFrame:
    """One row per project: EVM at its latest status date, financials, alignment, risk.

    Columns ``project_id, name, program_id, state, budget, bac, pv, ev, ac, cpi, spi, cost,
    benefit, npv, roi, alignment_index, emv`` (expected monetary value of open risks,
    ``sum(probability * cost_impact)``) and ``risk_exposure = emv / budget``.
    """
    from .portfolio import alignment, financials, project_costs

    p = portfolio.projects
    keep = p["state"].isin(states) if states is not None else pd.Series(True, index=p.index)
    p = p[keep]
    ids = p["project_id"].astype(str).tolist()
    out = pd.DataFrame({"project_id": ids, "name": p["name"].to_numpy(), "program_id": p["program_id"].to_numpy(),
                        "state": p["state"].to_numpy(), "budget": p["budget"].to_numpy(dtype=float)})
    evm = _evm_latest(portfolio, ids).set_index("project_id")
    for c in ("bac", "pv", "ev", "ac"):
        out[c] = evm[c].reindex(ids).to_numpy(dtype=float) if len(evm) else np.nan
    fin = financials(portfolio).set_index("project_id")
    for c in ("cost", "benefit", "npv"):
        out[c] = fin[c].reindex(ids).to_numpy(dtype=float) if len(fin) else np.nan
    out["cost"] = out["cost"].fillna(project_costs(portfolio).reindex(ids).reset_index(drop=True))
    try:
        out["alignment_index"] = alignment(portfolio).set_index("project_id")["alignment_index"].reindex(ids).to_numpy()
    except PmkitError:
        out["alignment_index"] = np.nan
    r = portfolio.risks
    r = r[r["status"].astype(str) != "closed"]
    emv = (r["probability"] * r["cost_impact"]).groupby(r["project_id"].astype(str)).sum()
    out["emv"] = emv.reindex(ids).fillna(0.0).to_numpy()
    return _ratios(out)


def _ratios(df: pd.DataFrame) -> pd.DataFrame:
    """CPI, SPI, ROI and risk exposure of rows that hold sums."""
    with np.errstate(divide="ignore", invalid="ignore"):
        df["cpi"] = np.where(df["ac"] > 0, df["ev"] / df["ac"], np.nan)
        df["spi"] = np.where(df["pv"] > 0, df["ev"] / df["pv"], np.nan)
        df["roi"] = np.where(df["cost"] > 0, (df["benefit"] - df["cost"]) / df["cost"], np.nan)
        df["risk_exposure"] = np.where(df["budget"] > 0, df["emv"] / df["budget"], np.nan)
    return df


def rollup(portfolio, states: tuple[str, ...] | None = OPEN_STATES) -> pd.DataFrame:
    """Program and portfolio totals of :func:`project_kpis`, ratios from sums.

    ``alignment_index`` of a group is the cost-weighted mean of its projects' indices
    (the share of money that goes to aligned work), not a plain mean.
    """
    k = project_kpis(portfolio, states)
    sums = ["budget", "bac", "pv", "ev", "ac", "cost", "benefit", "npv", "emv"]
    k = k.assign(_wa=k["alignment_index"] * k["cost"], _w=np.where(k["alignment_index"].notna(), k["cost"], 0.0))
    groups = [(f"program {pid or '(none)'}", g) for pid, g in k.groupby("program_id", sort=True)]
    groups.append(("portfolio", k))
    rows = []
    for label, g in groups:
        row = {"level": label.split(" ")[0], "id": label.split(" ", 1)[1] if " " in label else "", "projects": len(g)}
        # min_count=1: a group without any EVM data stays NaN (grey), not 0
        row.update({c: g[c].sum(min_count=1) for c in sums})
        row["alignment_index"] = g["_wa"].sum() / g["_w"].sum() if g["_w"].sum() > 0 else np.nan
        rows.append(row)
    return _ratios(pd.DataFrame(rows))


def dashboard(portfolio, states: tuple[str, ...] | None = OPEN_STATES, thresholds: dict | None = None) -> pd.DataFrame:
    """Red / amber / green table: the portfolio, each program and each project.

    Columns ``level, id, name, cpi, spi, roi, alignment_index, risk_exposure`` and one
    ``<measure>_rag`` column each, plus ``overall`` (the worst of them, grey ignored).
    """
    top = rollup(portfolio, states).assign(name="")
    proj = project_kpis(portfolio, states).assign(level="project", id=lambda d: d["project_id"])
    cols = ["level", "id", "name", "cpi", "spi", "roi", "alignment_index", "risk_exposure"]
    out = pd.concat([top[cols], proj[cols]], ignore_index=True)
    order = {"grey": -1, "green": 0, "amber": 1, "red": 2}
    worst = np.full(len(out), -1)
    for col, measure in (("cpi", "cpi"), ("spi", "spi"), ("roi", "roi"), ("alignment_index", "alignment"),
                         ("risk_exposure", "risk_exposure")):
        out[f"{col}_rag"] = rag(out[col], measure, thresholds)
        worst = np.maximum(worst, out[f"{col}_rag"].map(order).to_numpy())
    inv = {v: k for k, v in order.items()}
    out["overall"] = [inv[w] for w in worst]
    return out


def portfolio_kpis(portfolio, states: tuple[str, ...] | None = OPEN_STATES,
                   thresholds: dict | None = None) -> pd.DataFrame:
    """The portfolio's headline KPIs with their RAG status.

    Rows: ``roi`` (from sums), ``npv``, ``strategic_alignment`` (cost-weighted alignment
    index), ``resource_utilization`` (sum of demand / sum of capacity over the capacity
    horizon), ``over_allocated_share`` (person-days above capacity / capacity),
    ``cpi`` and ``spi`` (EVM roll-up), ``risk_exposure`` (EMV of open risks / budget).
    """
    top = rollup(portfolio, states)
    tot = top[top["level"] == "portfolio"].iloc[0]
    rows = [
        ("roi", tot["roi"], "fraction", "roi"),
        ("npv", tot["npv"], "currency", None),
        ("strategic_alignment", tot["alignment_index"], "index 0-1", "alignment"),
        ("cpi", tot["cpi"], "ratio", "cpi"),
        ("spi", tot["spi"], "ratio", "spi"),
        ("risk_exposure", tot["risk_exposure"], "fraction of budget", "risk_exposure"),
    ]
    if len(portfolio.capacity):
        from .capacity import utilization

        u = utilization(portfolio, states=states).set_index("role_id").loc["(all roles)"]
        rows.insert(3, ("resource_utilization", u["utilization"], "fraction", "utilization"))
        over = u["over_days"] / u["capacity_days"] if u["capacity_days"] > 0 else np.nan
        rows.insert(4, ("over_allocated_share", over, "fraction of capacity", "utilization_over"))
    out = pd.DataFrame(rows, columns=["kpi", "value", "unit", "_m"])
    th = thresholds or THRESHOLDS
    measures = [m if isinstance(m, str) else "" for m in out["_m"]]
    out["status"] = [rag([v], m, th)[0] if m else "grey" for v, m in zip(out["value"], measures, strict=True)]
    out["green_if"] = [(">= " if th[m][2] == "higher" else "<= ") + f"{th[m][0]:g}" if m else "" for m in measures]
    return out.drop(columns="_m")


#: Exported from the package as ``pmkit.portfolio_dashboard``.
portfolio_dashboard = dashboard

__all__ = ["THRESHOLDS", "dashboard", "portfolio_dashboard", "portfolio_kpis", "project_kpis", "rag", "rollup"]
