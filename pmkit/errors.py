"""Exceptions with messages a user can act on.

Every problem names where it is (file or sheet, row as a spreadsheet shows it, column, id)
and what is wrong. Loaders collect all problems before raising, so one run reports them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in the input.

    ``row`` is the row number a spreadsheet would show (header = 1, first data row = 2),
    or None when the problem concerns the whole file or table.
    """

    source: str
    message: str
    row: int | None = None
    column: str | None = None
    id: str | None = None

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        if self.id:
            where += f" ({self.id})"
        return f"{where}: {self.message}"


class PmkitError(Exception):
    """Base class of the errors pmkit raises on purpose."""


class ValidationError(PmkitError, ValueError):
    """Input data has one or more problems; ``problems`` lists them all."""

    def __init__(self, problems: Iterable[Problem], header: str = "invalid input"):
        # file by file, row by row: the order a person fixes them in
        self.problems = sorted(problems, key=lambda p: (p.source, p.row if p.row is not None else -1))
        self.header = header
        super().__init__(self._format())

    def _format(self) -> str:
        n = len(self.problems)
        lines = [f"{self.header}: {n} problem{'s' if n != 1 else ''} found"]
        shown = self.problems[:200]
        lines += [f"  - {p}" for p in shown]
        if n > len(shown):
            lines.append(f"  ... and {n - len(shown)} more")
        return "\n".join(lines)


class LoadError(ValidationError):
    """Raised by :func:`pmkit.load` when files cannot be read or contain bad data."""


class UnknownIdError(PmkitError, KeyError):
    """A project, program or other id that is not in the data (a ``KeyError`` too)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class CycleError(PmkitError, ValueError):
    """The dependency network contains a cycle; ``cycle`` lists its task ids in order."""

    def __init__(self, cycle: list[str], project_id: str | None = None):
        self.cycle = list(cycle)
        self.project_id = project_id
        where = f"project {project_id}: " if project_id is not None else ""
        path = " -> ".join([*self.cycle, self.cycle[0]]) if self.cycle else "?"
        super().__init__(f"{where}dependency cycle between tasks {path}")
