"""Inboxes with the deadline clock (办理时限): the provider's requests to answer (国发〔2016〕51号:
conditional requests are answered within 10 working days), and the authority's conformity
review and coordination queues."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from govshare.core.permissions import require
from govshare.core.web.pagination import paginate
from govshare.sharing import selectors
from govshare.sharing.models import ShareRequest
from govshare.sharing.services.requests import conformity_findings
from govshare.sharing.views.requests import active_department


def _tab(request: HttpRequest, tabs: tuple[str, ...]) -> str:
    wanted = request.GET.get("tab", "")
    return wanted if wanted in tabs else tabs[0]


@login_required
def provider_inbox(request: HttpRequest) -> HttpResponse:
    """Requests on the active department's resources: awaiting its answer, answered, all."""
    tab = _tab(request, selectors.PROVIDER_TABS)
    department_id = active_department(request)
    rows = selectors.provider_inbox(request.user, department_id, tab)
    page = paginate(request, rows)
    context = {
        "tab": tab,
        "tabs": selectors.PROVIDER_TABS,
        "department_id": department_id,
        "rows": selectors.with_clocks(page["object_list"]),
        **page,
    }
    return render(request, "sharing/inbox/provider.html", context)


@login_required
def authority_inbox(request: HttpRequest) -> HttpResponse:
    """The authority's queues, each request with its clock and, in conformity review, what the
    automatic check finds."""
    require(request.user, "review", ShareRequest)
    tab = _tab(request, selectors.AUTHORITY_TABS)
    page = paginate(request, selectors.authority_queue(request.user, tab))
    context = {
        "tab": tab,
        "tabs": selectors.AUTHORITY_TABS,
        "rows": [
            (row, clock, conformity_findings(row) if tab == "conformity" else [])
            for row, clock in selectors.with_clocks(page["object_list"])
        ],
        **page,
    }
    return render(request, "sharing/inbox/authority.html", context)


urlpatterns: list[URLPattern] = [
    path("inbox/provider/", provider_inbox, name="provider_inbox"),
    path("inbox/authority/", authority_inbox, name="authority_inbox"),
]
