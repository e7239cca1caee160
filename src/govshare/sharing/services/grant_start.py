"""A grant not yet in force (未生效) and the provider's change of its start.

A grant approved for a period that starts later is active in the workflow, yet the gateway
answers ``grant_not_yet_valid`` until its first day (exchange.gateway.policy). Until that day the
provider may move the start, within the period requested and before the grant's end.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.core import stamps
from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, field_error
from govshare.core.evidence import audit
from govshare.core.permissions import require
from govshare.sharing.choices import Action, Party
from govshare.sharing.models import Grant
from govshare.sharing.services.requests import GATEWAY, require_note, step


def grant_start_change(*, actor: Actor, grant: Grant, valid_from: dt.date, reason: str) -> Grant:
    """The provider moves the first day of a grant not yet in force, with a reason."""
    require(actor, "decide", grant.request)
    require_note(reason, field="reason")
    _check_start(grant, valid_from)
    before = {"valid_from": grant.valid_from.isoformat()}
    with transaction.atomic():
        grant.valid_from = valid_from
        grant.save(update_fields=["valid_from", "updated"])
        step(actor, grant.request, Action.GRANT_CHANGE, Party.PROVIDER, reason)
        audit.record(
            actor=actor,
            action="sharing.grant.change",
            obj=grant,
            department_id=grant.provider_id,
            before=before,
            after={"valid_from": valid_from.isoformat()},
        )
        stamps.bump(GATEWAY)  # the gateway's compiled policy holds the start
    return grant


def _check_start(grant: Grant, valid_from: dt.date) -> None:
    """A date from today on, within the period requested and not after the grant ends; only
    while the grant has not started (once in force, its start is history)."""
    if not isinstance(valid_from, dt.date):
        raise field_error("valid_from", _("Enter a valid date."), ErrorCode.INVALID)
    today = timezone.localdate()
    if not grant.is_not_yet_valid:
        raise field_error(
            "valid_from",
            _("Only the start of an active grant not yet in force can change."),
            ErrorCode.CONFLICT,
        )
    period_start = grant.request.period_start
    earliest = max(today, period_start)
    if valid_from < earliest:
        raise field_error(
            "valid_from",
            _("Choose a day from %(earliest)s on (today, or the start of the period requested).")
            % {"earliest": earliest.isoformat()},
            ErrorCode.CONFLICT,
        )
    if valid_from > grant.valid_until:
        raise field_error(
            "valid_from",
            _("A grant cannot start after it ends (%(end)s).")
            % {"end": grant.valid_until.isoformat()},
            ErrorCode.CONFLICT,
        )
