"""Portfolio prioritization, financials, risk and KPIs: published and hand-worked values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmkit
from pmkit.data.model import Portfolio
from pmkit.errors import PmkitError
from pmkit.portfolio.alignment import alignment, spend_by_objective
from pmkit.portfolio.financials import financials, irr, npv, portfolio_financials
from pmkit.portfolio.prioritization import (
    RANDOM_INDEX,
    ahp,
    pairwise_matrix,
    rank_stability,
    ranking_sensitivity,
    weighted_scores,
)

# Saaty (1990), "How to make a decision: the analytic hierarchy process", EJOR 48, Table 2:
# the family buying a house, eight criteria.
HOUSE = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]


def test_ahp_reproduces_saaty_1990_house_example():
    r = ahp(HOUSE)
    assert r.weights.round(3).tolist() == [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]
    assert r.lambda_max == pytest.approx(9.669, abs=5e-4)
    assert r.consistency_index == pytest.approx(0.238, abs=5e-4)
    assert r.consistency_ratio == pytest.approx(0.169, abs=5e-4)  # Saaty: CR = .169, above 0.1
    assert not r.consistent
    # the judgment furthest from the weights: neighbourhood (3) vs general condition (7) = 6
    top = r.disagreements.iloc[0]
    assert {top["item_a"], top["item_b"]} == {"3", "7"}
    assert top["disagreement"] == pytest.approx(abs(6 * r.weights.iloc[6] / r.weights.iloc[2] - 1))


def test_ahp_saaty_1977_light_intensity_and_consistent_matrix():
    r = ahp([[1, 5, 6, 7], [1 / 5, 1, 4, 6], [1 / 6, 1 / 4, 1, 4], [1 / 7, 1 / 6, 1 / 4, 1]])
    # Saaty (1977) J. Math. Psychology 15: weights .61 .24 .10 .05, lambda_max 4.39
    assert r.weights.tolist() == pytest.approx([0.61, 0.24, 0.10, 0.05], abs=0.01)
    assert r.lambda_max == pytest.approx(4.39, abs=0.005)
    w = np.array([4.0, 2.0, 1.0])
    c = ahp(w[:, None] / w[None, :], labels=["a", "b", "c"])
    assert c.weights.to_numpy() == pytest.approx(w / w.sum())
    assert c.consistency_ratio == pytest.approx(0.0, abs=1e-12) and c.consistent
    assert RANDOM_INDEX[3] == 0.58 and RANDOM_INDEX[10] == 1.49


def test_pairwise_table_errors_name_the_pairs():
    pw = pd.DataFrame({"objective_a": ["A", "A"], "objective_b": ["B", "C"], "value": [3.0, 5.0]})
    with pytest.raises(PmkitError, match="missing: B vs C"):
        pairwise_matrix(pw)
    full = pd.concat([pw, pd.DataFrame({"objective_a": ["B"], "objective_b": ["C"], "value": [2.0]})])
    assert ahp(full).weights.index.tolist() == ["A", "B", "C"]
    with pytest.raises(PmkitError, match="not reciprocal"):
        ahp([[1, 2], [2, 1]])


def small_portfolio() -> Portfolio:
    return Portfolio(
        projects=pd.DataFrame({"project_id": ["A", "B", "C"], "name": ["a", "b", "c"], "state": "proposed",
                               "start_date": pd.Timestamp("2025-01-01"), "program_id": ["G1", "G1", "G2"]}),
        tasks=pd.DataFrame({"project_id": ["A"], "task_id": ["T1"], "name": ["t"], "duration_days": [1.0]}),
        programs=pd.DataFrame({"program_id": ["G1", "G2"], "name": ["g1", "g2"]}),
        strategic_objectives=pd.DataFrame({"objective_id": ["S1", "S2"], "name": ["s1", "s2"], "weight": [3.0, 1.0]}),
        alignment=pd.DataFrame({"project_id": ["A", "A", "B", "B"], "objective_id": ["S1", "S2", "S1", "S2"],
                                "score": [5.0, 0.0, 2.0, 4.0]}),
        criteria=pd.DataFrame({"criterion_id": ["gain", "risk"], "weight": [1.0, 1.0],
                               "higher_is_better": [True, False]}),
        scores=pd.DataFrame({"project_id": ["A", "B", "C", "A", "B", "C"],
                             "criterion_id": ["gain", "gain", "gain", "risk", "risk", "risk"],
                             "score": [10.0, 20.0, 30.0, 1.0, 5.0, 3.0]}),
        cash_flows=pd.DataFrame({
            "project_id": ["A", "A", "A", "B", "B"],
            "period_start": pd.to_datetime(["2025-01-01", "2026-01-01", "2027-01-01", "2025-01-01", "2026-01-01"]),
            "cost": [100.0, 0, 0, 900.0, 0], "benefit": [0, 150.0, 150.0, 0, 900.0]}),
        portfolio=pd.DataFrame([{"name": "t", "discount_rate": 0.10}]),
    )


def test_alignment_index_and_spend_split():
    a = alignment(small_portfolio()).set_index("project_id")
    # weights .75/.25: A = .75*5/5 = .75; B = .75*2/5 + .25*4/5 = .5; C none
    assert a.loc["A", "alignment_index"] == pytest.approx(0.75)
    assert a.loc["B", "alignment_index"] == pytest.approx(0.5)
    assert a.loc["C", "alignment_index"] == 0 and a.loc["A", "rank"] == 1
    s = spend_by_objective(small_portfolio()).set_index("objective_id")
    # A's 100 all to S1; B's 900 split 2:4
    assert s.loc["S1", "spend"] == pytest.approx(100 + 300)
    assert s.loc["S2", "spend"] == pytest.approx(600)


def test_weighted_scores_normalization_and_sensitivity():
    w = weighted_scores(small_portfolio()).set_index("project_id")
    # gain min-max: A 0, B .5, C 1; risk reversed: A 1, B 0, C .5 -> mean of the two
    assert w.loc["A", "weighted_score"] == pytest.approx(0.5)
    assert w.loc["B", "weighted_score"] == pytest.approx(0.25)
    assert w.loc["C", "weighted_score"] == pytest.approx(0.75)
    values = pd.DataFrame({"c1": [1.0, 0.0], "c2": [0.0, 1.0]}, index=["X", "Y"])
    sens = ranking_sensitivity(values, pd.Series({"c1": 0.6, "c2": 0.4})).set_index("criterion")
    # X leads 0.6 to 0.4; the lead flips when w1 falls to 0.5 (or w2 rises to 0.5)
    assert sens.loc["c1", "leader_down"] == pytest.approx(-0.1)
    assert sens.loc["c1", "leader_down_new_leader"] == "Y"
    assert sens.loc["c2", "leader_up"] == pytest.approx(0.1)
    assert np.isnan(sens.loc["c1", "leader_up"])
    stab = rank_stability(values, pd.Series({"c1": 0.6, "c2": 0.4}), spread=0.1, n=500)
    assert stab.set_index("project_id").loc["X", "p_first"] == 1.0  # +-10 % never moves 0.6 below 0.5


def test_npv_irr_payback_by_hand():
    d = ["2025-01-01", "2026-01-01", "2027-01-01"]
    assert npv([-100, 60, 60], d, 0.10) == pytest.approx(-100 + 60 / 1.1 + 60 / 1.21)
    # x = 1/(1+r) solves 60x^2 + 60x - 100 = 0
    x = (-60 + np.sqrt(60**2 + 4 * 60 * 100)) / 120
    assert irr([-100, 60, 60], d) == pytest.approx(1 / x - 1, abs=1e-9)
    assert irr([-100, -5], d[:2]) is None
    # Microsoft's XNPV / XIRR documentation example
    xd = ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]
    xa = [-10000, 2750, 4250, 3250, 2750]
    assert npv(xa, xd, 0.09) == pytest.approx(2086.65, abs=0.005)
    assert irr(xa, xd) == pytest.approx(0.373362535, abs=1e-8)
    f = financials(small_portfolio()).set_index("project_id")
    a = f.loc["A"]
    assert a["npv"] == pytest.approx(-100 + 150 / 1.1 + 150 / 1.21)
    assert a["roi"] == pytest.approx(2.0) and a["bcr"] == pytest.approx((150 / 1.1 + 150 / 1.21) / 100)
    assert a["payback_years"] == pytest.approx(100 / 150)  # recovered 2/3 into the first year
    # discounted: -100, +136.36 at t=1 -> 100/136.36 of the first year
    assert a["discounted_payback_years"] == pytest.approx(100 / (150 / 1.1))
    assert f.loc["B", "irr"] == pytest.approx(0.0, abs=1e-9)


def test_payback_interpolates_and_multiple_irr_roots():
    pf = small_portfolio().with_tables(cash_flows=pd.DataFrame({
        "project_id": ["A"] * 4 + ["B"] * 3,
        "period_start": pd.to_datetime(["2025-01-01", "2026-01-01", "2027-01-01", "2028-01-01",
                                        "2025-01-01", "2026-01-01", "2027-01-01"]),
        "cost": [100.0, 0, 0, 0, 100.0, 0, 132.0], "benefit": [0, 30.0, 40.0, 50.0, 0, 230.0, 0]}))
    f = financials(pf).set_index("project_id")
    assert f.loc["A", "payback_years"] == pytest.approx(2.6)  # 2 + 30/50, the textbook figure
    # -100, +230, -132: roots at 10 % and 20 %
    assert f.loc["B", "irr_roots"] == 2 and f.loc["B", "irr"] == pytest.approx(0.10, abs=1e-9)


def test_portfolio_roi_from_sums_not_average():
    t = portfolio_financials(small_portfolio())
    tot = t[t["level"] == "portfolio"].iloc[0]
    # A: cost 100, benefit 300 (ROI 2); B: 900 / 900 (ROI 0); the mean of ROIs would be 1
    assert tot["roi"] == pytest.approx((1200 - 1000) / 1000)
    assert t.set_index("program_id").loc["G1", "projects"] == 2


def test_portfolio_risk_correlation_and_concentration():
    from pmkit.portfolio.risk import concentration, simulate_portfolio

    pf = pmkit.synth.portfolio(6, 8, seed=5)
    lo = simulate_portfolio(pf, n=4000, correlation=0.0, seed=1).totals()["cost"].std()
    hi = simulate_portfolio(pf, n=4000, correlation=0.9, seed=1).totals()["cost"].std()
    assert hi > 1.5 * lo  # correlated projects do not diversify
    sim = simulate_portfolio(pf, n=4000, correlation=0.3, seed=2)
    s = sim.summary().set_index("measure")
    # expected cost: Tri(low, 1, high) mean plus EMV of open risks
    p = sim.projects
    expected = (p["cost"] * (p["cost_low"] + 1 + p["cost_high"]) / 3 + p["emv"]).sum()
    assert s.loc["cost", "mean"] == pytest.approx(expected, rel=0.01)
    c = concentration(pf)
    assert c.iloc[:-1]["cost_share"].sum() == pytest.approx(1.0)
    assert c.iloc[-1]["cost_share"] == pytest.approx((c.iloc[:-1]["cost_share"] ** 2).sum())
    with pytest.raises(PmkitError, match="correlation"):
        simulate_portfolio(pf, correlation=0.8, program_correlation=0.5)


def test_kpi_rollup_uses_sums_and_rag():
    from pmkit.portfolio.kpi import (
        PortfolioThresholds,
        portfolio_dashboard,
        portfolio_kpis,
        portfolio_rollup,
        portfolio_scorecard,
    )
    from pmkit.rag import rag_status

    th = PortfolioThresholds()

    pf = pmkit.synth.portfolio(8, 10, seed=3)
    k = portfolio_scorecard(pf)
    top = portfolio_rollup(pf).set_index("level").loc["portfolio"]
    assert top["cpi"] == pytest.approx(k["ev"].sum() / k["ac"].sum())
    assert top["spi"] == pytest.approx(k["ev"].sum() / k["pv"].sum())
    assert rag_status([0.96, 0.93, 0.5], th.cpi).tolist() == ["green", "amber", "red"]
    assert rag_status([0.01, 0.2], th.risk_exposure).tolist() == ["green", "red"]
    d = portfolio_dashboard(pf)
    assert {"portfolio", "program", "project"} <= set(d["level"])
    kp = portfolio_kpis(pf).set_index("kpi")
    assert {"roi", "strategic_alignment", "resource_utilization", "cpi", "risk_exposure"} <= set(kp.index)
    assert kp.loc["cpi", "status"] == rag_status(top["cpi"], th.cpi)


def test_cli_portfolio_and_select(tmp_path, capsys):
    from pmkit.cli import main

    pf = pmkit.synth.portfolio(8, 8, seed=2)
    pmkit.save(pf, tmp_path / "pf")
    assert main(["portfolio", str(tmp_path / "pf"), "alignment", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("project_id,name,program_id,state,alignment_index")
    assert main(["select", str(tmp_path / "pf"), "--objective", "npv", "--greedy"]) == 0
    out = capsys.readouterr().out
    assert "optimal" in out and "value lost by greedy" in out
    assert main(["select", str(tmp_path / "pf"), "--frontier", "3", "--format", "json"]) == 0
    assert '"budget"' in capsys.readouterr().out
    assert main(["select", str(tmp_path / "pf"), "--force-in", "NOPE"]) == 1
    assert "NOPE is not a candidate project" in capsys.readouterr().err
    for analysis in ("financials", "capacity", "kpi", "spend"):
        assert main(["portfolio", str(tmp_path / "pf"), analysis, "--format", "csv"]) == 0


def _no_risks(seed=5, n=6):
    pf = pmkit.synth.portfolio(n, 8, seed=seed)
    return pf.with_tables(risks=pf.risks.iloc[0:0])


def test_portfolio_risk_benefit_mean_is_the_plan_unless_told_otherwise():
    from pmkit.portfolio.financials import financials
    from pmkit.portfolio.risk import simulate_portfolio

    pf = pmkit.synth.portfolio(6, 8, seed=5)
    ids = simulate_portfolio(pf, n=10, seed=0).projects["project_id"]
    pv_ben = financials(pf).set_index("project_id")["pv_benefit"].reindex(ids).fillna(0).sum()
    assert pv_ben > 0
    for spread, plan, mean_multiplier in [((-0.3, 0.3), "mean", 1.0), ((-0.4, 0.2), "mean", 1.0),
                                          ((-0.4, 0.2), "mode", (0.6 + 1 + 1.2) / 3)]:
        sim = simulate_portfolio(pf, n=20_000, benefit_spread=spread, benefit_plan=plan, seed=3)
        got = 1 + sim.projects["benefit_effect"].sum() / pv_ben
        assert got == pytest.approx(mean_multiplier, abs=0.004)
    # the bridge from plan to simulated mean adds up exactly
    b = sim.value_bridge().set_index("step")["value"]
    assert b.iloc[:-1].sum() == pytest.approx(b["simulated mean"], rel=1e-9)
    assert b["planned npv"] == pytest.approx(sim.projects["npv"].sum())
    with pytest.raises(PmkitError, match="too lopsided"):
        simulate_portfolio(pf, benefit_spread=(-0.6, 0.05))


def test_portfolio_risk_full_correlation_matrix():
    from pmkit.portfolio.risk import simulate_portfolio

    pf = _no_risks()
    ids = simulate_portfolio(pf, n=10, seed=0).projects["project_id"].tolist()
    a, b, c = ids[:3]
    corr = pd.DataFrame(np.eye(len(ids)), index=ids, columns=ids)
    for x, y, r in ((a, b, 0.8), (a, c, -0.5), (b, c, -0.3)):
        corr.loc[x, y] = corr.loc[y, x] = r
    sim = simulate_portfolio(pf, n=20_000, correlation=corr, seed=4)
    ranks = pd.DataFrame(sim.cost, columns=ids).rank()
    # cost multipliers are monotone in the normal scores, so rank correlation is the
    # Gaussian copula's: rho_S = 6 / pi * asin(rho / 2)
    for x, y, r in ((a, b, 0.8), (a, c, -0.5), (b, c, -0.3), (a, ids[3], 0.0)):
        assert ranks[x].corr(ranks[y]) == pytest.approx(6 / np.pi * np.arcsin(r / 2), abs=0.03)
    # a matrix with every pair at rho is the one-factor model with rho
    flat = pd.DataFrame(np.full((len(ids), len(ids)), 0.6) + 0.4 * np.eye(len(ids)), index=ids, columns=ids)
    s_matrix = simulate_portfolio(pf, n=20_000, correlation=flat, seed=6).totals()["cost"].std()
    s_factor = simulate_portfolio(pf, n=20_000, correlation=0.6, seed=7).totals()["cost"].std()
    assert s_matrix == pytest.approx(s_factor, rel=0.05)


def test_portfolio_risk_correlation_matrix_is_validated():
    from pmkit.portfolio.risk import simulate_portfolio

    pf = _no_risks()
    ids = simulate_portfolio(pf, n=10, seed=0).projects["project_id"].tolist()
    a, b, c, d = ids[:4]
    base = pd.DataFrame(np.eye(len(ids)), index=ids, columns=ids)
    bad = base.copy()
    for x, y, r in ((a, b, 0.9), (a, c, 0.9), (b, c, -0.9), (a, d, 0.1)):
        bad.loc[x, y] = bad.loc[y, x] = r
    with pytest.raises(PmkitError, match="not positive semidefinite") as err:
        simulate_portfolio(pf, correlation=bad)
    msg = str(err.value)
    assert f"among {', '.join(sorted([a, b, c], key=ids.index))} contradict" in msg and d not in msg.split("(")[1]
    lopsided = base.copy()
    lopsided.loc[a, b] = 0.5
    with pytest.raises(PmkitError, match=f"not symmetric: {a}-{b} is 0.5 but {b}-{a} is 0"):
        simulate_portfolio(pf, correlation=lopsided)
    with pytest.raises(PmkitError, match=f"no row or column for {ids[-1]}"):
        simulate_portfolio(pf, correlation=base.drop(index=ids[-1], columns=ids[-1]))
    with pytest.raises(PmkitError, match="program_correlation"):
        simulate_portfolio(pf, correlation=base, program_correlation=0.2)
    diag = base.copy()
    diag.loc[a, a] = 0.5
    with pytest.raises(PmkitError, match=f"diagonal must be 1 \\({a} has 0.5\\)"):
        simulate_portfolio(pf, correlation=diag)
