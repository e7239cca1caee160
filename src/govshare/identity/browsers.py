"""Known browsers (已登录过的浏览器): a browser that signed in to an account before.

Issue #11 item 5. Each successful sign-in gives the browser a signed, HttpOnly cookie naming the
accounts it signed in to, each with a random browser id. Such a browser is the owner's second
check: it signs in with the right password while the account is guarded against a distributed
guess, and a lock of its address does not hold it (its own failures count per browser id). It
works with nothing installed or configured, which an offline intranet needs.

The cookie holds no user name (an HMAC of it) and nothing secret: forging it needs SECRET_KEY,
and it never replaces the password.
"""

from __future__ import annotations

import json
import secrets
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

COOKIE_NAME = "govshare_known_browser"
SALT = "govshare.identity.known_browser"
# A workstation shared by a few colleagues stays known to each of them.
MAX_ACCOUNTS = 5

# account tag -> (browser id, when it last signed in as that account, epoch seconds)
Entries = dict[str, tuple[str, int]]


def known_browser(request: HttpRequest | None, username: str) -> str:
    """The browser's id for ``username`` if it signed in as that account lately, else ''."""
    entry = _entries(request).get(_tag(username))
    return entry[0] if entry else ""


def remember_browser(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a successful sign-in: keep (or make) this browser's id for the account."""
    entries = _entries(request)
    tag = _tag(username)
    browser_id = entries[tag][0] if tag in entries else secrets.token_urlsafe(12)
    entries[tag] = (browser_id, int(time.time()))
    newest = dict(sorted(entries.items(), key=lambda item: item[1][1])[-MAX_ACCOUNTS:])
    response.set_signed_cookie(
        COOKIE_NAME,
        json.dumps(newest, separators=(",", ":")),
        salt=SALT,
        max_age=_max_age(),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
    )


def _entries(request: HttpRequest | None) -> Entries:
    if request is None:
        return {}
    raw = request.get_signed_cookie(COOKIE_NAME, default=None, salt=SALT, max_age=_max_age())
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    oldest = time.time() - _max_age()
    return {
        tag: (value[0], value[1])
        for tag, value in (data.items() if isinstance(data, dict) else [])
        if _well_formed(value) and value[1] > oldest
    }


def _well_formed(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and len(value[0]) <= 32
        and isinstance(value[1], int)
    )


def _tag(username: str) -> str:
    return salted_hmac(SALT, username).hexdigest()[:20]


def _max_age() -> int:
    return settings.GOVSHARE_LOGIN_KNOWN_BROWSER_DAYS * 86400
