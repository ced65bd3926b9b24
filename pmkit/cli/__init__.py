"""The ``pmkit`` command line.

Each sub-command lives in its own module of this package and defines
``add_arguments(parser)`` and ``run(args) -> int``. Tables print readable by default;
``--format csv`` or ``--format json`` give machine output.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import PmkitError

# command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("pmkit.cli.validate", "check a portfolio and print a summary or every problem"),
    "summary": ("pmkit.cli.validate", "one row per project: state, tasks, links, status dates"),
    "schedule": ("pmkit.cli.schedule", "critical path schedule of a project, one row per task"),
    "level": ("pmkit.cli.level", "resource-leveled schedule"),
    "evm": ("pmkit.cli.evm", "earned value and earned schedule per status date"),
    "kpi": ("pmkit.cli.kpi", "project KPIs with red/amber/green status"),
    "risk": ("pmkit.cli.risk", "Monte Carlo schedule and cost risk percentiles"),
    "health": ("pmkit.cli.health", "DCMA 14-point schedule quality assessment of a project"),
    "diff": ("pmkit.cli.diff", "what changed between two updates of a project"),
    "windows": ("pmkit.cli.windows", "windows analysis of updates: finish movement split into progress and revisions"),
    "portfolio": ("pmkit.cli.portfolio", "portfolio analytics: alignment, AHP, financials, capacity, KPIs"),
    "select": ("pmkit.cli.select", "optimal project selection under budget and capacity"),
    "report": ("pmkit.cli.report", "run the notebooks and write offline HTML reports"),
    "history": ("pmkit.cli.history", "record status updates, list them, trends, export a past update"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pmkit", description="Project and portfolio management analytics.")
    parser.add_argument("--version", action="version", version=f"pmkit {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:  # command not available in this version
                continue
            raise
        p = sub.add_parser(name, help=help_text, description=help_text)
        adder = getattr(mod, f"add_{name}_arguments", None) or mod.add_arguments
        adder(p)
        p.set_defaults(_run=getattr(mod, f"run_{name}", None) or mod.run)
    return parser


def _version() -> str:
    from .. import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else list(argv)
    if args_in and not args_in[0].startswith("-") and args_in[0] not in COMMANDS:
        from ..errors import did_you_mean

        print(f"pmkit: error: unknown command {args_in[0]!r}{did_you_mean(args_in[0], COMMANDS)}; "
              f"commands: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except PmkitError as exc:  # an option value that cannot be right (e.g. a date)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except PmkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # output piped into `head` or similar: stop quietly, like other Unix tools
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
