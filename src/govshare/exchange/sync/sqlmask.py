"""Masking in the source query (源端脱敏): SQL expressions equal to ``exchange.masking.mask``.

Where a rule can be written in the source's SQL dialect, the masked value is computed by the
source database, so a bulk run never decodes rows in Python just to mask them. A rule that has
no SQL form for a dialect returns None, and the run masks that column in Python instead.
Every SQL form must give exactly what ``mask(kind, value)`` gives (tested value by value on
PostgreSQL, MariaDB and SQLite, tests/exchange/sync/test_sqlmask.py).

What has an SQL form (everything else returns None):

=============  ==========  ===========  =========================================
rule           postgresql  mysql        sqlite
=============  ==========  ===========  =========================================
custom/other   any type    any type     any type (the answer is always ``***``)
name,          text, int   text, int    text only (an INTEGER column may hold REALs,
id_number,                              whose SQLite text differs from Python's);
address,                                the address's district found without a
email                                   regular expression
phone,         text, int   text, int    none: no regular expressions in SQLite
bank_card
=============  ==========  ===========  =========================================

The common values take a short path first, tested on the stored text: a bare mobile number
(``1`` and ten ASCII digits), an ID number of 18 ASCII digits (the last may be ``X``/``x``)
and a card number of ASCII digits only; everything else goes through the general form.

Exactness rests on Python's own character classes, written out from ``unicodedata`` on first
use (``classes()``): ``str.strip()`` trims every character for which ``isspace()`` is true (not only
the space), the phone rule's ``\\d`` is ``isdecimal()`` and ``_mask_digits`` hides what
``isdigit()`` calls a digit (superscripts too). Lengths and positions count characters, as
Python does. MariaDB compares with a binary collation (``utf8mb4_bin``), so a case- or
accent-insensitive column collation cannot make 欧阳 equal to another pair of characters.
Values other than text and integers (decimals, dates, booleans) are rendered differently by
each database than by ``str()``, so only ``custom`` is done in SQL for them.

Versions: the functions used are in every supported PostgreSQL (no ``split_part(…, -1)``,
which needs 14) and in MariaDB from 10.0.5 (PCRE). MySQL 8 runs the same SQL with ICU regular
expressions, which read these patterns alike; only MariaDB is tested here.

SQLite limits: its string functions (length, substr) stop at a NUL character (U+0000), which
PostgreSQL cannot store at all, so text holding one is cut there; a BLOB stored in a TEXT
column is masked as SQLite reads it as text, while Python masks ``str(bytes)``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql as mysql_types

from govshare.catalog.choices import Masking
from govshare.exchange.masking import ADDRESS_KEEP, COMPOUND_SURNAMES, FULL_MASK

Expr = sa.ColumnElement[Any]

DISTRICT_CHARS = ("区", "县", "旗")
NOT_BEFORE_DISTRICT = ("小", "社")  # 小区/社区 are estates, not districts (masking.DISTRICT_END)
DISTRICT_MAX_AT = 12  # DISTRICT_END's ".{1,12}?": the district character is at index 1..12


def _characters(test: Callable[[str], bool]) -> list[str]:
    return [chr(code) for code in range(sys.maxunicode + 1) if test(chr(code))]


def _bracket(chars: Iterable[str]) -> str:
    """A regular-expression bracket body listing ``chars`` as ranges of code points (PostgreSQL
    and PCRE both take literal characters and ``a-b`` ranges; none of ours is special)."""
    codes = sorted(ord(char) for char in chars)
    parts: list[str] = []
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code == previous + 1:
            previous = code
            continue
        parts.append(chr(start) if start == previous else f"{chr(start)}-{chr(previous)}")
        start = previous = code
    return "".join(parts)


@dataclass(frozen=True)
class Classes:
    """Python's character classes as the SQL needs them; built on first use (scanning every
    code point takes most of a second, which no process should pay just for importing this)."""

    whitespace: str  # every character str.isspace() takes: what strip() and re's \s remove
    space: str  # the same, as a bracket body
    decimal: str  # str.isdecimal(): re's \d on str
    digit: str  # str.isdigit(), as masking._mask_digits tests (superscripts too)

    @property
    def phone_with_country(self) -> str:
        # masking.mask_phone: r"^(\+?86[\s-]?)(1\d{10})$" (stripped text: "$" is the end).
        return f"^[+]?86[{self.space}-]?1[{self.decimal}]{{10}}$"


@cache
def classes() -> Classes:
    whitespace = "".join(_characters(str.isspace))
    return Classes(
        whitespace=whitespace,
        space=_bracket(whitespace),
        decimal=_bracket(_characters(str.isdecimal)),
        digit=_bracket(_characters(str.isdigit)),
    )


# masking.DISTRICT_END, "^.{1,12}?(?<![小社])[区县旗]"; lazy, so the shortest match wins (in
# PostgreSQL the whole expression takes the greediness of its first quantifier: lazy too).
DISTRICT_PATTERN = (
    f"^[^\n]{{0,{DISTRICT_MAX_AT - 1}}}?[^\n{''.join(NOT_BEFORE_DISTRICT)}]"
    f"[{''.join(DISTRICT_CHARS)}]"
)
# The common cases, recognised on the stored text before any other work: a bare mobile number
# (1 and ten ASCII digits, ``_phone``), and a card number of digits only (ASCII digits, no
# spaces around: nothing to strip).
PLAIN_CARD = "^[0-9]{5,}"  # and the dialect's end of text (``_Sql.end``)
# An ID number as almost every row holds it: 18 ASCII digits (the last may be X or x), nothing
# to strip. Its mask is then a fixed cut, without the general form's repeated trims (1M rows:
# about 1.8 s of trimming on PostgreSQL).
ASCII_DIGITS = "0123456789"
PLAIN_ID_CHARS = ASCII_DIGITS + "Xx"
PLAIN_ID_LENGTH = 18
MOBILE_LENGTH = 11


def _first_digits(count: int) -> str:
    """Matches the text up to and including its ``count``-th digit."""
    digit = classes().digit
    return f"^(?:[^{digit}]*[{digit}]){{{count}}}"


def _followed_by_digits(count: int) -> str:
    """Matches a digit that has at least ``count`` digits after it."""
    digit = classes().digit
    return f"[{digit}](?=(?:[^{digit}]*[{digit}]){{{count}}})"


def _text(value: str) -> Expr:
    return sa.literal(value, sa.String)


# --- the dialects' building blocks ----------------------------------------------------------


class _Sql:
    """String functions of one dialect, on character positions counted from 1 as SQL does."""

    has_regex = True
    end = "$"  # a pattern's end of text

    def as_text(self, column: Any) -> Expr | None:
        raise NotImplementedError

    def strip(self, text: Expr) -> Expr:
        return sa.func.trim(text, _text(classes().whitespace))

    def length(self, text: Expr) -> Expr:
        return sa.func.char_length(text)

    def substr(self, text: Expr, start: Any, length: Any) -> Expr:
        return sa.func.substr(text, start, length)

    def rest(self, text: Expr, start: Any) -> Expr:
        return sa.func.substr(text, start)

    def stars(self, count: Any) -> Expr:
        return sa.func.repeat(_text("*"), count)

    def concat(self, *parts: Any) -> Expr:
        result = parts[0]
        for part in parts[1:]:
            result = result.op("||")(part)
        return sa.type_coerce(result, sa.String)

    def position(self, needle: str, text: Expr) -> Expr:
        """Position of the first ``needle`` in ``text``, 0 when absent."""
        return sa.func.strpos(text, _text(needle))

    def after_last(self, char: str, text: Expr) -> Expr:
        raise NotImplementedError

    def matches(self, text: Expr, pattern: str) -> Expr:
        raise NotImplementedError

    def made_of(self, text: Expr, chars: str, length: int) -> Expr:
        """True when ``text`` is exactly ``length`` characters, each one of the ASCII ``chars``
        (none of which is whitespace: such a text has nothing to strip)."""
        # rtrim by a set of characters leaves '' only when every character is in it; then all
        # are ASCII, so the byte length is the character length.
        return sa.and_(
            sa.func.octet_length(text) == length, sa.func.rtrim(text, _text(chars)) == ""
        )

    def match_length(self, text: Expr, pattern: str) -> Expr:
        """Characters matched by ``pattern`` (anchored with ^) at the start; NULL when none."""
        raise NotImplementedError

    def replace_all(self, text: Expr, pattern: str, by: str) -> Expr:
        raise NotImplementedError


class _Postgresql(_Sql):
    def as_text(self, column: Any) -> Expr | None:
        if _is_string(column):
            return sa.type_coerce(column, sa.String)
        if _is_integer(column):
            return sa.cast(column, sa.Text)
        return None

    def strip(self, text: Expr) -> Expr:
        return sa.func.btrim(text, _text(classes().whitespace))

    def after_last(self, char: str, text: Expr) -> Expr:
        # Not split_part(…, -1): providers' PostgreSQL before 14 lacks it. NULL without ``char``.
        return sa.func.substring(text, _text(f"{char}([^{char}]*)$"))

    def matches(self, text: Expr, pattern: str) -> Expr:
        return text.op("~")(_text(pattern))

    def match_length(self, text: Expr, pattern: str) -> Expr:
        # substring(text, pattern) is the regular-expression form: NULL when nothing matches.
        return sa.func.char_length(sa.func.substring(text, _text(pattern)))

    def replace_all(self, text: Expr, pattern: str, by: str) -> Expr:
        return sa.func.regexp_replace(text, _text(pattern), _text(by), _text("g"))


class _Mysql(_Sql):
    """MariaDB 10.x and MySQL 8: PCRE regular expressions, in UTF mode on utf8mb4 text."""

    end = "\\z"  # PCRE's "$" also matches before a final newline, which is not a digit

    def as_text(self, column: Any) -> Expr | None:
        if not (_is_string(column) or _is_integer(column)):
            return None
        # Any column charset to utf8mb4, compared and matched code point by code point.
        converted = sa.cast(column, mysql_types.CHAR(charset="utf8mb4"))
        return sa.type_coerce(converted.collate("utf8mb4_bin"), sa.String)

    def strip(self, text: Expr) -> Expr:
        # TRIM() removes one string, not a set of characters. PCRE's "$" also matches before a
        # final newline, but a newline is whitespace, so the greedy run reaches the real end.
        space = classes().space
        return self.replace_all(text, f"^[{space}]+|[{space}]+$", "")

    def stars(self, count: Any) -> Expr:
        return sa.func.repeat(_text("*"), count)

    def concat(self, *parts: Any) -> Expr:
        return sa.type_coerce(sa.func.concat(*parts), sa.String)

    def position(self, needle: str, text: Expr) -> Expr:
        return sa.func.locate(_text(needle), text)

    def after_last(self, char: str, text: Expr) -> Expr:
        return sa.func.substring_index(text, _text(char), -1)

    def matches(self, text: Expr, pattern: str) -> Expr:
        return text.op("REGEXP")(_text(pattern))

    def made_of(self, text: Expr, chars: str, length: int) -> Expr:
        # RTRIM() takes no set of characters here. PCRE's "$" also matches before a final
        # newline: "{n}" with the byte length n leaves no room for one.
        return sa.and_(
            sa.func.octet_length(text) == length,
            self.matches(text, f"^[{chars}]{{{length}}}$"),
        )

    def match_length(self, text: Expr, pattern: str) -> Expr:
        # REGEXP_SUBSTR gives '' when nothing matches; our patterns match at least a digit.
        found = sa.func.char_length(sa.func.regexp_substr(text, _text(pattern)))
        return sa.func.nullif(found, 0)

    def replace_all(self, text: Expr, pattern: str, by: str) -> Expr:
        return sa.func.regexp_replace(text, _text(pattern), _text(by))


class _Sqlite(_Sql):
    has_regex = False

    def as_text(self, column: Any) -> Expr | None:
        return sa.type_coerce(column, sa.String) if _is_string(column) else None

    def stars(self, count: Any) -> Expr:
        # No repeat(): a zero-filled blob of ``count`` bytes in hex is "00" ``count`` times.
        return sa.func.replace(sa.func.hex(sa.func.zeroblob(count)), _text("00"), _text("*"))

    def position(self, needle: str, text: Expr) -> Expr:
        return sa.func.instr(text, _text(needle))

    def made_of(self, text: Expr, chars: str, length: int) -> Expr:
        # octet_length() is only in SQLite 3.43+; length() counts characters, equal here.
        return sa.and_(sa.func.length(text) == length, sa.func.rtrim(text, _text(chars)) == "")

    def after_last(self, char: str, text: Expr) -> Expr:
        # rtrim() by every other character of the text stops just after the last ``char``.
        head = sa.func.rtrim(text, sa.func.replace(text, _text(char), _text("")))
        return self.rest(text, self.length(head) + 1)


SQL: dict[str, _Sql] = {"postgresql": _Postgresql(), "mysql": _Mysql(), "sqlite": _Sqlite()}


def _column_type(column: Any) -> Any:
    return getattr(column, "type", sa.types.NULLTYPE)


def _is_string(column: Any) -> bool:
    kind = _column_type(column)
    return isinstance(kind, sa.String) and not isinstance(kind, mysql_types.SET)


def _is_integer(column: Any) -> bool:
    return isinstance(_column_type(column), sa.Integer)


# --- the rules, as masking.py writes them ---------------------------------------------------


def _name(sql: _Sql, text: Expr, stored: Expr) -> Expr:
    length = sql.length(text)
    compound = sql.substr(text, 1, 2).in_(sorted(COMPOUND_SURNAMES))
    return sa.case(
        (length <= 1, sql.stars(length)),
        (sa.and_(compound, length > 2), sql.concat(sql.substr(text, 1, 2), sql.stars(length - 2))),
        else_=sql.concat(sql.substr(text, 1, 1), sql.stars(length - 1)),
    )


def _id_number(sql: _Sql, text: Expr, stored: Expr) -> Expr:
    length = sql.length(text)
    middle = sql.stars(length - 10)
    kept = sql.concat(sql.substr(text, 1, 6), middle, sql.substr(text, length - 3, 4))
    general = sa.case((length <= 10, sql.stars(length)), else_=kept)
    hidden = _text("*" * (PLAIN_ID_LENGTH - 10))
    plain = sql.concat(sql.substr(stored, 1, 6), hidden, sql.substr(stored, PLAIN_ID_LENGTH - 3, 4))
    return sa.case((sql.made_of(stored, PLAIN_ID_CHARS, PLAIN_ID_LENGTH), plain), else_=general)


def _address(sql: _Sql, text: Expr, stored: Expr) -> Expr:
    length = sql.length(text)
    short = sa.case((length < ADDRESS_KEEP, length), else_=ADDRESS_KEEP)
    keep = sa.func.coalesce(_district_end(sql, text), short)
    return sql.concat(sql.substr(text, 1, keep), sql.stars(length - keep))


def _district_end(sql: _Sql, text: Expr) -> Expr:
    """Where masking.DISTRICT_END's match ends, or NULL: the first district character at index
    1..12, not after 小 or 社, with no newline before it ("." stops at a newline)."""
    if sql.has_regex:
        # The same match, without a look-behind: the character before the district character
        # is the last of ".{1,12}?", so it is one that is neither a newline nor 小/社.
        return sql.match_length(text, DISTRICT_PATTERN)
    newline = sql.position("\n", text)
    branches = [
        (
            sa.and_(
                sql.substr(text, index + 1, 1).in_(DISTRICT_CHARS),
                sql.substr(text, index, 1).not_in(NOT_BEFORE_DISTRICT),
                sa.or_(newline == 0, newline > index),
            ),
            sa.literal(index + 1),
        )
        for index in range(1, DISTRICT_MAX_AT + 1)
    ]
    return sa.case(*branches, else_=sa.null())


def _email(sql: _Sql, text: Expr, stored: Expr) -> Expr:
    length = sql.length(text)
    domain = sql.after_last("@", text)
    local_length = length - sql.length(domain) - 1
    is_address = sa.and_(sql.position("@", text) > 0, local_length > 0, sql.length(domain) > 0)
    masked = sql.concat(sql.substr(text, 1, 1), _text(f"{FULL_MASK}@"), domain)
    return sa.case((is_address, masked), else_=_text(FULL_MASK))


def _mask_digits(sql: _Sql, text: Expr, keep_start: int, keep_end: int) -> Expr:
    """masking._mask_digits: every digit but the first ``keep_start`` and the last ``keep_end``
    becomes ``*`` (the head up to the last kept leading digit is left alone)."""
    hide = _followed_by_digits(keep_end)
    if keep_start == 0:
        return sql.replace_all(text, hide, "*")
    head = sql.match_length(text, _first_digits(keep_start))
    masked_tail = sql.replace_all(sql.rest(text, head + 1), hide, "*")
    return sa.case(
        (head.is_(None), text),
        else_=sql.concat(sql.substr(text, 1, head), masked_tail),
    )


def _phone(sql: _Sql, text: Expr, stored: Expr) -> Expr:
    plain = sql.concat(sql.substr(stored, 1, 3), _text("****"), sql.substr(stored, 8, 4))
    # A bare mobile tested without a regular expression where the dialect can: cheaper per row.
    mobile = sa.and_(
        sql.made_of(stored, ASCII_DIGITS, MOBILE_LENGTH), sql.substr(stored, 1, 1) == "1"
    )
    return sa.case((mobile, plain), else_=_any_phone(sql, text))


def _any_phone(sql: _Sql, text: Expr) -> Expr:
    has_country = sql.matches(text, classes().phone_with_country)
    length = sql.length(text)
    # With a country code the number is the last 11 characters (1 and ten digits).
    prefix = sa.case((has_country, sql.substr(text, 1, length - 11)), else_=_text(""))
    number = sa.case((has_country, sql.rest(text, length - 10)), else_=text)
    digits = sql.replace_all(number, f"[^{classes().decimal}]", "")
    first, second = sql.substr(digits, 1, 1), sql.substr(digits, 2, 1)
    masked = sa.case(
        (sa.and_(sql.length(digits) == 11, first == "1"), _mask_digits(sql, number, 3, 4)),
        (sa.and_(first == "0", second.in_(("1", "2"))), _mask_digits(sql, number, 3, 2)),
        (first == "0", _mask_digits(sql, number, 4, 2)),
        else_=_mask_digits(sql, number, 0, 2),
    )
    return sql.concat(prefix, masked)


def _bank_card(sql: _Sql, text: Expr, stored: Expr) -> Expr:
    length = sql.length(stored)
    plain = sql.concat(sql.stars(length - 4), sql.rest(stored, length - 3))
    return sa.case(
        (sql.matches(stored, PLAIN_CARD + sql.end), plain), else_=_mask_digits(sql, text, 0, 4)
    )


# Each rule takes the stripped text, and the stored text for its fast paths.
RULES: dict[str, Callable[[_Sql, Expr, Expr], Expr]] = {
    Masking.NAME: _name,
    Masking.ID_NUMBER: _id_number,
    Masking.ADDRESS: _address,
    Masking.EMAIL: _email,
    Masking.PHONE: _phone,
    Masking.BANK_CARD: _bank_card,
}
NEEDS_REGEX = frozenset({Masking.PHONE, Masking.BANK_CARD})


def masked_expression(dialect: str, kind: str, column: Any) -> sa.ColumnElement[Any] | None:
    """``column`` masked by ``kind`` in SQL of ``dialect`` ("postgresql", "mysql" (MariaDB),
    "sqlite"), or None when that rule has no exact SQL form there (the caller masks in Python).

    ``column`` is a typed column expression (a reflected ``Table``'s column): its type decides
    how it becomes text, as ``mask`` applies ``str()`` to non-text values.
    """
    if kind == Masking.NONE:
        return column  # type: ignore[no-any-return]
    sql = SQL.get("mysql" if dialect == "mariadb" else dialect)
    if sql is None:
        return None
    rule = RULES.get(kind)
    if rule is None:  # custom, and kinds mask() does not know: everything goes
        return sa.case((column.is_(None), sa.null()), else_=_text(FULL_MASK))
    if kind in NEEDS_REGEX and not sql.has_regex:
        return None
    text = sql.as_text(column)
    if text is None:
        return None
    masked = rule(sql, sql.strip(text), text)
    return sa.type_coerce(sa.case((column.is_(None), sa.null()), else_=masked), sa.String)
