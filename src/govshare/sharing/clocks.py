"""Deadline clocks (办理时限) of a sharing request, overdue flags and the on-time-answer rate.

Which clock runs depends on the request's state: the authority's conformity review (合规性审查)
while SUBMITTED, the provider's answer (国发〔2016〕51号: conditional requests are answered within
10 working days) while in PROVIDER_REVIEW or NEGOTIATION, and the authority's coordination
(协调) while in COORDINATION. Deadlines are dates on the working-day calendar; a clock is overdue
from the first calendar day after its due date until it is answered.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Literal

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from govshare.sharing.calendar import WorkingCalendar
from govshare.sharing.choices import PROVIDER_CLOCK_STATES, RequestState
from govshare.sharing.models import ShareRequest

ClockParty = Literal["authority", "provider"]

# state → (party, due field, answered field): the clock that runs in that state.
RUNNING_CLOCKS: dict[str, tuple[ClockParty, str, str]] = {
    RequestState.SUBMITTED: ("authority", "conformity_due", "conformity_answered"),
    RequestState.PROVIDER_REVIEW: ("provider", "provider_due", "provider_answered"),
    RequestState.NEGOTIATION: ("provider", "provider_due", "provider_answered"),
    RequestState.COORDINATION: ("authority", "coordination_due", "coordination_answered"),
}


@dataclass(frozen=True)
class Clock:
    """One running deadline of a request.

    ``remaining`` counts working days from today (or from the answer, once answered) to the due
    date: 0 on the due day itself, negative once late — at least -1 as soon as the due date has
    passed, even over a weekend.
    """

    party: ClockParty
    due: dt.date
    remaining: int
    overdue: bool
    answered: bool
    answered_on_time: bool | None

    @property
    def days_late(self) -> int:
        """Working days past the due date (0 when not late), for messages."""
        return max(-self.remaining, 0)


def clock_for(
    request: ShareRequest,
    today: dt.date | None = None,
    *,
    calendar: WorkingCalendar | None = None,
) -> Clock | None:
    """The clock running in the request's state, or None (no clock, or no deadline set).

    Pass one ``calendar`` when computing clocks for many requests, so the calendar is read once.
    """
    running = RUNNING_CLOCKS.get(request.state)
    if running is None:
        return None
    party, due_field, answered_field = running
    due: dt.date | None = getattr(request, due_field)
    if due is None:
        return None
    answered_at: dt.datetime | None = getattr(request, answered_field)
    calendar = calendar or WorkingCalendar()
    if answered_at is not None:
        answered_on = timezone.localdate(answered_at)
        on_time = answered_on <= due
        remaining = _signed(calendar.working_days_between(answered_on, due), late=not on_time)
        return Clock(party, due, remaining, False, True, on_time)
    today = today or timezone.localdate()
    overdue = today > due
    remaining = _signed(calendar.working_days_between(today, due), late=overdue)
    return Clock(party, due, remaining, overdue, False, None)


def clocks_for(
    requests: Iterable[ShareRequest], today: dt.date | None = None
) -> dict[int, Clock | None]:
    """{request pk: clock} for a page of requests, reading the calendar once."""
    calendar = WorkingCalendar()
    return {request.pk: clock_for(request, today, calendar=calendar) for request in requests}


def _signed(working_days: int, *, late: bool) -> int:
    # Past the due date over a weekend no working day has passed yet, but the clock is late.
    return min(working_days, -1) if late else working_days


def overdue_filter(today: dt.date | None = None) -> Q:
    """ShareRequest rows whose running clock is past its due date and not answered."""
    today = today or timezone.localdate()
    return reduce(
        operator.or_,
        (
            Q(state=state, **{f"{due_field}__lt": today, f"{answered_field}__isnull": True})
            for state, (_party, due_field, answered_field) in RUNNING_CLOCKS.items()
        ),
    )


def on_time_rate(
    requests: QuerySet[ShareRequest],
    start: dt.date,
    end: dt.date,
    today: dt.date | None = None,
) -> tuple[int, int, float | None]:
    """The provider's on-time-answer rate (按时答复率) over [start, end]: (on time, due, rate).

    按时答复率 = 按期答复数 / 应答复数, where

    - 应答复数 (due): requests with a provider deadline whose deadline fell in [start, end] or
      that the provider answered in [start, end], counting those answered plus those still
      waiting in the provider's states (PROVIDER_REVIEW, NEGOTIATION) whose deadline has passed
      by ``today``. Requests not yet due, and requests withdrawn before an answer, are left out;
    - 按期答复数 (on time): those answered on or before the deadline (answer date ≤ due date).

    The rate is None when nothing was due.
    """
    today = today or timezone.localdate()
    window = Q(provider_due__range=(start, end)) | Q(provider_answered__date__range=(start, end))
    rows = requests.filter(window, provider_due__isnull=False).order_by()
    totals = rows.aggregate(
        on_time=Count("pk", filter=Q(provider_answered__date__lte=F("provider_due"))),
        answered=Count("pk", filter=Q(provider_answered__isnull=False)),
        late_waiting=Count(
            "pk",
            filter=Q(
                provider_answered__isnull=True,
                provider_due__lt=today,
                state__in=PROVIDER_CLOCK_STATES,
            ),
        ),
    )
    due = totals["answered"] + totals["late_waiting"]
    return totals["on_time"], due, (totals["on_time"] / due if due else None)
