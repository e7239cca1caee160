"""Accounts, sign-in with lockout, and API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.core import audit
from govshare.core.crypto import constant_time_equal, sm3_hex
from govshare.core.errors import ErrorCode, ErrorCollector, field_error
from govshare.core.permissions import require
from govshare.identity.models import ApiToken, LoginThrottle

User = get_user_model()
TOKEN_PREFIX = "gs_"
KEY_ID_ALPHABET = string.ascii_letters + string.digits


# --- accounts -------------------------------------------------------------------------------


def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    is_superuser: bool = False,
) -> Any:
    """Create an account (账号); the password is stored as an argon2 hash."""
    require(actor, "add", User)
    errors = ErrorCollector()
    username = (username or "").strip()
    if not username:
        errors.add("username", _("User name is required."), ErrorCode.REQUIRED)
    elif User.objects.filter(username=username).exists():
        errors.add(
            "username", _("User name %(name)s is taken.") % {"name": username}, ErrorCode.DUPLICATE
        )
    candidate = User(username=username, email=email, first_name=full_name)
    _check_password(errors, password, candidate)
    errors.raise_if_any()
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            email=email,
            first_name=full_name,
            is_superuser=is_superuser,
            is_staff=is_superuser,
        )
        audit.record(
            actor=actor,
            action="identity.user.create",
            obj=user,
            after=audit.snapshot(user, exclude=["last_login"]),
        )
    return user


def user_create_with_role(
    *,
    actor: Any,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    department: Any = None,
    role: str = "",
) -> Any:
    """Create an account and, when a department is given, its first role — all or nothing, so
    an account whose role was refused is not left behind."""
    from govshare.orgs.services import membership_add

    with transaction.atomic():
        user = user_create(
            actor=actor, username=username, password=password, full_name=full_name, email=email
        )
        if department is not None:
            membership_add(actor=actor, user=user, department=department, role=role)
    return user


def _check_password(errors: ErrorCollector, password: str, user: Any) -> None:
    try:
        password_validation.validate_password(password or "", user)
    except ValidationError as error:
        for message in error.messages:
            errors.add("password", message, "password_policy")


def user_set_active(*, actor: Any, user: Any, is_active: bool) -> Any:
    """Enable or disable an account (accounts are disabled, never deleted: audit keeps them)."""
    require(actor, "change", user)
    if user.pk == actor.pk and not is_active:
        raise field_error("is_active", _("You cannot disable your own account."), ErrorCode.INVALID)
    with transaction.atomic():
        before = {"is_active": user.is_active}
        user.is_active = is_active
        user.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="identity.user.set_active",
            obj=user,
            before=before,
            after={"is_active": is_active},
        )
    return user


def password_change(*, actor: Any, old_password: str, new_password: str) -> None:
    """A user changes their own password."""
    errors = ErrorCollector()
    if not actor.check_password(old_password or ""):
        errors.add("old_password", _("The current password is wrong."), ErrorCode.INVALID)
    _check_password(errors, new_password, actor)
    errors.raise_if_any()
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        audit.record(actor=actor, action="identity.user.password_change", obj=actor)


# --- sign-in with lockout -------------------------------------------------------------------


def login_locked_until(username: str) -> dt.datetime | None:
    throttle = LoginThrottle.objects.filter(username=username).first()
    if throttle and throttle.locked_until and throttle.locked_until > timezone.now():
        return throttle.locked_until
    return None


def sign_in(*, request: HttpRequest | None, username: str, password: str) -> Any:
    """Check credentials, counting failures; lock the user name after too many in a row.

    Raises a ValidationError with code ``locked`` while locked (even with the right password,
    so guessing cannot go on during the lock) and ``invalid_login`` for bad credentials.
    """
    username = (username or "").strip()
    locked = login_locked_until(username)
    if locked:
        raise ValidationError(
            _("Too many failed sign-ins: this account is locked until %(time)s.")
            % {"time": f"{timezone.localtime(locked):%H:%M}"},
            code=ErrorCode.LOCKED,
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        _record_failure(username)
        raise ValidationError(_("User name or password is wrong."), code="invalid_login")
    LoginThrottle.objects.filter(username=username).delete()
    return user


def _record_failure(username: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(
            username=username[:150]
        )
        throttle.failures += 1
        throttle.last_failure = now
        if throttle.failures >= settings.GOVSHARE_LOGIN_MAX_FAILURES:
            throttle.locked_until = now + dt.timedelta(minutes=settings.GOVSHARE_LOGIN_LOCK_MINUTES)
            throttle.failures = 0
            audit.record(
                actor=None,
                action="identity.login.locked",
                object_type="auth.user",
                object_id=username[:64],
                object_repr=username,
            )
        throttle.save()


# --- API tokens -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str  # shown to the user once, never stored


def token_create(*, actor: Any, name: str, expires: dt.datetime | None = None) -> IssuedToken:
    """Issue a personal API token; only its SM3 hash is kept."""
    require(actor, "add", ApiToken)
    errors = ErrorCollector()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("Name is required."), ErrorCode.REQUIRED)
    if expires is not None and expires <= timezone.now():
        # The clock, not the input, makes it wrong: a conflict (409), as core.api says.
        errors.add("expires", _("Expiry must be in the future."), ErrorCode.CONFLICT)
    errors.raise_if_any()
    key_id = "".join(secrets.choice(KEY_ID_ALPHABET) for _ in range(8))
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name, key_id=key_id, token_hash=sm3_hex(secret), expires=expires
        )
        audit.record(
            actor=actor, action="identity.token.create", obj=token, after=audit.snapshot(token)
        )
    return IssuedToken(token=token, plaintext=f"{TOKEN_PREFIX}{key_id}_{secret}")


def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token at once."""
    require(actor, "revoke", token)
    if token.revoked is not None:
        return token
    with transaction.atomic():
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        audit.record(
            actor=actor, action="identity.token.revoke", obj=token, after={"revoked": token.revoked}
        )
    return token


def token_authenticate(presented: str) -> Any | None:
    """The active user a presented token belongs to, or None."""
    # Printable ASCII only: a NUL byte would reach PostgreSQL as an error, not a miss.
    if (
        not presented.startswith(TOKEN_PREFIX)
        or len(presented) > 200
        or not (presented.isascii() and presented.isprintable())
    ):
        return None
    key_id, _sep, secret = presented[len(TOKEN_PREFIX) :].partition("_")
    token = ApiToken.objects.select_related("user").filter(key_id=key_id).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    if not constant_time_equal(sm3_hex(secret), token.token_hash):
        return None
    now = timezone.now()
    # Touch last_used at most once a minute: a busy client should not write on every call.
    if token.last_used is None or now - token.last_used > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
