"""Accounts, sign-in with its throttle and second check, and API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass
from typing import Any, NoReturn

from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.core.actors import Actor, Person, person_of
from govshare.core.crypto import constant_time_equal, sm3_hex
from govshare.core.errors import ErrorCode, ErrorCollector, field_error
from govshare.core.evidence import audit
from govshare.core.permissions import open_to_anyone, require
from govshare.core.web.client_ip import client_ip
from govshare.identity import browsers, second_check, throttle
from govshare.identity.choices import ThrottleScope
from govshare.identity.errors import IdentityCode
from govshare.identity.models import ApiToken, LoginThrottle
from govshare.identity.throttle import ThrottleKey
from govshare.orgs.services import membership_add

User = get_user_model()
TOKEN_PREFIX = "gs_"
KEY_ID_ALPHABET = string.ascii_letters + string.digits


# --- accounts -------------------------------------------------------------------------------


# Django's rule for user names (letters, digits and @ . + - _), applied wherever an account is
# created — the form, the API, the import, the CLI all go through user_create (issue #12: "a b!"
# was accepted).
USERNAME_RULE = User.username_validator.message


def _is_valid_username(username: str) -> bool:
    try:
        User.username_validator(username)
    except ValidationError:
        return False
    return True


def user_create(
    *,
    actor: Actor,
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
    elif not _is_valid_username(username):
        errors.add("username", str(USERNAME_RULE), ErrorCode.INVALID)
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
    actor: Actor,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    department: Any = None,
    role: str = "",
) -> Any:
    """Create an account and, when a department is given, its first role — all or nothing, so
    an account whose role was refused is not left behind."""
    with transaction.atomic():
        user = user_create(
            actor=actor, username=username, password=password, full_name=full_name, email=email
        )
        if department is not None:
            membership_add(actor=actor, user=user, department=department, role=role)
    return user


def _check_password(errors: ErrorCollector, password: str, user: Person | None) -> None:
    try:
        password_validation.validate_password(password or "", user)
    except ValidationError as error:
        for message in error.messages:
            errors.add("password", message, IdentityCode.PASSWORD_POLICY)


def user_set_active(*, actor: Actor, user: Person, is_active: bool) -> Person:
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


def password_change(*, actor: Actor, old_password: str, new_password: str) -> None:
    """A user changes their own password, proving the current one."""
    person = person_of(actor)
    if person is None:  # only a signed-in person has a password of their own
        raise PermissionDenied("password_change")
    errors = ErrorCollector()
    if not person.check_password(old_password or ""):
        errors.add("old_password", _("The current password is wrong."), ErrorCode.INVALID)
    _check_password(errors, new_password, person)
    errors.raise_if_any()
    with transaction.atomic():
        person.set_password(new_password)
        person.save(update_fields=["password"])
        audit.record(actor=person, action="identity.user.password_change", obj=person)


# --- sign-in with throttling (issue #11 item 5: identity/throttle.py) ------------------------


class SecondCheckNeeded(Exception):
    """The account is guarded and the browser unknown: a challenge for the second check is open
    in the browser's session (identity/second_check.py), whether the password was right or not."""


@dataclass(frozen=True)
class Attempt:
    """A sign-in: which user name, from which address, in which known browser (or none)."""

    username: str
    address: str
    browser: str

    @classmethod
    def of(cls, request: HttpRequest | None, username: str) -> Attempt:
        username = (username or "").strip()[:150]
        address = throttle.address_of(client_ip(request)) if request is not None else ""
        return cls(username, address, browsers.known_browser(request, username))

    def pair_key(self) -> ThrottleKey:
        return ThrottleKey(ThrottleScope.PAIR, username=self.username, address=self.address)

    def address_key(self) -> ThrottleKey:
        return ThrottleKey(ThrottleScope.ADDRESS, address=self.address)

    def account_key(self) -> ThrottleKey:
        return ThrottleKey(ThrottleScope.ACCOUNT, username=self.username)

    def browser_key(self) -> ThrottleKey:
        return ThrottleKey(ThrottleScope.BROWSER, username=self.username, browser=self.browser)


