"""``pmkit validate PATH`` and ``pmkit summary PATH``."""

from __future__ import annotations

import argparse

from ._common import add_format_argument, add_path_argument, emit, load_portfolio


def add_validate_arguments(parser: argparse.ArgumentParser) -> None:
    add_path_argument(parser)


def run_validate(args: argparse.Namespace) -> int:
    pf = load_portfolio(args.path)  # raises LoadError listing every problem
    n_status = pf.status["status_date"].nunique()
    states = pf.projects["state"].value_counts()
    print(f"{args.path}: OK")
    print(f"  portfolio     {pf.name} ({pf.currency})")
    print(f"  programs      {len(pf.programs)}")
    print(f"  projects      {len(pf.projects)} ("
          + ", ".join(f"{n} {s}" for s, n in states.items()) + ")")
    print(f"  tasks         {len(pf.tasks)} with {len(pf.dependencies)} dependencies")
    print(f"  resources     {len(pf.resources)} in {len(pf.roles)} roles")
    print(f"  status dates  {n_status} distinct, {len(pf.status)} progress records")
    print(f"  risks         {len(pf.risks)}; deliverables {len(pf.deliverables)}; surveys {len(pf.surveys)}")
    return 0


def add_summary_arguments(parser: argparse.ArgumentParser) -> None:
    add_path_argument(parser)
    add_format_argument(parser)


def run_summary(args: argparse.Namespace) -> int:
    emit(load_portfolio(args.path).summary(), args.format)
    return 0
