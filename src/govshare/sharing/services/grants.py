"""Writes on grants (授权): suspend, resume, revoke, change conditions, extend, and expire.

Each is a step of the request's state machine (services.requests._step), so every change is an
event with actor, reason and time, is audited, and refreshes the gateway's compiled policy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.catalog.choices import Masking
from govshare.core import stamps
from govshare.core.actors import SYSTEM, Actor
from govshare.core.errors import ErrorCode, field_error
from govshare.core.evidence import audit
from govshare.core.permissions import internal, require
from govshare.sharing.bulk import key_items_of
from govshare.sharing.choices import Action, DeliveryMode, Party, RequestState
from govshare.sharing.models import Grant
from govshare.sharing.services.requests import (
    GATEWAY,
    GRANT_LIVE,
    GrantTerms,
    check_valid_until,
    clean_row_filter,
    positive_int,
    require_note,
    step,
)


def grant_suspend(*, actor: Actor, grant: Grant, reason: str) -> Grant:
    """The provider stops a live grant for a while; the gateway refuses its calls meanwhile."""
    require(actor, "decide", grant.request)
    return _provider_step(actor, grant, Action.SUSPEND, reason)


def grant_resume(*, actor: Actor, grant: Grant, reason: str) -> Grant:
    """The provider lets a suspended grant serve again."""
    require(actor, "decide", grant.request)
    return _provider_step(actor, grant, Action.RESUME, reason)


def grant_revoke(*, actor: Actor, grant: Grant, reason: str) -> Grant:
    """The provider ends a live or suspended grant for good; it never serves again."""
    require(actor, "decide", grant.request)
    return _provider_step(actor, grant, Action.REVOKE, reason)


def _provider_step(actor: Actor, grant: Grant, action: str, reason: str) -> Grant:
    """The common body of the provider's steps on a grant; the caller has authorized."""
    require_note(reason, field="reason")
    with transaction.atomic():
        step(actor, grant.request, action, Party.PROVIDER, reason)
    return grant


def grant_change(
    *,
    actor: Actor,
    grant: Grant,
    terms: GrantTerms,
    masking: dict[str, str] | None = None,
    reason: str,
) -> Grant:
    """The provider changes quota, rate, rows or masking of a live grant (never its items)."""
    require(actor, "decide", grant.request)
    require_note(reason, field="reason")
    before = _terms(grant)
    if terms.valid_until is not None:
        check_valid_until(terms.valid_until, grant.request)
        grant.valid_until = terms.valid_until
    if terms.daily_quota is not None:
        grant.daily_quota = positive_int("daily_quota", terms.daily_quota, grant.daily_quota)
    if terms.rate_per_minute is not None:
        grant.rate_per_minute = positive_int(
            "rate_per_minute", terms.rate_per_minute, grant.rate_per_minute
        )
    if terms.row_filter is not None:
        grant.row_filter = clean_row_filter(terms.row_filter, grant.request)
    items = {item.identifier: item for item in grant.items.all()}
    table_keys = key_items_of(grant.resource) if grant.mode == DeliveryMode.TABLE else []
    for identifier, kind in (masking or {}).items():
        if identifier not in items:
            raise field_error(f"masking.{identifier}", _("Not a granted item."), ErrorCode.INVALID)
        if kind not in Masking.values:
            raise field_error(
                f"masking.{identifier}", _("Choose a masking from the list."), ErrorCode.INVALID
            )
        if kind != Masking.NONE and identifier in table_keys:
            # The destination table's primary key (exchange.sync.spec): never masked.
            raise field_error(
                f"masking.{identifier}",
                _("A key item of a table exchange cannot be masked."),
                ErrorCode.INVALID,
            )
    with transaction.atomic():
        grant.save()
        for identifier, kind in (masking or {}).items():
            items[identifier].masking = kind
            items[identifier].save(update_fields=["masking"])
        step(actor, grant.request, Action.GRANT_CHANGE, Party.PROVIDER, reason)
        audit.record(
            actor=actor,
            action="sharing.grant.change",
            obj=grant,
            department_id=grant.provider_id,
            before=before,
            after=_terms(grant),
        )
        stamps.bump(GATEWAY)
    return grant


