"""Reads of the orgs package."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from govshare.core.actors import Actor
from govshare.orgs.models import Department, Membership, Region
from govshare.orgs.roles import principal_of


def node_name() -> str:
    """The node's display name: GOVSHARE_NODE_NAME, else the node region's name."""
    if settings.GOVSHARE_NODE_NAME:
        return settings.GOVSHARE_NODE_NAME
    region = Region.objects.filter(code=settings.GOVSHARE_NODE_CODE).only("name").first()
    return region.name if region else settings.GOVSHARE_NODE_CODE


def departments_of(user: Actor) -> list[Department]:
    """The active departments ``user`` holds a role in (for the department switcher)."""
    ids = principal_of(user).departments()
    return list(Department.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def department_list(
    user: Actor,
    *,
    query: str = "",
    region_code: str = "",
    kind: str = "",
    include_inactive: bool = False,
) -> QuerySet[Department]:
    """The department directory (部门目录), filtered, with each department's member count."""
    departments = Department.objects.restrict(user, "view").select_related("region")
    query = query.strip()
    if query:
        departments = departments.filter(
            Q(name__icontains=query) | Q(short_name__icontains=query) | Q(uscc__iexact=query)
        )
    if region_code:
        departments = departments.filter(region__code=region_code)
    if kind:
        departments = departments.filter(kind=kind)
    if not include_inactive:
        departments = departments.filter(is_active=True)
    # An aggregate drops Meta.ordering (Django ignores it under GROUP BY): order explicitly.
    return departments.annotate(member_count=Count("memberships__user", distinct=True)).order_by(
        "region__code", "name", "pk"
    )


def department_members(user: Actor, department: Department) -> QuerySet[Membership]:
    """The memberships of ``department`` that ``user`` may see (none for outsiders)."""
    memberships = Membership.objects.restrict(user, "view").filter(department=department)
    return memberships.select_related("user").order_by("user__username", "role")


def regions_in_node(root_code: str) -> QuerySet[Region]:
    """The node's region and every region under it."""
    prefix = root_code.rstrip("0") or root_code
    prefix = root_code[: len(prefix) + len(prefix) % 2]
    return Region.objects.filter(code__startswith=prefix)
