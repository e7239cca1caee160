"""Reads of the sharing pages: whose requests, inboxes and grants a user sees, which steps a user
may take on a request, and which items an answer covers.

Every queryset starts from ``restrict(user, "view")``; the filters only narrow what the policy
already allows (sharing/permissions.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from govshare.catalog.choices import ResourceStatus
from govshare.catalog.models import Resource
from govshare.core.actors import Actor
from govshare.core.permissions import can
from govshare.core.roles import Role
from govshare.inventory.choices import LIVE_LIFECYCLES
from govshare.inventory.models import InformationSystem
from govshare.orgs.roles import principal_of
from govshare.sharing.choices import (
    AUTHORITY_CLOCK_STATES,
    PROVIDER_CLOCK_STATES,
    TRANSITIONS,
    Action,
    ItemDecision,
    Party,
    RequestState,
)
from govshare.sharing.clocks import Clock, clocks_for
from govshare.sharing.models import AppCredential, Grant, RequestItem, ShareRequest
from govshare.sharing.services.requests import PARTY_ACTION

MEMBER_ROLES = (Role.DATA_OFFICER, Role.STAFF)
# The answer a party gives in each state (the same item-by-item form).
ANSWER_ACTIONS: dict[str, str] = {
    RequestState.PROVIDER_REVIEW: Action.DECIDE,
    RequestState.NEGOTIATION: Action.AGREE,
    RequestState.COORDINATION: Action.COORDINATE,
}
PROVIDER_TABS = ("waiting", "answered", "all")
AUTHORITY_TABS = ("conformity", "coordination")
GRANT_SIDES = ("consumer", "provider")


def member_department(user: Actor, active_department_id: int | None, *roles: str) -> int | None:
    """The active department when ``user`` holds one of ``roles`` there (any member role by
    default), else None: the pages then show what the user oversees node-wide, if anything."""
    if active_department_id is None:
        return None
    wanted = roles or MEMBER_ROLES
    return (
        active_department_id
        if principal_of(user).has_department_role(active_department_id, *wanted)
        else None
    )


def request_actions(user: Actor, share_request: ShareRequest) -> frozenset[str]:
    """The steps of the state machine ``user`` may take on the request in its state."""
    allowed = set()
    for (state, action), (_next_state, party) in TRANSITIONS.items():
        needed = PARTY_ACTION.get(Party(party))
        if state == share_request.state and needed and can(user, needed, share_request):
            allowed.add(action)
    return frozenset(allowed)


def with_clocks(rows: Iterable[ShareRequest]) -> list[tuple[ShareRequest, Clock | None]]:
    """Each request of a page with its running clock (the calendar read once)."""
    rows = list(rows)
    clocks = clocks_for(rows)
    return [(row, clocks[row.pk]) for row in rows]


def answer_action(share_request: ShareRequest) -> str | None:
    return ANSWER_ACTIONS.get(share_request.state)


def open_items(share_request: ShareRequest) -> list[RequestItem]:
    """Items the answer in the request's state decides: pending ones in the provider's first
    answer; refused ones again in negotiation and coordination."""
    action = answer_action(share_request)
    if action is None:
        return []
    decisions = {ItemDecision.PENDING}
    if action != Action.DECIDE:
        decisions.add(ItemDecision.REJECTED)
    return [item for item in share_request.items.all() if item.decision in decisions]


def _requests(user: Actor) -> QuerySet[ShareRequest]:
    return ShareRequest.objects.restrict(user, "view").select_related(
        "consumer", "provider", "application", "resource"
    )


def my_requests(user: Actor, department_id: int | None, state: str = "") -> QuerySet[ShareRequest]:
    """Requests of the consumer department (or everything visible when no department)."""
    rows = _requests(user)
    if department_id is not None:
        rows = rows.filter(consumer_id=department_id)
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-created")


def provider_inbox(user: Actor, department_id: int | None, tab: str) -> QuerySet[ShareRequest]:
    """Requests on the department's resources: awaiting its answer, answered, or all."""
    rows = _requests(user).exclude(state=RequestState.DRAFT)
    if department_id is not None:
        rows = rows.filter(provider_id=department_id)
    if tab == "waiting":
        return rows.filter(state__in=PROVIDER_CLOCK_STATES).order_by("provider_due", "pk")
    if tab == "answered":
        rows = rows.filter(provider_answered__isnull=False)
    return rows.order_by("-created")


