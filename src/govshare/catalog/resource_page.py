"""What higher packages add to a resource's page (资源详情): sharing shows the requests on the
resource in a tab of its own and offers "request data" beside the title. The catalog does not
know sharing; sharing registers its part here when it is ready, and the page renders each part's
action and tab from the part's own templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from govshare.catalog.models import Resource
from govshare.core.registry import Registry


@dataclass(frozen=True)
class ResourceTab:
    """A tab of the resource page: ``gs-tab-<key>`` and its pane ``gs-pane-<key>``."""

    key: str
    label: Any
    template: str  # the pane's content
    count: int | None = None  # shown as a badge beside the label


@dataclass(frozen=True)
class ResourcePagePart:
    """(request, resource) → the part's template context, its tab, and its action buttons."""

    context: Callable[[HttpRequest, Resource], dict[str, Any]]
    tab: Callable[[dict[str, Any]], ResourceTab] | None = None  # built from the part's context
    actions_template: str = ""


resource_page_parts: Registry[ResourcePagePart] = Registry("resource page parts")


def resource_page_context(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    """The registered parts' template context for ``resource``'s page, with their tabs
    (``part_tabs``) and action templates (``part_actions``)."""
    context: dict[str, Any] = {"part_tabs": [], "part_actions": []}
    for part in resource_page_parts:
        values = part.context(request, resource)
        context.update(values)
        if part.tab is not None:
            context["part_tabs"].append(part.tab(values))
        if part.actions_template:
            context["part_actions"].append(part.actions_template)
    return context
