"""State machines as data: one check for every ``ALLOWED_TRANSITIONS`` table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from govshare.core.errors import ErrorCode, field_error

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def check_transition(
    table: Mapping[str, frozenset[str]],
    current: str,
    target: str,
    labels: Mapping[str, StrOrPromise] | None = None,
    field: str = "status",
) -> None:
    """Raise a conflict naming both states unless ``current → target`` is in ``table``."""
    if target in table.get(current, frozenset()):
        return
    names = labels or {}
    raise field_error(
        field,
        _("Cannot go from “%(current)s” to “%(target)s”.")
        % {"current": names.get(current, current), "target": names.get(target, target)},
        ErrorCode.CONFLICT,
    )
