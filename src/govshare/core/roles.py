"""Roles (角色). Node-wide roles apply everywhere; department roles apply to one department.

A user's roles are read once per request into a ``Principal``; where they come from (the
memberships of orgs) is registered by orgs, so every package, core included, asks ``principal_of``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.core.actors import Actor, SystemActor
from govshare.core.registry import Registry


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    REVIEWER = "reviewer", _("Sharing authority reviewer")
    DATA_OFFICER = "data_officer", _("Department data officer")
    STAFF = "staff", _("Department staff")
    AUDITOR = "auditor", _("Auditor")


# 平台管理员, 共享主管部门审核员 and 审计员 act on the whole node; 数据专员 and 工作人员 act for
# the department their membership names.
NODE_WIDE_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.REVIEWER, Role.AUDITOR})
DEPARTMENT_ROLES = frozenset({Role.DATA_OFFICER, Role.STAFF})

PRINCIPAL_CACHE_ATTR = "_govshare_principal"


@dataclass(frozen=True)
class Principal:
    """What a user may act as (主体): node-wide roles, and roles per department id."""

    user_id: int | None
    node_roles: frozenset[str] = frozenset()
    department_roles: dict[int, frozenset[str]] = field(default_factory=dict)

    @property
    def is_platform_admin(self) -> bool:
        return Role.PLATFORM_ADMIN in self.node_roles

    @property
    def is_auditor(self) -> bool:
        return Role.AUDITOR in self.node_roles

    @property
    def is_reviewer(self) -> bool:
        return Role.REVIEWER in self.node_roles

    @property
    def sees_everything(self) -> bool:
        """Admins, reviewers and auditors read across departments (they oversee the node)."""
        return bool(self.node_roles)

    def departments(self, *roles: str) -> set[int]:
        """Department ids where the user holds any of ``roles`` (any role if none given)."""
        wanted = set(roles)
        return {dept for dept, held in self.department_roles.items() if not wanted or held & wanted}

    def has_department_role(self, department_id: int | None, *roles: str) -> bool:
        return department_id is not None and department_id in self.departments(*roles)


# Where a signed-in person's roles come from (their memberships): the orgs package registers
# the one source when it is ready, since core knows no departments.
PrincipalSource = Callable[[Any], Principal]
principal_sources: Registry[PrincipalSource] = Registry("principal sources")


def principal_of(user: Actor | None) -> Principal:
    """The user's roles, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated:
        return Principal(user_id=None)
    cached = getattr(user, PRINCIPAL_CACHE_ATTR, None)
    if cached is not None:
        return cached
    if isinstance(user, SystemActor):
        return Principal(user_id=None, node_roles=frozenset({Role.PLATFORM_ADMIN}))
    principal = principal_sources.only()(user)
    setattr(user, PRINCIPAL_CACHE_ATTR, principal)
    return principal


def forget_principal(user: Actor) -> None:
    """Drop the cached roles (after a membership of ``user`` changed)."""
    if hasattr(user, PRINCIPAL_CACHE_ATTR):
        delattr(user, PRINCIPAL_CACHE_ATTR)
