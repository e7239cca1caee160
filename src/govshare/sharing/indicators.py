"""Indicators of the sharing workflow for one month (or the current one): requests, answers on
time (按时答复率), overdue requests, live grants and gateway deliveries.

Counts cover what the user may see (``restrict``): a department sees its own side of requests
and deliveries, the authority and auditors see all. The gateway's figures come from exchange,
which sits above sharing and registers them in ``month_figures`` when it is ready.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govshare.core.actors import Actor
from govshare.core.registry import Registry
from govshare.inventory.indicators import Indicator, month_end
from govshare.sharing.choices import RequestState
from govshare.sharing.clocks import on_time_rate, overdue_filter
from govshare.sharing.models import ShareRequest

# (user, the month's first instant, the next month's first instant) -> the month's figures
MonthFigures = Callable[[Any, dt.datetime, dt.datetime], list[Indicator]]
month_figures: Registry[MonthFigures] = Registry("sharing month figures")


def sharing_indicators(user: Actor, month: dt.date | None = None) -> list[Indicator]:
    """The month's figures (``month`` is its first day; None for the current month)."""
    today = timezone.localdate()
    start = month or today.replace(day=1)
    end_instant = month_end(start)
    last_day = min((end_instant - dt.timedelta(days=1)).date(), today)
    requests = ShareRequest.objects.restrict(user, "view")
    submitted = requests.filter(submitted__gte=_start(start), submitted__lt=end_instant)
    on_time, due, _rate = on_time_rate(requests, start, last_day, today=today)
    live = requests.filter(state__in=[RequestState.ACTIVE, RequestState.SUSPENDED])
    is_live = month is None  # states keep no history: now-figures only for the current month
    figures = [
        Indicator(
            "submitted",
            _("Requests submitted"),
            _("requests submitted in the month"),
            submitted.count(),
        ),
        Indicator(
            "on_time",
            _("On-time answer rate"),
            _(
                "conditional requests answered by the provider on or before the deadline ÷ "
                "requests whose provider deadline fell in the month or that were answered in it"
            ),
            on_time,
            due,
            is_rate=True,
        ),
        Indicator(
            "overdue",
            _("Overdue requests"),
            _("requests whose running deadline has passed without an answer (today)"),
            requests.filter(overdue_filter(today)).count() if is_live else None,
        ),
        Indicator(
            "live_grants",
            _("Live grants"),
            _("grants active or suspended (today)"),
            live.count() if is_live else None,
        ),
    ]
    for more in month_figures:
        figures.extend(more(user, _start(start), end_instant))
    return figures


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
