"""Pages of the orgs package."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from govshare.orgs.middleware import SESSION_KEY
from govshare.orgs.roles import principal_of


@login_required
@require_POST
def switch_department(request: HttpRequest) -> HttpResponse:
    """Choose the department the user acts for (only one of their own)."""
    try:
        department_id = int(request.POST.get("department", ""))
    except ValueError:
        department_id = None
    if department_id in principal_of(request.user).departments():
        request.session[SESSION_KEY] = department_id
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
