"""REST endpoints of the delivery log (交付日志): the filtered list, one record, and the figures
behind the charts. Read-only; every answer is restricted to the caller (providers see the calls
on their data, consumers their own calls, auditors all). ``side=consumer|provider`` narrows to the
calls the caller's departments made or received.
"""

import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from govshare.core.errors import ErrorCode
from govshare.core.roles import Role
from govshare.core.web.api import ApiError, Pagination, auth_user, responses
from govshare.core.web.api_inputs import PLAIN_TEXT, Day, ObjectId
from govshare.exchange import selectors
from govshare.exchange.models import CallMode, DeliveryRecord
from govshare.exchange.selectors import DeliveryFilters, Side, StatusClass
from govshare.orgs.roles import principal_of

router = Router(tags=["exchange"])

UserText = Annotated[str, Field(max_length=100), PLAIN_TEXT]
RequestId = Annotated[str, Field(max_length=64), PLAIN_TEXT]


# --- schemas --------------------------------------------------------------------------------


class DeliveryOut(Schema):
    seq: int
    created: dt.datetime
    request_id: str
    application_id: int | None
    application_name: str
    consumer_id: int | None
    consumer_name: str
    provider_id: int | None
    resource_id: int | None
    resource_name: str
    grant_id: int | None
    share_request_number: str
    purpose: str
    app_key: str
    end_user: str
    case_number: str
    mode: str
    items: list[str]
    masked: list[str]
    row_count: int
    status: int
    error_code: str
    latency_ms: float
    body_digest: str = Field(description="SM3 digest of the response body")
    client_ip: str
    prev_hash: str
    hash: str


class DayOut(Schema):
    x: list[str] = Field(description="days, ISO 8601, gaps filled")
    series: list[dict[str, Any]] = Field(description='[{"name": "2xx", "data": [calls per day]}]')


class RankedOut(Schema):
    id: int | None
    name: str
    calls: int


class ErrorCountOut(Schema):
    code: str
    status: int
    calls: int


class ModeCountOut(Schema):
    mode: str = Field(description="query, verify, proxy, table (库表), file (文件), …")
    calls: int = Field(description="records: calls, sync runs or packages")
    rows: int


class StatsOut(Schema):
    totals: dict[str, int] = Field(description='{"total", "2xx", "4xx", "5xx"}')
    per_day: DayOut
    consumers: list[RankedOut]
    resources: list[RankedOut]
    errors: list[ErrorCountOut]
    modes: list[ModeCountOut]


class DeliveryFilterIn(Schema):
    """The list's filters; dates are days in the node's time zone, both ends included."""

    date_from: Day | None = None
    date_to: Annotated[Day | None, Field(description="not before date_from (else 422)")] = None
    consumer: ObjectId | None = Field(None, description="consumer department id")
    provider: ObjectId | None = Field(None, description="provider department id")
    application: ObjectId | None = Field(None, description="application (information system) id")
    resource: ObjectId | None = None
    mode: CallMode | None = None
    status_class: StatusClass | None = None
    end_user: UserText = Field("", description="part of the end user (X-End-User)")
    case_number: UserText = ""
    request_id: RequestId = ""
    side: Side = Field(Side.ALL, description="consumer: my calls; provider: calls on my data")


# --- endpoints ------------------------------------------------------------------------------


def _rows(request: HttpRequest, given: DeliveryFilterIn) -> QuerySet[DeliveryRecord]:
    if given.date_from and given.date_to and given.date_from > given.date_to:
        message = _("The end date is before the start date.")
        raise ApiError(422, ErrorCode.INVALID, message, {"date_to": [message]})
    user = auth_user(request)
    departments = principal_of(user).departments(Role.DATA_OFFICER, Role.STAFF)
    data = dict(given.model_dump(), departments=frozenset(departments))
    return selectors.deliveries(user, DeliveryFilters.of(data))


@router.get("/deliveries", response=responses({200: list[DeliveryOut]}), summary="Delivery records")
@paginate(Pagination)
def delivery_list(
    request: HttpRequest, filters: Query[DeliveryFilterIn]
) -> QuerySet[DeliveryRecord]:
    """The records the caller may see, newest first."""
    return _rows(request, filters)


@router.get("/deliveries/stats", response=responses({200: StatsOut}), summary="Delivery figures")
def delivery_stats(request: HttpRequest, filters: Query[DeliveryFilterIn]) -> dict[str, Any]:
    """Calls in all and per status class, calls per day by status class, top consumers, top
    resources, errors by code, deliveries by mode (table syncs and file packages beside the
    gateway's calls) — over the records the list would hold."""
    return selectors.delivery_stats(_rows(request, filters))


@router.get("/deliveries/{seq}", response=responses({200: DeliveryOut}), summary="One record")
def delivery_detail(request: HttpRequest, seq: ObjectId) -> DeliveryRecord:
    """A record by its sequence number in the chain, with its link (prev_hash) and hash."""
    record = selectors.delivery(auth_user(request), seq)
    if record is None:
        raise ApiError(404, ErrorCode.NOT_FOUND, _("Not found."))
    return record


__all__ = ["router"]
