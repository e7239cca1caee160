"""Error values of the exchange gateway (网关): a code, an HTTP status and a message per code.

Bodies are ``{"code", "message", "fields"}`` like the rest of the API (CONVENTIONS rule 7).
Messages go through gettext like the rest of the platform: Chinese by default, English for
``Accept-Language: en``. The gateway runs outside Django's request cycle, so the language is
chosen where a body is rendered — only for refusals; an answer with data carries no message.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from govshare.core.text import escaped

MAX_SHOWN_NAME = 100


class GatewayCode(StrEnum):
    NOT_AUTHENTICATED = "not_authenticated"
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    BAD_CREDENTIALS = "bad_credentials"
    CREDENTIAL_REVOKED = "credential_revoked"
    IP_NOT_ALLOWED = "ip_not_allowed"
    NO_GRANT = "no_grant"
    GRANT_SUSPENDED = "grant_suspended"
    GRANT_EXPIRED = "grant_expired"
    GRANT_REVOKED = "grant_revoked"
    GRANT_NOT_YET_VALID = "grant_not_yet_valid"
    MODE_NOT_GRANTED = "mode_not_granted"
    ITEM_NOT_GRANTED = "item_not_granted"
    NOT_FOUND = "not_found"
    RESOURCE_NOT_FOUND = "resource_not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    INVALID = "invalid"
    UNKNOWN_PARAMETER = "unknown_parameter"
    MISSING_KEY = "missing_key"
    BODY_TOO_LARGE = "body_too_large"
    BODY_TIMEOUT = "body_timeout"
    RATE_LIMITED = "rate_limited"
    QUOTA_EXCEEDED = "quota_exceeded"
    UPSTREAM_FAILURE = "upstream_failure"
    UPSTREAM_TIMEOUT = "upstream_timeout"
    DELIVERY_LOG_UNAVAILABLE = "delivery_log_unavailable"
    INTERNAL = "internal_error"


C = GatewayCode

# code → (HTTP status, message)
MESSAGES: dict[GatewayCode, tuple[int, Any]] = {
    C.NOT_AUTHENTICATED: (401, _("An access token is required.")),
    C.TOKEN_INVALID: (401, _("The access token is not valid.")),
    C.TOKEN_EXPIRED: (401, _("The access token has expired.")),
    C.BAD_CREDENTIALS: (401, _("Wrong app key or secret.")),
    C.CREDENTIAL_REVOKED: (401, _("The application credential is revoked.")),
    C.IP_NOT_ALLOWED: (403, _("Calls from this address are not allowed.")),
    C.NO_GRANT: (403, _("This application has no grant on it.")),
    C.GRANT_SUSPENDED: (403, _("The grant is suspended.")),
    C.GRANT_EXPIRED: (403, _("The grant has expired.")),
    C.GRANT_REVOKED: (403, _("The grant is revoked.")),
    C.GRANT_NOT_YET_VALID: (403, _("The grant is not valid yet.")),
    C.MODE_NOT_GRANTED: (403, _("This delivery mode is not granted.")),
    C.ITEM_NOT_GRANTED: (403, _("An item asked for is not granted.")),
    C.NOT_FOUND: (404, _("No such endpoint.")),
    C.RESOURCE_NOT_FOUND: (404, _("No such published, mounted resource.")),
    C.METHOD_NOT_ALLOWED: (405, _("Method not allowed.")),
    C.INVALID: (422, _("Invalid parameters.")),
    C.UNKNOWN_PARAMETER: (422, _("Unknown parameters.")),
    C.MISSING_KEY: (422, _("Give at least one key item to look up by.")),
    C.BODY_TOO_LARGE: (413, _("The request body is too large.")),
    C.BODY_TIMEOUT: (408, _("The request body did not arrive in time.")),
    C.RATE_LIMITED: (429, _("Too many calls per minute.")),
    C.QUOTA_EXCEEDED: (429, _("The daily quota is used up.")),
    C.UPSTREAM_FAILURE: (502, _("The upstream service failed.")),
    C.UPSTREAM_TIMEOUT: (504, _("The upstream service timed out.")),
    C.DELIVERY_LOG_UNAVAILABLE: (
        503,
        _("The delivery log cannot be written; the gateway is not serving."),
    ),
    C.INTERNAL: (500, _("Internal gateway error.")),
}

# Field-level messages by rule; "%s" takes the detail.
FIELD_MESSAGES: dict[str, Any] = {
    "unknown": _("Unknown parameter."),
    "not_granted": _("This item is not granted."),
    "unknown_item": _("The resource has no such item."),
    "too_long": _("Value too long (at most %s characters)."),
    "too_many": _("Too many values (at most %s)."),
    "integer": _("Must be an integer from 0 to %s."),
    "required": _("Required."),
    "not_text": _("Must be text."),
    "bad_characters": _("Contains control characters or unpaired surrogates."),
    "too_deep": _("Nested too deeply (at most %s levels)."),
    "bad_body": _("The body must be a JSON object or a form."),
    "not_key": _("Not a key item of this resource."),
    "bad_header": _("Invalid header."),
    "format": _("Wrong format (%s)."),
    "text": "%s",  # a message written elsewhere (a connector's), already translated
}


class GatewayError(Exception):
    """An answer other than success; ``fields`` maps a parameter to a message rule."""

    def __init__(
        self,
        code: GatewayCode,
        fields: Mapping[str, tuple[str, Any] | str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(code.value)
        self.code = code
        self.status = MESSAGES[code][0]
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})


def wants_english(accept_language: str) -> bool:
    """True when the caller's first language is English (default: Chinese)."""
    first = accept_language.split(",", 1)[0].strip().lower()
    return first.startswith("en")


def error_body(error: GatewayError, english: bool) -> dict[str, Any]:
    with translation.override("en" if english else settings.LANGUAGE_CODE):
        fields: dict[str, str] = {}
        for name, rule in error.fields.items():
            key, detail = (rule, None) if isinstance(rule, str) else rule
            text = str(FIELD_MESSAGES[key])
            # A name may be the caller's own: escaped, so the body renders whatever was sent.
            fields[escaped(name, MAX_SHOWN_NAME)] = text % detail if detail is not None else text
        message = str(MESSAGES[error.code][1])
    if fields:
        message = f"{message} {'; '.join(fields)}" if english else f"{message}{'、'.join(fields)}"
    return {"code": error.code.value, "message": message, "fields": fields}
