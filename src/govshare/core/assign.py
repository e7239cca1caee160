"""Copying submitted values onto a model instance, as every service's first step."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from govshare.core.errors import ErrorCode


def assign(instance: Any, data: Mapping[str, Any], allowed: Collection[str]) -> Any:
    """Set ``data`` on ``instance``, text stripped; every unknown field is named at once
    (a misspelt field is an error, never silently dropped)."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(
            {
                name: ValidationError(_("Unknown field."), code=ErrorCode.INVALID)
                for name in sorted(unknown)
            }
        )
    for name, value in data.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)
    return instance
