"""The working-day calendar (工作日历): which days count towards the workflow's deadlines.

The rule: Monday to Friday is a working day (工作日) unless the calendar holds a holiday row for
it (法定节假日); Saturday and Sunday are rest days unless the calendar holds a workday row for
them (调休上班日, an adjusted working day). Any other row (a holiday on a Sunday, a workday on a
Tuesday) changes nothing, so the seeded data may list whole holiday periods.

There is no process-wide cache: the table is tiny, and one indexed query per call is cheaper
than keeping several worker processes in step when an administrator edits it. A
``WorkingCalendar`` remembers the years it has read, so code that needs many answers (a list of
requests with their clocks) builds one and asks it everything.
"""

from __future__ import annotations

import datetime as dt

from govshare.sharing.choices import DayKind
from govshare.sharing.models import CalendarDay

SATURDAY = 5
# A deadline is never further away than this; more means the calendar is broken (a whole year
# marked as holidays), and failing beats looping for ever.
MAX_SPAN_DAYS = 3 * 366


class WorkingCalendar:
    """The calendar's exceptions, read one year at a time as they are needed."""

    def __init__(self) -> None:
        self._kinds: dict[dt.date, str] = {}
        self._years: set[int] = set()

    def preload(self, first: dt.date, last: dt.date) -> None:
        """Read every year from ``first`` to ``last`` not read yet, in one query."""
        years = [y for y in range(first.year, last.year + 1) if y not in self._years]
        if not years:
            return
        span = (dt.date(min(years), 1, 1), dt.date(max(years), 12, 31))
        rows = CalendarDay.objects.filter(date__range=span).values_list("date", "kind")
        self._kinds.update(rows)
        self._years.update(years)

    def is_working_day(self, day: dt.date) -> bool:
        self.preload(day, day)
        kind = self._kinds.get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return day.weekday() < SATURDAY

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (before it when ``days`` is negative).

        ``start`` itself never counts, whatever it is: a request submitted on a Friday with a
        two-working-day limit is due on Tuesday. ``days == 0`` returns ``start``.
        """
        step = 1 if days >= 0 else -1
        # About 7 calendar days per 5 working days, plus the longest holiday period.
        self.preload(*sorted((start, start + dt.timedelta(days=step * (abs(days) * 7 // 5 + 16)))))
        day, remaining = start, abs(days)
        while remaining:
            day += dt.timedelta(days=step)
            if abs((day - start).days) > MAX_SPAN_DAYS:
                raise ValueError(f"no {days} working days within {MAX_SPAN_DAYS} days of {start}")
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative, counting (end, start], when end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        self.preload(start, end)
        span = (end - start).days
        return sum(self.is_working_day(start + dt.timedelta(days=n)) for n in range(1, span + 1))

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day after ``day`` (``day`` itself does not count)."""
        return self.add_working_days(day, 1)


def is_working_day(day: dt.date) -> bool:
    return WorkingCalendar().is_working_day(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The deadline ``days`` working days after ``start``; the start day never counts."""
    return WorkingCalendar().add_working_days(start, days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when ``end`` is before ``start``."""
    return WorkingCalendar().working_days_between(start, end)


def next_working_day(day: dt.date) -> dt.date:
    return WorkingCalendar().next_working_day(day)
