"""``pmkit select PATH``: optimal project selection, greedy comparison, efficient frontier."""

from __future__ import annotations

import argparse
import sys

from ._common import add_format_argument, add_path_argument, emit, load_portfolio


def _ids(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_path_argument(parser)
    parser.add_argument("--budget", type=float, default=None,
                        help="one total budget for all cost (default: the budgets table, per year)")
    parser.add_argument("--objective", default="alignment", choices=("alignment", "npv", "score", "priority"),
                        help="value to maximize (default: alignment)")
    parser.add_argument("--greedy", action="store_true",
                        help="priority-order fill as Microsoft Project does, beside the optimum")
    parser.add_argument("--frontier", type=int, metavar="LEVELS", default=None,
                        help="efficient frontier over this many budget levels instead of one selection")
    parser.add_argument("--shift-months", type=int, default=0,
                        help="let proposed projects start up to this many months late to fit capacity")
    parser.add_argument("--force-in", default="", help="comma-separated project ids to force in")
    parser.add_argument("--force-out", default="", help="comma-separated project ids to force out")
    parser.add_argument("--no-capacity", action="store_true", help="ignore the capacity table")
    parser.add_argument("--constraints", action="store_true",
                        help="print the budget and capacity constraints (used, slack, binding) instead of projects")
    parser.add_argument("--time-limit", type=float, default=60.0, help="solver seconds (default 60)")
    parser.add_argument("--as-of", default="auto",
                        help="date from which budgets and capacity bind (default: latest status date; "
                             "'all' for every month)")
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from ..portfolio.selection import frontier, select

    pf = load_portfolio(args.path)
    common = dict(objective=args.objective, capacity=not args.no_capacity, force_in=_ids(args.force_in),
                  force_out=_ids(args.force_out), shift_months=args.shift_months, time_limit=args.time_limit,
                  as_of=None if args.as_of == "all" else args.as_of)
    if args.frontier:
        fr = frontier(pf, args.frontier, scale="total" if args.budget is None and not len(pf.budgets) else
                      "yearly" if args.budget is None else "total", **common)
        emit(fr.drop(columns=["message"]), args.format)
        return 0
    sel = select(pf, args.budget, **common)
    gr = select(pf, args.budget, method="greedy", **common) if args.greedy else None
    if args.format == "table":
        head = sel.summary() if gr is None else __import__("pandas").concat([sel.summary(), gr.summary()])
        emit(head, "table")
        if gr is not None:
            lost = sel.value - gr.value
            print(f"value lost by greedy priority order: {lost:,.4g} "
                  f"({lost / sel.value:.1%} of the optimum)" if sel.value else "")
        for note in sel.notes:
            print(f"note: {note}", file=sys.stderr)
        print()
    if args.constraints:
        emit(sel.constraints, args.format)
        return 0
    cols = ["project_id", "name", "selected", "forced", "value", "cost", "start_shift_months", "reason"]
    out = sel.projects[cols]
    if gr is not None:
        out = out.assign(greedy=out["project_id"].isin(set(gr.selected_ids)))
    emit(out, args.format)
    return 0
