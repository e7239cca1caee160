"""The active department (当前部门) of a user who belongs to several."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from govshare.orgs.roles import principal_of

SESSION_KEY = "govshare_active_department"


def active_department_id(request: HttpRequest) -> int | None:
    """The department the user acts for: the chosen one if still theirs, else their first."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    departments = principal_of(user).departments()
    chosen = request.session.get(SESSION_KEY)
    if chosen in departments:
        return chosen
    return min(departments) if departments else None


class ActiveDepartmentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.active_department_id = active_department_id(request)  # type: ignore[attr-defined]
        return self.get_response(request)
