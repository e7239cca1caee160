"""Reads of the orgs package."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from govshare.orgs.models import Department, Region
from govshare.orgs.roles import principal_of


def departments_of(user: Any) -> list[Department]:
    """The active departments ``user`` holds a role in (for the department switcher)."""
    ids = principal_of(user).departments()
    return list(Department.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def department_list(
    user: Any,
    *,
    query: str = "",
    region_code: str = "",
    kind: str = "",
    include_inactive: bool = False,
) -> QuerySet[Department]:
    departments = Department.objects.restrict(user, "view").select_related("region")
    if query:
        departments = departments.filter(name__icontains=query) | departments.filter(
            uscc__iexact=query.strip()
        )
    if region_code:
        departments = departments.filter(region__code=region_code)
    if kind:
        departments = departments.filter(kind=kind)
    if not include_inactive:
        departments = departments.filter(is_active=True)
    return departments.annotate(member_count=Count("memberships__user", distinct=True))


def regions_in_node(root_code: str) -> QuerySet[Region]:
    """The node's region and every region under it."""
    prefix = root_code.rstrip("0") or root_code
    prefix = root_code[: len(prefix) + len(prefix) % 2]
    return Region.objects.filter(code__startswith=prefix)
