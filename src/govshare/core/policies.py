"""Permission policies for the core models (registered when the app is ready)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from govshare.core.actors import Actor
from govshare.core.models import AuditEvent, ConfigParam, Job
from govshare.core.permissions import register
from govshare.core.roles import Role, principal_of


@register(AuditEvent)
class AuditEventPolicy:
    """Auditors and admins read the whole trail; a data officer reads their departments' part.

    Nobody changes or deletes audit events, whatever their role.
    """

    def scope(self, user: Actor, action: str) -> Q | bool:
        if action not in {"view", "verify"}:
            return False
        principal = principal_of(user)
        if principal.is_auditor or principal.is_platform_admin:
            return True
        if action == "verify":
            return False
        departments = principal.departments(Role.DATA_OFFICER)
        return Q(department_id__in=departments) if departments else False

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        principal = principal_of(user)
        if action == "verify":
            return principal.is_auditor or principal.is_platform_admin
        if action != "view":
            return False
        if principal.is_auditor or principal.is_platform_admin:
            return True
        return obj is not None and principal.has_department_role(
            obj.department_id, Role.DATA_OFFICER
        )


@register(Job)
class JobPolicy:
    """People see the jobs they started; admins and auditors see all."""

    def scope(self, user: Actor, action: str) -> Q | bool:
        principal = principal_of(user)
        if principal.is_platform_admin or (action == "view" and principal.is_auditor):
            return True
        return Q(created_by=user) if action == "view" else False

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        principal = principal_of(user)
        if principal.is_platform_admin or (action == "view" and principal.is_auditor):
            return True
        return action == "view" and obj is not None and obj.created_by_id == user.pk


@register(ConfigParam)
class ConfigParamPolicy:
    """Settings: everyone signed in reads them (they explain rules); only admins change them."""

    def scope(self, user: Actor, action: str) -> Q | bool:
        return action == "view" or principal_of(user).is_platform_admin

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        return action == "view" or principal_of(user).is_platform_admin
