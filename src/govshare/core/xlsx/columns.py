"""Column specs of a workbook form (填报表) as data, and how a cell is read against its column.

A domain describes each sheet it imports and exports as a table of ``Column`` (heading, field,
kind, required, choices, bounds, parse): the template, the export, the reader and the error
workbook all work from that table, so an export re-imports cleanly (issue 12 item 7). A bad cell
raises ``ValidationError`` with a message that says what the cell must hold and a rule code;
``core.errors.error_message`` turns the code into words for the import's 规则 column, so no page
shows a code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields import PositiveIntegerRelDbTypeMixin
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.core.errors import ErrorCode, error_message

# The forms are Chinese government forms: their booleans read 是/否 whatever the UI language.
YES, NO = "是", "否"
INT_MAX = 2_147_483_647  # PositiveIntegerField on every database backend
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
# Text shaped like a date, whatever its numbers: 2026-02-30 is a day that does not exist, not
# a date in the wrong format (issue 12, the walk's misleading messages).
DATE_SHAPE = re.compile(r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?$")
INTEGER_TEXT = re.compile(r"^[+-]?\d+$")
# Excel writes a character XML cannot carry as _xHHHH_ (and a literal "_x" as _x005F_x): read
# back, the cell holds the character itself, as Excel shows it (see writer._text).
EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


class Kind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"  # one of ``choices``, written as its label
    BOOLEAN = "boolean"  # 是/否
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    LOOKUP = "lookup"  # a code looked up by the column's ``parse`` (a classification, …)


class RuleCode(StrEnum):
    """The rules a cell is read against (the codes of Django's own validators where one
    exists, so a service's error on the same field carries the same code)."""

    INVALID_CHOICE = "invalid_choice"
    INVALID_DATE = "invalid_date"
    MIN_VALUE = "min_value"
    MAX_VALUE = "max_value"
    MAX_LENGTH = "max_length"
    MAX_DIGITS = "max_digits"
    MAX_DECIMAL_PLACES = "max_decimal_places"
    NULL_CHARACTERS = "null_characters_not_allowed"
    BLANK = "blank"
    NULL = "null"
    UNIQUE = "unique"
    MAX_WHOLE_DIGITS = "max_whole_digits"


Parse = Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its heading, the field it fills, and what a cell may hold."""

    field: str
    label: str  # the heading, as the form prints it
    kind: Kind = Kind.TEXT
    required: bool = False  # a red heading; the domain's rules refuse the blank
    guidance: str = ""  # what the column means (the guide sheet, the cell's prompt)
    hint: str = ""  # what to enter, when its kind does not say it (a lookup's code)
    choices: tuple[tuple[str, str], ...] = ()  # (code, label written in the cell)
    # Normalized text → code, for reading a choice back: labels, English labels, codes.
    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict, compare=False, hash=False)
    max_length: int | None = None
    minimum: int | None = None  # INTEGER and DECIMAL bounds
    maximum: int | Decimal | None = None
    decimal_places: int | None = None
    blank: Any = ""  # what an empty cell reads as
    refuses_blank: bool = False  # an empty cell is an error here, not a value
    is_context: bool = False  # written on export for reading, never imported
    headings: frozenset[str] = frozenset()  # other normalized headings taken for the column
    width: float | None = None  # in characters
    dropdown: str = ""  # the list its dropdown offers, when not its field's (LOOKUP, BOOLEAN)
    parse: Parse | None = None  # LOOKUP: a cell → its value, ValidationError if unknown
    show: Callable[[Any], Any] | None = None  # a value → its cell, when not by ``kind``

    @property
    def list_name(self) -> str:
        """The name of the dropdown list the column offers ("" if none)."""
        if self.dropdown:
            return self.dropdown
        if self.kind == Kind.BOOLEAN:
            return "boolean"
        return self.field if self.choices else ""


@dataclass(frozen=True)
class CellError:
    """A bad cell (or row, when ``column`` is empty; or the file, on row ``FILE_ROW``) as Excel
    numbers it, with the message and the rule's code."""

    sheet: str
    row: int
    column: str
    message: str
    code: str

    @property
    def rule(self) -> str:
        return str(error_message(self.code))


FILE_ROW = 0  # the row of an error about the whole file, not one cell


def normalize(text: Any) -> str:
    """Heading and label text as compared on import: no spaces, stars or full-width brackets."""
    cleaned = str(text).replace("（", "(").replace("）", ")").replace("*", "")
    return re.sub(r"\s+", "", cleaned).casefold()


def aliases(*labelled: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Normalized label → code for each (code, label) given, and each code → itself."""
    lookup: dict[str, str] = {}
    for pairs in labelled:
        for code, label in pairs:
            lookup[normalize(label)] = code
            lookup.setdefault(normalize(code), code)
    return lookup


# --- columns from model fields --------------------------------------------------------------


def kind_of(model_field: Any) -> Kind:
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


def field_rules(model_field: Any, kind: Kind) -> dict[str, Any]:
    """What a column of ``model_field`` takes: whether it is required, what a blank reads as,
    the text length, and the bounds of a number (its validators within what every database
    stores, not the backend's own range: issue 12, a 20-digit number named 9223372036854775807)."""
    rules: dict[str, Any] = {
        "required": not (model_field.blank or model_field.has_default()),
        "blank": _blank_value(model_field),
        "max_length": getattr(model_field, "max_length", None) if kind == Kind.TEXT else None,
        "minimum": None,
        "maximum": None,
    }
    if kind == Kind.INTEGER:  # what an integer column holds on every database backend
        positive = isinstance(model_field, PositiveIntegerRelDbTypeMixin)
        rules.update(minimum=0 if positive else -INT_MAX - 1, maximum=INT_MAX)
    elif kind == Kind.DECIMAL:
        places, digits = model_field.decimal_places, model_field.max_digits
        largest = Decimal(10) ** (digits - places) - Decimal(1).scaleb(-places)
        rules.update(decimal_places=places, maximum=largest)
    bounds = {"min_value": ("minimum", max), "max_value": ("maximum", min)}
    for validator in model_field.validators if kind in (Kind.INTEGER, Kind.DECIMAL) else ():
        code = getattr(validator, "code", "")
        if code in bounds:
            key, tighter = bounds[code]
            limit, current = validator.limit_value, rules[key]
            rules[key] = limit if current is None else tighter(current, limit)
    return rules


def _blank_value(model_field: Any) -> Any:
    if model_field.has_default():
        return model_field.get_default()
    return None if model_field.null else ""


# --- reading a cell -------------------------------------------------------------------------


def parse_cell(column: Column, value: Any) -> Any:
    """A cell's value as the field takes it; ValidationError naming the rule if it is bad."""
    if isinstance(value, str):
        value = _unescape(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        if column.refuses_blank:
            raise ValidationError(_("This cell is required."), code=ErrorCode.REQUIRED)
        return column.blank
    if column.parse is not None:
        return column.parse(value)
    return PARSERS[column.kind](column, value)


def _unescape(text: str) -> str:
    if "_x" not in text:
        return text
    return EXCEL_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def parse_text(column: Column, value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a text column, e.g. a filing number
    if isinstance(value, dt.datetime):
        value = value.date()
    text = str(value).strip()
    if "\x00" in text:
        # Django's own message has a wrong Chinese translation ("不允许是用空字符串"), and no
        # database column of ours can hold the character: say what is there (issue 12).
        message = _("The text holds a NUL character (_x0000_), which cannot be stored: delete it.")
        raise ValidationError(message, code=RuleCode.NULL_CHARACTERS)
    if column.max_length is not None and len(text) > column.max_length:
        message = _("Enter at most %(max)s characters; this cell holds %(count)s.") % {
            "max": column.max_length,
            "count": len(text),
        }
        raise ValidationError(message, code=RuleCode.MAX_LENGTH)
    return text


def parse_choice(column: Column, value: Any) -> str:
    code = column.aliases.get(normalize(_unescape(str(value))))
    if code is None:
        labels = "、".join(label for _code, label in column.choices)
        message = _("“%(value)s” is not one of: %(values)s.") % {"value": value, "values": labels}
        raise ValidationError(message, code=RuleCode.INVALID_CHOICE)
    return code


def parse_boolean(column: Column, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = normalize(value)
    if text in {YES, "yes", "true", "1", "y"}:
        return True
    if text in {NO, "no", "false", "0", "n"}:
        return False
    raise ValidationError(
        _("Enter %(yes)s or %(no)s.") % {"yes": YES, "no": NO}, code=ErrorCode.INVALID
    )


def parse_integer(column: Column, value: Any) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and INTEGER_TEXT.match(value.strip()):
        number = int(value.strip())
    if number is None:
        raise ValidationError(_whole_number(column), code=ErrorCode.INVALID)
    _check_bounds(column, number, _whole_number)
    return number


def _whole_number(column: Column) -> str:
    return _("Enter a whole number from %(min)s to %(max)s.") % {
        "min": column.minimum if column.minimum is not None else "−∞",
        "max": column.maximum if column.maximum is not None else "∞",
    }


def _check_bounds(column: Column, number: Any, message: Callable[[Column], str]) -> None:
    if column.minimum is not None and number < column.minimum:
        raise ValidationError(message(column), code=RuleCode.MIN_VALUE)
    if column.maximum is not None and number > column.maximum:
        raise ValidationError(message(column), code=RuleCode.MAX_VALUE)


def parse_decimal(column: Column, value: Any) -> Decimal:
    if isinstance(value, bool | dt.date):
        raise ValidationError(_amount(column), code=ErrorCode.INVALID)
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise ValidationError(_amount(column), code=ErrorCode.INVALID) from None
    if not amount.is_finite():
        raise ValidationError(_amount(column), code=ErrorCode.INVALID)
    _check_bounds(column, amount, _amount)
    places = column.decimal_places
    if places is None:
        return amount
    cents = amount.quantize(Decimal(1).scaleb(-places))
    # A float read back from Excel (12.350000000000001) is the amount typed, to the cent.
    if isinstance(value, float) and abs(amount - cents) < Decimal("1e-9"):
        return cents
    if amount != cents:
        raise ValidationError(_amount(column), code=RuleCode.MAX_DECIMAL_PLACES)
    return amount


def _amount(column: Column) -> str:
    # Django's messages name the digits in total ("确认总共不超过 14 个数字.", an ASCII stop in
    # Chinese): a person types an amount, so the message gives the amount's range.
    return _("Enter a number from %(min)s to %(max)s, with at most %(places)s decimals.") % {
        "min": column.minimum if column.minimum is not None else "−∞",
        "max": column.maximum if column.maximum is not None else "∞",
        "places": column.decimal_places if column.decimal_places is not None else "∞",
    }


def parse_date(column: Column, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    if DATE_SHAPE.match(text):
        message = _("There is no day %(value)s: enter a date that exists.") % {"value": text}
        raise ValidationError(message, code=RuleCode.INVALID_DATE)
    raise ValidationError(_("Enter a date as YYYY-MM-DD."), code=RuleCode.INVALID_DATE)


PARSERS: dict[Kind, Callable[[Column, Any], Any]] = {
    Kind.TEXT: parse_text,
    Kind.CHOICE: parse_choice,
    Kind.BOOLEAN: parse_boolean,
    Kind.INTEGER: parse_integer,
    Kind.DECIMAL: parse_decimal,
    Kind.DATE: parse_date,
    Kind.LOOKUP: parse_text,  # a lookup column without its ``parse`` reads as text
}


# --- the rules in words ---------------------------------------------------------------------

# The import's 规则 column names the rule a bad cell broke, in the reader's language; a page
# never shows the code (issue 12 items 6 and 7). Registered with core.errors by CoreConfig.
RULE_MESSAGES: dict[str, str | Promise] = {
    RuleCode.INVALID_CHOICE: gettext_lazy("One of the listed values"),
    RuleCode.INVALID_DATE: gettext_lazy("A date that exists, as YYYY-MM-DD"),
    RuleCode.MIN_VALUE: gettext_lazy("Not below the smallest value"),
    RuleCode.MAX_VALUE: gettext_lazy("Not above the largest value"),
    RuleCode.MAX_LENGTH: gettext_lazy("Not longer than the column allows"),
    RuleCode.MAX_DIGITS: gettext_lazy("Not more digits than the column allows"),
    RuleCode.MAX_DECIMAL_PLACES: gettext_lazy("Not more decimals than the column allows"),
    RuleCode.NULL_CHARACTERS: gettext_lazy("No NUL characters"),
    RuleCode.BLANK: gettext_lazy("Required"),
    RuleCode.NULL: gettext_lazy("Required"),
    RuleCode.UNIQUE: gettext_lazy("Unique"),
    RuleCode.MAX_WHOLE_DIGITS: gettext_lazy("Not more digits than the column allows"),
}
