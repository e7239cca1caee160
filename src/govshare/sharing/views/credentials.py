"""Credentials (应用凭证) of my department's applications: create, rotate the secret, edit the IP
allow-list, revoke; and how an application gets a token from the gateway.

A new secret is shown in the response to the POST that made it and nowhere else — never stored,
not even in the session or a message (as the personal API tokens of identity/views.py).

So that reloading that page, or Back and submitting again, does not send the POST a second time
(a second credential made silently, or the secret just copied rotated away: the gateway would
then answer 401 bad_credentials), the page's create form and rotate buttons carry a one-time
token (``core.web.form_tokens``); a POST whose token is missing or already consumed does nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from govshare.core.forms import submit
from govshare.core.permissions import can, require
from govshare.core.roles import Role
from govshare.core.text import join_sentences
from govshare.core.web import form_tokens
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, post_data, render_form_page
from govshare.sharing import selectors
from govshare.sharing.forms import AllowlistForm, CredentialForm
from govshare.sharing.models import AppCredential
from govshare.sharing.services import credentials as services
from govshare.sharing.services.credentials import IssuedCredential
from govshare.sharing.views.requests import NAMESPACE, active_department

TOKEN_PATH = "/gw/token"  # the gateway's token endpoint, on the same public port


def list_url() -> str:
    return reverse(f"{NAMESPACE}:credential_list")


def visible_credential(request: HttpRequest, pk: int) -> AppCredential:
    rows = AppCredential.objects.restrict(request.user, "view").select_related("application")
    return get_object_or_404(rows, pk=pk)


def _refuse_replay(request: HttpRequest) -> HttpResponse:
    messages.warning(
        request,
        _(
            "This form was already sent, so it was not carried out again: the secret was shown "
            "once, then. If it was not copied, rotate the secret."
        ),
    )
    return redirect(list_url())


@login_required
def credential_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


def _list_page(
    request: HttpRequest,
    *,
    form: CredentialForm | None = None,
    issued: IssuedCredential | None = None,
    status: int = 200,
    form_token: str = "",
) -> HttpResponse:
    """The applications of the active department with their credentials; ``issued`` is a
    secret just made, shown this once. Credentials are issued by the department's own data
    officer (``_officer_department``); an overseer may still rotate or revoke them.

    The create form and the rotate buttons carry ``form_token`` (a new one if empty), pending
    until one of them is submitted."""
    department_id = active_department(request)
    may_manage = department_id is not None and can(
        request.user, "change", AppCredential(department_id=department_id)
    )
    may_create = may_manage and active_department(request, Role.DATA_OFFICER) is not None
    if form is None and may_create and department_id is not None:
        form = _form(request, department_id, data=None)
    context = {
        "department_id": department_id,
        "applications": selectors.credentials_by_application(request.user, department_id),
        "may_manage": may_manage,
        "may_create": may_create,
        "form": form,
        "form_token": form_tokens.pend(request, form_token) if may_manage else "",
        "issued": issued,
        "token_url": request.build_absolute_uri(TOKEN_PATH),
        "gateway_url": request.build_absolute_uri("/gw/"),
    }
    return render(request, "sharing/credentials/list.html", context, status=status)


def _form(request: HttpRequest, department_id: int, data: Any) -> CredentialForm:
    initial = {}
    wanted = request.GET.get("application", "")
    if wanted.isdigit():
        initial["application"] = int(wanted)
    return CredentialForm(
        data,
        applications=selectors.live_applications(request.user, department_id),
        initial=initial,
    )


def _officer_department(request: HttpRequest) -> int:
    require(request.user, "add", AppCredential)
    department_id = active_department(request, Role.DATA_OFFICER)
    if department_id is None:
        raise PermissionDenied(_("Act for a department where you are the data officer."))
    return department_id


@never_cache  # the response holds a secret: no cache may keep it
@login_required
def credential_create(request: HttpRequest) -> HttpResponse:
    """GET: the form (``?application=`` preselects); POST: issue, and show the secret once.

    A rejected form gives its token back: it was not carried out, so the corrected form (or a
    reload of the page showing the errors) may be sent with it."""
    department_id = _officer_department(request)
    form = _form(request, department_id, post_data(request))
    if request.method != "POST":
        return _list_page(request, form=form)
    form_token = form_tokens.consume(request)
    if form_token is None:
        return _refuse_replay(request)
    issued = submit(
        form,
        lambda data: services.credential_create(
            actor=request.user,
            application=data["application"],
            name=data["name"],
            ip_allowlist=data["ip_allowlist"],
        ),
    )
    if issued is None:
        return _list_page(request, form=form, status=400, form_token=form_token)
    return _list_page(request, issued=issued)


@never_cache
@login_required
@action_view("sharing:credential_list", keep=())
def credential_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """A new secret, shown once; tokens issued under the old one stop working."""
    credential = visible_credential(request, pk)
    require(request.user, "change", credential)
    if form_tokens.consume(request) is None:
        return _refuse_replay(request)
    try:
        issued = services.credential_rotate(actor=request.user, credential=credential)
    except ValidationError as error:
        messages.error(request, join_sentences(error.messages))
        return redirect(list_url())
    return _list_page(request, issued=issued)


@login_required
def credential_allowlist(request: HttpRequest, pk: int) -> HttpResponse:
    credential = visible_credential(request, pk)
    require(request.user, "change", credential)
    form = AllowlistForm(post_data(request), initial={"ip_allowlist": credential.ip_allowlist})
    saved = submit(
        form,
        lambda data: services.credential_set_allowlist(
            actor=request.user, credential=credential, ip_allowlist=data["ip_allowlist"]
        ),
    )
    if saved is not None:
        text = _("The allowed addresses of %(name)s were saved.")
        messages.success(request, text % {"name": credential.name})
        return redirect(list_url())
    response = render_form_page(
        request,
        form,
        title=_("Allowed IP addresses of %(name)s") % {"name": credential},
        crumbs=[Crumb(_("Credentials"), list_url())],
        cancel_url=list_url(),
    )
    if form.is_bound:
        response.status_code = 400
    return response


@login_required
@action_view("sharing:credential_list", keep=())
def credential_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    credential = visible_credential(request, pk)
    require(request.user, "change", credential)
    try:
        services.credential_revoke(actor=request.user, credential=credential)
    except ValidationError as error:
        messages.error(request, join_sentences(error.messages))
    else:
        messages.success(request, _("%(name)s was revoked.") % {"name": credential})
    return redirect(list_url())


urlpatterns: list[URLPattern] = [
    path("credentials/", credential_list, name="credential_list"),
    path("credentials/new/", credential_create, name="credential_create"),
    path("credentials/<int:pk>/rotate/", credential_rotate, name="credential_rotate"),
    path("credentials/<int:pk>/allowlist/", credential_allowlist, name="credential_allowlist"),
    path("credentials/<int:pk>/revoke/", credential_revoke, name="credential_revoke"),
]
