"""Permission policies for users, API tokens and sign-in locks."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from govshare.core.actors import Actor
from govshare.core.permissions import register
from govshare.identity.models import ApiToken, LoginThrottle
from govshare.orgs.roles import principal_of


@register(get_user_model())
class UserPolicy:
    """Admins and auditors see every account; others see the people of their departments."""

    def scope(self, user: Actor, action: str) -> Q | bool:
        principal = principal_of(user)
        if principal.is_platform_admin or (action == "view" and principal.sees_everything):
            return True
        if action != "view":
            return False
        departments = principal.departments()
        return Q(pk=user.pk) | Q(memberships__department__in=departments)

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        principal = principal_of(user)
        if principal.is_platform_admin or (action == "view" and principal.sees_everything):
            return True
        if action != "view" or obj is None:
            return False
        if obj.pk == user.pk:
            return True
        theirs = principal_of(obj).departments()
        return bool(theirs & principal.departments())


@register(ApiToken)
class ApiTokenPolicy:
    """A token belongs to its user alone; admins may revoke anyone's (and see that they exist)."""

    def scope(self, user: Actor, action: str) -> Q | bool:
        if principal_of(user).is_platform_admin and action in {"view", "revoke"}:
            return True
        return Q(user=user)

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        if obj is None:
            return action == "add"
        if principal_of(user).is_platform_admin and action in {"view", "revoke"}:
            return True
        return obj.user_id == user.pk


@register(LoginThrottle)
class LoginThrottlePolicy:
    """Sign-in locks (登录锁定): admins lift them; admins and the node's overseers see them."""

    def scope(self, user: Actor, action: str) -> Q | bool:
        principal = principal_of(user)
        return principal.is_platform_admin or (action == "view" and principal.sees_everything)

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        return self.scope(user, action) is True
