"""The census workbook (系统普查表): the Excel template, its import and the census export.

One row per system on the first sheet (信息系统), one column per census field in the order of
``SYSTEM_FIELDS``. Enumerations are written and read as their Chinese labels, booleans as 是/否,
and the sheet carries Excel data validation for each column. The template, the export and the
import share ``columns()``, so an export re-imports cleanly.

Issue 3 §2: the import checks every row, reports every bad cell (row, column, rule), and applies
nothing unless all rows are valid; then it writes through the census services in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

import xlsxwriter
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from govshare.core import audit
from govshare.core.errors import ErrorCode
from govshare.core.permissions import require
from govshare.inventory.models import InformationSystem
from govshare.inventory.services import SYSTEM_FIELDS, system_create, system_update, validate_system
from govshare.orgs.models import Department

# The census form is a Chinese government form: its headings and labels are always zh-hans,
# whatever language the user's pages are in. Messages about errors follow the user's language.
WORKBOOK_LANGUAGE = "zh-hans"
# Rows below the data that still carry the data validation, for departments to fill in.
BLANK_ROWS = 2000
# Bounds on what one upload may make the server read.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_SYSTEMS = 5000
MAX_SHEET_ROWS = 20_000
# What openpyxl raises on a file that is not a well-formed workbook (ParseError is a
# SyntaxError; a missing part is a KeyError; a sheet-less file an IndexError).
UNREADABLE = (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, ValueError,
              TypeError, OSError, EOFError, SyntaxError)  # fmt: skip
# Excel data validation for dates: the server checks "not in the future" itself.
FIRST_DATE, LAST_DATE = dt.date(1970, 1, 1), dt.date(2099, 12, 31)
MONEY_MAX = 999_999_999_999.99  # DecimalField(max_digits=14, decimal_places=2)
INT_MAX = 2_147_483_647  # PositiveIntegerField on every database backend
FILE_ROW = 0  # the row of an error about the whole file, not one cell
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
INTEGER_TEXT = re.compile(r"^[+-]?\d+$")

UNITS: dict[str, Any] = {"active_users": gettext_lazy("persons")}
GUIDANCE: dict[str, Any] = {
    "name": gettext_lazy(
        "The system's full name. A row with the name of a system already registered in your "
        "department updates that system."
    ),
    "function_description": gettext_lazy(
        "What the system does, in a few sentences; it is compared to find duplicate systems."
    ),
    "usage_scope": gettext_lazy("Who uses the system."),
    "usage_frequency": gettext_lazy("How often the system is used."),
    "active_users": gettext_lazy("Users active in a typical month."),
    "approving_department": gettext_lazy("The department that approved building the system."),
    "approval_date": gettext_lazy("The date the project was approved."),
    "funding_source": gettext_lazy("Where the money to build the system came from."),
    "construction_mode": gettext_lazy("How the system was built."),
    "construction_investment": gettext_lazy("Total investment in building it, in 10,000 yuan."),
    "annual_om_cost": gettext_lazy("Operation and maintenance cost per year, in 10,000 yuan."),
    "go_live_date": gettext_lazy("Not before the approval date, not in the future."),
    "last_software_update": gettext_lazy("The last release of the software, not in the future."),
    "deployment": gettext_lazy("Where the system runs."),
    "cloud_status": gettext_lazy("Progress of the migration to the government cloud."),
    "network_domain": gettext_lazy("The network the system runs on."),
    "vertical_origin": gettext_lazy("Deployed by a national or provincial body, or local."),
    "protection_level": gettext_lazy("Graded protection level 1–5; empty if not graded."),
    "protection_filing_number": gettext_lazy("Required from level 2 upwards."),
    "is_secret": gettext_lazy("Classified systems are kept out of integration and sharing."),
    "sso_status": gettext_lazy("Connection to the unified login."),
    "sharing_status": gettext_lazy(
        "Connection to the data-sharing platform; a classified system is not connected."
    ),
    "health_url": gettext_lazy("An http(s) address the platform calls to check the system is up."),
}
# Export-only columns after the census fields: for reading, not imported (owning department is
# checked against the importing department so a row of another department is not taken over).
CONTEXT_FIELDS = ("department", "lifecycle")


class Kind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    """One column of the census sheet, with what the template and the import need to know."""

    field: str
    label: str
    kind: Kind
    required: bool
    guidance: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (code, Chinese label)
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    is_context: bool = False  # export-only column, not imported
    accepted: frozenset[str] = frozenset()  # normalized heading texts taken for this column
    # Normalized Chinese label, English label or code → code, for reading enumerations back.
    lookup: Mapping[str, str] = dataclasses.field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class CellError:
    """A bad cell: its row as Excel numbers it, its column heading, the message and the rule."""

    row: int
    column: str
    message: str
    code: str


@dataclass
class ImportResult:
    errors: list[CellError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors


# --- columns --------------------------------------------------------------------------------


def columns(with_context: bool = False) -> list[Column]:
    """The census columns in sheet order (labels in zh-hans); export adds the context columns."""
    names = SYSTEM_FIELDS + (CONTEXT_FIELDS if with_context else ())
    return [_column(InformationSystem._meta.get_field(name)) for name in names]


def _column(model_field: Any) -> Column:
    kind = _kind_of(model_field)
    with translation.override(WORKBOOK_LANGUAGE):
        label = _heading(model_field)
        choices = tuple((code, str(text)) for code, text in model_field.flatchoices)
        guidance = str(GUIDANCE.get(model_field.name, ""))
    with translation.override("en"):
        english = _heading(model_field)
        english_choices = tuple((code, str(text)) for code, text in model_field.flatchoices)
    lookup = {normalize(text): code for code, text in english_choices + choices}
    lookup.update({normalize(code): code for code, _text in choices})
    minimum, maximum = _bounds(model_field, kind)
    return Column(
        field=model_field.name,
        label=label,
        kind=Kind.TEXT if model_field.name in CONTEXT_FIELDS else kind,
        required=not (model_field.blank or model_field.has_default()),
        guidance=guidance,
        choices=choices,
        max_length=getattr(model_field, "max_length", None),
        minimum=minimum,
        maximum=maximum,
        is_context=model_field.name in CONTEXT_FIELDS,
        accepted=frozenset(
            normalize(text) for text in (label, english, model_field.verbose_name, model_field.name)
        ),
        lookup=lookup,
    )


def _heading(model_field: Any) -> str:
    label = str(capfirst(model_field.verbose_name))
    unit = UNITS.get(model_field.name)
    return f"{label}（{unit}）" if unit else label


def _kind_of(model_field: Any) -> Kind:
    if model_field.choices:
        return Kind.CHOICE
    if isinstance(model_field, models.BooleanField):
        return Kind.BOOLEAN
    if isinstance(model_field, models.IntegerField):
        return Kind.INTEGER
    if isinstance(model_field, models.DecimalField):
        return Kind.DECIMAL
    if isinstance(model_field, models.DateField):
        return Kind.DATE
    return Kind.TEXT


def _bounds(model_field: Any, kind: Kind) -> tuple[int | None, int | None]:
    if kind != Kind.INTEGER:
        return None, None
    minimum, maximum = 0, INT_MAX
    for validator in model_field.validators:
        if validator.code == "min_value":
            minimum = max(minimum, validator.limit_value)
        elif validator.code == "max_value":
            maximum = min(maximum, validator.limit_value)
    return minimum, maximum


def normalize(text: Any) -> str:
    """Heading and label text as compared on import: no spaces, stars or full-width brackets."""
    cleaned = str(text).replace("（", "(").replace("）", ")").replace("*", "")
    return re.sub(r"\s+", "", cleaned).casefold()


def yes_no() -> tuple[str, str]:
    with translation.override(WORKBOOK_LANGUAGE):
        return _("Yes"), _("No")


# --- writing: template and export -----------------------------------------------------------


def census_template() -> bytes:
    """The empty census workbook a department downloads and fills in."""
    return write_census([])


def census_export(systems: models.QuerySet[InformationSystem]) -> bytes:
    """The census of ``systems`` (already restricted to the user) in the template's layout."""
    rows = systems.select_related("department").order_by("department__name", "name", "pk")
    return write_census(
        (system_record(system) for system in rows.iterator(chunk_size=500)), with_context=True
    )


