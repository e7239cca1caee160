"""Sharing's part of a catalog resource's page (registered with ``catalog.resource_page``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from govshare.catalog.models import Resource
from govshare.catalog.resource_page import ResourcePagePart, ResourceTab
from govshare.sharing import selectors

REQUESTS_SHOWN = 50


def resource_sharing_context(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    """ "申请" for other departments' data officers, and the requests on the resource."""
    user = request.user
    return {
        "can_request": selectors.requestable(
            user, getattr(request, "active_department_id", None), resource
        ),
        "resource_requests": list(selectors.resource_requests(user, resource)[:REQUESTS_SHOWN]),
    }


def requests_tab(context: dict[str, Any]) -> ResourceTab:
    return ResourceTab(
        key="requests",
        label=_("Sharing requests"),
        template="sharing/includes/resource_requests.html",
        count=len(context["resource_requests"]),
    )


RESOURCE_SHARING_PART = ResourcePagePart(
    context=resource_sharing_context,
    tab=requests_tab,
    actions_template="sharing/includes/resource_request_action.html",
)
