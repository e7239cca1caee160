"""REST endpoints of the sharing workflow: requests and their steps, grants, credentials.

Reads go through ``restrict`` (a provider never sees a consumer's draft); writes only through
sharing.services, which authorize each step for the party that takes it.
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from govshare.catalog.choices import Masking
from govshare.catalog.models import Resource
from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, field_error
from govshare.core.permissions import can
from govshare.core.web.api import InputSchema, Pagination, PatchSchema, auth_user, responses
from govshare.core.web.api_inputs import (
    FILLED_TEXT,
    INT_MAX,
    PLAIN_TEXT,
    Day,
    ObjectId,
    OneOf,
    Pattern,
)
from govshare.inventory.api.systems import IndicatorOut, MonthText
from govshare.inventory.indicators import parse_month
from govshare.inventory.models import InformationSystem
from govshare.orgs.roles import principal_of
from govshare.sharing.choices import DeliveryMode, Purpose, RequestState
from govshare.sharing.clocks import clock_for
from govshare.sharing.indicators import sharing_indicators
from govshare.sharing.models import AppCredential, Grant, ShareRequest
from govshare.sharing.services import credentials as credential_services
from govshare.sharing.services import grants as grant_services
from govshare.sharing.services import requests as request_services
from govshare.sharing.services.requests import GrantTerms, ItemAnswer

router = Router(tags=["sharing"])

Identifier = Annotated[str, Field(max_length=64), PLAIN_TEXT]
Text = Annotated[str, Field(max_length=10_000), PLAIN_TEXT]
Reason = Annotated[str, Field(max_length=10_000), FILLED_TEXT]
Name = Annotated[str, Field(max_length=64), FILLED_TEXT]
Count = Annotated[int, Field(ge=1, le=INT_MAX)]
Value = Annotated[str, Field(max_length=200), PLAIN_TEXT]
State = Annotated[str, OneOf(RequestState)]
MaskingChoice = Annotated[str, OneOf(Masking)]
# sharing.services.credentials.clean_allowlist: up to 50 IPv4/IPv6 addresses or CIDR blocks,
# one a line or separated by commas.
_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = f"{_OCTET}(\\.{_OCTET}){{3}}(/(3[0-2]|[12]?[0-9]))?"
_H = "[0-9A-Fa-f]{1,4}"
_IPV6 = (
    f"(({_H}:){{7}}{_H}|({_H}:){{1,7}}:|({_H}:){{1,6}}:{_H}|({_H}:){{1,5}}(:{_H}){{1,2}}"
    f"|({_H}:){{1,4}}(:{_H}){{1,3}}|({_H}:){{1,3}}(:{_H}){{1,4}}|({_H}:){{1,2}}(:{_H}){{1,5}}"
    f"|{_H}:(:{_H}){{1,6}}|:((:{_H}){{1,7}}|:))(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?"
)
_ENTRY = f"({_IPV4}|{_IPV6})"
_SEPARATOR = "[ \\t]*(,|\\r?\\n)[ \\t]*"
ALLOWLIST_PATTERN = f"^[ \\t]*({_ENTRY}({_SEPARATOR}{_ENTRY}){{0,49}})?[ \\t]*$"
Allowlist = Annotated[
    str,
    Field(max_length=5000, description="IPv4/IPv6 addresses or CIDR blocks, by line or comma"),
    Pattern(ALLOWLIST_PATTERN, "allowlist_format"),
]


# --- schemas ----------------------------------------------------------------------------------


class RequestItemOut(Schema):
    identifier: str
    name: str
    share_type: str
    decision: str
    reason: str
    masking: str


class EventOut(Schema):
    action: str
    party: str
    from_state: str
    to_state: str
    actor_name: str
    note: str
    created: dt.datetime


class ClockOut(Schema):
    party: str
    due: dt.date
    remaining_working_days: int
    overdue: bool


class RequestOut(Schema):
    id: int
    number: str
    state: str
    consumer_id: int
    consumer_name: str = Field(alias="consumer.name")
    provider_id: int
    provider_name: str = Field(alias="provider.name")
    application_id: int
    application_name: str = Field(alias="application.name")
    resource_id: int
    resource_name: str = Field(alias="resource.name")
    purpose: str
    purpose_detail: str
    basis: str
    scenario: str
    mode: str
    period_start: dt.date
    period_end: dt.date
    expected_daily_calls: int
    created: dt.datetime
    submitted: dt.datetime | None
    conformity_due: dt.date | None
    provider_due: dt.date | None
    coordination_due: dt.date | None
    clock: ClockOut | None = None
    items: list[RequestItemOut]
    events: list[EventOut]

    @staticmethod
    def resolve_clock(share_request: ShareRequest) -> dict[str, Any] | None:
        clock = clock_for(share_request)
        if clock is None:
            return None
        return {
            "party": clock.party,
            "due": clock.due,
            "remaining_working_days": clock.remaining,
            "overdue": clock.overdue,
        }

    @staticmethod
    def resolve_items(share_request: ShareRequest) -> list[Any]:
        return list(share_request.items.all())

    @staticmethod
    def resolve_events(share_request: ShareRequest) -> list[Any]:
        return list(share_request.events.all())


class RequestSummaryOut(Schema):
    id: int
    number: str
    state: str
    consumer_id: int
    provider_id: int
    application_id: int
    resource_id: int
    resource_name: str = Field(alias="resource.name")
    purpose: str
    mode: str
    created: dt.datetime


class RequestIn(InputSchema):
    """A new draft; ``consumer`` is the application's department."""

    application_id: ObjectId
    resource_id: ObjectId
    items: list[Identifier] = Field(
        min_length=1, max_length=2000, description="items of the resource in force (else 409)"
    )
    purpose: Annotated[str, OneOf(Purpose)]
    purpose_detail: Reason
    basis: Reason
    scenario: Reason
    mode: Annotated[str, OneOf(DeliveryMode)]
    period_start: Day
    period_end: Annotated[
        Day,
        Field(
            description="not before period_start (else 422), not before today (else 409), at "
            "most sharing.request.max_period_months months (36 by default) after period_start "
            "(else 422)"
        ),
    ]
    expected_daily_calls: Count


