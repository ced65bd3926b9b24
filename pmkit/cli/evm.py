"""``pmkit evm PATH --project ID``: earned value and earned schedule per status date."""

from __future__ import annotations

import argparse

from ._common import add_format_argument, add_path_argument, emit, project_from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_path_argument(parser, project_files=True)
    parser.add_argument("--project", help="project id (optional when the file holds one project)")
    parser.add_argument("--by", choices=("project", "wbs", "task"), default="project",
                        help="one row per status date (project), per WBS branch or per task")
    parser.add_argument("--wbs-level", type=int, default=1, help="WBS depth for --by wbs (default 1)")
    parser.add_argument("--eac-method", choices=("cpi", "budget_rate", "cpi_spi", "composite"), default="cpi",
                        help="estimate at completion behind eac/etc/vac/tcpi_eac (default cpi: BAC / CPI)")
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from ..project.evm import earned_value

    project = project_from(args.path, args.project)
    df = earned_value(project, by=args.by, wbs_level=args.wbs_level, eac_method=args.eac_method)
    if df.empty and args.format == "table":
        print(f"project {project.project_id} has no status records yet: nothing earned to report")
        return 0
    emit(df, args.format, float_digits=2)
    return 0
