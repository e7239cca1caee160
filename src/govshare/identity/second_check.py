"""The second check (第二重验证) a guarded account asks of a browser it does not know.

Issue #11 item 5: after many failed sign-ins for one user name from many addresses, the right
password alone no longer signs in from an unknown browser; the account is not locked either.
What passes, and why these:

- a known browser (identity/browsers.py): needs nothing installed or configured, so it works on
  every offline intranet, and the owner at his own desk never sees a step;
- a one-time code e-mailed to the account's address, when the node has a mail server
  (EMAIL_HOST): intranets run their own (政务邮箱), none needs the Internet;
- issue #18 adds TOTP and WebAuthn here: ``challenge_start`` offers them to an account with a
  confirmed device and the check step verifies them as it verifies the code;
- and an administrator's unlock ends the guard (services.login_unlock).

The challenge lives in the server-side session of the browser that asked. One is opened for a
wrong password too, only no code is sent and none can pass: the page never tells a guesser
whether the password was right.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from govshare.core.actors import Person
from govshare.core.evidence import audit
from govshare.orgs.selectors import node_name

SESSION_KEY = "identity.second_check"
SALT = "govshare.identity.sign_in_code"
# Wrong codes one challenge takes before the password must be given again (each also counts as
# a failed sign-in, so the throttle bounds guessing across challenges).
CODE_ATTEMPTS = 5
CODE_DIGITS = 6

logger = logging.getLogger(__name__)


@dataclass
class Challenge:
    """A sign-in waiting for its second check (the password part is done)."""

    username: str
    user_id: int | None  # None when the password was wrong: nothing can pass
    code_mac: str  # HMAC of the e-mailed code; empty when none was sent
    expires: float  # epoch seconds
    attempts: int = 0

    @property
    def is_expired(self) -> bool:
        return time.time() > self.expires


def email_codes_enabled() -> bool:
    """Whether the node can e-mail sign-in codes (a mail server is configured)."""
    return bool(settings.EMAIL_HOST)


def challenge_start(request: HttpRequest, username: str, user: Person | None) -> Challenge:
    """Open the browser's challenge for ``username``; when ``user`` is given (the password was
    right) and has an e-mail address, a new code is mailed to it once the transaction commits."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    recipient = user if user is not None and user.email else None
    challenge = Challenge(
        username=username,
        user_id=recipient.pk if recipient is not None else None,
        code_mac=_mac(username, code) if recipient is not None else "",
        expires=time.time() + settings.GOVSHARE_LOGIN_CODE_MINUTES * 60,
    )
    challenge_save(request, challenge)
    # Recorded alike either way, so a right password costs the answer no extra write.
    audit.record(
        actor=None,
        action="identity.login.second_check_asked",
        object_type="auth.user",
        object_id=str(recipient.pk) if recipient is not None else "",
        object_repr=username,
        after={"code_sent": recipient is not None},
    )
    if recipient is not None:
        _send_code(recipient, code)
    return challenge


def challenge_of(request: HttpRequest) -> Challenge | None:
    data = request.session.get(SESSION_KEY)
    return Challenge(**data) if isinstance(data, dict) else None


def challenge_save(request: HttpRequest, challenge: Challenge) -> None:
    request.session[SESSION_KEY] = asdict(challenge)


def challenge_end(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def code_passes(challenge: Challenge, code: str) -> bool:
    """Whether ``code`` is the challenge's e-mailed code, still valid."""
    if challenge.user_id is None or not challenge.code_mac or challenge.is_expired:
        return False
    return constant_time_compare(challenge.code_mac, _mac(challenge.username, code.strip()))


def _mac(username: str, code: str) -> str:
    return salted_hmac(SALT, f"{username}\n{code}").hexdigest()


def _send_code(user: Person, code: str) -> None:
    """Mail the code after commit, on a thread of its own: the answer takes no longer when the
    password was right (a guesser could time it), and a slow mail server holds up no page."""
    minutes = settings.GOVSHARE_LOGIN_CODE_MINUTES
    message = EmailMessage(
        subject=_("Sign-in code for %(node)s") % {"node": node_name()},
        body=_(
            "Your sign-in code is %(code)s. It is valid for %(minutes)d minutes.\n\n"
            "It was asked for because someone signed in to your account %(username)s with the "
            "right password from a browser it does not know, after many failed sign-ins from "
            "other addresses. If that was not you, your password is known to someone else: "
            "change it and tell the platform's administrator."
        )
        % {"code": code, "minutes": minutes, "username": user.get_username()},
        to=[user.email],
    )
    transaction.on_commit(lambda: threading.Thread(target=_deliver, args=[message]).start())


def _deliver(message: EmailMessage) -> None:
    try:
        message.send()
    except Exception:  # a thread's exception would vanish: the log shows why no code came
        logger.exception("the sign-in code to %s could not be sent", message.to)