class RequestPatch(PatchSchema):
    """A draft's fields to change; the rules are those of a new request, over the result."""

    items: list[Identifier] | None = Field(None, min_length=1, max_length=2000)
    purpose: Annotated[str, OneOf(Purpose)] | None = None
    purpose_detail: Reason | None = None
    basis: Reason | None = None
    scenario: Reason | None = None
    mode: Annotated[str, OneOf(DeliveryMode)] | None = None
    period_start: Day | None = None
    period_end: Day | None = None
    expected_daily_calls: Count | None = None


class NoteIn(InputSchema):
    note: Text = ""


class ReasonedNoteIn(InputSchema):
    """A step that says why (negotiate, escalate)."""

    note: Reason


class ConformityIn(InputSchema):
    outcome: Annotated[str, OneOf(["pass", "return", "reject"])]
    note: Annotated[Text, Field(description="required unless the outcome is pass (else 422)")] = ""


class ItemAnswerIn(InputSchema):
    grant: bool
    reason: Text = ""
    masking: MaskingChoice | None = None


class TermsIn(InputSchema):
    valid_until: Annotated[Day | None, Field(description="not before today (else 409)")] = None
    daily_quota: Count | None = None
    rate_per_minute: Count | None = None
    # default= as a keyword: mypy reads a field's default only from the keyword.
    row_filter: dict[Identifier, list[Value]] | None = Field(default=None, max_length=20)


class AnswerIn(InputSchema):
    """Answers item by item (identifier → grant or refuse with a reason) and the grant terms."""

    answers: dict[Identifier, ItemAnswerIn] = Field(max_length=2000)
    terms: TermsIn = Field(default_factory=TermsIn)
    note: Text = ""


