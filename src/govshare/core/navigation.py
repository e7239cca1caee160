"""The left navigation: each module registers its section when its app is ready, so only modules
that exist are shown, and each entry is shown only to users its predicate admits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse


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


_sections: list[NavSection] = []


def register_section(section: NavSection) -> None:
    if all(existing.label != section.label for existing in _sections):
        _sections.append(section)
        _sections.sort(key=lambda s: s.order)


def navigation_for(user: Any) -> list[dict[str, Any]]:
    """Sections with the items ``user`` may see; empty sections are dropped."""
    visible = []
    for section in _sections:
        items = [
            {"label": item.label, "url": item.url(), "url_name": item.url_name}
            for item in section.items
            if item.visible(user)
        ]
        if items:
            visible.append({"label": section.label, "items": items})
    return visible