@open_to_anyone("signing in establishes who the caller is")
def sign_in(*, request: HttpRequest | None, username: str, password: str) -> Any:
    """Check a password and return the user, counting failures per scope.

    Raises ValidationError with an IdentityCode (a lock: ErrorCode.LOCKED): ``invalid_login`` for
    bad credentials;
    ``locked`` or ``address_blocked`` while a lock holds (checked before the password, so the
    answer says nothing about it); ``second_check`` while the account is guarded and no second
    check can be asked here. Raises SecondCheckNeeded when a code may have been e-mailed.
    """
    attempt = Attempt.of(request, username)
    if attempt.browser:
        return _sign_in_known_browser(request, attempt, password)
    _refuse_while_locked(attempt)
    user = authenticate(request, username=attempt.username, password=password)
    guarded = throttle.locked_until(attempt.account_key())
    if guarded:
        _ask_second_check(request, attempt, user, guarded)
    if user is None:
        _count_failure(attempt)
        raise ValidationError(_("User name or password is wrong."), code=IdentityCode.INVALID_LOGIN)
    throttle.clear(attempt.pair_key())
    return user


def _sign_in_known_browser(request: HttpRequest | None, attempt: Attempt, password: str) -> Any:
    # A browser that signed in to the account before is its owner's: the locks of the address and
    # the guard of the account do not hold it, and its failures count on it alone.
    key = attempt.browser_key()
    locked = throttle.locked_until(key)
    if locked:
        raise ValidationError(
            _(
                "Too many failed sign-ins for this account in this browser: try again after "
                "%(time)s, or ask an administrator to unlock the account."
            )
            % {"time": _clock(locked)},
            code=ErrorCode.LOCKED,
        )
    user = authenticate(request, username=attempt.username, password=password)
    if user is None:
        throttle.count_failure(key)
        raise ValidationError(_("User name or password is wrong."), code=IdentityCode.INVALID_LOGIN)
    throttle.clear(key)
    return user


def _refuse_while_locked(attempt: Attempt) -> None:
    blocked = throttle.locked_until(attempt.address_key())
    if blocked:
        raise ValidationError(
            _(
                "Too many failed sign-ins from this address: signing in from it is blocked "
                "until %(time)s, unless an administrator clears the block sooner."
            )
            % {"time": _clock(blocked)},
            code=IdentityCode.ADDRESS_BLOCKED,
        )
    locked = throttle.locked_until(attempt.pair_key())
    if locked:
        raise ValidationError(
            _(
                "Too many failed sign-ins for this account from this address: try again after "
                "%(time)s, or ask an administrator to unlock the account."
            )
            % {"time": _clock(locked)},
            code=ErrorCode.LOCKED,
        )


def _count_failure(attempt: Attempt) -> None:
    # One transaction, rows always taken in this order: concurrent failures queue, never deadlock.
    with transaction.atomic():
        for key in (attempt.pair_key(), attempt.address_key(), attempt.account_key()):
            throttle.count_failure(key)


def _ask_second_check(
    request: HttpRequest | None, attempt: Attempt, user: Person | None, guarded: dt.datetime
) -> NoReturn:
    """Raise: the guarded account asks this unknown browser for a second check."""
    # Every attempt counts while the account is guarded, the right password too: were only wrong
    # ones counted, a guesser would tell a right password by its never locking his address.
    _count_failure(attempt)
    if request is None or not second_check.email_codes_enabled():
        raise ValidationError(
            _(
                "After many failed sign-ins from other addresses, this account can be signed "
                "in to only from a browser that has signed in to it before, until %(time)s or "
                "until an administrator unlocks it."
            )
            % {"time": _clock(guarded)},
            code=IdentityCode.SECOND_CHECK,
        )
    with transaction.atomic():
        second_check.challenge_start(request, attempt.username, user)
    raise SecondCheckNeeded


@open_to_anyone("the second check of signing in establishes who the caller is")
def sign_in_second_check(*, request: HttpRequest, code: str) -> Any:
    """Finish a guarded sign-in with the code e-mailed to the account; return the user.

    Raises ValidationError ``code_invalid`` for a wrong or expired code (counted as a failed
    sign-in; after CODE_ATTEMPTS the challenge ends and the password must be given again), and
    the throttle's own errors while a lock holds.
    """
    challenge = second_check.challenge_of(request)
    if challenge is None:
        raise ValidationError(_("Sign in again."), code=IdentityCode.CODE_INVALID)
    attempt = Attempt.of(request, challenge.username)
    _refuse_while_locked(attempt)
    user = None
    if challenge.user_id is not None:
        user = User.objects.filter(pk=challenge.user_id, is_active=True).first()
    if user is None or not second_check.code_passes(challenge, code):
        _count_failure(attempt)
        _spend_code_attempt(request, challenge)
    second_check.challenge_end(request)
    throttle.clear(attempt.pair_key())
    with transaction.atomic():
        audit.record(
            actor=user,
            action="identity.login.second_check",
            obj=user,
            after={"method": "email_code"},
        )
    return user


