"""Negotiating the refused items of a granted request (协商), whatever its grant's state.

A partly refused request goes on to a grant (启用) for the items granted, and the state machine
offers negotiation only to a request refused whole. So the consumer negotiates the refused items
in a request of their own: the same purpose, basis, application and period, the refused items
with the provider's reasons, opened straight in negotiation (conformity was passed and the
provider has answered). The grant keeps serving meanwhile; an agreement grants the items anew.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, field_error
from govshare.core.permissions import internal, require
from govshare.sharing.choices import GRANT_STATES, OPEN_STATES, ItemDecision, RequestState
from govshare.sharing.models import RequestItem, ShareRequest
from govshare.sharing.services.requests import (
    REQUEST_FIELDS,
    negotiation_open,
    request_create,
    require_note,
)


@internal("a read of a request the caller's view has already restricted")
def refused_items(share_request: ShareRequest) -> list[RequestItem]:
    return list(share_request.items.filter(decision=ItemDecision.REJECTED))


@internal("a read of a request the caller's view has already restricted")
def open_refusal_negotiation(share_request: ShareRequest) -> ShareRequest | None:
    """The negotiation of this request's refused items still under way, if any."""
    return share_request.refusal_negotiations.filter(state__in=OPEN_STATES).first()


@internal("a read of a request the caller's view has already restricted")
def may_negotiate_refusals(share_request: ShareRequest) -> bool:
    """A granted request (any grant state) with refused items and no negotiation of them open."""
    return (
        share_request.state in GRANT_STATES
        and share_request.items.filter(decision=ItemDecision.REJECTED).exists()
        and open_refusal_negotiation(share_request) is None
    )


def refusals_negotiate(*, actor: Actor, share_request: ShareRequest, note: str) -> ShareRequest:
    """The consumer contests the refusals of a granted request: a request for the refused items,
    in negotiation with the provider (its clock running), linked to this one."""
    require(actor, "change", share_request)
    require_note(note)
    refused = refused_items(share_request)
    _check_negotiable(share_request, refused)
    data = {name: getattr(share_request, name) for name in REQUEST_FIELDS}
    with transaction.atomic():
        follow_up = request_create(
            actor=actor,
            consumer=share_request.consumer,
            application=share_request.application,
            resource=share_request.resource,
            data=data,
            items=[item.identifier for item in refused],
        )
        _carry_refusals(follow_up, share_request, refused)
        negotiation_open(actor=actor, share_request=follow_up, note=note)
    return follow_up


def _check_negotiable(share_request: ShareRequest, refused: list[RequestItem]) -> None:
    if share_request.state not in GRANT_STATES or not refused:
        raise field_error(
            "items", _("No item of this granted request was refused."), ErrorCode.CONFLICT
        )
    if (open_one := open_refusal_negotiation(share_request)) is not None:
        raise field_error(
            "items",
            _("The refused items are already negotiated in request %(number)s.")
            % {"number": open_one.number},
            ErrorCode.CONFLICT,
        )


def _carry_refusals(
    follow_up: ShareRequest, share_request: ShareRequest, refused: list[RequestItem]
) -> None:
    """The follow-up stands where a request refused whole stands: submitted, reviewed, refused
    with the provider's reasons; negotiation then opens from there."""
    reasons = {item.identifier: item for item in refused}
    for item in follow_up.items.all():
        item.decision = ItemDecision.REJECTED
        item.reason = reasons[item.identifier].reason
        item.decided_by = reasons[item.identifier].decided_by
        item.save(update_fields=["decision", "reason", "decided_by"])
    now = timezone.now()
    follow_up.negotiates_refusals_of = share_request
    follow_up.state = RequestState.REJECTED
    follow_up.submitted = follow_up.conformity_answered = follow_up.provider_answered = now
    follow_up.save(
        update_fields=[
            "negotiates_refusals_of",
            "state",
            "submitted",
            "conformity_answered",
            "provider_answered",
        ]
    )
