"""The consumer negotiates the refused items of a granted request from the request's page,
whatever its grant's state (sharing.services.refusals)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from govshare.core.permissions import require
from govshare.core.web.action_views import action_view
from govshare.sharing.forms import NoteForm
from govshare.sharing.services.refusals import refusals_negotiate
from govshare.sharing.views.requests import detail_url, visible_request


@login_required
@action_view("sharing:request_detail")
def request_negotiate_refusals(request: HttpRequest, pk: int) -> HttpResponse:
    share_request = visible_request(request, pk)
    require(request.user, "change", share_request)
    form = NoteForm(request.POST, auto_id="id_refusals_%s")
    try:
        note = form.cleaned_data["note"] if form.is_valid() else ""
        follow_up = refusals_negotiate(actor=request.user, share_request=share_request, note=note)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(detail_url(share_request))
    messages.success(
        request,
        _("Request %(number)s negotiates the refused items with the provider.")
        % {"number": follow_up.number},
    )
    return redirect(detail_url(follow_up))


urlpatterns: list[URLPattern] = [
    path(
        "requests/<int:pk>/negotiate-refusals/",
        request_negotiate_refusals,
        name="request_negotiate_refusals",
    ),
]
