"""The system actor: who acts when a CLI command, the demo loader or a scheduled task writes.

It passes every permission check (like a platform admin) and is named "system" in the audit
trail, so machine writes stay distinguishable from people's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, Union, cast

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class SystemActor:
    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = True
    is_system = True
    username = "system"

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username


SYSTEM = SystemActor()


def system_actor() -> SystemActor:
    return SYSTEM


# Who calls a service, a policy or a selector: a person (Django's User), the platform itself
# (SystemActor), or — from a view before the policy refuses it — Django's AnonymousUser, which
# is what ``request.user`` may be. A union rather than a Protocol: mypy knows each member's
# attributes and narrows with isinstance, a model field accepts the User it is given, and
# nothing restates User's attributes. Defined once here; never ``actor: Any``.
Actor: TypeAlias = Union["User", "AnonymousUser", "SystemActor"]  # noqa: UP007 (forward refs)
# A person's account as the object of a service (the user whose password, lock or membership
# changes), as opposed to the actor who changes it.
Person: TypeAlias = "User"


def person_of(actor: Actor | None) -> User | None:
    """The person behind ``actor``, for a "created by" field or an event's actor; None for the
    platform itself (no row in the user table) and for nobody signed in."""
    if actor is None or getattr(actor, "is_system", False) or not actor.is_authenticated:
        return None
    return cast("User", actor)
