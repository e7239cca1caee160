"""What a user may act as (主体): roles read once per request from memberships."""

from __future__ import annotations

from dataclasses import dataclass, field

from govshare.core.actors import Actor, SystemActor
from govshare.core.roles import NODE_WIDE_ROLES, Role

PRINCIPAL_CACHE_ATTR = "_govshare_principal"


@dataclass(frozen=True)
class Principal:
    """The roles of one user: node-wide roles, and roles per department id."""

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


def principal_of(user: Actor | None) -> Principal:
    """The user's roles, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated:
        return Principal(user_id=None)
    cached = getattr(user, PRINCIPAL_CACHE_ATTR, None)
    if cached is not None:
        return cached
    if isinstance(user, SystemActor):
        return Principal(user_id=None, node_roles=frozenset({Role.PLATFORM_ADMIN}))
    from govshare.orgs.models import Membership

    node_roles: set[str] = {Role.PLATFORM_ADMIN} if user.is_superuser else set()
    per_department: dict[int, set[str]] = {}
    rows = Membership.objects.filter(user=user, department__is_active=True)
    for department_id, role in rows.values_list("department_id", "role"):
        per_department.setdefault(department_id, set()).add(role)
        if role in NODE_WIDE_ROLES:
            node_roles.add(role)
    principal = Principal(
        user_id=user.pk,
        node_roles=frozenset(node_roles),
        department_roles={k: frozenset(v) for k, v in per_department.items()},
    )
    setattr(user, PRINCIPAL_CACHE_ATTR, principal)
    return principal


def forget_principal(user: Actor) -> None:
    """Drop the cached roles (after a membership of ``user`` changed)."""
    if hasattr(user, PRINCIPAL_CACHE_ATTR):
        delattr(user, PRINCIPAL_CACHE_ATTR)
