"""The left navigation: each module registers its section when its app is ready, so only modules
that exist are shown, and each entry is shown only to users its predicate admits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from govshare.core.actors import Actor
from govshare.core.registry import Registry


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    visible: Callable[[Any], bool] = lambda user: True

    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class NavSection:
    label: Any
    order: int
    items: tuple[NavItem, ...] = field(default_factory=tuple)


# One section per label, in their order (a section registered again is the same section).
sections: Registry[NavSection] = Registry(
    "navigation sections", order_by=lambda s: s.order, same=lambda s: s.label
)


def register_section(section: NavSection) -> None:
    sections.register(section)


def navigation_for(user: Actor) -> list[dict[str, Any]]:
    """Sections with the items ``user`` may see; empty sections are dropped."""
    visible = []
    for section in sections:
        items = [
            {"label": item.label, "url": item.url(), "url_name": item.url_name}
            for item in section.items
            if item.visible(user)
        ]
        if items:
            visible.append({"label": section.label, "items": items})
    return visible
