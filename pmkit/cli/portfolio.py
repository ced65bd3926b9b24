"""``pmkit portfolio PATH ANALYSIS``: alignment, AHP, scoring, financials, capacity, risk, KPIs."""

from __future__ import annotations

import argparse

from ._common import add_format_argument, add_path_argument, emit, load_portfolio

ANALYSES = {
    "alignment": "weighted strategic alignment index per project, ranked",
    "matrix": "alignment matrix: score of every project on every strategic objective",
    "spend": "spend per strategic objective (each project's cost split by contribution)",
    "ahp": "AHP weights of the strategic objectives from the pairwise table, with CR",
    "scores": "weighted score of every project on the user criteria",
    "sensitivity": "how far each weight can move before the ranking changes",
    "financials": "NPV, IRR, payback, ROI and benefit-cost ratio per project",
    "totals": "financial totals per program and portfolio (ratios from sums)",
    "capacity": "demand against capacity per role and month",
    "utilization": "utilization per role",
    "risk": "Monte Carlo of portfolio cost and value (percentiles)",
    "concentration": "share of cost, value and risk by program",
    "kpi": "portfolio KPIs with red/amber/green status",
    "dashboard": "one row per program and project: EVM roll-up, ROI, alignment, risk, RAG",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_path_argument(parser)
    parser.add_argument("analysis", choices=list(ANALYSES),
                        help="; ".join(f"{k}: {v}" for k, v in ANALYSES.items()))
    parser.add_argument("--rate", type=float, default=None, help="discount rate (default: the portfolio's)")
    parser.add_argument("--by", choices=("alignment", "score"), default="alignment",
                        help="ranking analysed by 'sensitivity' (default alignment)")
    parser.add_argument("--iterations", type=int, default=10_000, help="Monte Carlo draws for 'risk'")
    parser.add_argument("--correlation", type=float, default=0.3,
                        help="correlation between projects for 'risk' (default 0.3)")
    parser.add_argument("--seed", type=int, default=0, help="random seed for 'risk'")
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from ..portfolio import alignment as al
    from ..portfolio import capacity as cap
    from ..portfolio import financials as fin
    from ..portfolio import prioritization as pri

    pf = load_portfolio(args.path)
    a = args.analysis
    if a == "alignment":
        df = al.alignment(pf)
    elif a == "matrix":
        df = al.alignment_matrix(pf)
    elif a == "spend":
        df = al.spend_by_objective(pf)
    elif a == "ahp":
        res = pri.ahp(pri.pairwise_matrix(pf.pairwise, pf.strategic_objectives["objective_id"].astype(str).tolist()))
        df = res.summary()
        if args.format == "table":
            emit(df, "table", float_digits=3)
            print(f"\n{'consistent' if res.consistent else 'INCONSISTENT: revise the judgments'} "
                  f"(CR {res.consistency_ratio:.3f}, threshold {pri.CR_THRESHOLD}); pairs furthest from the weights:")
            emit(res.disagreements.head(5), "table", float_digits=3)
            return 0
    elif a == "scores":
        df = pri.weighted_scores(pf)
    elif a == "sensitivity":
        values, weights = al.alignment_values(pf) if args.by == "alignment" else pri.criteria_matrix(pf)
        df = pri.ranking_sensitivity(values, weights)
    elif a == "financials":
        df = fin.financials(pf, args.rate)
    elif a == "totals":
        df = fin.portfolio_financials(pf, args.rate)
    elif a == "capacity":
        df = cap.capacity_plan(pf)
    elif a == "utilization":
        df = cap.utilization(pf)
    elif a in ("risk", "concentration"):
        from ..portfolio import risk as pr

        sim = pr.simulate_portfolio(pf, n=args.iterations, correlation=args.correlation, seed=args.seed)
        df = sim.summary() if a == "risk" else pr.concentration(pf)
    else:
        from ..portfolio import kpi as pk

        df = pk.portfolio_kpis(pf) if a == "kpi" else pk.portfolio_dashboard(pf)
        if a == "dashboard" and args.format == "table":
            # the rule is the same on every row of a level: state each once under the table
            from ..rag import RAG_RULES

            emit(df.drop(columns="rag_rule"), args.format, float_digits=3)
            print("\nRAG colours: " + "; ".join(RAG_RULES.values()))
            return 0
    emit(df, args.format, float_digits=3)
    return 0
