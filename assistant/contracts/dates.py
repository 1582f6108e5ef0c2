"""Date arithmetic of contract terms: period ends, dates before an end, automatic renewals.

Contracts count periods in calendar days, weeks, months and years. The rules used here, the
ones English and US drafting assume, are:

* A period of N months or years *from* a start date ends on the day before the corresponding
  date N months/years later ("three (3) years commencing on 1 July 2020" ends on 30 June 2023).
  Where that corresponding date does not exist (a year from 29 February, a month from 31
  January), the period ends on the last day of the month it would have fallen in (28 February
  2025; 29 February 2024): the "corresponding date" rule, so leap years and short months never
  lose or gain a day.
* N days *from* a start date is the start plus N - 1 days (the start day counts); N business
  days counts Monday to Friday only (public holidays are not known here, so a deadline in
  business days is never later than the true one by more than the holidays in between).
* A date N days/months *before* the end of a term (a notice deadline, "ninety (90) days before
  the end of the then-current term") is the term's last day minus N days, or minus N months with
  the day clamped to the month's length (six months before 31 August is 28 or 29 February).
* A date N units *after* the end of a term (a retention period) is the last day of the period
  that starts the day after the end.
* An agreement that renews automatically for periods of P rolls over on its own: after an
  initial term ending on E, the next period starts on E + 1 day and ends after P, and so on;
  ``current_period`` finds the period running on a given day (it has rolled over however many
  times it had to).

Pure functions of ``datetime.date``; nothing here reads the clock (callers pass ``today``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from dateutil.relativedelta import relativedelta

UNITS = ("day", "business day", "week", "month", "year")
_ISO_UNIT = {"day": "D", "business day": "D", "week": "W", "month": "M", "year": "Y"}
MAX_ROLLOVERS = 10_000  # a daily renewal over 27 years: far beyond any real contract, never a hang


@dataclass(frozen=True)
class Duration:
    """A contract period: ``n`` of ``unit`` ("day", "business day", "week", "month", "year")."""

    n: float
    unit: str

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")

    @property
    def months(self) -> int | None:
        """The period in whole months (a year is 12), None for days and weeks."""
        if self.unit == "month":
            return int(self.n)
        if self.unit == "year":
            return int(round(self.n * 12))
        return None

    def iso(self) -> str:
        """ISO 8601: "P90D", "P6M", "P2Y" (business days as "P10D" with the unit kept apart)."""
        n = int(self.n) if float(self.n).is_integer() else self.n
        return f"P{n}{_ISO_UNIT[self.unit]}"

    def text(self) -> str:
        n = int(self.n) if float(self.n).is_integer() else self.n
        return f"{n} {self.unit}{'' if n == 1 else 's'}"

    def as_dict(self) -> dict:
        return {"n": self.n, "unit": self.unit, "iso": self.iso()}

    @classmethod
    def from_dict(cls, data: dict | None) -> Duration | None:
        if not data or "n" not in data or data.get("unit") not in UNITS:
            return None
        return cls(data["n"], data["unit"])


def parse_iso(value: str | None) -> date | None:
    """``date`` of "YYYY-MM-DD" (None for anything else)."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _month_length(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def shift_months(d: date, months: int) -> date:
    """``d`` moved by ``months`` (negative: back), the day clamped to the target month's length
    (31 January + 1 month = 29 February in a leap year): dateutil's ``relativedelta``."""
    return d + relativedelta(months=months)


def _business_days(d: date, n: int) -> date:
    """``d`` moved by ``n`` business days (Monday-Friday), ``n`` may be negative; ``d`` itself is
    not counted, so from a Saturday one business day on is the Monday: numpy's ``busday_offset``,
    rolling a weekend start back (forward when moving back) before counting."""
    if n == 0:
        return d
    moved = np.busday_offset(np.datetime64(d, "D"), n, roll="backward" if n > 0 else "forward")
    return moved.item()


def period_end(start: date, duration: Duration) -> date:
    """The last day of a period of ``duration`` that starts on ``start`` (the start day counts).

    Months and years follow the corresponding-date rule (module docstring)."""
    n = int(duration.n)
    if duration.unit == "day":
        return start + timedelta(days=n - 1)
    if duration.unit == "week":
        return start + timedelta(days=7 * n - 1)
    if duration.unit == "business day":
        first = start if start.weekday() < 5 else _business_days(start, 1)
        return _business_days(first, n - 1)
    months = duration.months or 0
    total = start.year * 12 + (start.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    if start.day > _month_length(year, month):  # no corresponding date: the month's last day
        return date(year, month, _month_length(year, month))
    return date(year, month, start.day) - timedelta(days=1)


def before(end: date, duration: Duration) -> date:
    """The date ``duration`` before ``end`` (a notice deadline: the last day notice may be given
    so that at least ``duration`` is left before ``end``)."""
    n = int(duration.n)
    if duration.unit == "day":
        return end - timedelta(days=n)
    if duration.unit == "week":
        return end - timedelta(days=7 * n)
    if duration.unit == "business day":
        return _business_days(end, -n)
    return shift_months(end, -(duration.months or 0))


def after_end(end: date, duration: Duration) -> date:
    """The last day of a period of ``duration`` running from the day after ``end`` ("twelve (12)
    years after the end of the Term" ending 31 August 2025: 31 August 2037)."""
    return period_end(end + timedelta(days=1), duration)


@dataclass(frozen=True)
class Period:
    """One period of a term: its first and last day, and how many automatic renewals led to it
    (0: the initial term)."""

    start: date | None
    end: date
    renewals: int = 0


def current_period(initial_end: date, renewal: Duration | None, today: date, start: date | None = None) -> Period:
    """The period running on ``today`` (or the last one, if the term has ended without renewal).

    With ``renewal`` the agreement has rolled over automatically as often as needed: periods of
    ``renewal`` follow the initial term, each starting the day after the last ended."""
    period = Period(start, initial_end, 0)
    if renewal is None or renewal.n <= 0:
        return period
    while period.end < today and period.renewals < MAX_ROLLOVERS:
        nxt = period.end + timedelta(days=1)
        period = Period(nxt, period_end(nxt, renewal), period.renewals + 1)
    return period


@dataclass(frozen=True)
class Deadline:
    """The next day by which notice must be given to stop a renewal: ``date``, and the end of
    the period it stops (the agreement then ends on ``period_end``)."""

    date: date
    period_end: date
    missed: date | None = None  # the current period's deadline, when it has passed already


def notice_deadline(initial_end: date, notice: Duration, renewal: Duration | None, today: date,
                    start: date | None = None) -> Deadline:
    """The next notice deadline on or after ``today`` for an agreement ending ``initial_end``
    that renews by ``renewal`` unless notice of ``notice`` is given before the end of the
    then-current period. When the current period's deadline has passed, the agreement will renew
    once more, and the deadline is that of the next period (the missed one is kept in ``missed``).
    Without ``renewal`` there is only the one deadline, before ``initial_end``."""
    period = current_period(initial_end, renewal, today, start)
    deadline = before(period.end, notice)
    if deadline >= today or renewal is None:
        return Deadline(deadline, period.end)
    nxt = period_end(period.end + timedelta(days=1), renewal)
    return Deadline(before(nxt, notice), nxt, missed=deadline)
