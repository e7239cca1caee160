"""Input types of the REST API: each rule on one value is declared once, checked on input and
stated in the OpenAPI document (issue #11 item 7), so that a client generated from the document
sends only what the server accepts, and the server accepts everything the document allows.

Patterns are written in the part of regular-expression syntax that ECMA-262 (the dialect JSON
Schema names, with the ``u`` flag) and Python's ``re`` read alike: character classes with
``\\uXXXX`` escapes, ``[0-9]`` (never ``\\d``, which is any Unicode digit in Python), groups,
alternation and quantifiers, anchored with ``^…$``. Values are checked with ``re.fullmatch`` so
that a trailing newline is refused as ECMA-262 refuses it.

Rules that JSON Schema cannot state (two fields compared, a value against stored data or today's
date) are in each operation's description and answered as ``core/web/api.py`` says.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from govshare.core.months import MONTH_REGEX

# Largest value a BigAutoField holds; a bigger id would overflow the database driver.
MAX_ID = 2**63 - 1
INT_MAX = 2**31 - 1  # a PositiveIntegerField on every database backend

# Characters a database stores: no NUL (PostgreSQL refuses it in text). A lone surrogate (not
# encodable as UTF-8) is refused too, but only here: it is no character, and the regular
# expressions of most JSON Schema tools cannot name it (Rust's, jsonschema-rs in schemathesis).
_UNSTORABLE = "\\u0000"
# What str.strip() removes (str.isspace()); ECMA-262's \s differs (\u001c-\u001f, \u0085,
# \ufeff), so the class is spelled out.
_SPACE = "".join(f"\\u{ord(char):04x}" for char in map(chr, range(0x3001)) if char.isspace())
STORABLE = f"[^{_UNSTORABLE}]"
VISIBLE = f"[^{_UNSTORABLE}{_SPACE}]"
PLAIN_PATTERN = f"^{STORABLE}*$"
FILLED_PATTERN = f"^{STORABLE}*{VISIBLE}{STORABLE}*$"
_CHARACTERS = re.compile("[^\\u0000\\ud800-\\udfff]*")


class Pattern:
    """``Annotated[str, Pattern(regex, error)]``: the value matches ``regex`` in full, else the
    pydantic error ``error`` (its message is in ``core.web.api.INPUT_MESSAGES``)."""

    def __init__(self, regex: str, error: str) -> None:
        assert regex.startswith("^") and regex.endswith("$"), regex
        self.regex = regex
        self.error = error
        self.compiled = re.compile(regex[1:-1])

    def check(self, value: str) -> str:
        if self.compiled.fullmatch(value) is None:
            raise PydanticCustomError(self.error, "the value does not match {pattern}", {})
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.regex
        return json_schema


class TextRule(Pattern):
    """Text a database can store; ``filled``: with a character other than white space (the
    services strip text and call an empty one missing)."""

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.setdefault("pattern", self.regex)  # a stricter Field(pattern=) stays
        return json_schema

    def __init__(self, *, filled: bool) -> None:
        super().__init__(FILLED_PATTERN if filled else PLAIN_PATTERN, "blank")

    def check(self, value: str) -> str:
        if _CHARACTERS.fullmatch(value) is None:
            raise PydanticCustomError("text_characters", "text that cannot be stored")
        return super().check(value)


# Add to every str input: ``Annotated[str, Field(max_length=100), PLAIN_TEXT]``; FILLED_TEXT
# where the service requires a value.
PLAIN_TEXT = TextRule(filled=False)
FILLED_TEXT = TextRule(filled=True)


class OneOf:
    """``Annotated[str, OneOf(values)]``: one of ``values`` — a TextChoices or strings — and
    ``""`` too where ``blank`` (an enumeration in the document)."""

    def __init__(self, values: Iterable[Any], *, blank: bool = False) -> None:
        self.values = ([""] if blank else []) + [str(value) for value in values]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.literal_schema(self.values)


# A month as YYYY-MM (core.months reads it); "" where the parameter may be left empty.
MONTH_PATTERN = f"^{MONTH_REGEX}$"
Month = Annotated[str, Pattern(MONTH_PATTERN, "month_format"), Field(description="YYYY-MM")]
OptionalMonth = Annotated[
    str, Pattern(f"^({MONTH_REGEX})?$", "month_format"), Field(description="YYYY-MM or empty")
]

# Days and moments from 2000 to 2999: no record of this platform lies outside, and a bound
# keeps every value clear of the calendar's ends (a time zone shift past year 9999 overflows).
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
_DAY = "2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = "[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?"
_OFFSET = "(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?"


class DayRule(Pattern):
    """A calendar day as YYYY-MM-DD from 2000 to 2999 (``format: date`` and a pattern)."""

    kind: Any = "date"

    def __init__(self) -> None:
        super().__init__(f"^{_DAY}$", "date_format")

    def check(self, value: str) -> Any:
        super().check(value)
        try:
            return dt.date.fromisoformat(value)
        except ValueError:  # 2026-02-30: the pattern's month lengths are not exact
            raise PydanticCustomError("date_format", "not a calendar day") from None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        text = core_schema.str_schema()
        return core_schema.no_info_after_validator_function(
            self.check, text, serialization=core_schema.simple_ser_schema(self.kind)
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "format": "date", "pattern": self.regex}


class MomentRule(DayRule):
    """A date and time (ISO 8601, RFC 3339's ``format: date-time``) from 2000 to 2999."""

    kind: Any = "datetime"

    def __init__(self) -> None:
        Pattern.__init__(self, f"^{_DAY}{_TIME}{_OFFSET}$", "datetime_format")

    def check(self, value: str) -> Any:
        Pattern.check(self, value)
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("datetime_format", "not a date and time") from None
        # In UTC from here on: RFC 3339 allows offsets to ±23:59, PostgreSQL only to ±15:59 (an
        # offset of +22:44 reached the driver and failed as a 500).
        return moment if moment.tzinfo is None else moment.astimezone(dt.UTC)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "format": "date-time", "pattern": self.regex}


Day = Annotated[dt.date, DayRule()]
Moment = Annotated[dt.datetime, MomentRule()]

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=INT_MAX)]


class AmountRule:
    """Money in 10k yuan as the columns hold it (max_digits=14, decimal_places=2, never
    negative): a JSON number, or a string of digits with at most two decimals."""

    TEXT = "^[0-9]{1,12}(\\.[0-9]{1,2})?$"
    LARGEST = Decimal("999999999999.99")

    def check(self, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise PydanticCustomError("amount", "not an amount")
        if isinstance(value, str) and re.fullmatch(self.TEXT[1:-1], value) is None:
            raise PydanticCustomError("amount", "not an amount")
        amount = Decimal(str(value))
        if not (amount.is_finite() and 0 <= amount <= self.LARGEST):
            raise PydanticCustomError("amount", "not an amount")
        if amount != amount.quantize(Decimal("0.01")):
            raise PydanticCustomError("amount", "not an amount")
        return amount

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(self.check)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": float(self.LARGEST),
                 "multipleOf": 0.01},
                {"type": "string", "pattern": self.TEXT},
            ]
        }  # fmt: skip


Amount = Annotated[Decimal, AmountRule()]
