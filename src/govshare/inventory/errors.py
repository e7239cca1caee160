"""The inventory's error codes (CONVENTIONS rule 7), each with the rule it names in words: the
census import's 规则 column and any page show the words, never the code. Registered with
core.errors when the inventory app is ready."""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


class InventoryCode(StrEnum):
    SECRET_NOT_SHARED = "secret_not_shared"
    SECRET_NOT_INTEGRATED = "secret_not_integrated"
    PROBE_TARGET = "probe_target"
    INACTIVE_UNIT = "inactive_unit"
    NOT_RESPONSIBLE = "not_responsible"
    FUTURE_MONTH = "future_month"
    MONTH_CLOSED = "month_closed"


MESSAGES: dict[str, str | Promise] = {
    InventoryCode.SECRET_NOT_SHARED: gettext_lazy("A classified system stays out of sharing"),
    InventoryCode.SECRET_NOT_INTEGRATED: gettext_lazy(
        "A classified system stays out of integration"
    ),
    InventoryCode.PROBE_TARGET: gettext_lazy("A health-check address the platform may call"),
    InventoryCode.INACTIVE_UNIT: gettext_lazy("Active departments as responsible units"),
    InventoryCode.NOT_RESPONSIBLE: gettext_lazy("A unit responsible for the task"),
    InventoryCode.FUTURE_MONTH: gettext_lazy("A month that has begun"),
    InventoryCode.MONTH_CLOSED: gettext_lazy("A month still open for reports"),
}
# The codes that clash with stored state or today's date rather than malformed input (409).
CONFLICTS = (
    InventoryCode.NOT_RESPONSIBLE,
    InventoryCode.FUTURE_MONTH,
    InventoryCode.MONTH_CLOSED,
)
