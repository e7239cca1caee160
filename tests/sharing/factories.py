"""Helpers of the sharing tests: a published resource with an item of every share type, the
consumer's application, and requests in a given state."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govshare.catalog.models import Resource
from govshare.catalog.services.resources import resource_create, resource_review, resource_submit
from govshare.sharing.services.requests import request_create
from tests.catalog.factories import items_data, resource_data
from tests.inventory.factories import SystemFactory


def mixed_items() -> list[dict]:
    """ID number and name on conditions, sex without conditions, plus a not-shared item."""
    items = items_data({}, {}, {"share_type": "unconditional"})
    items.append(
        {
            "name": "宗教信仰",
            "identifier": "ZJXY",
            "data_type": "C",
            "length": 20,
            "share_type": "not_shared",
            "grade": "important",
            "is_personal": True,
        }
    )
    return items


def published_resource(officer, reviewer, provider, items=None, **data) -> Resource:
    resource = resource_create(
        actor=officer,
        provider=provider,
        data=resource_data(**{"share_type": "unconditional", "share_condition": "", **data}),
        items=mixed_items() if items is None else items,
    )
    resource_submit(actor=officer, resource=resource)
    resource_review(actor=reviewer, resource=resource, approve=True)
    resource.refresh_from_db()
    return resource


def application_of(department, **fields):
    return SystemFactory(department=department, **fields)


def request_data(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "purpose": "administrative_basis",
        "purpose_detail": "办理社会保险登记时核验参保人身份",
        "basis": "《社会保险法》第五十八条",
        "scenario": "窗口受理时由经办人员查询",
        "mode": "query",
        "period_start": today,
        "period_end": today + dt.timedelta(days=365),
        "expected_daily_calls": 500,
    }
    data.update(overrides)
    return data


def draft_request(officer, consumer, resource, items=("GMSFHM", "XM", "XBDM"), **data):
    return request_create(
        actor=officer,
        consumer=consumer,
        application=application_of(consumer),
        resource=resource,
        data=request_data(**data),
        items=list(items),
    )
