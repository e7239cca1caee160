"""Reading an uploaded workbook form with openpyxl (read-only): its sheets found by name, its
headings mapped to the column table, every cell read against its column and every bad one
named by sheet, row and column. Nothing is written here.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from govshare.core.errors import ErrorCode
from govshare.core.xlsx.columns import FILE_ROW, CellError, Column, Parse, normalize, parse_cell
from govshare.core.xlsx.forms import ERROR_HEADING, Form, SheetSpec

# What openpyxl raises on a file that is not a well-formed workbook (ParseError is a
# SyntaxError; a missing part is a KeyError; a sheet-less file an IndexError).
UNREADABLE = (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, ValueError,
              TypeError, OSError, EOFError, SyntaxError)  # fmt: skip
# Rows scanned past a sheet's limit of filled rows, empty ones included: a sheet of endless
# empty rows is not read to its end.
SCANNED_BEYOND = 50_000


class FileError(Exception):
    """The upload as a whole cannot be read as the form."""

    def __init__(self, message: str, code: str, sheet: str = "") -> None:
        super().__init__(message)
        self.error = CellError(sheet, FILE_ROW, "", message, code)


@dataclass
class UploadSheet:
    """An uploaded sheet: its name, its heading row, its non-empty rows (with the numbers
    Excel gives them) and sheet column → column of the form."""

    title: str
    spec: SheetSpec
    header: tuple[Any, ...]
    rows: list[tuple[int, tuple[Any, ...]]]
    mapping: dict[int, Column]


@dataclass
class ParsedRow:
    """One data row: where it is, the values read from it, and its bad cells."""

    sheet: str
    number: int
    data: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)  # export-only columns, not imported
    errors: list[CellError] = field(default_factory=list)

    def refuse(self, column: str, message: str, code: str) -> None:
        """Name a bad cell of the row (``column`` "" for the row as a whole)."""
        self.errors.append(CellError(self.sheet, self.number, column, message, code))

    @property
    def bad_columns(self) -> set[str]:
        return {error.column for error in self.errors}


Row = TypeVar("Row", bound=ParsedRow)


# --- the file -------------------------------------------------------------------------------


def read_upload(content: bytes, form: Form) -> list[list[UploadSheet]]:
    """Each of the form's sheets as uploaded (a sheet that continues may come as several)."""
    if len(content) > form.max_bytes:
        message = _("The file is larger than %(size)s MB.") % {"size": form.max_bytes >> 20}
        raise FileError(message, ErrorCode.INVALID)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            return _read_book(book, form)
        finally:
            book.close()
    except UNREADABLE:
        raise FileError(
            _("The file is not an Excel workbook (.xlsx)."), ErrorCode.INVALID
        ) from None


def _read_book(book: Any, form: Form) -> list[list[UploadSheet]]:
    """The first spec's sheet by its name, else the first sheet; the others by name."""
    by_title = {normalize(sheet.title): sheet for sheet in book.worksheets}
    first = by_title.get(normalize(form.sheets[0].title)) or book.worksheets[0]
    found = [_read_sheets([first], form.sheets[0])]
    for spec in form.sheets[1:]:
        sheets = [s for s in book.worksheets if s is not first and _is_of(s.title, spec)]
        found.append(_read_sheets(sheets, spec))
    return found


def _is_of(title: str, spec: SheetSpec) -> bool:
    """Whether a sheet named ``title`` holds rows of ``spec`` (信息项, 信息项2, …)."""
    name, text = normalize(spec.title), normalize(title)
    return text == name or (spec.continues and text.startswith(name))


def _read_sheets(sheets: Sequence[Any], spec: SheetSpec) -> list[UploadSheet]:
    read = [_read_sheet(sheet, spec) for sheet in sheets]
    if sum(len(sheet.rows) for sheet in read) > spec.max_rows:
        raise FileError(_too_many(spec.max_rows), ErrorCode.INVALID, spec.title)
    return read


def _too_many(limit: int) -> str:
    return _("The sheet holds more than %(max)s rows.") % {"max": limit}


def _read_sheet(sheet: Any, spec: SheetSpec) -> UploadSheet:
    cells = sheet.iter_rows(values_only=True)
    header = tuple(next(cells, ()))
    mapping = map_header(header, spec.columns, sheet.title)
    rows = list(_non_empty(cells, spec.max_rows, sheet.title))
    return UploadSheet(sheet.title, spec, header, rows, mapping)


def _non_empty(
    cells: Iterator[tuple[Any, ...]], limit: int, title: str
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    count = 0
    for number, values in enumerate(cells, start=2):
        if number > limit + SCANNED_BEYOND:
            raise FileError(_too_many(limit + SCANNED_BEYOND), ErrorCode.INVALID, title)
        if any(value is not None and str(value).strip() for value in values):
            count += 1
            if count > limit:
                raise FileError(_too_many(limit), ErrorCode.INVALID, title)
            yield number, values


def map_header(
    header: tuple[Any, ...], cols: Sequence[Column], title: str = ""
) -> dict[int, Column]:
    """Sheet column → column, by heading (its label, its field or another heading it takes);
    every column but the export-only ones must be there."""
    by_text = {
        text: column
        for column in cols
        for text in {normalize(column.label), normalize(column.field), *column.headings}
    }
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


# --- the rows -------------------------------------------------------------------------------


def parse_rows(
    sheet: UploadSheet, row_type: type[Row], parsers: Mapping[str, Parse] | None = None
) -> list[Row]:
    """Every row of ``sheet`` read against its columns; ``parsers`` give the lookup columns
    (field → parse) what only this import knows (the classifications in the database, …)."""
    mapping = {
        index: replace(column, parse=parsers[column.field])
        if parsers and column.field in parsers
        else column
        for index, column in sheet.mapping.items()
    }
    return [
        _parse_row(sheet.title, number, values, mapping, row_type) for number, values in sheet.rows
    ]


def _parse_row(
    title: str,
    number: int,
    values: tuple[Any, ...],
    mapping: Mapping[int, Column],
    row_type: type[Row],
) -> Row:
    row = row_type(title, number)
    for index, column in mapping.items():
        value = values[index] if index < len(values) else None
        try:
            parsed = parse_cell(column, value)
        except ValidationError as error:
            row.refuse(column.label, error.messages[0], error.code or ErrorCode.INVALID)
            continue
        (row.context if column.is_context else row.data)[column.field] = parsed
    return row
