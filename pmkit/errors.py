"""Exceptions with messages a user can act on.

Every problem names where it is (file or sheet, row as a spreadsheet shows it, column, id)
and what is wrong. Loaders collect all problems before raising, so one run reports them all.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

#: :attr:`Problem.rank` of a problem that makes a whole table unusable (missing or
#: unreadable file, wrong delimiter or encoding, missing required column ...): listed first.
ROOT = 0
#: :attr:`Problem.rank` of the line counting what was not checked because of a root problem.
NOT_CHECKED = 1
#: :attr:`Problem.rank` of every other problem (one cell, one row, one rule).
CELL = 2


@dataclass(frozen=True)
class Problem:
    """One problem in the input.

    ``row`` is the row number a spreadsheet would show (header = 1, first data row = 2),
    or None when the problem concerns the whole file or table. ``rank`` orders problems
    root causes first: :data:`ROOT` (the table cannot be used), :data:`NOT_CHECKED` (what
    was not checked because of it), :data:`CELL` (everything else).
    """

    source: str
    message: str
    row: int | None = None
    column: str | None = None
    id: str | None = None
    rank: int = field(default=CELL, compare=False, repr=False)

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


class PmkitWarning(UserWarning):
    """Base of pmkit's warnings, shown on one line as ``warning: <message>``: the message
    names the file, row, column or activity, and pmkit's own source line would not help."""


class DataWarning(PmkitWarning):
    """Something in the input that pmkit reads but that is probably a mistake: a column that
    is not in the data format (``lag_day``: did you mean ``lag_days``?), a file that is not
    read. Silence with ``warnings.simplefilter("ignore", pmkit.errors.DataWarning)``."""


_previous_formatwarning = warnings.formatwarning


def _format_warning(message, category, filename, lineno, line=None):
    """``warning: ...`` on one line for :class:`PmkitWarning`; other warnings as before."""
    if isinstance(category, type) and issubclass(category, PmkitWarning):
        return f"warning: {message}\n"
    return _previous_formatwarning(message, category, filename, lineno, line)


warnings.formatwarning = _format_warning


class ValidationError(PmkitError, ValueError):
    """Input data has one or more problems; ``problems`` lists them all."""

    def __init__(self, problems: Iterable[Problem], header: str = "invalid input"):
        # root causes first (a table that cannot be used), then file by file, row by row:
        # the order a person fixes them in
        self.problems = sorted(problems, key=lambda p: (getattr(p, "rank", CELL), p.source,
                                                        p.row if p.row is not None else -1))
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


def closest(name: str, candidates, cutoff: float = 0.75) -> str | None:
    """The candidate most like ``name`` (difflib; case and ``-``/space/``_`` ignored), or None.

    >>> closest("lag_day", ["lag_days", "type"]), closest("Tasks", ["tasks"]), closest("zzz", ["a"])
    ('lag_days', 'tasks', None)
    """
    import difflib
    import re

    def norm(x: str) -> str:
        return re.sub(r"[\s\-_]+", "_", str(x).strip().casefold())

    by_norm: dict[str, str] = {}
    for c in candidates:
        by_norm.setdefault(norm(c), str(c))
    key = norm(name)
    if key in by_norm:
        return by_norm[key]
    hit = difflib.get_close_matches(key, list(by_norm), n=1, cutoff=cutoff)
    return by_norm[hit[0]] if hit else None


def did_you_mean(word: str, choices) -> str:
    """``" (did you mean 'P02'?)"`` for the closest of ``choices`` (:func:`closest`), or ``""``.

    >>> did_you_mean("p02", ["P01", "P02"]), did_you_mean("scedule", ["schedule", "level"])
    (" (did you mean 'P02'?)", " (did you mean 'schedule'?)")
    >>> did_you_mean("zzz", ["P01"])
    ''
    """
    near = closest(word, choices, cutoff=0.6)
    return f" (did you mean {near!r}?)" if near else ""


def warn_user(message: str, category: type[PmkitWarning]) -> None:
    """Warn on one line, pointing at the first caller outside pmkit (the user's code or
    notebook cell), so the warning is about the data, not about pmkit's source lines."""
    import os
    import sys

    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    level, frame = 2, sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    warnings.warn(" ".join(str(message).split()), category, stacklevel=level)
