"""Reads of the identity package."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from govshare.core.permissions import restrict
from govshare.orgs.models import Membership

User = get_user_model()


def visible_users(user: Any) -> QuerySet[Any]:
    """Accounts ``user`` may see, once each.

    The policy's scope joins memberships, so a colleague in two shared departments would appear
    twice; filtering by the scoped primary keys keeps one row per account.
    """
    scoped = restrict(User.objects.all(), user, "view")  # auth's manager has no .restrict()
    return User.objects.filter(pk__in=scoped.values("pk"))


def user_list(user: Any, *, query: str = "") -> QuerySet[Any]:
    """The user directory: search by user name, name or email; memberships the viewer may see."""
    users = visible_users(user).order_by("username")
    query = query.strip()
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    return users.prefetch_related(visible_memberships(user))


def visible_memberships(user: Any) -> Prefetch:
    """Prefetch of each account's memberships that ``user`` may see, as ``visible_memberships``."""
    memberships = Membership.objects.restrict(user, "view").select_related("department")
    return Prefetch("memberships", queryset=memberships, to_attr="visible_memberships")
