"""Date arithmetic of contract terms (assistant/contracts/dates.py): month ends, leap years, notice
before the end of a term, automatic renewals that have already rolled over."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.contracts.dates import Duration, after_end, before, current_period, notice_deadline, parse_iso, period_end, shift_months

Y1, M1, M6, M12, D90 = Duration(1, "year"), Duration(1, "month"), Duration(6, "month"), Duration(12, "month"), Duration(90, "day")


@pytest.mark.parametrize("start, duration, end", [
    (date(2020, 7, 1), Duration(3, "year"), date(2023, 6, 30)),  # "three (3) years commencing on 1 July 2020"
    (date(2022, 9, 1), Duration(3, "year"), date(2025, 8, 31)),
    (date(2023, 3, 1), Y1, date(2024, 2, 29)),  # the year runs into a leap day
    (date(2024, 2, 29), Y1, date(2025, 2, 28)),  # no 29 February next year: the month's last day
    (date(2024, 2, 29), Duration(4, "year"), date(2028, 2, 28)),  # 29 Feb 2028 exists: the day before it
    (date(2024, 1, 31), M1, date(2024, 2, 29)),  # no 31 February: February's last day
    (date(2023, 1, 31), M1, date(2023, 2, 28)),
    (date(2024, 1, 30), M1, date(2024, 2, 29)),
    (date(2024, 3, 31), M1, date(2024, 4, 30)),
    (date(2024, 8, 31), M6, date(2025, 2, 28)),
    (date(2024, 12, 1), M1, date(2024, 12, 31)),
    (date(2024, 1, 1), Duration(2, "month"), date(2024, 2, 29)),
    (date(2024, 1, 1), D90, date(2024, 3, 30)),  # the start day counts
    (date(2024, 1, 1), Duration(1, "day"), date(2024, 1, 1)),
    (date(2024, 1, 1), Duration(2, "week"), date(2024, 1, 14)),
    (date(2024, 1, 5), Duration(10, "business day"), date(2024, 1, 18)),  # a Friday: counts, weekends do not
])
def test_period_end(start, duration, end):
    assert period_end(start, duration) == end


@pytest.mark.parametrize("end, duration, deadline", [
    (date(2024, 12, 31), D90, date(2024, 10, 2)),  # "ninety (90) days before the end of the then-current term"
    (date(2024, 3, 31), D90, date(2024, 1, 1)),  # across a leap-year February
    (date(2023, 3, 31), D90, date(2022, 12, 31)),
    (date(2024, 8, 31), M6, date(2024, 2, 29)),  # six months before 31 August: February's last day
    (date(2023, 8, 31), M6, date(2023, 2, 28)),
    (date(2024, 5, 14), Duration(60, "day"), date(2024, 3, 15)),  # the Tidewell option deadline, as its letter says
    (date(2024, 6, 30), Duration(3, "month"), date(2024, 3, 30)),
    (date(2024, 1, 15), Duration(10, "business day"), date(2024, 1, 1)),
])
def test_before_the_end(end, duration, deadline):
    assert before(end, duration) == deadline


def test_after_the_end_of_the_term():
    assert after_end(date(2025, 8, 31), Duration(12, "year")) == date(2037, 8, 31)
    assert after_end(date(2024, 2, 28), Y1) == date(2025, 2, 28)  # runs 29 Feb 2024 - 28 Feb 2025
    assert after_end(date(2023, 2, 28), Y1) == date(2024, 2, 29)  # runs 1 Mar 2023 - 29 Feb 2024


def test_shift_months_clamps_the_day():
    assert shift_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert shift_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert shift_months(date(2024, 12, 15), 1) == date(2025, 1, 15)
    assert shift_months(date(2024, 1, 15), -13) == date(2022, 12, 15)


def test_an_automatic_renewal_that_has_rolled_over():
    # initial term ended 31 December 2022, renews for a year at a time: on 1 June 2024 it is in its second renewal
    p = current_period(date(2022, 12, 31), Y1, date(2024, 6, 1))
    assert (p.start, p.end, p.renewals) == (date(2024, 1, 1), date(2024, 12, 31), 2)
    assert current_period(date(2022, 12, 31), Y1, date(2022, 12, 31)).renewals == 0  # the last day is still the initial term
    assert current_period(date(2022, 12, 31), None, date(2024, 6, 1)).end == date(2022, 12, 31)  # no renewal: ended
    # a renewal period from the leap day onwards keeps to month ends
    p = current_period(date(2024, 2, 29), Y1, date(2026, 3, 1))
    assert p.end == date(2027, 2, 28) and p.renewals == 3
    p = current_period(date(2023, 6, 30), Duration(2, "year"), date(2027, 7, 1))
    assert (p.start, p.end) == (date(2027, 7, 1), date(2029, 6, 30))


def test_the_notice_deadline_of_a_renewing_deal():
    # current period ends 31 Dec 2024: notice 90 days before, by 2 October 2024
    dl = notice_deadline(date(2022, 12, 31), D90, Y1, date(2024, 6, 1))
    assert (dl.date, dl.period_end, dl.missed) == (date(2024, 10, 2), date(2024, 12, 31), None)
    # missed for this period: it renews once more, the next deadline is a year on
    dl = notice_deadline(date(2022, 12, 31), D90, Y1, date(2024, 10, 3))
    assert (dl.date, dl.period_end, dl.missed) == (date(2025, 10, 2), date(2025, 12, 31), date(2024, 10, 2))
    # on the deadline itself it is still open
    assert notice_deadline(date(2022, 12, 31), D90, Y1, date(2024, 10, 2)).date == date(2024, 10, 2)
    # six months before the end of a two-year period ending 30 September
    dl = notice_deadline(date(2024, 9, 30), M6, Duration(2, "year"), date(2024, 4, 1))
    assert dl.date == date(2026, 3, 30) and dl.missed == date(2024, 3, 30)
    # no renewal: one deadline, even when it has passed
    assert notice_deadline(date(2024, 12, 31), D90, None, date(2025, 6, 1)).date == date(2024, 10, 2)


def test_durations_and_iso():
    assert Duration(90, "day").iso() == "P90D" and M6.iso() == "P6M" and Duration(2, "year").iso() == "P2Y"
    assert Duration(1, "year").text() == "1 year" and D90.text() == "90 days"
    assert Duration.from_dict(D90.as_dict()) == D90 and Duration.from_dict({"n": 3}) is None
    assert Duration(2, "year").months == 24 and D90.months is None
    with pytest.raises(ValueError):
        Duration(1, "fortnight")
    assert parse_iso("2024-02-29") == date(2024, 2, 29)
    assert parse_iso("2023-02-29") is None and parse_iso({"event": "x"}) is None and parse_iso(None) is None


def _months_by_hand(d, months):
    """The month arithmetic this module had before it used dateutil: the reference."""
    import calendar

    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


def _business_days_by_hand(d, n):
    """The business-day stepping this module had before it used numpy.busday_offset."""
    from datetime import timedelta

    step, left = (1 if n >= 0 else -1), abs(n)
    while left:
        d += timedelta(days=step)
        if d.weekday() < 5:
            left -= 1
    return d


def test_the_libraries_give_the_hand_written_results_on_every_day_of_twelve_years():
    from datetime import timedelta

    from assistant.contracts.dates import _business_days, shift_months

    start = date(2016, 1, 1)
    days = [start + timedelta(days=i) for i in range(0, 366 * 12)]
    months = [m for d in days for m in (-13, -1, 1, 6, 12, 25) if shift_months(d, m) != _months_by_hand(d, m)]
    business = [(d, n) for d in days[::2] for n in (-20, -1, 0, 1, 3, 10, 45) if _business_days(d, n) != _business_days_by_hand(d, n)]
    assert months == [] and business == []
