"""Permission policies of the orgs package, and the base policy that department-owned models use.

The matrix (查看/编辑):
- platform admin: everything;
- reviewer and auditor: read everything, write nothing here;
- data officer: read and edit their own departments' objects;
- staff: read their own departments' objects;
- everyone signed in: the region list and the department directory.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from govshare.core.actors import Actor
from govshare.core.permissions import register
from govshare.core.roles import Role
from govshare.orgs.models import Department, Membership, Region
from govshare.orgs.roles import principal_of

READ = "view"


class DepartmentScopedPolicy:
    """Objects owned by a department: ``department_field`` names the owning department."""

    department_field = "department"
    # Actions the sharing authority's reviewers take on any department's objects (review,
    # confirm, decide); data officers and staff never take them.
    authority_actions: frozenset[str] = frozenset()
    # Department roles that may perform each action; other actions need a platform admin.
    roles_by_action: dict[str, frozenset[str]] = {
        READ: frozenset({Role.DATA_OFFICER, Role.STAFF}),
        "change": frozenset({Role.DATA_OFFICER}),
        "add": frozenset({Role.DATA_OFFICER}),
        "delete": frozenset({Role.DATA_OFFICER}),
    }

    def scope(self, user: Actor, action: str) -> Q | bool:
        principal = principal_of(user)
        if principal.is_platform_admin or (action == READ and principal.sees_everything):
            return True
        if action in self.authority_actions:
            return principal.is_reviewer
        departments = principal.departments(*self.roles_by_action.get(action, ()))
        if not self.roles_by_action.get(action) or not departments:
            return False
        return Q(**{f"{self.department_field}__in": departments})

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        principal = principal_of(user)
        if principal.is_platform_admin or (action == READ and principal.sees_everything):
            return True
        if action in self.authority_actions:
            return principal.is_reviewer
        roles = self.roles_by_action.get(action)
        if not roles:
            return False
        if obj is None:  # adding: any department where the user holds the role
            return bool(principal.departments(*roles))
        return principal.has_department_role(self.department_id_of(obj), *roles)

    def department_id_of(self, obj: Any) -> int | None:
        return getattr(obj, f"{self.department_field}_id")


class DirectoryPolicy:
    """Readable by everyone signed in; written by platform admins only."""

    def scope(self, user: Actor, action: str) -> Q | bool:
        return action == READ or principal_of(user).is_platform_admin

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        return action == READ or principal_of(user).is_platform_admin


@register(Region)
class RegionPolicy(DirectoryPolicy):
    """Regions: a public directory."""


@register(Department)
class DepartmentPolicy(DirectoryPolicy):
    """Departments: a public directory; a department's data officer edits its contact details."""

    def scope(self, user: Actor, action: str) -> Q | bool:
        if action == "change_contact" and not principal_of(user).is_platform_admin:
            departments = principal_of(user).departments(Role.DATA_OFFICER)
            return Q(pk__in=departments) if departments else False
        return super().scope(user, action)

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        principal = principal_of(user)
        if action == "change_contact" and obj is not None:
            return principal.is_platform_admin or principal.has_department_role(
                obj.pk, Role.DATA_OFFICER
            )
        return super().allows(user, action, obj)


@register(Membership)
class MembershipPolicy(DepartmentScopedPolicy):
    """Who works where is private to the department: its members read it; admins manage it."""

    roles_by_action = {READ: frozenset({Role.DATA_OFFICER, Role.STAFF})}
