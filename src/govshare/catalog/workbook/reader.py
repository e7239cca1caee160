"""Reading an uploaded catalog workbook: every cell checked against its column, every error
named by sheet, row and column; nothing is written here."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from govshare.catalog.exports import NO, YES
from govshare.catalog.models import Category, DataElement, DataItem, ResourceVersion
from govshare.catalog.workbook.columns import (
    ERROR_HEADING,
    FILE_ROW,
    ITEM_SHEET,
    MAX_ITEMS,
    MAX_RESOURCES,
    MAX_SHEET_ROWS,
    MAX_UPLOAD_BYTES,
    RESOURCE_SHEET,
    CellError,
    Column,
    Kind,
    choice_lookup,
    item_columns,
    resource_columns,
)
from govshare.core.errors import ErrorCode
from govshare.inventory.workbook import INT_MAX, UNREADABLE, normalize
from govshare.orgs.models import Department

# --- reading --------------------------------------------------------------------------------


class FileError(Exception):
    """The upload as a whole cannot be read as a catalog workbook."""

    def __init__(self, message: str, code: str, sheet: str = "") -> None:
        super().__init__(message)
        self.error = CellError(sheet, FILE_ROW, "", message, code)


@dataclass
class Sheet:
    """An uploaded sheet: title, heading row, non-empty rows, and sheet column → column."""

    title: str
    header: tuple[Any, ...]
    rows: list[tuple[int, tuple[Any, ...]]]
    mapping: dict[int, Column]


@dataclass
class Upload:
    resources: Sheet
    items: list[Sheet]

    @property
    def sheets(self) -> list[Sheet]:
        return [self.resources, *self.items]


@dataclass
class ItemRow:
    sheet: str
    number: int
    resource_name: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)


@dataclass
class ResourceRow:
    sheet: str
    number: int
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    is_duplicate: bool = False


Row = ResourceRow | ItemRow


def read_upload(content: bytes) -> Upload:
    """The resource sheet and the item sheet(s) of an uploaded workbook."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise FileError(_("The file is larger than 20 MB."), ErrorCode.INVALID)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            return _read_book(book)
        finally:
            book.close()
    except UNREADABLE:
        raise FileError(
            _("The file is not an Excel workbook (.xlsx)."), ErrorCode.INVALID
        ) from None


def _read_book(book: Any) -> Upload:
    by_title = {normalize(sheet.title): sheet for sheet in book.worksheets}
    first = by_title.get(normalize(RESOURCE_SHEET)) or book.worksheets[0]
    prefix = normalize(ITEM_SHEET)
    others = [
        s for s in book.worksheets if s is not first and normalize(s.title).startswith(prefix)
    ]
    resources = _read_sheet(first, resource_columns(with_context=True), MAX_RESOURCES)
    if not resources.rows:
        raise FileError(_("The workbook holds no resources."), ErrorCode.REQUIRED, first.title)
    items = [_read_sheet(sheet, item_columns(), MAX_ITEMS) for sheet in others]
    if sum(len(sheet.rows) for sheet in items) > MAX_ITEMS:
        raise FileError(_too_many(MAX_ITEMS), ErrorCode.INVALID, ITEM_SHEET)
    return Upload(resources, items)


def _too_many(limit: int) -> str:
    return _("The sheet holds more than %(max)s rows.") % {"max": limit}


def _read_sheet(sheet: Any, cols: tuple[Column, ...], limit: int) -> Sheet:
    cells = sheet.iter_rows(values_only=True)
    header = tuple(next(cells, ()))
    mapping = _map_header(header, cols, sheet.title)
    rows = list(_non_empty(cells, limit, sheet.title))
    return Sheet(sheet.title, header, rows, mapping)


