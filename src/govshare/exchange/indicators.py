"""The gateway's figures in the sharing indicators: calls recorded in the delivery log, and the
share served without error (registered with ``sharing.indicators`` when exchange is ready)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from govshare.core.actors import Actor
from govshare.exchange.models import DeliveryRecord
from govshare.inventory.indicators import Indicator


def delivery_indicators(user: Actor, start: dt.datetime, end: dt.datetime) -> list[Indicator]:
    """Calls the user may see in the month, and those answered without error (status < 400)."""
    deliveries = DeliveryRecord.objects.restrict(user, "view").filter(
        created__gte=start, created__lt=end
    )
    calls = deliveries.count()
    served = deliveries.filter(status__lt=400).count()
    return [
        Indicator("calls", _("Gateway calls"), _("calls recorded in the delivery log"), calls),
        Indicator(
            "served",
            _("Calls served"),
            _("calls answered without error ÷ all calls recorded"),
            served,
            calls,
            is_rate=True,
        ),
    ]
