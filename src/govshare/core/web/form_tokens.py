"""One-time form tokens (synchronizer tokens) for POSTs that must not run twice.

A page whose response to a POST shows a secret once (a new credential, a rotated secret, a new
API token) cannot redirect after the POST without storing the secret somewhere. Instead, the
form carries a token the session remembers as pending; the POST consumes it, and a POST whose
token is missing or already consumed — a reload of the secret page, Back and submit again — is
refused by the view and does nothing. The session keeps only the pending tokens, never a secret.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest

FIELD = "form_token"
SESSION_KEY = "govshare_form_tokens"
# Pages rendered and not yet submitted (other tabs, Back): the oldest are dropped past this, and
# a form sent with a dropped token is refused like a replay — the user reloads and sends again.
MAX_PENDING = 32


def pend(request: HttpRequest, token: str = "") -> str:
    """Remember ``token`` (a new one if empty) as pending in the session, and return it."""
    token = token or secrets.token_urlsafe(16)
    pending = [kept for kept in request.session.get(SESSION_KEY, []) if kept != token]
    request.session[SESSION_KEY] = [*pending, token][-MAX_PENDING:]
    return token


def consume(request: HttpRequest) -> str | None:
    """The POST's form token, now consumed; None if it is missing or was consumed (a replay)."""
    token = request.POST.get(FIELD, "")
    pending = request.session.get(SESSION_KEY, [])
    if not token or token not in pending:
        return None
    request.session[SESSION_KEY] = [kept for kept in pending if kept != token]
    # Saved now, not when the response leaves: a second submission (double click) arriving
    # while this one is still working finds the token gone. The session is not locked, so two
    # that read it in the same instant could still both pass; a narrow window, not a guarantee.
    request.session.save()
    return token
