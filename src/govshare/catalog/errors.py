"""The catalog's error codes (CONVENTIONS rule 7), each with the rule it names in words: the
import's 规则 column and any page show the words, never the code. Registered with core.errors
when the catalog app is ready."""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


class CatalogCode(StrEnum):
    # catalog/rules.py: the 编制指南 and 51号 rules over one version and its items
    CONDITION_REQUIRED = "condition_required"
    BASIS_REQUIRED = "basis_required"
    BASE_MUST_SHARE = "base_must_share"
    OPEN_CONDITION_REQUIRED = "open_condition_required"
    FORMAT_MODE_MISMATCH = "format_mode_mismatch"
    IDENTIFIER = "identifier"
    ITEMS_REQUIRED = "items_required"
    ITEM_LOOSER = "item_looser"
    CORE_EXPOSED = "core_exposed"
    ITEM_OPEN_CLOSED_RESOURCE = "item_open_closed_resource"
    # the catalog workbook's own checks
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_ELEMENT = "unknown_element"
    UNKNOWN_RESOURCE = "unknown_resource"


MESSAGES: dict[str, str | Promise] = {
    CatalogCode.CONDITION_REQUIRED: gettext_lazy("A conditional share states its conditions"),
    CatalogCode.BASIS_REQUIRED: gettext_lazy("Not sharing cites its legal or policy basis"),
    CatalogCode.BASE_MUST_SHARE: gettext_lazy("Base information resources are shared"),
    CatalogCode.OPEN_CONDITION_REQUIRED: gettext_lazy("Opening to the public states its condition"),
    CatalogCode.FORMAT_MODE_MISMATCH: gettext_lazy("A share mode that fits the format"),
    CatalogCode.IDENTIFIER: gettext_lazy("Letters, digits and underscores, starting with a letter"),
    CatalogCode.ITEMS_REQUIRED: gettext_lazy("A database or spreadsheet lists its data items"),
    CatalogCode.ITEM_LOOSER: gettext_lazy("An item no looser than its resource"),
    CatalogCode.CORE_EXPOSED: gettext_lazy("A core-grade item is neither open nor shared freely"),
    CatalogCode.ITEM_OPEN_CLOSED_RESOURCE: gettext_lazy("An open item needs an open resource"),
    CatalogCode.UNKNOWN_CATEGORY: gettext_lazy("A classification code that exists"),
    CatalogCode.UNKNOWN_ELEMENT: gettext_lazy("A data element that exists"),
    CatalogCode.UNKNOWN_RESOURCE: gettext_lazy("A resource named on the resource sheet"),
}
