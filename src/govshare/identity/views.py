"""Sign-in and sign-out, the user directory, and the user's own account page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from govshare.core.actors import Person
from govshare.core.evidence import audit
from govshare.core.forms import submit
from govshare.core.permissions import can, require
from govshare.core.text import join_sentences
from govshare.core.web import form_tokens
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, post_data, render_form_page, signed_in_user
from govshare.core.web.pagination import paginate
from govshare.identity import browsers, second_check, selectors, services
from govshare.identity.forms import (
    PasswordChangeForm,
    SignInCodeForm,
    SignInForm,
    TokenForm,
    UserCreateForm,
    UserFilterForm,
)
from govshare.identity.models import ApiToken, LoginThrottle
from govshare.identity.services import IssuedToken
from govshare.orgs.models import Membership

User = get_user_model()


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _with_next(request: HttpRequest, name: str) -> str:
    target = _safe_next(request)
    return reverse(name) + (f"?{urlencode({'next': target})}" if target != "/" else "")


def sign_in_view(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in(request=request, **form.cleaned_data)
        except services.SecondCheckNeeded:
            return redirect(_with_next(request, "identity:login_check"))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _signed_in(request, user)
    return render(request, "identity/login.html", {"form": form, "next": _safe_next(request)})


def sign_in_check_view(request: HttpRequest) -> HttpResponse:
    """The second check a guarded account asks of an unknown browser: the e-mailed code."""
    if second_check.challenge_of(request) is None:
        return redirect(_with_next(request, "identity:login"))
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in_second_check(request=request, code=form.cleaned_data["code"])
        except ValidationError as error:
            if second_check.challenge_of(request) is None:  # spent: the password comes first
                messages.error(request, join_sentences(error.messages))
                return redirect(_with_next(request, "identity:login"))
            form.add_error("code", error)
        else:
            return _signed_in(request, user)
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "identity/login_check.html", context)


def _signed_in(request: HttpRequest, user: Person) -> HttpResponse:
    login(request, user)  # rotates the session key (session fixation)
    with transaction.atomic():
        audit.record(actor=user, action="identity.login", obj=user)
    response = redirect(_safe_next(request))
    # This browser is now known to the account: its second check should the account be guarded.
    browsers.remember_browser(request, response, user.get_username())
    return response


@action_view("core:home", keep=())
def sign_out_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("identity:login")


# --- the user directory ---------------------------------------------------------------------


def _user_crumbs() -> list[Crumb]:
    return [Crumb(_("Users"), reverse("identity:user_list"))]


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    query = form.cleaned_data["query"] if form.is_valid() else ""
    context = {
        "form": form,
        "can_add": can(request.user, "add", User),
        "can_see_blocks": can(request.user, "view", LoginThrottle),
        **paginate(request, selectors.user_list(request.user, query=query)),
    }
    return render(request, "identity/user_list.html", context)


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(selectors.visible_users(request.user), pk=pk)
    memberships = Membership.objects.restrict(request.user, "view").filter(user=person)
    context = {
        "person": person,
        "memberships": memberships.select_related("department"),
        # Tokens are the holder's own business; admins see them to revoke a leaked one.
        "can_see_tokens": can(request.user, "revoke", ApiToken(user=person)),
        "tokens": ApiToken.objects.restrict(request.user, "view").filter(user=person),
        "can_change": can(request.user, "change", person),
        "can_see_locks": can(request.user, "view", LoginThrottle),
        "sign_in_locks": selectors.sign_in_locks(request.user, person),
        "can_unlock": can(request.user, "unlock", person),
    }
    return render(request, "identity/user_detail.html", context)


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    """A new account, optionally with its first role (an admin task)."""
    require(request.user, "add", User)
    form = UserCreateForm(post_data(request))
    if request.method == "POST" and (
        person := submit(form, lambda data: _create_with_role(request, data))
    ):
        messages.success(request, _("User %(name)s was created.") % {"name": person.username})
        return redirect("identity:user_detail", pk=person.pk)
    return render_form_page(
        request,
        form,
        title=_("New user"),
        crumbs=_user_crumbs(),
        cancel_url=reverse("identity:user_list"),
    )


def _create_with_role(request: HttpRequest, data: dict[str, Any]) -> Any:
    return services.user_create_with_role(
        actor=request.user,
        username=data["username"],
        password=data["password"],
        full_name=data["full_name"],
        email=data["email"],
        department=data["department"] or None,
        role=data["role"],
    )


@login_required
@action_view("identity:user_detail")
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Enable (``is_active=1``) or disable (``is_active=0``) an account."""
    person = get_object_or_404(selectors.visible_users(request.user), pk=pk)
    wanted = request.POST.get("is_active")
    if wanted not in {"0", "1"}:
        raise BadRequest("is_active must be 0 or 1")
    try:
        services.user_set_active(actor=request.user, user=person, is_active=wanted == "1")
    except ValidationError as error:
        messages.error(request, join_sentences(error.messages))
    else:
        done = (
            _("User %(name)s was enabled.")
            if person.is_active
            else _("User %(name)s was disabled.")
        )
        messages.success(request, done % {"name": person.username})
    return redirect("identity:user_detail", pk=person.pk)


