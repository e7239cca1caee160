"""What withdrawing a resource (撤销) does to the grants that use it.

The catalog does not know the sharing module; sharing registers a handler when it is ready.
A withdrawal of a resource with live grants needs a decision: revoke them now, or keep them
until their validity ends (the resource can no longer be requested either way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.core.actors import Actor
from govshare.core.registry import Registry


class GrantDecision(models.TextChoices):
    REVOKE = "revoke", _("Revoke the grants now")
    KEEP = "keep", _("Keep them until their validity ends")


@dataclass(frozen=True)
class GrantHandler:
    count_live: Callable[[Any], int]  # resource → live grants on it
    revoke_live: Callable[[Any, Any, str], int]  # (actor, resource, reason) → grants revoked


grant_handlers: Registry[GrantHandler] = Registry("grant handlers of a withdrawal")


def register_grant_handler(handler: GrantHandler) -> None:
    grant_handlers.register(handler)


def live_grants(resource: Any) -> int:
    return sum(handler.count_live(resource) for handler in grant_handlers)


def revoke_grants(actor: Actor, resource: Any, reason: str) -> int:
    return sum(handler.revoke_live(actor, resource, reason) for handler in grant_handlers)