class GrantItemOut(Schema):
    identifier: str
    name: str
    masking: str


class GrantOut(Schema):
    id: int
    request_id: int
    request_number: str = Field(alias="request.number")
    state: str
    application_id: int
    consumer_id: int
    provider_id: int
    resource_id: int
    mode: str
    valid_from: dt.date
    valid_until: dt.date
    daily_quota: int
    rate_per_minute: int
    row_filter: dict[str, list[str]]
    extension_until: dt.date | None
    items: list[GrantItemOut]

    @staticmethod
    def resolve_items(grant: Grant) -> list[Any]:
        return list(grant.items.all())


class ReasonIn(InputSchema):
    reason: Reason


class GrantChangeIn(InputSchema):
    terms: TermsIn = Field(default_factory=TermsIn)
    masking: dict[Identifier, MaskingChoice] | None = Field(None, max_length=2000)
    reason: Reason


class ExtensionIn(InputSchema):
    until: Day
    note: Reason


class ExtensionDecisionIn(InputSchema):
    approve: bool
    note: Annotated[Text, Field(description="required when refusing (else 422)")] = ""


class CredentialOut(Schema):
    id: int
    application_id: int
    department_id: int
    name: str
    app_key: str
    generation: int
    ip_allowlist: str
    created: dt.datetime
    rotated: dt.datetime | None
    revoked: dt.datetime | None


class IssuedOut(CredentialOut):
    secret: str = Field(description="shown once; only its SM3 hash is kept")


class CredentialIn(InputSchema):
    application_id: ObjectId
    name: Name
    ip_allowlist: Allowlist = ""


class AllowlistIn(InputSchema):
    ip_allowlist: Allowlist


# --- requests ---------------------------------------------------------------------------------


@router.get("/requests", response=responses({200: list[RequestSummaryOut]}), summary="Requests")
@paginate(Pagination)
def request_list(
    request: HttpRequest,
    state: State | None = None,
    side: Annotated[str, OneOf(["consumer", "provider"])] | None = None,
) -> QuerySet[ShareRequest]:
    """Requests the caller may see; ``side=consumer|provider`` narrows to one side of them."""
    requests = ShareRequest.objects.restrict(auth_user(request), "view").select_related("resource")
    if state:
        requests = requests.filter(state=state)
    if side in {"consumer", "provider"}:
        mine = principal_of(auth_user(request)).departments()
        requests = requests.filter(**{f"{side}__in": mine})
    return requests.order_by("-created", "-pk")


@router.post("/requests", response=responses({201: RequestOut}), summary="Draft a request")
def request_add(request: HttpRequest, payload: RequestIn) -> Status[ShareRequest]:
    user = auth_user(request)
    if not can(user, "add", ShareRequest):
        raise PermissionDenied
    values = payload.model_dump()
    application = _application(user, values.pop("application_id"))
    resource = _resource(user, values.pop("resource_id"))
    items = values.pop("items")
    share_request = request_services.request_create(
        actor=user,
        consumer=application.department,
        application=application,
        resource=resource,
        data=values,
        items=items,
    )
    return Status(201, _visible(request, share_request.pk))


@router.get("/requests/{id}", response=responses({200: RequestOut}), summary="Get a request")
def request_detail(request: HttpRequest, id: ObjectId) -> ShareRequest:
    return _visible(request, id)


@router.patch("/requests/{id}", response=responses({200: RequestOut}), summary="Edit a draft")
def request_change(request: HttpRequest, id: ObjectId, payload: RequestPatch) -> ShareRequest:
    share_request = _visible(request, id)
    changes = payload.model_dump(exclude_unset=True)
    items = changes.pop("items", None)
    if items is None:
        items = list(share_request.items.values_list("identifier", flat=True))
    request_services.request_update(
        actor=auth_user(request), share_request=share_request, data=changes, items=items
    )
    return _visible(request, id)