# --- sign-in locks (issue #11 item 5) --------------------------------------------------------


@login_required
@action_view("identity:user_detail")
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """End every sign-in lock of an account (an admin task)."""
    person = get_object_or_404(selectors.visible_users(request.user), pk=pk)
    ended = services.login_unlock(actor=request.user, user=person)
    if ended:
        messages.success(request, _("Sign-in to %(name)s was unlocked.") % {"name": person})
    else:
        messages.info(request, _("%(name)s had no sign-in lock.") % {"name": person})
    return redirect("identity:user_detail", pk=person.pk)


@login_required
def sign_in_blocks(request: HttpRequest) -> HttpResponse:
    """Blocked addresses and locked accounts, for admins to lift and overseers to watch."""
    require(request.user, "view", LoginThrottle)
    context = {
        "addresses": selectors.blocked_addresses(request.user),
        "can_unlock": can(request.user, "unlock", LoginThrottle),
        **paginate(request, selectors.locked_accounts(request.user)),
    }
    return render(request, "identity/sign_in_blocks.html", context)


@login_required
@action_view("identity:sign_in_blocks")
def address_unblock(request: HttpRequest) -> HttpResponse:
    """Clear the block of one address (an admin task)."""
    address = request.POST.get("address", "")
    try:
        cleared = services.address_unblock(actor=request.user, address=address)
    except ValidationError as error:
        messages.error(request, join_sentences(error.messages))
    else:
        done = (
            _("The block of %(address)s was cleared.")
            if cleared
            else _("%(address)s was not blocked.")
        )
        messages.success(request, done % {"address": address.strip()})
    return redirect("identity:sign_in_blocks")


# --- my account -----------------------------------------------------------------------------


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request, TokenForm())


def _account_page(
    request: HttpRequest,
    token_form: TokenForm,
    issued: IssuedToken | None = None,
    status: int = 200,
    form_token: str = "",
) -> HttpResponse:
    """The account page; ``issued`` is a token just created, whose plaintext is shown this once.
    Its token form carries a one-time form token (``form_token``, a new one if empty)."""
    user = signed_in_user(request)
    context = {
        "memberships": Membership.objects.filter(user=user).select_related("department"),
        "tokens": ApiToken.objects.restrict(user, "view").filter(user=user),
        "token_form": token_form,
        "issued": issued,
        "form_token": form_tokens.pend(request, form_token),
    }
    return render(request, "identity/account.html", context, status=status)


@never_cache  # the response holds a secret: no cache may keep it
@login_required
@action_view("identity:account")
def token_create(request: HttpRequest) -> HttpResponse:
    """Issue a token and show its plaintext in this response only (never stored, not even in
    the session or a message). A resubmitted form (a reload of that page, Back and submit) is
    refused by its spent one-time form token: no second token is made."""
    form_token = form_tokens.consume(request)
    if form_token is None:
        messages.warning(
            request,
            _(
                "This form was already sent, so it was not carried out again: the token was "
                "shown once, then. If it was not copied, revoke it and create another."
            ),
        )
        return redirect("identity:account")
    form = TokenForm(request.POST)
    issued = submit(
        form,
        lambda data: services.token_create(
            actor=request.user, name=data["name"], expires=data["expires"]
        ),
    )
    if issued is None:  # nothing done: the same form, with the same token, may be sent again
        return _account_page(request, form, status=400, form_token=form_token)
    return _account_page(request, TokenForm(), issued=issued)


@login_required
@action_view("identity:account", keep=())
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.restrict(request.user, "revoke"), pk=pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token %(name)s was revoked.") % {"name": token})
    if token.user_id == request.user.pk:
        return redirect("identity:account")
    return redirect("identity:user_detail", pk=token.user_id)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(post_data(request))

    def change(data: dict[str, Any]) -> bool:
        services.password_change(
            actor=request.user, old_password=data["old_password"], new_password=data["password"]
        )
        return True

    if request.method == "POST" and submit(form, change):
        update_session_auth_hash(request, request.user)  # type: ignore[arg-type]  # stay signed in
        messages.success(request, _("Your password was changed."))
        return redirect("identity:account")
    return render_form_page(
        request,
        form,
        title=_("Change password"),
        crumbs=[Crumb(_("My account"), reverse("identity:account"))],
        cancel_url=reverse("identity:account"),
    )
