"""Template context shared by every page: the navigation the user may see.

The node's name and the department switcher come from orgs' context processor (settings list
both), since core knows no regions or departments.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from govshare.core.navigation import navigation_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"navigation": navigation_for(user)}
