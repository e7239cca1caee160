"""Error values shared by services, the UI and the API.

Services raise Django's ``ValidationError`` with a field → message mapping and a ``code`` per
message; the API turns it into ``{"code", "message", "fields"}`` and forms show it on the field.

Every code is a member of an error-code enum (CONVENTIONS rule 7): ``ErrorCode`` here for what
any package may say, and one enum per domain package for its own rules (``CatalogCode``,
``InventoryCode``, …), each registered with its rule in words from the package's
``AppConfig.ready()``. Core names no domain package, so the domains' codes cannot be members of
a core enum; the registry is how a page shows a code's words without importing the domain. A
page never shows a code itself: ``error_message`` gives the words, or a general phrase.
tests/test_error_codes.py holds every code raised in the source to this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from govshare.core.text import join_sentences


class ErrorCode(StrEnum):
    INVALID = "invalid"
    REQUIRED = "required"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    NOT_AUTHENTICATED = "not_authenticated"
    LOCKED = "locked"
    TOO_LARGE = "too_large"  # an uploaded file past its size limit
    OTHER_DEPARTMENT = "other_department"  # a row or object of a department not the actor's


# Codes that mean "the request clashes with existing state (or today's date)" rather than "the
# input is malformed"; the API answers them 409. A package declares its own when it registers.
CONFLICT_CODES: set[str] = {
    ErrorCode.DUPLICATE,
    ErrorCode.CONFLICT,
    ErrorCode.LOCKED,
    ErrorCode.OTHER_DEPARTMENT,  # stored as another department's: the actor may not change it
}

# code → the rule it names, in words (a lazy gettext: English msgid, Chinese by default).
ERROR_MESSAGES: dict[str, str | Promise] = {}
ERROR_ENUMS: list[type[StrEnum]] = []
OTHER_MESSAGE = gettext_lazy("A rule of this column (see the problem)")


def register_error_codes(
    codes: type[StrEnum],
    messages: Mapping[str, str | Promise],
    conflicts: Iterable[str] = (),
) -> None:
    """Declare an error-code enum: every member with its rule in words; ``conflicts`` are the
    members the API answers 409. One code means one rule platform-wide: a value registered
    twice with other words is refused."""
    missing = [code for code in codes if code not in messages]
    if missing:
        raise ImproperlyConfigured(f"{codes.__name__}: no words for {missing}")
    for code in codes:
        known = ERROR_MESSAGES.get(code)
        if known is not None and known != messages[code]:
            raise ImproperlyConfigured(f"error code {code!r} registered with other words")
        ERROR_MESSAGES[str(code)] = messages[code]
    CONFLICT_CODES.update(conflicts)
    if codes not in ERROR_ENUMS:
        ERROR_ENUMS.append(codes)


def error_message(code: str) -> str | Promise:
    """The rule ``code`` names, in words; never the code itself."""
    return ERROR_MESSAGES.get(code, OTHER_MESSAGE)


ERROR_CODE_MESSAGES: dict[str, str | Promise] = {
    ErrorCode.INVALID: gettext_lazy("A value of the column's kind"),
    ErrorCode.REQUIRED: gettext_lazy("Required"),
    ErrorCode.DUPLICATE: gettext_lazy("Unique"),
    ErrorCode.CONFLICT: gettext_lazy("Consistent with the records and today's date"),
    ErrorCode.NOT_FOUND: gettext_lazy("An object that exists and that you may see"),
    ErrorCode.PERMISSION_DENIED: gettext_lazy("Permission for this action"),
    ErrorCode.NOT_AUTHENTICATED: gettext_lazy("Signed in"),
    ErrorCode.LOCKED: gettext_lazy("Not locked at the moment"),
    ErrorCode.TOO_LARGE: gettext_lazy("A file within the size limit"),
    ErrorCode.OTHER_DEPARTMENT: gettext_lazy("A row of your own department"),
}


class ApiErrorCode(StrEnum):
    """Error codes that only the API produces (the rest are ``ErrorCode``)."""

    BAD_REQUEST = "bad_request"
    BODY_TOO_LARGE = "body_too_large"
    BODY_TOO_DEEP = "body_too_deep"
    CSRF_FAILED = "csrf_failed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    THROTTLED = "throttled"


API_ERROR_MESSAGES: dict[str, str | Promise] = {
    ApiErrorCode.BAD_REQUEST: gettext_lazy("A request the server can read"),
    ApiErrorCode.BODY_TOO_LARGE: gettext_lazy("A body within the size limit"),
    ApiErrorCode.BODY_TOO_DEEP: gettext_lazy("A body nested within the depth limit"),
    ApiErrorCode.CSRF_FAILED: gettext_lazy("The page's CSRF token"),
    ApiErrorCode.METHOD_NOT_ALLOWED: gettext_lazy("A method the path answers"),
    ApiErrorCode.THROTTLED: gettext_lazy("Within the request rate"),
}


def field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def error_codes(error: ValidationError) -> list[str]:
    """The code of every message in ``error``, in order."""
    items = [i for errors in getattr(error, "error_dict", {}).values() for i in errors]
    return [item.code or ErrorCode.INVALID for item in items or error.error_list]


def error_payload(error: ValidationError) -> tuple[str, str, dict[str, list[str]]]:
    """(code, message, fields) for an API body; the first error's code names the whole."""
    fields: dict[str, list[str]] = {}
    codes: list[str] = []
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                fields.setdefault(field, []).extend(item.messages)
                codes.append(item.code or ErrorCode.INVALID)
    else:
        fields["__all__"] = list(error.messages)
        codes.extend(item.code or ErrorCode.INVALID for item in error.error_list)
    message = join_sentences(msg for msgs in fields.values() for msg in msgs)
    return (codes[0] if codes else ErrorCode.INVALID), message, fields


class ErrorCollector:
    """Gathers every field error of one validation so they are reported together."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: str, code: str) -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def absorb(self, error: ValidationError) -> None:
        """Take in the field errors of a ValidationError raised by a validator."""
        for field, errors in error.error_dict.items():
            self.errors.setdefault(field, []).extend(errors)

    def absorb_collector(self, other: ErrorCollector) -> None:
        for field, errors in other.errors.items():
            self.errors.setdefault(field, []).extend(errors)

    def check(self, func: object, *args: object, **kwargs: object) -> object:
        """Call a validator; on ValidationError keep its errors and return None."""
        try:
            return func(*args, **kwargs)  # type: ignore[operator]
        except ValidationError as error:
            self.absorb(error)
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
