"""Working calendars: which days are worked, and arithmetic in working days.

Built on numpy's business-day functions (``np.busday_offset``, ``np.busday_count``), which
are vectorized, so converting a million task offsets to dates is a single call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..errors import PmkitError
from .schema import LIMITS

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def parse_workdays(text: str) -> tuple[bool, ...]:
    """``"Mon Tue Wed Thu Fri"`` (or a 7-character mask ``"1111100"``) to seven booleans.

    >>> parse_workdays("Mon Wed")
    (True, False, True, False, False, False, False)
    """
    s = str(text).strip()
    if len(s) == 7 and set(s) <= {"0", "1"}:
        return tuple(ch == "1" for ch in s)
    names = [w[:3].capitalize() for w in s.replace(",", " ").split()]
    bad = [w for w in names if w not in WEEKDAYS]
    if bad:
        raise ValueError(f"unknown weekday {bad[0]!r} (use Mon Tue Wed Thu Fri Sat Sun)")
    return tuple(d in names for d in WEEKDAYS)


def format_workdays(mask: Iterable[bool]) -> str:
    return " ".join(d for d, on in zip(WEEKDAYS, mask, strict=True) if on)


@dataclass(frozen=True, eq=False)
class Calendar:
    """A working calendar.

    Parameters
    ----------
    calendar_id : str
        Id used by projects, tasks and resources.
    workdays : tuple of 7 bool
        Monday..Sunday, True where the day is worked.
    holidays : tuple of datetime64[D]
        Non-working exception days.
    hours_per_day : float
        Working hours in a day (for MS Project interop, where durations are in minutes).

    Examples
    --------
    >>> cal = Calendar("std", holidays=("2025-12-25",))
    >>> str(cal.add_working_days("2025-12-24", 1))
    '2025-12-26'
    """

    calendar_id: str = "standard"
    name: str = ""
    workdays: tuple[bool, ...] = (True, True, True, True, True, False, False)
    holidays: tuple = field(default=())
    hours_per_day: float = 8.0

    def __post_init__(self) -> None:
        wd = tuple(bool(x) for x in self.workdays)
        if len(wd) != 7:
            raise ValueError(f"calendar {self.calendar_id}: workdays needs 7 values (Mon..Sun)")
        if not any(wd):
            raise ValueError(f"calendar {self.calendar_id}: no working weekday")
        object.__setattr__(self, "workdays", wd)
        hol = np.unique(np.asarray(list(self.holidays), dtype="datetime64[D]"))
        object.__setattr__(self, "holidays", tuple(hol))
        if not self.hours_per_day > 0:
            raise ValueError(f"calendar {self.calendar_id}: hours_per_day must be positive")

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Calendar) and self.calendar_id == other.calendar_id
                and self.workdays == other.workdays and self.holidays == other.holidays
                and self.hours_per_day == other.hours_per_day and self.name == other.name)

    def __hash__(self) -> int:
        return hash((self.calendar_id, self.workdays, self.holidays, self.hours_per_day))

    @cached_property
    def busdaycal(self) -> np.busdaycalendar:
        return np.busdaycalendar(weekmask=list(self.workdays),
                                 holidays=np.asarray(self.holidays, dtype="datetime64[D]"))

    @property
    def holiday_array(self) -> np.ndarray:
        return np.asarray(self.holidays, dtype="datetime64[D]")

    def is_working_day(self, dates) -> np.ndarray:
        """True where the date is a working day."""
        return np.is_busday(_days(dates), busdaycal=self.busdaycal)

    def add_working_days(self, dates, days, roll: str = "forward"):
        """Move each date by a whole number of working days (``roll`` applies first)."""
        return np.busday_offset(_days(dates), self._offsets(np.asarray(days)).astype(np.int64), roll=roll,
                                busdaycal=self.busdaycal)

    def _offsets(self, days: np.ndarray) -> np.ndarray:
        """``days`` when every finite value fits into LIMITS' date range, else a PmkitError."""
        d = np.asarray(days, dtype=np.float64)
        finite = d[np.isfinite(d)]
        if finite.size and np.abs(finite).max() > _MAX_SPAN_DAYS:
            worst = float(finite[np.argmax(np.abs(finite))])
            raise PmkitError(f"calendar {self.calendar_id}: an offset of {worst:.6g} working days leads outside "
                             f"the dates pmkit handles ({LIMITS.earliest_date} to {LIMITS.latest_date}, "
                             "pmkit.data.schema.LIMITS)")
        return d

    def working_days_between(self, start, end) -> np.ndarray:
        """Working days in ``[start, end)``; when end < start, minus the working days in ``(end, start]``.

        This is numpy's ``busday_count``: reversing the dates does not simply negate the count
        when either date is not a working day.
        """
        return np.busday_count(_days(start), _days(end), busdaycal=self.busdaycal)

    def offset_to_date(self, origin, offsets) -> np.ndarray:
        """Date of the working day that contains each working-day offset from ``origin``.

        Offset 0 is ``origin`` itself (rolled forward to a working day), offset 1.5 is the
        middle of the next working day, which lies on that day's date.
        """
        off = np.floor(self._offsets(np.asarray(offsets, dtype=np.float64))).astype(np.int64)
        return np.busday_offset(_days(origin), off, roll="forward", busdaycal=self.busdaycal)

    def date_to_offset(self, origin, dates) -> np.ndarray:
        """Working days from ``origin`` to the start of each date (dates rolled forward)."""
        d = np.busday_offset(_days(dates), 0, roll="forward", busdaycal=self.busdaycal)
        o = np.busday_offset(_days(origin), 0, roll="forward", busdaycal=self.busdaycal)
        return np.busday_count(o, d, busdaycal=self.busdaycal)

    def to_frame(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """This calendar as rows of the ``calendars`` and ``holidays`` tables."""
        cal = pd.DataFrame({"calendar_id": [self.calendar_id], "name": [self.name],
                            "workdays": [format_workdays(self.workdays)],
                            "hours_per_day": [float(self.hours_per_day)]})
        hol = pd.DataFrame({"calendar_id": [self.calendar_id] * len(self.holidays),
                            "date": pd.to_datetime(np.asarray(self.holidays, dtype="datetime64[D]")),
                            "name": [""] * len(self.holidays)})
        return cal, hol


STANDARD = Calendar("standard", "Standard (Mon-Fri)")

#: Days from LIMITS' earliest to its latest date: no working-day offset can be longer.
_MAX_SPAN_DAYS = int((np.datetime64(LIMITS.latest_date, "D") - np.datetime64(LIMITS.earliest_date, "D"))
                     .astype(np.int64))


def _days(dates) -> np.ndarray:
    if isinstance(dates, pd.Series | pd.Index):
        return dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    return np.asarray(dates, dtype="datetime64[D]")


def calendars_from_tables(calendars: pd.DataFrame, holidays: pd.DataFrame) -> dict[str, Calendar]:
    """Build :class:`Calendar` objects from the ``calendars`` and ``holidays`` tables.

    The built-in ``standard`` calendar (Mon-Fri, no holidays) exists unless the table
    defines its own.
    """
    out = {"standard": STANDARD}
    hol_by_cal = {k: g["date"].to_numpy(dtype="datetime64[D]")
                  for k, g in holidays.groupby("calendar_id", sort=False)} if len(holidays) else {}
    for row in calendars.itertuples(index=False):
        out[row.calendar_id] = Calendar(
            row.calendar_id, row.name, parse_workdays(row.workdays),
            tuple(hol_by_cal.get(row.calendar_id, ())), float(row.hours_per_day))
    return out
