"""When a subscription runs (同步计划): its own five-field cron expression, or the resource's
update cycle (更新周期).

The cron dialect is the classic one (minute hour day-of-month month day-of-week): ``*``, lists
``1,15``, ranges ``1-5``, steps ``*/10`` and ``8-18/2``; day-of-week 0–7 with both 0 and 7 for
Sunday. As in cron, when both day fields are restricted a day matching either one is a match.
Times are the node's local time (settings.TIME_ZONE), as the people who write schedules read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from govshare.catalog.choices import UpdateCycle

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The update cycle's schedule when a subscription names none: in the small hours, after the
# provider's own nightly loads; real-time resources every five minutes; irregular ones only
# when someone presses "run now" (None).
CYCLE_SCHEDULES: dict[str, str | None] = {
    UpdateCycle.REALTIME: "*/5 * * * *",
    UpdateCycle.DAILY: "0 2 * * *",
    UpdateCycle.WEEKLY: "0 2 * * 1",
    UpdateCycle.MONTHLY: "0 2 1 * *",
    UpdateCycle.QUARTERLY: "0 2 1 1,4,7,10 *",
    UpdateCycle.HALF_YEARLY: "0 2 1 1,7 *",
    UpdateCycle.YEARLY: "0 2 1 1 *",
    UpdateCycle.IRREGULAR: None,
}

FIELDS = (  # name, lowest, highest
    (pgettext_lazy("cron field", "minute"), 0, 59),
    (pgettext_lazy("cron field", "hour"), 0, 23),
    (pgettext_lazy("cron field", "day of month"), 1, 31),
    (pgettext_lazy("cron field", "month"), 1, 12),
    (pgettext_lazy("cron field", "day of week"), 0, 7),
)
# Far enough to find any valid expression's next time (29 February on a given weekday
# recurs within 28 years), near enough to stop on one that never matches (31 February).
SEARCH_YEARS = 29


class CronError(ValueError):
    """The expression is not a valid five-field cron expression; the message says why."""


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday … 6 = Saturday
    any_day: bool  # day of month is "*"
    any_weekday: bool  # day of week is "*"

    def day_matches(self, day: dt.date) -> bool:
        by_date = day.day in self.days
        by_weekday = (day.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return by_date and by_weekday
        return by_date or by_weekday


def parse_cron(expression: str) -> Cron:
    """The parsed expression; ``CronError`` names the field and what is wrong with it."""
    parts = expression.split()
    if len(parts) != len(FIELDS):
        raise CronError(
            _("A schedule has five fields (minute hour day month weekday); this one has %(n)s.")
            % {"n": len(parts)}
        )
    values = [_field(text, *spec) for text, spec in zip(parts, FIELDS, strict=True)]
    weekdays = frozenset(day % 7 for day in values[4])
    return Cron(
        minutes=values[0],
        hours=values[1],
        days=values[2],
        months=values[3],
        weekdays=weekdays,
        any_day=parts[2] == "*",
        any_weekday=parts[4] == "*",
    )


def _field(text: str, name: StrOrPromise, low: int, high: int) -> frozenset[int]:
    chosen: set[int] = set()
    for term in text.split(","):
        chosen.update(_term(term, name, low, high))
    return frozenset(chosen)


def _term(term: str, name: StrOrPromise, low: int, high: int) -> range:
    span, _slash, step_text = term.partition("/")
    step = _number(step_text, name) if _slash else 1
    if step < 1:
        raise CronError(_("The step in the %(field)s field must be at least 1.") % {"field": name})
    if span == "*":
        first, last = low, high
    elif "-" in span:
        start, _dash, end = span.partition("-")
        first, last = _number(start, name), _number(end, name)
    else:
        first = _number(span, name)
        last = high if _slash else first
    if not (low <= first <= last <= high):
        raise CronError(
            _("The %(field)s field takes values from %(low)s to %(high)s; “%(term)s” does not fit.")
            % {"field": name, "low": low, "high": high, "term": term}
        )
    return range(first, last + 1, step)


def _number(text: str, name: StrOrPromise) -> int:
    if not text.isdigit():
        raise CronError(
            _("The %(field)s field has “%(text)s”, which is not a number.")
            % {"field": name, "text": text}
        )
    return int(text)


def next_time(expression: str, after: dt.datetime) -> dt.datetime | None:
    """The first minute strictly after ``after`` that ``expression`` matches (aware, in the
    node's time zone), or None when it never does (such as 31 February)."""
    cron = parse_cron(expression)
    local = timezone.localtime(after).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    day = local.date()
    last_day = day + dt.timedelta(days=366 * SEARCH_YEARS)  # (29 February has no +N years)
    start_minute = local.hour * 60 + local.minute
    while day < last_day:
        if day.month in cron.months and cron.day_matches(day):
            found = _first_minute(cron, start_minute)
            if found is not None:
                naive = dt.datetime.combine(day, dt.time(found // 60, found % 60))
                return timezone.make_aware(naive)
        day += dt.timedelta(days=1)
        start_minute = 0
    return None


def _first_minute(cron: Cron, from_minute: int) -> int | None:
    for hour in sorted(cron.hours):
        for minute in sorted(cron.minutes):
            if hour * 60 + minute >= from_minute:
                return hour * 60 + minute
    return None


def schedule_of(schedule: str, update_cycle: str) -> str | None:
    """The cron expression a subscription runs on: its own, else its resource's update cycle's;
    None: run only on demand."""
    return schedule.strip() or CYCLE_SCHEDULES.get(update_cycle)
