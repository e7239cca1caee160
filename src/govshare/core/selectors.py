"""Reads of the core package: audit search."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from govshare.core.actors import Actor
from govshare.core.models import AuditEvent


def audit_search(
    user: Actor,
    *,
    query: str = "",
    action: str = "",
    actor: str = "",
    object_type: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events ``user`` may read, filtered; newest first."""
    events = AuditEvent.objects.restrict(user, "view").order_by("-seq")
    if query:
        events = events.filter(
            Q(object_repr__icontains=query)
            | Q(object_id=query)
            | Q(request_id=query)
            | Q(action__icontains=query)
        )
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_name__icontains=actor)
    if object_type:
        events = events.filter(object_type=object_type)
    if date_from:
        events = events.filter(created__date__gte=date_from)
    if date_to:
        events = events.filter(created__date__lte=date_to)
    return events
