"""Sign-in, sign-out and the user's own account page."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from govshare.core import audit
from govshare.identity.forms import SignInForm
from govshare.identity.models import ApiToken
from govshare.identity.services import sign_in


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def sign_in_view(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in(request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user)  # rotates the session key (session fixation)
            with transaction.atomic():
                audit.record(actor=user, action="identity.login", obj=user)
            return redirect(_safe_next(request))
    return render(request, "identity/login.html", {"form": form, "next": _safe_next(request)})


@require_POST
def sign_out_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("identity:login")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "identity/account.html", {"tokens": tokens})
