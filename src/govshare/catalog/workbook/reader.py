"""Reading an uploaded catalog workbook with ``core.xlsx``: every cell checked against its
column, the lookups only this catalog knows (classification codes, data elements), the rows of
another department refused, and each item given to its resource. Nothing is written here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from govshare.catalog.errors import CatalogCode
from govshare.catalog.models import Category, DataElement
from govshare.catalog.workbook.columns import RESOURCE_SHEET, item_columns, resource_columns
from govshare.core.errors import ErrorCode
from govshare.core.xlsx.columns import Parse
from govshare.core.xlsx.reader import FileError, ParsedRow, UploadSheet, parse_rows
from govshare.orgs.models import Department


@dataclass
class ItemRow(ParsedRow):
    resource_name: str = ""


@dataclass
class ResourceRow(ParsedRow):
    items: list[ItemRow] = field(default_factory=list)
    is_duplicate: bool = False


Row = ResourceRow | ItemRow


class Parser:
    """Rows to service data, with the lookups of one import (classifications, elements)."""

    def __init__(self, provider: Department) -> None:
        self.provider = provider
        self.categories = {c.code: c for c in Category.objects.all()}
        self.elements = {e.identifier.upper(): e for e in DataElement.objects.all()}
        self.parsers: dict[str, Parse] = {"category": self._category, "element": self._element}

    def resource_rows(self, sheet: UploadSheet) -> list[ResourceRow]:
        if not sheet.rows:
            raise FileError(_("The workbook holds no resources."), ErrorCode.REQUIRED, sheet.title)
        rows = parse_rows(sheet, ResourceRow, self.parsers)
        for row in rows:
            self._check_provider(row)
        return rows

    def item_rows(self, sheets: list[UploadSheet]) -> list[ItemRow]:
        rows = [row for sheet in sheets for row in parse_rows(sheet, ItemRow, self.parsers)]
        for row in rows:
            row.resource_name = row.data.pop("resource", "")
        return rows

    def _category(self, value: Any) -> Category:
        code = _leading_code(value)
        category = self.categories.get(code)
        if category is None:
            message = _("No classification has the code %(code)s.") % {"code": code}
            raise ValidationError(message, code=CatalogCode.UNKNOWN_CATEGORY)
        return category

    def _element(self, value: Any) -> DataElement:
        identifier = _leading_code(value)
        element = self.elements.get(identifier.upper())
        if element is None:
            message = _("No data element has the identifier %(identifier)s.") % {
                "identifier": identifier
            }
            raise ValidationError(message, code=CatalogCode.UNKNOWN_ELEMENT)
        return element

    def _check_provider(self, row: ResourceRow) -> None:
        # An exported row of another department is not silently taken over by this one.
        name = row.context.get("provider", "")
        if name and name not in (self.provider.name, self.provider.short_name):
            message = _("This row belongs to %(other)s, not %(department)s.") % {
                "other": name,
                "department": self.provider.name,
            }
            label = next(c.label for c in resource_columns(True) if c.field == "provider")
            row.refuse(label, message, ErrorCode.OTHER_DEPARTMENT)


def _leading_code(value: Any) -> str:
    """``101001 户籍人口`` → ``101001``: a dropdown entry is the code and the name."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a classification code typed as a number
    return str(value).strip().split()[0]


def link_items(resources: list[ResourceRow], items: list[ItemRow]) -> None:
    """Give each resource row its item rows; flag duplicate names and items of no resource."""
    by_name: dict[str, ResourceRow] = {}
    name_label, resource_label = resource_columns()[1].label, item_columns()[0].label
    for row in resources:
        name = row.data.get("name", "")
        if name in by_name:
            message = _("The name is also used on row %(row)s.") % {"row": by_name[name].number}
            row.refuse(name_label, message, ErrorCode.DUPLICATE)
            row.is_duplicate = True
        elif name:
            by_name[name] = row
    for item in items:
        owner = by_name.get(item.resource_name)
        if owner is not None:
            owner.items.append(item)
        elif item.resource_name:
            message = _("No resource named “%(name)s” on sheet %(sheet)s.") % {
                "name": item.resource_name,
                "sheet": RESOURCE_SHEET,
            }
            item.refuse(resource_label, message, CatalogCode.UNKNOWN_RESOURCE)
