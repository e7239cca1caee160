"""Template context of every page that orgs knows: the node's name and the department switcher."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from govshare.orgs.selectors import departments_of, node_name


def node(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"node_name": node_name(), "node_code": settings.GOVSHARE_NODE_CODE}
    if user is not None and user.is_authenticated:
        context["my_departments"] = departments_of(user)
        context["active_department_id"] = getattr(request, "active_department_id", None)
    return context
