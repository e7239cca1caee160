"""Sharing's part of a catalog resource's page (registered with ``catalog.resource_page``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from govshare.catalog.models import Resource
from govshare.sharing import selectors

REQUESTS_SHOWN = 50


def resource_sharing_part(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    """ "申请" for other departments' data officers, and the requests on the resource."""
    user = request.user
    return {
        "can_request": selectors.requestable(
            user, getattr(request, "active_department_id", None), resource
        ),
        "resource_requests": list(selectors.resource_requests(user, resource)[:REQUESTS_SHOWN]),
    }