@router.post(
    "/requests/{id}/submit",
    response=responses({200: RequestOut}),
    summary="Submit a draft",
    operation_id="sharing_request_submit",
)
def request_submit(request: HttpRequest, id: ObjectId, payload: NoteIn) -> ShareRequest:
    """Submit a draft. Without conformity review the platform's own check takes its place."""
    request_services.request_submit(
        actor=auth_user(request), share_request=_visible(request, id), note=payload.note
    )
    return _visible(request, id)


@router.post(
    "/requests/{id}/withdraw",
    response=responses({200: RequestOut}),
    summary="Withdraw a request",
    operation_id="sharing_request_withdraw",
)
def request_withdraw(request: HttpRequest, id: ObjectId, payload: NoteIn) -> ShareRequest:
    """The consumer withdraws a request that is not yet answered."""
    request_services.request_withdraw(
        actor=auth_user(request), share_request=_visible(request, id), note=payload.note
    )
    return _visible(request, id)


@router.post(
    "/requests/{id}/close",
    response=responses({200: RequestOut}),
    summary="Close a refused request",
    operation_id="sharing_request_close",
)
def request_close(request: HttpRequest, id: ObjectId, payload: NoteIn) -> ShareRequest:
    """Close a refused request: the consumer gives up, or the authority ends coordination."""
    request_services.request_close(
        actor=auth_user(request), share_request=_visible(request, id), note=payload.note
    )
    return _visible(request, id)


@router.post(
    "/requests/{id}/negotiate",
    response=responses({200: RequestOut}),
    summary="Open negotiation",
    operation_id="sharing_request_negotiate",
)
def request_negotiate(request: HttpRequest, id: ObjectId, payload: ReasonedNoteIn) -> ShareRequest:
    """The consumer contests a refusal: provider and consumer negotiate (协商)."""
    request_services.negotiation_open(
        actor=auth_user(request), share_request=_visible(request, id), note=payload.note
    )
    return _visible(request, id)


@router.post(
    "/requests/{id}/escalate",
    response=responses({200: RequestOut}),
    summary="Ask the authority to coordinate",
    operation_id="sharing_request_escalate",
)
def request_escalate(request: HttpRequest, id: ObjectId, payload: ReasonedNoteIn) -> ShareRequest:
    """The consumer asks the authority to coordinate (主管部门协调)."""
    request_services.negotiation_escalate(
        actor=auth_user(request), share_request=_visible(request, id), note=payload.note
    )
    return _visible(request, id)


@router.post(
    "/requests/{id}/conformity",
    response=responses({200: RequestOut}),
    summary="Conformity review",
)
def request_conformity(request: HttpRequest, id: ObjectId, payload: ConformityIn) -> ShareRequest:
    """The authority passes, returns or rejects a submitted request (note required unless pass)."""
    request_services.conformity_review(
        actor=auth_user(request),
        share_request=_visible(request, id),
        outcome=payload.outcome,
        note=payload.note,
    )
    return _visible(request, id)


@router.post(
    "/requests/{id}/answer", response=responses({200: RequestOut}), summary="Answer the items"
)
def request_answer(request: HttpRequest, id: ObjectId, payload: AnswerIn) -> ShareRequest:
    """The provider's answer (or in negotiation), or the authority's coordination decision."""
    request_services.request_answer(
        actor=auth_user(request),
        share_request=_visible(request, id),
        answers={
            identifier: ItemAnswer(grant=answer.grant, reason=answer.reason, masking=answer.masking)
            for identifier, answer in payload.answers.items()
        },
        terms=_terms(payload.terms),
        note=payload.note,
    )
    return _visible(request, id)


# --- grants -----------------------------------------------------------------------------------