def grant_extension_ask(*, actor: Actor, grant: Grant, until: dt.date, note: str) -> Grant:
    """The consumer asks for a longer validity (续期申请)."""
    require(actor, "change", grant.request)
    require_note(note)
    if not isinstance(until, dt.date):
        raise field_error("until", _("Enter a valid date."), ErrorCode.INVALID)
    if until <= grant.valid_until:
        raise field_error(
            "until",
            _("Ask for a date after the current end of validity (%(end)s).")
            % {"end": grant.valid_until.isoformat()},
            ErrorCode.CONFLICT,  # the stored validity decides (409 in the API)
        )
    with transaction.atomic():
        grant.extension_until = until
        grant.save(update_fields=["extension_until", "updated"])
        step(actor, grant.request, Action.EXTENSION_ASK, Party.CONSUMER, note)
    return grant


def grant_extension_decide(*, actor: Actor, grant: Grant, approve: bool, note: str) -> Grant:
    """The provider approves (validity and the request's period extend) or refuses."""
    require(actor, "decide", grant.request)
    if grant.extension_until is None:
        raise field_error("until", _("No extension has been asked for."), ErrorCode.CONFLICT)
    if not approve:
        require_note(note)
    elif grant.extension_until < timezone.localdate():
        raise field_error(
            "until", _("The extension asked for has already run out."), ErrorCode.CONFLICT
        )
    share_request = grant.request
    with transaction.atomic():
        if approve:
            grant.valid_until = grant.extension_until
            share_request.period_end = max(share_request.period_end, grant.extension_until)
            share_request.save(update_fields=["period_end"])
        grant.extension_until = None
        grant.save(update_fields=["valid_until", "extension_until", "updated"])
        # Refusing an expired grant's extension leaves it expired.
        target = None if approve else share_request.state
        step(actor, share_request, Action.EXTENSION_DECIDE, Party.PROVIDER, note, target=target)
        stamps.bump(GATEWAY)
    return grant


@internal("the platform's daily sweep (sharing_sweep), acting as the system")
def grants_expire(today: dt.date | None = None) -> int:
    """Mark live grants past their validity as expired (the gateway stops them by date anyway)."""
    today = today or timezone.localdate()
    due = Grant.objects.filter(
        valid_until__lt=today,
        request__state__in=[RequestState.ACTIVE, RequestState.SUSPENDED],
    ).select_related("request")
    count = 0
    for grant in due:
        with transaction.atomic():
            step(SYSTEM, grant.request, Action.EXPIRE, Party.SYSTEM, "")
        count += 1
    return count


def _terms(grant: Grant) -> dict[str, Any]:
    return {
        "valid_until": grant.valid_until.isoformat(),
        "daily_quota": grant.daily_quota,
        "rate_per_minute": grant.rate_per_minute,
        "row_filter": grant.row_filter,
        "masking": {item.identifier: item.masking for item in grant.items.all()},
    }


@internal("a count the catalog reads before a withdrawal it has authorized")
def live_grants_on(resource: Any) -> int:
    """Grants that serve (or may serve again) on ``resource``."""
    return Grant.objects.filter(resource=resource, request__state__in=GRANT_LIVE).count()


def revoke_grants_on(actor: Actor, resource: Any, reason: str) -> int:
    """Revoke every live grant on a withdrawn resource (the catalog's withdrawal decision)."""
    grants = Grant.objects.filter(resource=resource, request__state__in=GRANT_LIVE)
    note = _("Resource withdrawn: %(reason)s") % {"reason": reason}
    count = 0
    for grant in grants.select_related("request"):
        grant_revoke(actor=actor, grant=grant, reason=note)
        count += 1
    return count