def _spend_code_attempt(request: HttpRequest, challenge: second_check.Challenge) -> NoReturn:
    """Raise for a wrong code, ending the challenge once it has had its attempts."""
    challenge.attempts += 1
    if challenge.attempts < second_check.CODE_ATTEMPTS and not challenge.is_expired:
        second_check.challenge_save(request, challenge)
        raise ValidationError(
            _("The code is wrong or has expired."), code=IdentityCode.CODE_INVALID
        )
    second_check.challenge_end(request)
    raise ValidationError(
        _("The code is wrong or has expired: sign in again to have a new one sent."),
        code=IdentityCode.CODE_INVALID,
    )


def _clock(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


# --- lifting sign-in locks (an administrator's task) -----------------------------------------


def login_unlock(*, actor: Actor, user: Person) -> int:
    """End an account's sign-in locks (解除登录锁定): from every address, in every browser, and
    the guard that asks for a second check; their counts start again. Returns the locks ended."""
    require(actor, "unlock", user)
    with transaction.atomic():
        rows = LoginThrottle.objects.select_for_update().filter(
            username=user.get_username(),
            scope__in=[ThrottleScope.PAIR, ThrottleScope.BROWSER, ThrottleScope.ACCOUNT],
        )
        found = list(rows)
        if not found:
            return 0
        rows.delete()
        audit.record(
            actor=actor,
            action="identity.login.unlock",
            obj=user,
            before={"throttles": [_throttle_snapshot(row) for row in found]},
        )
    return sum(row.is_locked for row in found)


def address_unblock(*, actor: Actor, address: str) -> bool:
    """Clear the block of an address (解除地址封禁) and its count. False if it had none."""
    require(actor, "unlock", LoginThrottle)
    address = (address or "").strip()
    if throttle.parse_throttle_address(address) is None:
        raise field_error(
            "address",
            _("Enter an IP address, or an IPv6 network as listed."),
            ErrorCode.INVALID,
        )
    with transaction.atomic():
        row = (
            LoginThrottle.objects.select_for_update()
            .filter(scope=ThrottleScope.ADDRESS, address=throttle.parse_throttle_address(address))
            .first()
        )
        if row is None:
            return False
        before = _throttle_snapshot(row)
        row.delete()
        audit.record(
            actor=actor,
            action="identity.login.address_unblock",
            object_type=audit.object_type_of(LoginThrottle),
            object_id=str(before["id"]),
            object_repr=row.address,
            before=before,
        )
    return True


def _throttle_snapshot(row: LoginThrottle) -> dict[str, Any]:
    return audit.snapshot(row, exclude=["browser"])


# --- API tokens -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str  # shown to the user once, never stored


def token_create(*, actor: Actor, name: str, expires: dt.datetime | None = None) -> IssuedToken:
    """Issue a personal API token; only its SM3 hash is kept."""
    require(actor, "add", ApiToken)
    owner = person_of(actor)
    if owner is None:  # a token is a person's: the platform itself holds none
        raise PermissionDenied("add")
    errors = ErrorCollector()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("Name is required."), ErrorCode.REQUIRED)
    if expires is not None and expires <= timezone.now():
        # The clock, not the input, makes it wrong: a conflict (409), as core.web.api says.
        errors.add("expires", _("Expiry must be in the future."), ErrorCode.CONFLICT)
    errors.raise_if_any()
    key_id = "".join(secrets.choice(KEY_ID_ALPHABET) for _ in range(8))
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=owner, name=name, key_id=key_id, token_hash=sm3_hex(secret), expires=expires
        )
        audit.record(
            actor=actor, action="identity.token.create", obj=token, after=audit.snapshot(token)
        )
    return IssuedToken(token=token, plaintext=f"{TOKEN_PREFIX}{key_id}_{secret}")


def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
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


@open_to_anyone("reading an API token establishes who the caller is")
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