@router.get("/grants", response=responses({200: list[GrantOut]}), summary="Grants")
@paginate(Pagination)
def grant_list(request: HttpRequest, state: State | None = None) -> QuerySet[Grant]:
    grants = Grant.objects.restrict(auth_user(request), "view").select_related("request")
    if state:
        grants = grants.filter(request__state=state)
    return grants.order_by("-created", "-pk")


@router.get("/grants/{id}", response=responses({200: GrantOut}), summary="Get a grant")
def grant_detail(request: HttpRequest, id: ObjectId) -> Grant:
    return _visible_grant(request, id)


@router.post(
    "/grants/{id}/suspend",
    response=responses({200: GrantOut}),
    summary="Suspend a grant",
    operation_id="sharing_grant_suspend",
)
def grant_suspend(request: HttpRequest, id: ObjectId, payload: ReasonIn) -> Grant:
    """The provider stops a live grant for a while; the gateway refuses its calls meanwhile."""
    grant_services.grant_suspend(
        actor=auth_user(request), grant=_visible_grant(request, id), reason=payload.reason
    )
    return _visible_grant(request, id)


@router.post(
    "/grants/{id}/resume",
    response=responses({200: GrantOut}),
    summary="Resume a grant",
    operation_id="sharing_grant_resume",
)
def grant_resume(request: HttpRequest, id: ObjectId, payload: ReasonIn) -> Grant:
    """The provider lets a suspended grant serve again."""
    grant_services.grant_resume(
        actor=auth_user(request), grant=_visible_grant(request, id), reason=payload.reason
    )
    return _visible_grant(request, id)


@router.post(
    "/grants/{id}/revoke",
    response=responses({200: GrantOut}),
    summary="Revoke a grant",
    operation_id="sharing_grant_revoke",
)
def grant_revoke(request: HttpRequest, id: ObjectId, payload: ReasonIn) -> Grant:
    """The provider ends a live or suspended grant for good; it never serves again."""
    grant_services.grant_revoke(
        actor=auth_user(request), grant=_visible_grant(request, id), reason=payload.reason
    )
    return _visible_grant(request, id)


@router.post("/grants/{id}/change", response=responses({200: GrantOut}), summary="Change terms")
def grant_change(request: HttpRequest, id: ObjectId, payload: GrantChangeIn) -> Grant:
    grant_services.grant_change(
        actor=auth_user(request),
        grant=_visible_grant(request, id),
        terms=_terms(payload.terms),
        masking=payload.masking,
        reason=payload.reason,
    )
    return _visible_grant(request, id)


@router.post(
    "/grants/{id}/extension", response=responses({200: GrantOut}), summary="Ask for an extension"
)
def grant_extension(request: HttpRequest, id: ObjectId, payload: ExtensionIn) -> Grant:
    grant_services.grant_extension_ask(
        actor=auth_user(request),
        grant=_visible_grant(request, id),
        until=payload.until,
        note=payload.note,
    )
    return _visible_grant(request, id)


@router.post(
    "/grants/{id}/extension/decide",
    response=responses({200: GrantOut}),
    summary="Answer an extension",
)
def grant_extension_decide(
    request: HttpRequest, id: ObjectId, payload: ExtensionDecisionIn
) -> Grant:
    grant_services.grant_extension_decide(
        actor=auth_user(request),
        grant=_visible_grant(request, id),
        approve=payload.approve,
        note=payload.note,
    )
    return _visible_grant(request, id)


# --- credentials ------------------------------------------------------------------------------


@router.get("/credentials", response=responses({200: list[CredentialOut]}), summary="Credentials")
@paginate(Pagination)
def credential_list(request: HttpRequest) -> QuerySet[AppCredential]:
    return AppCredential.objects.restrict(auth_user(request), "view").order_by("-created", "-pk")


