"""``pmkit kpi PATH --project ID``: project KPIs with red/amber/green status, SMART check."""

from __future__ import annotations

import argparse

from ._common import add_format_argument, add_path_argument, emit, iso_date, project_from

#: option name -> KpiThresholds field prefix
_THRESHOLD_OPTIONS = {
    "schedule-delay": ("schedule_delay", "forecast delay %% of baseline duration (default 5 10)"),
    "milestones": ("milestones", "%% of due milestones on time (default 90 75)"),
    "cost-overrun": ("cost_overrun", "%% EAC over BAC (default 5 10)"),
    "acceptance": ("acceptance", "%% of due deliverables accepted (default 95 85)"),
    "satisfaction": ("satisfaction", "survey average 1-5 (default 4 3.5)"),
    "nps": ("nps", "net promoter score (default 30 0)"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_path_argument(parser, project_files=True)
    parser.add_argument("--project", help="project id (optional when the file holds one project)")
    parser.add_argument("--status-date", type=iso_date("--status-date"), metavar="YYYY-MM-DD", help="measure as of this date (default: the project's status date)")
    parser.add_argument("--eac-method", choices=("cpi", "budget_rate", "cpi_spi", "composite"), default="cpi",
                        help="estimate at completion for the budget KPI (default cpi)")
    parser.add_argument("--smart", action="store_true",
                        help="print the SMART check of the project's objectives instead of the KPIs")
    group = parser.add_argument_group("thresholds", "GREEN RED: where a KPI stops being green / becomes red")
    for opt, (_, help_text) in _THRESHOLD_OPTIONS.items():
        group.add_argument(f"--{opt}", nargs=2, type=float, metavar=("GREEN", "RED"), help=help_text)
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from ..project.kpi import KpiThresholds, project_kpis, project_status, smart_check

    project = project_from(args.path, args.project)
    if args.smart:
        emit(smart_check(project), args.format)
        return 0
    given = {}
    for opt, (field, _) in _THRESHOLD_OPTIONS.items():
        pair = getattr(args, opt.replace("-", "_"))
        if pair:
            given[f"{field}_green"], given[f"{field}_red"] = pair
    thresholds = KpiThresholds(**given)
    table = project_kpis(project, thresholds, status_date=args.status_date, eac_method=args.eac_method)
    emit(table, args.format)
    if args.format == "table":
        v = project_status(project, thresholds, status_date=args.status_date)
        print(f"\nproject RAG: {v.status} ({v.reason}); {v.rule}")
    return 0