def _non_empty(
    cells: Iterator[tuple[Any, ...]], limit: int, title: str
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    count = 0
    for number, values in enumerate(cells, start=2):
        if number > MAX_SHEET_ROWS:  # a sheet of endless empty rows is not read to its end
            raise FileError(_too_many(MAX_SHEET_ROWS), ErrorCode.INVALID, title)
        if any(value is not None and str(value).strip() for value in values):
            count += 1
            if count > limit:
                raise FileError(_too_many(limit), ErrorCode.INVALID, title)
            yield number, values


def _map_header(header: tuple[Any, ...], cols: tuple[Column, ...], title: str) -> dict[int, Column]:
    """Sheet column → column, by heading (its label or field name); all must be there."""
    by_text = {normalize(text): c for c in cols for text in (c.label, c.field)}
    mapping: dict[int, Column] = {}
    for index, heading in enumerate(header):
        text = normalize(heading) if heading is not None else ""
        if not text or text == normalize(ERROR_HEADING):
            continue  # the 错误 column of an error workbook sent back fixed
        if text not in by_text:
            message = _("Unknown column heading “%(heading)s”.") % {"heading": heading}
            raise FileError(message, ErrorCode.INVALID, title)
        mapping[index] = by_text[text]
    missing = [c.label for c in cols if not c.is_context and c not in mapping.values()]
    if missing:
        message = _("Columns missing from the sheet: %(columns)s.") % {
            "columns": "、".join(missing)
        }
        raise FileError(message, ErrorCode.REQUIRED, title)
    return mapping


class Parser:
    """Cells to service data, with the lookups of one import (classifications, elements)."""

    def __init__(self, provider: Department) -> None:
        self.provider = provider
        self.categories = {c.code: c for c in Category.objects.all()}
        self.elements = {e.identifier.upper(): e for e in DataElement.objects.all()}

    def resource_row(self, sheet: Sheet, number: int, values: tuple[Any, ...]) -> ResourceRow:
        row = ResourceRow(sheet.title, number)
        for index, column in sheet.mapping.items():
            value = values[index] if index < len(values) else None
            try:
                parsed = self.cell(ResourceVersion, column, value)
            except ValidationError as error:
                row.errors.append(_cell_error(row, column, error))
                continue
            if column.field == "provider":
                self._check_provider(row, column, parsed)
            elif not column.is_context:
                row.data[column.field] = parsed
        return row

    def item_row(self, sheet: Sheet, number: int, values: tuple[Any, ...]) -> ItemRow:
        row = ItemRow(sheet.title, number)
        for index, column in sheet.mapping.items():
            value = values[index] if index < len(values) else None
            try:
                parsed = self.cell(DataItem, column, value)
            except ValidationError as error:
                row.errors.append(_cell_error(row, column, error))
                continue
            if column.kind == Kind.RESOURCE:
                row.resource_name = parsed
            else:
                row.data[column.field] = parsed
        return row

    def cell(self, model: type[models.Model], column: Column, value: Any) -> Any:
        """A cell's value as the service takes it; ValidationError naming the rule if bad."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return self._blank(model, column)
        if column.kind == Kind.CHOICE:
            return _parse_choice(column, value)
        if column.kind == Kind.BOOLEAN:
            return _parse_boolean(value)
        if column.kind == Kind.INTEGER:
            return _parse_integer(value)
        if column.kind == Kind.CATEGORY:
            return self._category(value)
        if column.kind == Kind.ELEMENT:
            return self._element(value)
        return _parse_text(value)

    def _blank(self, model: type[models.Model], column: Column) -> Any:
        if column.kind == Kind.RESOURCE:
            raise ValidationError(_("This field is required."), code=ErrorCode.REQUIRED)
        if column.is_context:
            return ""
        model_field = model._meta.get_field(column.field)
        assert isinstance(model_field, models.Field)
        if model_field.has_default():
            return model_field.get_default()
        return None if model_field.null else ""

    def _category(self, value: Any) -> Category:
        code = _leading_code(value)
        category = self.categories.get(code)
        if category is None:
            message = _("No classification has the code %(code)s.") % {"code": code}
            raise ValidationError(message, code="unknown_category")
        return category

    def _element(self, value: Any) -> DataElement:
        identifier = _leading_code(value)
        element = self.elements.get(identifier.upper())
        if element is None:
            message = _("No data element has the identifier %(identifier)s.") % {
                "identifier": identifier
            }
            raise ValidationError(message, code="unknown_element")
        return element

    def _check_provider(self, row: ResourceRow, column: Column, name: str) -> None:
        # An exported row of another department is not silently taken over by this one.
        if name and name not in (self.provider.name, self.provider.short_name):
            message = _("This row belongs to %(other)s, not %(department)s.") % {
                "other": name,
                "department": self.provider.name,
            }
            row.errors.append(
                CellError(row.sheet, row.number, column.label, message, "other_department")
            )


def _cell_error(row: Row, column: Column, error: ValidationError) -> CellError:
    return CellError(row.sheet, row.number, column.label, error.messages[0], error.code or "")


def _leading_code(value: Any) -> str:
    """``101001 户籍人口`` → ``101001``: a dropdown entry is the code and the name."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a classification code typed as a number
    return str(value).strip().split()[0]


def _parse_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a text column
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def _parse_choice(column: Column, value: Any) -> str:
    code = choice_lookup(column.field).get(normalize(value))
    if code is None:
        labels = "、".join(label for _code, label in column.choices)
        message = _("“%(value)s” is not one of: %(values)s.") % {"value": value, "values": labels}
        raise ValidationError(message, code="invalid_choice")
    return code


def _parse_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = normalize(value)
    if text in {YES, "yes", "true", "1", "y"}:
        return True
    if text in {NO, "no", "false", "0", "n"}:
        return False
    raise ValidationError(_("Enter %(yes)s or %(no)s.") % {"yes": YES, "no": NO}, code="invalid")


def _parse_integer(value: Any) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 0 <= number <= INT_MAX:
        message = _("Enter a whole number from %(min)s to %(max)s.") % {"min": 0, "max": INT_MAX}
        raise ValidationError(message, code="invalid")
    return number


def link_items(resources: list[ResourceRow], items: list[ItemRow]) -> None:
    """Give each resource row its item rows; flag duplicate names and items of no resource."""
    by_name: dict[str, ResourceRow] = {}
    name_label, resource_label = resource_columns()[1].label, item_columns()[0].label
    for row in resources:
        name = row.data.get("name", "")
        if name in by_name:
            message = _("The name is also used on row %(row)s.") % {"row": by_name[name].number}
            row.errors.append(CellError(row.sheet, row.number, name_label, message, "duplicate"))
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
            item.errors.append(
                CellError(item.sheet, item.number, resource_label, message, "unknown_resource")
            )