@router.post("/credentials", response=responses({201: IssuedOut}), summary="Issue a credential")
def credential_add(request: HttpRequest, payload: CredentialIn) -> Status[dict[str, Any]]:
    """Issue an app key and secret for an application; the secret is in this answer only."""
    user = auth_user(request)
    application = _application(user, payload.application_id)
    issued = credential_services.credential_create(
        actor=user, application=application, name=payload.name, ip_allowlist=payload.ip_allowlist
    )
    return Status(201, _issued(issued))


@router.post(
    "/credentials/{id}/rotate", response=responses({200: IssuedOut}), summary="Rotate the secret"
)
def credential_rotate(request: HttpRequest, id: ObjectId) -> dict[str, Any]:
    issued = credential_services.credential_rotate(
        actor=auth_user(request), credential=_visible_credential(request, id)
    )
    return _issued(issued)


@router.put(
    "/credentials/{id}/allowlist",
    response=responses({200: CredentialOut}),
    summary="Set the IP allow-list",
)
def credential_allowlist(request: HttpRequest, id: ObjectId, payload: AllowlistIn) -> Any:
    return credential_services.credential_set_allowlist(
        actor=auth_user(request),
        credential=_visible_credential(request, id),
        ip_allowlist=payload.ip_allowlist,
    )


@router.post("/credentials/{id}/revoke", response=responses({200: CredentialOut}), summary="Revoke")
def credential_revoke(request: HttpRequest, id: ObjectId) -> Any:
    return credential_services.credential_revoke(
        actor=auth_user(request), credential=_visible_credential(request, id)
    )


# --- indicators -------------------------------------------------------------------------------


class SharingIndicatorsOut(Schema):
    month: str = Field(description="YYYY-MM")
    indicators: list[IndicatorOut]


@router.get("/indicators", response=responses({200: SharingIndicatorsOut}), summary="Indicators")
def indicators(request: HttpRequest, month: MonthText = "") -> dict[str, Any]:
    """Requests, the on-time answer rate (按时答复率), overdue requests, live grants and
    gateway calls, for a month (default: the current one), with their formulas."""
    parsed = parse_month(month) if month.strip() else None
    values = sharing_indicators(auth_user(request), parsed)
    shown = parsed or timezone.localdate().replace(day=1)
    return {"month": shown.strftime("%Y-%m"), "indicators": [v.as_dict() for v in values]}


# --- helpers ----------------------------------------------------------------------------------


def _visible(request: HttpRequest, pk: int) -> ShareRequest:
    requests = ShareRequest.objects.restrict(auth_user(request), "view").select_related(
        "consumer", "provider", "application", "resource"
    )
    return get_object_or_404(requests, pk=pk)


def _visible_grant(request: HttpRequest, pk: int) -> Grant:
    grants = Grant.objects.restrict(auth_user(request), "view").select_related("request")
    return get_object_or_404(grants, pk=pk)


def _visible_credential(request: HttpRequest, pk: int) -> AppCredential:
    return get_object_or_404(AppCredential.objects.restrict(auth_user(request), "view"), pk=pk)


def _application(user: Actor, pk: int) -> InformationSystem:
    application = (
        InformationSystem.objects.restrict(user, "view")
        .select_related("department")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise field_error(
            "application_id", _("No information system has this id."), ErrorCode.NOT_FOUND
        )
    return application


def _resource(user: Actor, pk: int) -> Resource:
    resource = Resource.objects.restrict(user, "view").filter(pk=pk).first()
    if resource is None:
        raise field_error("resource_id", _("No resource has this id."), ErrorCode.NOT_FOUND)
    return resource


def _terms(terms: TermsIn) -> GrantTerms:
    return GrantTerms(
        valid_until=terms.valid_until,
        daily_quota=terms.daily_quota,
        rate_per_minute=terms.rate_per_minute,
        row_filter=terms.row_filter,
    )


def _issued(issued: credential_services.IssuedCredential) -> dict[str, Any]:
    credential = issued.credential
    fields = CredentialOut.model_fields
    return {**{name: getattr(credential, name) for name in fields}, "secret": issued.secret}
