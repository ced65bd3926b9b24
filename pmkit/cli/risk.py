"""``pmkit risk PATH --project ID``: Monte Carlo percentiles, or the risk register."""

from __future__ import annotations

import argparse

from ._common import add_format_argument, add_path_argument, emit, iso_date, project_from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_path_argument(parser, project_files=True)
    parser.add_argument("--project", help="project id (optional when the file holds one project)")
    parser.add_argument("--iterations", type=int, default=5000, help="Monte Carlo iterations (default 5000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0): same seed, same result")
    parser.add_argument("--distribution", choices=("pert", "triangular"), default="pert",
                        help="three-point distribution of task durations (default pert)")
    parser.add_argument("--correlation", type=float, default=0.0,
                        help="pairwise correlation between task durations, 0 to <1 (default 0)")
    parser.add_argument("--no-risks", action="store_true", help="leave the risk register's events out")
    parser.add_argument("--status-date", type=iso_date("--status-date"), metavar="YYYY-MM-DD", help="only work after this date varies (default: the status date)")
    parser.add_argument("--target-date", type=iso_date("--target-date"), metavar="YYYY-MM-DD", help="date whose chance of being met is printed (default: deadline)")
    parser.add_argument("--budget", type=float, help="budget whose chance of being met is printed")
    show = parser.add_mutually_exclusive_group()
    show.add_argument("--tasks", action="store_true",
                      help="print criticality index and sensitivity per task instead of percentiles")
    show.add_argument("--register", action="store_true",
                      help="print the scored risk register (no simulation)")
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    project = project_from(args.path, args.project)
    if args.register:
        from ..project.risk import risk_register

        cols = ["risk_id", "description", "category", "task_id", "status", "probability", "cost_impact",
                "schedule_impact_days", "probability_rating", "impact_rating", "score", "zone", "emv_cost",
                "emv_days", "owner", "strategy"]
        reg = risk_register(project).sort_values(["score", "emv_cost"], ascending=False, kind="stable")
        emit(reg[cols], args.format)
        return 0
    from ..project._first_use import first_use_notice
    from ..project.montecarlo import simulate

    first_use_notice("pmkit.project._cpm_numba", "the Monte Carlo kernels")
    res = simulate(project, args.iterations, args.seed, args.distribution, args.correlation,
                   risks=not args.no_risks, status_date=args.status_date, criticality=args.tasks,
                   target_date=args.target_date, budget=args.budget)
    if args.tasks:
        t = res.tasks.assign(abs_sensitivity=res.tasks["sensitivity"].abs())
        t = t.sort_values(["criticality_index", "abs_sensitivity"], ascending=False, kind="stable")
        emit(t.drop(columns="abs_sensitivity"), args.format, float_digits=3)
        return 0
    table = res.summary()
    emit(table, args.format)
    if args.format == "table":
        print(f"\n{res.iterations} iterations, seed {res.seed}, {res.distribution} durations"
              + ("" if args.no_risks else ", risk events included"))
        for row in res.chances().itertuples(index=False):
            print(f"chance to {row.target} {row.value}: {row.probability:.1%}")
    return 0
