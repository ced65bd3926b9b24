"""Readers and writers of other tools' schedule files.

==========================  ===========================================  =====================
format                      read                                         write
==========================  ===========================================  =====================
MS Project XML (MSPDI)      :func:`read_mspdi` (``.xml``)                :func:`write_mspdi`
Primavera P6 XML (PMXML)    :func:`read_pmxml` (``.xml``)                --
Primavera P6 XER            :func:`read_xer`, :func:`read_xer_projects`  :func:`write_xer`
PSPLIB RCPSP instances      :func:`read_psplib` (``.sm``)                --
==========================  ===========================================  =====================

:func:`read_project_file` picks the reader from the file suffix (for ``.xml``, from the root
element: ``APIBusinessObjects`` is P6 XML, anything else MS Project XML). Every reader returns a
:class:`pmkit.Project` whose durations and lags are working days of the relevant
calendar, as everywhere in pmkit. What a format holds that the pmkit data model cannot
(working Saturdays, per-weekday hours, split tasks) is reported with an
:class:`InteropWarning` rather than dropped silently. See ``docs/interop.md``.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import math
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.calendars import Calendar
from ..data.schema import LIMITS
from ..errors import PmkitError, PmkitWarning, warn_user

#: Files larger than this are refused before parsing (bytes); pass ``max_bytes`` to change.
DEFAULT_MAX_BYTES = LIMITS.max_input_bytes

_LAZY = {
    "read_mspdi": "pmkit.interop.mspdi",
    "write_mspdi": "pmkit.interop.mspdi",
    "mspdi_saved_schedule": "pmkit.interop.mspdi",
    "read_pmxml": "pmkit.interop.pmxml",
    "pmxml_project_ids": "pmkit.interop.pmxml",
    "write_xer": "pmkit.interop.xer",
    "read_xer": "pmkit.interop.xer",
    "read_xer_projects": "pmkit.interop.xer",
    "xer_project_ids": "pmkit.interop.xer",
    "read_psplib": "pmkit.interop.psplib",
    "read_psplib_instance": "pmkit.interop.psplib",
}


class InteropWarning(PmkitWarning):
    """Something in a foreign file that pmkit reads only approximately (or not at all).

    Shown on one line as ``warning: <file>: ...`` (see :class:`pmkit.errors.PmkitWarning`)."""


def warn(message: str) -> None:
    """Emit an :class:`InteropWarning` pointing at the caller of the reader.

    The message is kept to one line; it is shown as ``warning: <message>`` (see
    :class:`pmkit.errors.PmkitWarning`), with the file and the ids it concerns in the message.
    """
    warn_user(message, InteropWarning)


# --------------------------------------------------------------------------- limits

_EARLIEST = _dt.date.fromisoformat(LIMITS.earliest_date)
_LATEST = _dt.date.fromisoformat(LIMITS.latest_date)
_DATE = re.compile(r"^\s*(\d{1,4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
                   r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$")


def days_limit(kind: str) -> float:
    """The limit (working days) of a ``"duration"`` or a ``"lag"`` (:data:`pmkit.data.schema.LIMITS`)."""
    return LIMITS.max_lag_days if kind == "lag" else LIMITS.max_duration_days


def check_days(days: float, *, source: str, where: str, field: str, raw: object = None,
               kind: str = "duration") -> float:
    """``days`` when it is within the limit of its kind, else a :class:`PmkitError`.

    ``where`` names the activity (``task A1 (Excavate)``) or the link (``link A1 -> A2``),
    ``field`` the field of the file and ``raw`` its value as written there (when the
    days were computed from it). NaN passes (a missing value is the caller's business).
    """
    limit = days_limit(kind)
    if math.isnan(days) or abs(days) <= limit:
        return days
    shown = f"{raw} ({days:.6g} working days)" if raw is not None and str(raw) != f"{days:g}" else f"{days:.6g}"
    what = "lag" if kind == "lag" else "duration"
    raise PmkitError(f"{source}: {where}: {field} {shown} is beyond the limit of a {what} "
                     f"({limit:,.0f} working days, pmkit.data.schema.LIMITS)")


class DateReader:
    """Parses the dates of one file against :data:`~pmkit.data.schema.LIMITS`.

    ``YYYY-MM-DD`` with an optional time ``THH:MM[:SS]`` (or a space before it) and an
    optional time zone offset, which is dropped: the local time written is kept (one
    warning per file, from :meth:`done`). A date outside ``LIMITS.earliest_date`` ..
    ``LIMITS.latest_date`` (or that is no date at all) is a :class:`PmkitError` naming the
    file, the activity and the field when the value is ``needed`` for scheduling;
    otherwise it is reported with one warning and left out (None).
    """

    def __init__(self, source: str):
        self.source = source
        self.zoned: tuple[str, str, str] | None = None
        self.n_zoned = 0

    def parse(self, text, *, where: str, field: str, needed: bool = True) -> pd.Timestamp | None:
        """The date (a naive :class:`pandas.Timestamp`) or None for a blank value."""
        if text is None or (isinstance(text, float) and math.isnan(text)):
            return None
        s = str(text).strip()
        if not s:
            return None
        m = _DATE.match(s)
        problem, value = None, None
        if m is None:
            problem = "is not a date (expected YYYY-MM-DDTHH:MM:SS)"
        else:
            y, mo, d, h, mi, sec, zone = m.groups()
            try:
                day = _dt.date(int(y), int(mo), int(d))
                value = pd.Timestamp(day.year, day.month, day.day, int(h or 0), int(mi or 0), int(sec or 0))
            except ValueError:
                day = None
                problem = "is not a date (expected YYYY-MM-DDTHH:MM:SS)"
            if day is not None and not (_EARLIEST <= day <= _LATEST):
                problem = (f"is outside the dates pmkit accepts ({LIMITS.earliest_date} to {LIMITS.latest_date}, "
                           "pmkit.data.schema.LIMITS)")
                value = None
            if zone and problem is None:
                self.n_zoned += 1
                if self.zoned is None:
                    self.zoned = (where, field, s)
        if problem is None:
            return value
        message = f"{where}: {field} {s!r} {problem}"
        if needed:
            raise PmkitError(f"{self.source}: {message}")
        warn(f"{Path(self.source).name}: {message}; left out")
        return None

    def done(self) -> None:
        """Emit the one warning about time zone offsets, if dates carried any."""
        if self.zoned is not None:
            where, field, s = self.zoned
            warn(f"{Path(self.source).name}: {self.n_zoned} date(s) carry a time zone offset (first: {where}, {field} {s!r}); "
                 "read as the local times written, offsets ignored")
            self.zoned, self.n_zoned = None, 0


def no_tasks_warning(source: str, project_id: str) -> None:
    """The one warning of a file whose project has no tasks (it still loads)."""
    warn(f"{source}: project {project_id} has no tasks; it loads empty and schedules to its start date")


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


_ROOT = re.compile(rb"<\s*(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def _xml_root_name(path: str | os.PathLike) -> str:
    """The local name of an XML file's root element, from its first 64 kB ('' when unreadable).

    Only the prolog is looked at (declaration, comments, processing instructions), so telling
    MSPDI from PMXML costs no parse; the reader then parses the file safely.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return ""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 (MS Project may save it so)
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", head, flags=re.S)
    m = _ROOT.search(head)
    return m.group(1).decode("ascii", errors="ignore") if m else ""


def read_project_file(path: str | os.PathLike, project_id: str | None = None, *,
                      max_bytes: int | None = DEFAULT_MAX_BYTES):
    """Read a schedule file of another tool as a :class:`pmkit.Project`, by its suffix.

    Parameters
    ----------
    path : str or path
        ``.xml`` (MS Project XML, MSPDI, or Primavera P6 XML, PMXML: told apart by the
        root element), ``.xer`` (Primavera P6) or ``.sm`` (PSPLIB).
    project_id : str, optional
        For an XER or PMXML file holding several projects: which one (its id or number).
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
        if _xml_root_name(path) == "APIBusinessObjects":
            from .pmxml import read_pmxml

            return read_pmxml(path, project_id, max_bytes=max_bytes)
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
