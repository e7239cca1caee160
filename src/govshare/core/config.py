"""Configurable rules (可配置规则): parameters declared in code with a default, changed in the
database by platform administrators, read anywhere with ``param(key)``.

Each module declares its parameters at import time (in its ``config.py`` or ``apps.ready``), so
the settings page lists exactly the parameters of the modules that exist.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from govshare.core.actors import Actor, person_of
from govshare.core.errors import ErrorCode, field_error
from govshare.core.evidence import audit
from govshare.core.models import ConfigParam
from govshare.core.permissions import require


@dataclass(frozen=True)
class ParamSpec:
    """A declared parameter: its type bounds the values an administrator may set."""

    key: str
    default: int | float | str | bool
    label: Any
    help_text: Any = ""
    minimum: float | None = None
    maximum: float | None = None
    section: Any = ""


_specs: dict[str, ParamSpec] = {}


def declare(spec: ParamSpec) -> ParamSpec:
    _specs[spec.key] = spec
    return spec


def specs() -> list[ParamSpec]:
    return sorted(_specs.values(), key=lambda spec: (str(spec.section), spec.key))


def param(key: str) -> Any:
    """The current value of a declared parameter."""
    spec = _specs[key]
    stored = ConfigParam.objects.filter(key=key).values_list("value", flat=True).first()
    return spec.default if stored is None else stored


def param_values() -> dict[str, Any]:
    stored = dict(ConfigParam.objects.values_list("key", "value"))
    return {spec.key: stored.get(spec.key, spec.default) for spec in specs()}


# The spellings of yes and no a form or an API caller may send. Anything else is a mistake to
# report, not a silent False ("maybe", "ture", an empty value).
TRUE_WORDS = frozenset({"true", "1", "on", "yes"})
FALSE_WORDS = frozenset({"false", "0", "off", "no"})


def coerce(spec: ParamSpec, raw: Any) -> Any:
    """Convert ``raw`` to the parameter's type and check its bounds, or raise naming the key."""
    kind = type(spec.default)
    if kind is bool:
        return _coerce_bool(spec, raw)
    try:
        value: Any = kind(raw)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(float("inf"))
        raise _wrong_type(spec) from None
    if kind is float and not math.isfinite(value):
        # NaN passes every bounds check (its comparisons are all false) and is no JSON value.
        raise _wrong_type(spec)
    if kind in (int, float):
        _check_bounds(spec, value)
    return value


def _coerce_bool(spec: ParamSpec, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise field_error(spec.key, _("Enter true or false."), ErrorCode.INVALID)


def _wrong_type(spec: ParamSpec) -> ValidationError:
    return field_error(spec.key, _("Enter a value of the right type."), ErrorCode.INVALID)


def _check_bounds(spec: ParamSpec, value: float) -> None:
    if spec.minimum is not None and value < spec.minimum:
        raise field_error(
            spec.key, _("Must be at least %(min)s.") % {"min": spec.minimum}, ErrorCode.INVALID
        )
    if spec.maximum is not None and value > spec.maximum:
        raise field_error(
            spec.key, _("Must be at most %(max)s.") % {"max": spec.maximum}, ErrorCode.INVALID
        )


def param_set(*, actor: Actor, key: str, value: Any) -> Any:
    """Change a parameter (platform administrators); audited with the old and new value."""
    require(actor, "change", ConfigParam)
    if key not in _specs:
        raise field_error("key", _("Unknown setting."), ErrorCode.NOT_FOUND)
    new_value = coerce(_specs[key], value)
    with transaction.atomic():
        old_value = param(key)
        row, _created = ConfigParam.objects.update_or_create(
            key=key,
            defaults={
                "value": new_value,
                "updated_by": person_of(actor),
            },
        )
        audit.record(
            actor=actor,
            action="core.config.set",
            obj=row,
            before={"value": old_value},
            after={"value": new_value},
        )
    return new_value
