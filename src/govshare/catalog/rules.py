"""Every catalog rule in one place (编制指南 and 国发〔2016〕51号), reported together, each naming
its field and the rule in the user's language.

A version is checked with its data items before it is saved and again before it is submitted.
Items are addressed as ``items.<n>.<field>`` (n from 1) so forms and the Excel import can place
each message on its cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from govshare.catalog.choices import (
    FORMAT_SHARE_MODES,
    GRADE_RANK,
    SHARE_STRICTNESS,
    FormatClass,
    Grade,
    ResourceClass,
    ShareModeClass,
    ShareType,
)
from govshare.catalog.errors import CatalogCode
from govshare.catalog.models import DataElement, DataItem, Resource, ResourceVersion
from govshare.core.errors import ErrorCode, ErrorCollector

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
# Formats whose data comes in rows and columns: their items must be described (编制指南 §1.2 #8).
STRUCTURED_FORMATS = frozenset({FormatClass.DATABASE, FormatClass.SPREADSHEET})
GB19488_FORMAT = re.compile(r"^(a|n|an|ans)(\.\.)?(\d+)$")


@dataclass(frozen=True)
class ElementMismatch:
    """A data item that disagrees with its data element (flagged, not refused)."""

    position: int
    field: str
    message: str


def check_version(
    version: ResourceVersion, items: Sequence[DataItem], resource: Resource
) -> ErrorCollector:
    """All rules over one version and its items."""
    errors = ErrorCollector()
    _check_share(version, resource, errors)
    _check_open(version, errors)
    _check_format(version, errors)
    _check_name(version, resource, errors)
    _check_items(version, items, errors)
    return errors


def _check_share(version: ResourceVersion, resource: Resource, errors: ErrorCollector) -> None:
    if version.share_type == ShareType.CONDITIONAL and not version.share_condition.strip():
        # 51号 art.5: conditional sharing states its conditions.
        errors.add(
            "share_condition",
            _("A resource shared on conditions states the conditions."),
            CatalogCode.CONDITION_REQUIRED,
        )
    if version.share_type == ShareType.NOT_SHARED and not version.share_basis.strip():
        # 51号 art.5 and 编制指南: not sharing needs a law, regulation or central policy basis.
        errors.add(
            "share_basis",
            _("A resource that is not shared cites its legal or policy basis."),
            CatalogCode.BASIS_REQUIRED,
        )
    if (
        version.category_id
        and version.category.resource_class == ResourceClass.BASE
        and version.share_type == ShareType.NOT_SHARED
    ):
        # 51号 art.7: base information resources are shared by all departments.
        errors.add(
            "share_type",
            _(
                "Base information resources (population, legal entities, "
                "natural resources and geography, credit, licences) may not "
                "be “not shared”."
            ),
            CatalogCode.BASE_MUST_SHARE,
        )


def _check_open(version: ResourceVersion, errors: ErrorCollector) -> None:
    if version.is_open and not version.open_condition.strip():
        errors.add(
            "open_condition",
            _("A resource open to the public states its open condition."),
            CatalogCode.OPEN_CONDITION_REQUIRED,
        )


def _check_format(version: ResourceVersion, errors: ErrorCollector) -> None:
    if version.format_class == FormatClass.OTHER and not version.format_type.strip():
        errors.add(
            "format_type", _("Describe the format when its class is “other”."), ErrorCode.REQUIRED
        )
    if version.share_mode_class != ShareModeClass.PLATFORM:
        return
    if not version.share_mode_type:
        errors.add(
            "share_mode_type",
            _("Sharing through the platform names the mode type (table, interface or file)."),
            ErrorCode.REQUIRED,
        )
        return
    allowed = FORMAT_SHARE_MODES.get(version.format_class)
    if allowed is not None and version.share_mode_type not in allowed:
        errors.add(
            "share_mode_type",
            _("The format “%(format)s” cannot be shared as “%(mode)s”.")
            % {
                "format": version.get_format_class_display(),
                "mode": version.get_share_mode_type_display(),
            },
            CatalogCode.FORMAT_MODE_MISMATCH,
        )


def _check_name(version: ResourceVersion, resource: Resource, errors: ErrorCollector) -> None:
    if not version.name.strip():
        return
    others = Resource.objects.filter(provider_id=resource.provider_id, name=version.name.strip())
    if resource.pk:
        others = others.exclude(pk=resource.pk)
    if others.exists():
        errors.add(
            "name",
            _("This provider already has a resource named %(name)s.") % {"name": version.name},
            ErrorCode.DUPLICATE,
        )


def _check_items(
    version: ResourceVersion, items: Sequence[DataItem], errors: ErrorCollector
) -> None:
    if version.format_class in STRUCTURED_FORMATS and not items:
        errors.add(
            "items",
            _("A database or spreadsheet resource lists its data items."),
            CatalogCode.ITEMS_REQUIRED,
        )
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        _check_item(version, item, number, seen, errors)


def _check_item(
    version: ResourceVersion, item: DataItem, number: int, seen: set[str], errors: ErrorCollector
) -> None:
    field = f"items.{number}."
    if not item.name.strip():
        errors.add(field + "name", _("Item name is required."), ErrorCode.REQUIRED)
    if not IDENTIFIER.match(item.identifier or ""):
        errors.add(
            field + "identifier",
            _("The identifier is ASCII letters, digits and underscores, starting with a letter."),
            CatalogCode.IDENTIFIER,
        )
    elif item.identifier.lower() in seen:
        errors.add(
            field + "identifier",
            _("Identifier %(id)s is used twice.") % {"id": item.identifier},
            ErrorCode.DUPLICATE,
        )
    seen.add((item.identifier or "").lower())
    if (
        version.share_type
        and item.share_type
        and (SHARE_STRICTNESS[item.share_type] < SHARE_STRICTNESS[version.share_type])
    ):
        errors.add(
            field + "share_type",
            _("An item may be stricter than its resource's share type, never looser."),
            CatalogCode.ITEM_LOOSER,
        )
    if item.grade == Grade.CORE and (item.share_type == ShareType.UNCONDITIONAL or item.is_open):
        errors.add(
            field + "grade",
            _("A core-grade item is neither shared without conditions nor open."),
            CatalogCode.CORE_EXPOSED,
        )
    if item.is_open and not version.is_open:
        errors.add(
            field + "is_open",
            _("An item is open only when its resource is open."),
            CatalogCode.ITEM_OPEN_CLOSED_RESOURCE,
        )


def resource_grade(items: Sequence[DataItem]) -> str:
    """The resource's grade: the highest of its items' (分级: 就高原则)."""
    grades = [item.grade for item in items if item.grade]
    return max(grades, key=lambda g: GRADE_RANK[g]) if grades else ""


def element_max_length(element: DataElement) -> int | None:
    match = GB19488_FORMAT.match(element.format.strip())
    return int(match.group(3)) if match else None


def element_mismatches(items: Sequence[DataItem]) -> list[ElementMismatch]:
    """Items whose type or length disagrees with their linked data element."""
    found = []
    for number, item in enumerate(items, start=1):
        element = item.element
        if element is None:
            continue
        if item.data_type != element.data_type:
            found.append(
                ElementMismatch(
                    number,
                    "data_type",
                    _("Type %(item)s differs from data element %(element)s (%(type)s).")
                    % {"item": item.data_type, "element": element.name, "type": element.data_type},
                )
            )
        limit = element_max_length(element)
        if limit and item.length and item.length > limit:
            found.append(
                ElementMismatch(
                    number,
                    "length",
                    _("Length %(length)s exceeds data element %(element)s (%(format)s).")
                    % {"length": item.length, "element": element.name, "format": element.format},
                )
            )
    return found
