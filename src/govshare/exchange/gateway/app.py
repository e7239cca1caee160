"""The gateway's app factory: Django is set up first (the gateway reads its models), then the
Starlette app is built. No Django middleware, session or template is on the gateway's path."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govshare.exchange.gateway.endpoints import FrontDoor


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govshare.settings")
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()


def create_app(**options: Any) -> FrontDoor:
    """The gateway as an ASGI app; ``options`` go to ``Gateway`` (tests shorten the poll)."""
    setup_django()
    from govshare.exchange.gateway.endpoints import Gateway

    return Gateway(**options).app
