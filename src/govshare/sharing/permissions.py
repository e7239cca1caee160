"""Who may see and act on sharing requests, grants, credentials and the calendar.

- consumer department: its data officer drafts, submits, withdraws, negotiates and manages the
  credentials of its applications; its staff read;
- provider department: reads what was asked of it (never a consumer's draft); its data officer
  decides items, suspends, resumes, revokes and answers extensions;
- the authority's reviewers: conformity review and coordination on any request;
- auditors read everything; platform admins do everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from govshare.core.actors import Actor
from govshare.core.permissions import register
from govshare.core.roles import Role
from govshare.orgs.permissions import READ, DepartmentScopedPolicy, DirectoryPolicy
from govshare.orgs.roles import principal_of
from govshare.sharing.choices import RequestState
from govshare.sharing.models import AppCredential, CalendarDay, Grant, ShareRequest

# Actions taken for the consumer ("change": draft, submit, withdraw, negotiate, ask for an
# extension), for the provider ("decide": answer items, suspend, resume, revoke, extend) and by
# the authority ("review": conformity review and coordination).
CONSUMER_ACTIONS = frozenset({"add", "change"})
PROVIDER_ACTIONS = frozenset({"decide"})
AUTHORITY_ACTIONS = frozenset({"review"})
MEMBER_ROLES = (Role.DATA_OFFICER, Role.STAFF)


class TwoPartyPolicy:
    """Objects with a consumer and a provider department (requests and grants)."""

    prefix = ""
    provider_hides_drafts = True

    def scope(self, user: Actor, action: str) -> Q | bool:
        principal = principal_of(user)
        if principal.is_platform_admin or (action == READ and principal.sees_everything):
            return True
        if action in AUTHORITY_ACTIONS:
            return principal.is_reviewer
        if action == READ:
            mine = principal.departments(*MEMBER_ROLES)
            if not mine:
                return False
            provider = Q(**{f"{self.prefix}provider__in": mine})
            if self.provider_hides_drafts:
                provider &= ~Q(**{f"{self.prefix}state": RequestState.DRAFT})
            return Q(**{f"{self.prefix}consumer__in": mine}) | provider
        side = self._side(action)
        if side is None:
            return False
        officer_of = principal.departments(Role.DATA_OFFICER)
        return Q(**{f"{side}__in": officer_of}) if officer_of else False

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        principal = principal_of(user)
        if principal.is_platform_admin or (action == READ and principal.sees_everything):
            return True
        if action in AUTHORITY_ACTIONS:
            return principal.is_reviewer
        if obj is None:
            return action == "add" and bool(principal.departments(Role.DATA_OFFICER))
        if action == READ:
            if principal.has_department_role(obj.consumer_id, *MEMBER_ROLES):
                return True
            hidden = self.provider_hides_drafts and self._state(obj) == RequestState.DRAFT
            return not hidden and principal.has_department_role(obj.provider_id, *MEMBER_ROLES)
        side = self._side(action)
        return side is not None and principal.has_department_role(
            getattr(obj, f"{side}_id"), Role.DATA_OFFICER
        )

    def _side(self, action: str) -> str | None:
        if action in CONSUMER_ACTIONS:
            return "consumer"
        if action in PROVIDER_ACTIONS:
            return "provider"
        return None

    def _state(self, obj: Any) -> str:
        return obj.state


@register(ShareRequest)
class ShareRequestPolicy(TwoPartyPolicy):
    pass


@register(Grant)
class GrantPolicy(TwoPartyPolicy):
    prefix = ""
    provider_hides_drafts = False


@register(AppCredential)
class AppCredentialPolicy(DepartmentScopedPolicy):
    """Credentials belong to the application's department: its data officer manages them."""


@register(CalendarDay)
class CalendarDayPolicy(DirectoryPolicy):
    """The working-day calendar: everyone reads it; administrators maintain it."""