def system_record(system: InformationSystem) -> dict[str, Any]:
    record = {name: getattr(system, name) for name in SYSTEM_FIELDS}
    record.update(department=system.department.name, lifecycle=system.get_lifecycle_display())
    return record


def write_census(records: Iterable[Mapping[str, Any]], *, with_context: bool = False) -> bytes:
    """A census workbook holding ``records`` (field → value, codes for enumerations)."""
    cols = columns(with_context)
    output = io.BytesIO()
    # constant_memory: rows go to disk as written, so a big export stays small in memory.
    book = xlsxwriter.Workbook(output, {"constant_memory": True})
    with translation.override(WORKBOOK_LANGUAGE):
        styles = _styles(book)
        sheet = book.add_worksheet(_("Information systems"))
        guide = book.add_worksheet(_("Instructions"))
        lists = book.add_worksheet(_("Lists"))
        sources = _write_lists(lists, cols)
        lists.hide()
        _write_header(sheet, cols, styles)
        count = _write_rows(sheet, cols, records, styles)
        _add_validations(sheet, cols, sources, last_row=count + BLANK_ROWS)
        _write_guide(guide, cols, styles, with_context)
        sheet.activate()
        book.close()
    return output.getvalue()


def _styles(book: Any) -> dict[str, Any]:
    header = {"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True}
    return {
        "header": book.add_format({**header, "valign": "vcenter"}),
        "required": book.add_format({**header, "valign": "vcenter", "font_color": "#C00000"}),
        "context": book.add_format({**header, "valign": "vcenter", "bg_color": "#EDEDED"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        Kind.TEXT: book.add_format({"num_format": "@"}),
        Kind.CHOICE: book.add_format({"num_format": "@"}),
        Kind.BOOLEAN: book.add_format({"num_format": "@"}),
        Kind.INTEGER: book.add_format({"num_format": "0"}),
        Kind.DECIMAL: book.add_format({"num_format": "0.00"}),
        Kind.DATE: book.add_format({"num_format": "yyyy-mm-dd"}),
    }


def _write_lists(lists: Any, cols: list[Column]) -> dict[str, str]:
    """The allowed labels of each enumeration, one column each on a hidden sheet (no 255-char
    limit, unlike an inline list); returns each field's range formula."""
    yes, no = yes_no()
    values = {c.field: [label for _code, label in c.choices] for c in cols if c.choices}
    values.update({c.field: [yes, no] for c in cols if c.kind == Kind.BOOLEAN})
    fields = [c.field for c in cols if c.field in values and not c.is_context]
    depth = max((len(values[name]) for name in fields), default=0)
    for row in range(depth):  # constant_memory: rows strictly in order
        for index, name in enumerate(fields):
            if row < len(values[name]):
                lists.write_string(row, index, values[name][row])
    sheet_name = lists.get_name().replace("'", "''")
    letters = [xlsxwriter.utility.xl_col_to_name(index) for index in range(len(fields))]
    return {
        name: f"='{sheet_name}'!${letter}$1:${letter}${len(values[name])}"
        for letter, name in zip(letters, fields, strict=True)
    }


def _write_header(sheet: Any, cols: list[Column], styles: dict[str, Any]) -> None:
    sheet.freeze_panes(1, 1)
    sheet.set_row(0, 36)
    for index, column in enumerate(cols):
        width = 40 if column.field == "function_description" else max(12, len(column.label) * 2)
        sheet.set_column(index, index, width, styles[column.kind])
        style = "context" if column.is_context else ("required" if column.required else "header")
        sheet.write_string(0, index, column.label, styles[style])


def _write_rows(
    sheet: Any, cols: list[Column], records: Iterable[Mapping[str, Any]], styles: dict[str, Any]
) -> int:
    yes, no = yes_no()
    count = 0
    for count, record in enumerate(records, start=1):
        for index, column in enumerate(cols):
            value = record.get(column.field)
            if value is None or value == "":
                continue
            _write_cell(sheet, count, index, column, value, styles, (yes, no))
    return count


def _write_cell(
    sheet: Any,
    row: int,
    index: int,
    column: Column,
    value: Any,
    styles: dict[str, Any],
    yes_no_labels: tuple[str, str],
) -> None:
    style = styles[column.kind]
    if column.kind == Kind.CHOICE:
        sheet.write_string(row, index, dict(column.choices).get(value, str(value)), style)
    elif column.kind == Kind.BOOLEAN and isinstance(value, bool):
        sheet.write_string(row, index, yes_no_labels[0] if value else yes_no_labels[1], style)
    elif column.kind == Kind.DATE and isinstance(value, dt.date):
        sheet.write_datetime(row, index, dt.datetime.combine(value, dt.time()), style)
    elif column.kind in (Kind.INTEGER, Kind.DECIMAL) and isinstance(value, int | float | Decimal):
        sheet.write_number(row, index, float(value), style)
    else:  # text, and values of the wrong type (kept as written so the import names them)
        sheet.write_string(row, index, str(value), style)  # a string, never a formula


def _add_validations(
    sheet: Any, cols: list[Column], sources: dict[str, str], last_row: int
) -> None:
    for index, column in enumerate(cols):
        rule = _validation(column, sources)
        if rule is not None:
            prompt = {"input_title": column.label[:32], "input_message": column.guidance[:255]}
            sheet.data_validation(1, index, last_row, index, {**rule, **prompt})


def _validation(column: Column, sources: dict[str, str]) -> dict[str, Any] | None:
    """The Excel data validation of a column: a dropdown, a number or date range, a length."""
    message = {"error_title": column.label[:32]}
    if column.field in sources:
        return {
            "validate": "list",
            "source": sources[column.field],
            "error_message": _("Choose a value from the list."),
            **message,
        }
    if column.kind == Kind.INTEGER:
        return {
            "validate": "integer",
            "criteria": "between",
            "minimum": column.minimum,
            "maximum": column.maximum,
            "error_message": _("Enter a whole number from %(min)s to %(max)s.")
            % {"min": column.minimum, "max": column.maximum},
            **message,
        }
    if column.kind == Kind.DECIMAL:
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": MONEY_MAX,
            "error_message": _("Enter an amount of 0 or more, in 10,000 yuan."),
            **message,
        }
    if column.kind == Kind.DATE:
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.datetime.combine(FIRST_DATE, dt.time()),
            "maximum": dt.datetime.combine(LAST_DATE, dt.time()),
            "error_message": _("Enter a date as YYYY-MM-DD."),
            **message,
        }
    if column.max_length and not column.is_context:
        return {
            "validate": "length",
            "criteria": "<=",
            "value": column.max_length,
            "error_message": _("At most %(max)s characters.") % {"max": column.max_length},
            **message,
        }
    return None


def _write_guide(
    guide: Any, cols: list[Column], styles: dict[str, Any], with_context: bool
) -> None:
    yes, no = yes_no()
    guide.set_column(0, 0, 28)
    guide.set_column(1, 1, 8)
    guide.set_column(2, 3, 60, styles["wrap"])
    headings = (_("Column"), _("Required"), _("Description"), _("What to enter"))
    for index, heading in enumerate(headings):
        guide.write_string(0, index, heading, styles["header"])
    for row, column in enumerate(cols, start=1):
        guide.write_string(row, 0, column.label)
        guide.write_string(row, 1, yes if column.required else no)
        guide.write_string(row, 2, column.guidance)
        guide.write_string(row, 3, rule_text(column))
    notes = [
        _("One row per system. Do not change the column headings."),
        _(
            "A row whose system name is already registered in your department updates that "
            "system; every other row registers a new system. Systems not in the workbook are "
            "left as they are."
        ),
        _(
            "The import checks every row first and applies nothing unless every cell is valid; "
            "each bad cell is listed with its row and column."
        ),
    ]
    if with_context:
        notes.append(_("The grey columns are for reading only and are not imported."))
    start = len(cols) + 2
    for offset, note in enumerate(notes):
        guide.write_string(start + offset, 0, f"{offset + 1}. {note}")


def rule_text(column: Column) -> str:
    """What a cell of ``column`` may hold, in words (the guide sheet)."""
    if column.is_context:
        return _("For reading only; not imported.")
    if column.choices:
        return _("One of: %(values)s") % {"values": "、".join(t for _c, t in column.choices)}
    if column.kind == Kind.BOOLEAN:
        yes, no = yes_no()
        return _("%(yes)s or %(no)s") % {"yes": yes, "no": no}
    if column.kind == Kind.INTEGER:
        return _("A whole number from %(min)s to %(max)s.") % {
            "min": column.minimum,
            "max": column.maximum,
        }
    if column.kind == Kind.DECIMAL:
        return _("An amount of 0 or more, with at most 2 decimals.")
    if column.kind == Kind.DATE:
        return _("A date as YYYY-MM-DD.")
    if column.max_length:
        return _("Text of at most %(max)s characters.") % {"max": column.max_length}
    return _("Text.")


# --- reading: import ------------------------------------------------------------------------


@dataclass
class ParsedRow:
    """One data row: its Excel number, the census data read from it, and its bad cells."""

    number: int
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    target: InformationSystem | None = None  # the existing system the row updates
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def bad_columns(self) -> set[str]:
        return {error.column for error in self.errors}


class FileError(Exception):
    """The upload as a whole cannot be read as a census workbook."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.error = CellError(FILE_ROW, "", message, code)


def census_import(*, actor: Any, department: Department, content: bytes) -> ImportResult:
    """Register and update ``department``'s systems from a census workbook, all or nothing."""
    require(actor, "add", InformationSystem(department=department))
    require(actor, "change", InformationSystem(department=department))
    try:
        rows = read_rows(content, department)
    except FileError as problem:
        return ImportResult(errors=[problem.error])
    errors = [error for row in rows for error in row.errors]
    if errors:
        return ImportResult(errors=errors)
    return _apply(actor, department, rows)


def read_rows(content: bytes, department: Department) -> list[ParsedRow]:
    """Every data row parsed and validated by the census rules, errors on the rows."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise FileError(_("The file is larger than 10 MB."), ErrorCode.INVALID)
    cols = columns(with_context=True)
    header, body = _sheet_rows(content)
    mapping = _map_header(header, cols)
    rows = [_parse_row(number, values, mapping, department) for number, values in body]
    if not rows:
        raise FileError(_("The workbook holds no systems."), ErrorCode.REQUIRED)
    _check_rows(rows, department, {c.field: c for c in cols})
    return rows


def _sheet_rows(content: bytes) -> tuple[tuple[Any, ...], list[tuple[int, tuple[Any, ...]]]]:
    """The heading row and the non-empty rows (with their Excel numbers) of the first sheet."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            cells = book.worksheets[0].iter_rows(values_only=True)
            header = next(cells, ())
            body = list(_non_empty(cells))
        finally:
            book.close()
    except UNREADABLE:
        raise FileError(
            _("The file is not an Excel workbook (.xlsx)."), ErrorCode.INVALID
        ) from None
    return header, body


def _non_empty(cells: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    count = 0
    for number, values in enumerate(cells, start=2):
        if number > MAX_SHEET_ROWS:  # a sheet of endless empty rows is not read to its end
            raise FileError(
                _("The sheet has more than %(max)s rows.") % {"max": MAX_SHEET_ROWS},
                ErrorCode.INVALID,
            )
        if any(value is not None and str(value).strip() for value in values):
            count += 1
            if count > MAX_SYSTEMS:
                raise FileError(
                    _("The workbook holds more than %(max)s systems.") % {"max": MAX_SYSTEMS},
                    ErrorCode.INVALID,
                )
            yield number, values


def _map_header(header: tuple[Any, ...], cols: list[Column]) -> dict[int, Column]:
    """Sheet column index → census column, by heading; every census column must be there."""
    by_text = {text: column for column in cols for text in column.accepted}
    mapping: dict[int, Column] = {}
    for index, heading in enumerate(header):
        if heading is None or not str(heading).strip():
            continue
        column = by_text.get(normalize(heading))
        if column is None:
            raise FileError(
                _("Unknown column heading “%(heading)s”.") % {"heading": heading},
                ErrorCode.INVALID,
            )
        mapping[index] = column
    missing = [c.label for c in cols if not c.is_context and c not in mapping.values()]
    if missing:
        raise FileError(
            _("Columns missing from the sheet: %(columns)s.") % {"columns": "、".join(missing)},
            ErrorCode.REQUIRED,
        )
    return mapping


def _parse_row(
    number: int, values: tuple[Any, ...], mapping: dict[int, Column], department: Department
) -> ParsedRow:
    row = ParsedRow(number)
    for index, column in mapping.items():
        value = values[index] if index < len(values) else None
        try:
            parsed = parse_cell(column, value)
        except ValidationError as error:
            row.errors.append(CellError(number, column.label, error.messages[0], error.code or ""))
            continue
        if column.field == "department":
            _check_department(row, column, parsed, department)
        elif not column.is_context:
            row.data[column.field] = parsed
    return row


def _check_department(row: ParsedRow, column: Column, name: str, department: Department) -> None:
    # An exported row of another department is not silently moved into this one.
    if name and name not in (department.name, department.short_name):
        message = _("This row belongs to %(other)s, not %(department)s.") % {
            "other": name,
            "department": department.name,
        }
        row.errors.append(CellError(row.number, column.label, message, "other_department"))


def parse_cell(column: Column, value: Any) -> Any:
    """A cell's value as the model field takes it; ValidationError naming the rule if bad."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _blank(column)
    parser = {
        Kind.TEXT: _parse_text,
        Kind.CHOICE: _parse_choice,
        Kind.BOOLEAN: _parse_boolean,
        Kind.INTEGER: _parse_integer,
        Kind.DECIMAL: _parse_decimal,
        Kind.DATE: _parse_date,
    }[column.kind]
    return parser(column, value)


def _blank(column: Column) -> Any:
    model_field = InformationSystem._meta.get_field(column.field)
    assert isinstance(model_field, models.Field)  # a census column is a concrete field
    if model_field.has_default():
        return model_field.get_default()
    return None if model_field.null else ""


def _parse_text(column: Column, value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a text column, e.g. a filing number
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def _parse_choice(column: Column, value: Any) -> str:
    code = column.lookup.get(normalize(value))
    if code is None:
        raise ValidationError(
            _("“%(value)s” is not one of: %(values)s.")
            % {"value": value, "values": "、".join(text for _c, text in column.choices)},
            code="invalid_choice",
        )
    return code


def _parse_boolean(column: Column, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    yes, no = yes_no()
    text = normalize(value)
    if text in {normalize(yes), "yes", "true", "1", "y"}:
        return True
    if text in {normalize(no), "no", "false", "0", "n"}:
        return False
    raise ValidationError(_("Enter %(yes)s or %(no)s.") % {"yes": yes, "no": no}, code="invalid")


def _parse_integer(column: Column, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and INTEGER_TEXT.match(value.strip()):
        return int(value.strip())
    raise ValidationError(_("Enter a whole number."), code="invalid")


def _parse_decimal(column: Column, value: Any) -> Decimal:
    if isinstance(value, bool) or isinstance(value, dt.date):
        raise ValidationError(_("Enter an amount in 10,000 yuan."), code="invalid")
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise ValidationError(_("Enter an amount in 10,000 yuan."), code="invalid") from None
    if not amount.is_finite():
        raise ValidationError(_("Enter an amount in 10,000 yuan."), code="invalid")
    cents = amount.quantize(Decimal("0.01")) if abs(amount) < Decimal(MONEY_MAX) else amount
    # A float read back from Excel (12.350000000000001) is the amount typed, to the cent.
    return cents if isinstance(value, float) and abs(amount - cents) < Decimal("1e-9") else amount


def _parse_date(column: Column, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for pattern in DATE_FORMATS:
            try:
                return dt.datetime.strptime(value.strip(), pattern).date()
            except ValueError:
                continue
    raise ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid_date")


def _check_rows(rows: list[ParsedRow], department: Department, cols: dict[str, Column]) -> None:
    """The census rules on every row (validate_system), and names unique within the file."""
    existing = {s.name: s for s in InformationSystem.objects.filter(department=department)}
    first_row: dict[str, int] = {}
    for row in rows:
        name = row.data.get("name", "")
        if name and name in first_row:
            message = _("The name is also used on row %(row)s.") % {"row": first_row[name]}
            row.errors.append(CellError(row.number, cols["name"].label, message, "duplicate"))
        first_row.setdefault(name, row.number)
        row.target = existing.get(name) if name else None
        system = _candidate(row, department)
        for field_name, errors in validate_system(system).errors.items():
            label = cols[field_name].label if field_name in cols else ""
            if label in row.bad_columns:
                continue  # the cell is already reported as unreadable
            row.errors.extend(
                CellError(row.number, label, message, error.code or ErrorCode.INVALID)
                for error in errors
                for message in error.messages
            )


def _candidate(row: ParsedRow, department: Department) -> InformationSystem:
    """The system as it would be after the row: the existing one changed, or a new one."""
    if row.target is None:
        system = InformationSystem(department=department)
    else:
        system = row.target
        row.changes = {k: v for k, v in row.data.items() if getattr(system, k) != v}
    for name, value in row.data.items():
        setattr(system, name, value)
    return system


def _apply(actor: Any, department: Department, rows: list[ParsedRow]) -> ImportResult:
    result = ImportResult()
    note = _("Census workbook import")
    try:
        with transaction.atomic():
            for row in rows:
                _apply_row(actor, department, row, note, result)
            audit.record(
                actor=actor,
                action="inventory.census.import",
                object_type="inventory.informationsystem",
                object_repr=note,
                department_id=department.pk,
                after={
                    "rows": len(rows),
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    except RowRejected as rejected:  # a change between the check and the write: nothing kept
        return ImportResult(errors=rejected.errors)
    return result


class RowRejected(Exception):
    def __init__(self, errors: list[CellError]) -> None:
        super().__init__(errors)
        self.errors = errors


def _apply_row(
    actor: Any, department: Department, row: ParsedRow, note: str, result: ImportResult
) -> None:
    try:
        if row.target is None:
            system_create(actor=actor, department=department, data=row.data, note=note)
            result.created += 1
        elif row.changes:
            system_update(actor=actor, system=row.target, data=row.changes, note=note)
            result.updated += 1
        else:
            result.unchanged += 1
    except ValidationError as error:
        labels = {c.field: c.label for c in columns()}
        raise RowRejected(
            [
                CellError(row.number, labels.get(name, ""), message, item.code or "")
                for name, items in error.error_dict.items()
                for item in items
                for message in item.messages
            ]
        ) from error
