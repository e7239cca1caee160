"""Template context shared by every page: the node, navigation and the department switcher."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from govshare.core.navigation import navigation_for


def node_name() -> str:
    """The node's display name: GOVSHARE_NODE_NAME, else the node region's name."""
    if settings.GOVSHARE_NODE_NAME:
        return settings.GOVSHARE_NODE_NAME
    from govshare.orgs.models import Region

    region = Region.objects.filter(code=settings.GOVSHARE_NODE_CODE).only("name").first()
    return region.name if region else settings.GOVSHARE_NODE_CODE


def node(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"node_name": node_name(), "node_code": settings.GOVSHARE_NODE_CODE}
    if user is not None and user.is_authenticated:
        from govshare.orgs.selectors import departments_of

        context["navigation"] = navigation_for(user)
        context["my_departments"] = departments_of(user)
        context["active_department_id"] = getattr(request, "active_department_id", None)
    return context
