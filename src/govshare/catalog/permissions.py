"""Who may see and change the catalog.

Published resources are visible to everyone signed in (the catalog is how departments find
data); drafts and versions under review only to the provider department and the authority.
The provider's data officer edits and submits; the authority reviews; admins do everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from govshare.catalog.choices import VersionStatus
from govshare.catalog.models import Category, DataElement, Mount, Resource, ResourceVersion
from govshare.core.actors import Actor
from govshare.core.permissions import register
from govshare.orgs.permissions import READ, DepartmentScopedPolicy, DirectoryPolicy

REVIEW_ACTIONS = frozenset({"review"})


class PublishedReadablePolicy(DepartmentScopedPolicy):
    """Department-owned, except that what has been published is readable by everyone."""

    authority_actions = REVIEW_ACTIONS
    published = Q()

    def scope(self, user: Actor, action: str) -> Q | bool:
        scope = super().scope(user, action)
        if action != READ or scope is True:
            return scope
        return self.published if scope is False else scope | self.published

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        if action == READ and obj is not None and self.is_published(obj):
            return True
        return super().allows(user, action, obj)

    def is_published(self, obj: Any) -> bool:
        raise NotImplementedError


@register(Resource)
class ResourcePolicy(PublishedReadablePolicy):
    department_field = "provider"
    published = Q(current_version__isnull=False)

    def is_published(self, obj: Any) -> bool:
        return obj.current_version_id is not None


@register(ResourceVersion)
class ResourceVersionPolicy(PublishedReadablePolicy):
    """Versions that were in force are public history; drafts belong to the provider."""

    department_field = "resource__provider"
    published = Q(status__in=[VersionStatus.IN_FORCE, VersionStatus.SUPERSEDED])

    def is_published(self, obj: Any) -> bool:
        return obj.status in (VersionStatus.IN_FORCE, VersionStatus.SUPERSEDED)

    def department_id_of(self, obj: Any) -> int | None:
        return obj.resource.provider_id


@register(Mount)
class MountPolicy(DepartmentScopedPolicy):
    department_field = "resource__provider"

    def department_id_of(self, obj: Any) -> int | None:
        return obj.resource.provider_id


@register(Category)
class CategoryPolicy(DirectoryPolicy):
    """The classification tree: everyone reads; administrators maintain it."""


@register(DataElement)
class DataElementPolicy(DirectoryPolicy):
    """The data-element registry: everyone reads; administrators maintain it."""
