"""Error values shared by services, the UI and the API.

Services raise Django's ``ValidationError`` with a field → message mapping and a ``code`` per
message; the API turns it into ``{"code", "message", "fields"}`` and forms show it on the field.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import ValidationError

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


# Codes that mean "the request clashes with existing state (or today's date)" rather than "the
# input is malformed"; the API answers them 409. A package declares its own with conflict_code.
CONFLICT_CODES: set[str] = {ErrorCode.DUPLICATE, ErrorCode.CONFLICT, ErrorCode.LOCKED}


def conflict_code(code: str) -> str:
    """Declare ``code`` a state conflict (see CONFLICT_CODES); returns it."""
    CONFLICT_CODES.add(code)
    return code


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
