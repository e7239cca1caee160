"""Reads of the identity package."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from govshare.core.actors import Actor
from govshare.core.permissions import restrict
from govshare.identity.choices import ThrottleScope
from govshare.identity.models import LoginThrottle
from govshare.orgs.models import Membership

User = get_user_model()


def visible_users(user: Actor) -> QuerySet[Any]:
    """Accounts ``user`` may see, once each.

    The policy's scope joins memberships, so a colleague in two shared departments would appear
    twice; filtering by the scoped primary keys keeps one row per account.
    """
    scoped = restrict(User.objects.all(), user, "view")  # auth's manager has no .restrict()
    return User.objects.filter(pk__in=scoped.values("pk"))


def user_list(user: Actor, *, query: str = "") -> QuerySet[Any]:
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


def visible_memberships(user: Actor) -> Prefetch:
    """Prefetch of each account's memberships that ``user`` may see, as ``visible_memberships``."""
    memberships = Membership.objects.restrict(user, "view").select_related("department")
    return Prefetch("memberships", queryset=memberships, to_attr="visible_memberships")


# --- sign-in locks (issue #11 item 5) --------------------------------------------------------

# The scopes that lock a user name (an address block holds every name alike).
ACCOUNT_SCOPES = [ThrottleScope.PAIR, ThrottleScope.BROWSER, ThrottleScope.ACCOUNT]
# An address-spraying bot can make many blocks; the page lists the latest this many.
BLOCKED_ADDRESSES_SHOWN = 100


def _active_locks(user: Actor) -> QuerySet[LoginThrottle]:
    return LoginThrottle.objects.restrict(user, "view").filter(locked_until__gt=timezone.now())


def sign_in_locks(user: Actor, person: Any) -> list[LoginThrottle]:
    """The locks holding ``person``'s sign-in now, for whom may see them (else none)."""
    locks = _active_locks(user).filter(username=person.get_username(), scope__in=ACCOUNT_SCOPES)
    return list(locks.order_by("scope", "address"))


def blocked_addresses(user: Actor) -> list[LoginThrottle]:
    """Addresses blocked now after failed sign-ins across user names, latest first."""
    blocked = _active_locks(user).filter(scope=ThrottleScope.ADDRESS)
    return list(blocked.order_by("-locked_until")[:BLOCKED_ADDRESSES_SHOWN])


def locked_accounts(user: Actor) -> QuerySet[LoginThrottle]:
    """User names locked now (from an address, in a browser, or guarded), each with ``user_id``
    of the account it names (None: a name nobody has, which a guesser tried)."""
    account = User.objects.filter(username=OuterRef("username")).values("pk")[:1]
    locks = _active_locks(user).filter(scope__in=ACCOUNT_SCOPES)
    return locks.annotate(user_id=Subquery(account)).order_by("username", "scope", "address")
