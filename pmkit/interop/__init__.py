"""Readers and writers of other tools' schedule files.

==========================  ===========================================  =====================
format                      read                                         write
==========================  ===========================================  =====================
MS Project XML (MSPDI)      :func:`read_mspdi` (``.xml``)                :func:`write_mspdi`
Primavera P6 XER            :func:`read_xer`, :func:`read_xer_projects`  --
PSPLIB RCPSP instances      :func:`read_psplib` (``.sm``)                --
==========================  ===========================================  =====================

:func:`read_project_file` picks the reader from the file suffix. Every reader returns a
:class:`pmkit.Project` whose durations and lags are working days of the relevant
calendar, as everywhere in pmkit. What a format holds that the pmkit data model cannot
(working Saturdays, per-weekday hours, split tasks) is reported with an
:class:`InteropWarning` rather than dropped silently. See ``docs/interop.md``.
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..data.calendars import Calendar
from ..data.schema import LIMITS
from ..errors import PmkitError

#: Files larger than this are refused before parsing (bytes); pass ``max_bytes`` to change.
DEFAULT_MAX_BYTES = LIMITS.max_input_bytes

_LAZY = {
    "read_mspdi": "pmkit.interop.mspdi",
    "write_mspdi": "pmkit.interop.mspdi",
    "mspdi_saved_schedule": "pmkit.interop.mspdi",
    "read_xer": "pmkit.interop.xer",
    "read_xer_projects": "pmkit.interop.xer",
    "xer_project_ids": "pmkit.interop.xer",
    "read_psplib": "pmkit.interop.psplib",
    "read_psplib_instance": "pmkit.interop.psplib",
}


class InteropWarning(UserWarning):
    """Something in a foreign file that pmkit reads only approximately (or not at all)."""


def warn(message: str) -> None:
    """Emit an :class:`InteropWarning` pointing at the caller of the reader."""
    warnings.warn(message, InteropWarning, stacklevel=4)


def check_input_file(path: str | os.PathLike, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Path:
    """The path as a :class:`~pathlib.Path`, after checking it is a readable file within the size limit.

    Raises
    ------
    pmkit.errors.PmkitError
        When the file is missing, is a folder, or is larger than ``max_bytes``.
    """
    p = Path(path)
    if not p.exists():
        raise PmkitError(f"{p}: file not found")
    if not p.is_file():
        raise PmkitError(f"{p}: is not a file")
    size = p.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise PmkitError(f"{p}: file is {size / 1e6:,.1f} MB, above the limit of {max_bytes / 1e6:,.1f} MB "
                         "(pass max_bytes=... to read it anyway)")
    return p


def calendar_from_week(calendar_id: str, name: str, minutes_by_weekday: Sequence[float],
                       holidays: Iterable = (), hours_per_day: float | None = None) -> Calendar:
    """A :class:`Calendar` from the working minutes of each weekday (Monday first).

    A weekday is worked when it has working minutes. ``hours_per_day`` defaults to the
    mean working hours of the worked weekdays, which is what converts a foreign
    duration in hours into working days of this calendar. A week with no working day
    (seen in damaged files) falls back to Monday to Friday with a warning.
    """
    minutes = np.asarray(minutes_by_weekday, dtype=float)
    worked = minutes > 0
    if not worked.any():
        warn(f"calendar {calendar_id!r} ({name}) has no working weekday; using Monday to Friday")
        worked = np.array([True] * 5 + [False] * 2)
        minutes = np.where(worked, 480.0, 0.0)
    if hours_per_day is None or not hours_per_day > 0:
        hours_per_day = float(minutes[worked].mean()) / 60.0
    if len(set(minutes[worked].round(3))) > 1:
        warn(f"calendar {calendar_id!r} ({name}) has different hours on different weekdays; "
             f"pmkit counts every working day as {hours_per_day:g} hours")
    return Calendar(calendar_id, name, tuple(bool(w) for w in worked),
                    tuple(np.unique(np.asarray(list(holidays), dtype="datetime64[D]"))),
                    float(min(24.0, hours_per_day)))


def readable_ids(names: Sequence[str], fallback: Sequence[str]) -> list[str]:
    """Readable ids: each name when it is non-blank and unique, else its fallback id."""
    clean = [str(n).strip() for n in names]
    counts: dict[str, int] = {}
    for n in clean:
        counts[n] = counts.get(n, 0) + 1
    return [n if n and counts[n] == 1 else str(f) for n, f in zip(clean, fallback, strict=True)]


def read_project_file(path: str | os.PathLike, project_id: str | None = None, *,
                      max_bytes: int | None = DEFAULT_MAX_BYTES):
    """Read a schedule file of another tool as a :class:`pmkit.Project`, by its suffix.

    Parameters
    ----------
    path : str or path
        ``.xml`` (MS Project XML, MSPDI), ``.xer`` (Primavera P6) or ``.sm`` (PSPLIB).
    project_id : str, optional
        For an XER file holding several projects: which one (its short name or number).
    max_bytes : int or None
        Refuse larger files (None: no limit).

    Returns
    -------
    pmkit.Project

    Raises
    ------
    pmkit.errors.PmkitError
        Unknown suffix, unreadable or malformed file, or an ambiguous XER file without
        ``project_id`` (the message lists the projects it holds).

    Examples
    --------
    >>> from pmkit.interop import read_project_file
    >>> project = read_project_file("plan.xml")          # doctest: +SKIP
    >>> project = read_project_file("export.xer", "EC00640")  # doctest: +SKIP
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".xml":
        from .mspdi import read_mspdi

        return read_mspdi(path, max_bytes=max_bytes)
    if suffix == ".xer":
        from .xer import read_xer

        return read_xer(path, project_id, max_bytes=max_bytes)
    if suffix == ".sm":
        from .psplib import read_psplib  # written alongside; imported only when needed

        return read_psplib(path)
    raise PmkitError(f"{path}: unknown schedule file type {suffix!r} "
                     "(expected .xml for MS Project, .xer for Primavera P6 or .sm for PSPLIB)")


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pmkit.interop' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = ["DEFAULT_MAX_BYTES", "InteropWarning", "read_project_file", *sorted(_LAZY)]
