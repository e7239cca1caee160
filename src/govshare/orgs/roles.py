"""Where a user's roles come from: their memberships (registered with core when orgs is ready).

``Principal``, ``principal_of`` and ``forget_principal`` live in ``core.roles`` (core's own
policies need them); they are named here too because every domain package asks orgs for roles.
"""

from __future__ import annotations

from govshare.core.actors import Person
from govshare.core.roles import (
    NODE_WIDE_ROLES,
    Principal,
    Role,
    forget_principal,
    principal_of,
)
from govshare.orgs.models import Membership

__all__ = ["Principal", "forget_principal", "principal_from_memberships", "principal_of"]


def principal_from_memberships(user: Person) -> Principal:
    """A signed-in person's roles: superuser status and their memberships in active departments."""
    node_roles: set[str] = {Role.PLATFORM_ADMIN} if user.is_superuser else set()
    per_department: dict[int, set[str]] = {}
    rows = Membership.objects.filter(user=user, department__is_active=True)
    for department_id, role in rows.values_list("department_id", "role"):
        per_department.setdefault(department_id, set()).add(role)
        if role in NODE_WIDE_ROLES:
            node_roles.add(role)
    return Principal(
        user_id=user.pk,
        node_roles=frozenset(node_roles),
        department_roles={k: frozenset(v) for k, v in per_department.items()},
    )
