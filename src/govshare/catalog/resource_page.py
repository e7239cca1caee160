"""What higher packages add to a resource's page (资源详情): sharing shows the requests on the
resource and offers "request data". The catalog does not know sharing; sharing registers its
part here when it is ready, and the page merges each part's context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from govshare.catalog.models import Resource
from govshare.core.registry import Registry

ResourcePagePart = Callable[[HttpRequest, Resource], dict[str, Any]]
resource_page_parts: Registry[ResourcePagePart] = Registry("resource page parts")


def resource_page_context(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    """The registered parts' template context for ``resource``'s page."""
    context: dict[str, Any] = {}
    for part in resource_page_parts:
        context.update(part(request, resource))
    return context