def authority_queue(user: Actor, tab: str) -> QuerySet[ShareRequest]:
    """Requests waiting for the authority: conformity review, or coordination."""
    if tab == "coordination":
        state, due = RequestState.COORDINATION, "coordination_due"
    else:
        state, due = RequestState.SUBMITTED, "conformity_due"
    rows = _requests(user).filter(state=state).prefetch_related("items")
    return rows.order_by(due, "pk")


def awaiting_authority(user: Actor) -> QuerySet[ShareRequest]:
    return ShareRequest.objects.restrict(user, "view").filter(state__in=AUTHORITY_CLOCK_STATES)


def awaiting_provider(user: Actor, department_id: int) -> QuerySet[ShareRequest]:
    return ShareRequest.objects.restrict(user, "view").filter(
        provider_id=department_id, state__in=PROVIDER_CLOCK_STATES
    )


def resource_requests(user: Actor, resource: Resource) -> QuerySet[ShareRequest]:
    """The requests on one catalog resource that ``user`` may read."""
    return _requests(user).filter(resource=resource).order_by("-created")


def requestable(user: Actor, department_id: int | None, resource: Resource) -> bool:
    """Whether the resource page offers "request data": published (not withdrawn: the request
    service refuses it), another department's, and the user is the data officer of the
    department acting."""
    consumer = member_department(user, department_id, Role.DATA_OFFICER)
    return (
        consumer is not None
        and resource.status == ResourceStatus.PUBLISHED
        and resource.current_version_id is not None
        and resource.provider_id != consumer
    )


def requestable_resources(user: Actor, consumer_id: int, query: str = "") -> QuerySet[Resource]:
    """Published resources of other departments, for the new-request picker."""
    rows = (
        Resource.objects.restrict(user, "view")
        .filter(status=ResourceStatus.PUBLISHED, current_version__isnull=False)
        .exclude(provider_id=consumer_id)
        .select_related("provider", "current_version")
    )
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return rows.order_by("name", "pk")


def live_applications(user: Actor, department_id: int) -> QuerySet[InformationSystem]:
    """The department's information systems in use or being built (申请应用)."""
    return (
        InformationSystem.objects.restrict(user, "view")
        .filter(department_id=department_id, lifecycle__in=LIVE_LIFECYCLES)
        .order_by("name")
    )


def grants(user: Actor, department_id: int | None, side: str) -> QuerySet[Grant]:
    """Grants of the department as consumer or as provider (or all visible without one)."""
    rows = Grant.objects.restrict(user, "view").select_related(
        "request", "application", "resource", "consumer", "provider"
    )
    if department_id is not None:
        rows = rows.filter(**{f"{side}_id": department_id})
    return rows.order_by("-created")


def credentials_by_application(
    user: Actor, department_id: int | None
) -> list[tuple[InformationSystem, list[AppCredential]]]:
    """The department's live applications, each with its credentials (revoked ones last)."""
    if department_id is None:
        return []
    credentials = (
        AppCredential.objects.restrict(user, "view")
        .filter(department_id=department_id)
        .order_by("revoked", "-created")
    )
    by_application: dict[int, list[AppCredential]] = {}
    for credential in credentials:
        by_application.setdefault(credential.application_id, []).append(credential)
    applications = InformationSystem.objects.restrict(user, "view").filter(
        Q(department_id=department_id, lifecycle__in=LIVE_LIFECYCLES)
        | Q(pk__in=list(by_application))
    )
    return [(app, by_application.get(app.pk, [])) for app in applications.order_by("name")]
