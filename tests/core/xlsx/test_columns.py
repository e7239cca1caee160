"""A cell read against its column: the value the field takes, or a message that says what the
cell must hold and the rule's code; the rules in words (issue 12 items 6 and 7)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from openpyxl import load_workbook

from govshare.core.errors import ERROR_MESSAGES, OTHER_MESSAGE, error_message
from govshare.core.xlsx.columns import (
    INT_MAX,
    NO,
    YES,
    Column,
    Kind,
    RuleCode,
    aliases,
    field_rules,
    parse_cell,
)
from govshare.core.xlsx.writer import Workbook

LEVEL = Column("level", "等级", Kind.INTEGER, minimum=1, maximum=5)
MONEY = Column("cost", "金额", Kind.DECIMAL, minimum=0, maximum=Decimal("999.99"), decimal_places=2)
CHOICES = (("internal", "部门内部"), ("public", "社会公众"))
SCOPE = Column(
    "scope",
    "范围",
    Kind.CHOICE,
    choices=CHOICES,
    aliases=aliases([("internal", "Internal"), ("public", "Public")], CHOICES),
)


@pytest.mark.parametrize(
    "column, value, expected",
    [
        (Column("name", "名称"), "  户籍 ", "户籍"),
        (Column("name", "名称"), 37070013001.0, "37070013001"),  # a number in a text column
        (Column("name", "名称", blank="无"), "  ", "无"),
        (SCOPE, "社会公众", "public"),
        (SCOPE, " internal ", "internal"),
        (SCOPE, "Public", "public"),
        (Column("open", "开放", Kind.BOOLEAN), YES, True),
        (Column("open", "开放", Kind.BOOLEAN), NO, False),
        (LEVEL, 3.0, 3),
        (LEVEL, "+4", 4),
        (MONEY, 12.350000000000001, Decimal("12.35")),  # a float as Excel gives it back
        (MONEY, "0.5", Decimal("0.5")),
        (Column("day", "日期", Kind.DATE), "2026年2月28日", dt.date(2026, 2, 28)),
        (Column("day", "日期", Kind.DATE), dt.datetime(2026, 2, 28, 9), dt.date(2026, 2, 28)),
    ],
)
def test_a_cell_is_read_as_its_column_takes_it(column, value, expected):
    assert parse_cell(column, value) == expected


@pytest.mark.parametrize(
    "column, value, code, words",
    [
        (Column("name", "名称", refuses_blank=True), None, "required", "required"),
        (Column("name", "名称", max_length=3), "四个字符", "max_length", "at most 3"),
        (Column("name", "名称"), "a\x00b", "null_characters_not_allowed", "NUL"),
        (SCOPE, "全部", "invalid_choice", "部门内部、社会公众"),
        (Column("open", "开放", Kind.BOOLEAN), "也许", "invalid", "是 or 否"),
        (LEVEL, 7, "max_value", "from 1 to 5"),
        (LEVEL, 0, "min_value", "from 1 to 5"),
        (LEVEL, "3.5", "invalid", "from 1 to 5"),
        (LEVEL, str(10**20), "max_value", "from 1 to 5"),
        (MONEY, "1000", "max_value", "0 to 999.99"),
        (MONEY, "1.234", "max_decimal_places", "at most 2 decimals"),
        (MONEY, "-1", "min_value", "0 to 999.99"),
        (MONEY, "NaN", "invalid", "0 to 999.99"),
        (Column("day", "日期", Kind.DATE), "2026-02-30", "invalid_date", "no day 2026-02-30"),
        (Column("day", "日期", Kind.DATE), "去年", "invalid_date", "YYYY-MM-DD"),
    ],
)
def test_a_bad_cell_says_what_the_column_takes_and_names_its_rule(
    english, column, value, code, words
):
    with pytest.raises(ValidationError) as raised:
        parse_cell(column, value)
    assert raised.value.code == code
    assert words in raised.value.messages[0]
    assert raised.value.messages[0].endswith(".")  # one sentence, one full stop


def test_characters_excel_escapes_read_back_as_the_characters_themselves():
    # given texts with a control character and a literal escape, written and read back
    output = io.BytesIO()
    with Workbook(output) as book:
        book.add_sheet("表").append(["行\x01尾", "_x0041_"])
    values = next(load_workbook(io.BytesIO(output.getvalue()))["表"].iter_rows(values_only=True))

    # then the cells read as what was written (openpyxl leaves Excel's escapes as they are)
    column = Column("note", "备注")
    assert [parse_cell(column, value) for value in values] == ["行\x01尾", "_x0041_"]


def test_a_fields_bounds_are_its_validators_within_what_every_database_stores():
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    money = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    count = models.PositiveIntegerField(default=0)
    assert (
        field_rules(level, Kind.INTEGER)["minimum"],
        field_rules(level, Kind.INTEGER)["maximum"],
    ) == (1, 5)
    rules = field_rules(money, Kind.DECIMAL)
    assert (rules["minimum"], rules["maximum"], rules["decimal_places"]) == (
        0,
        Decimal("999999999999.99"),
        2,
    )
    assert field_rules(count, Kind.INTEGER)["maximum"] == INT_MAX  # not the backend's 2**63 - 1
    assert field_rules(count, Kind.INTEGER)["blank"] == 0


def test_every_rule_is_named_in_words_and_an_unknown_one_is_never_shown_as_its_code():
    for code in [*RuleCode, "required", "invalid", "duplicate", "conflict"]:
        assert code in ERROR_MESSAGES and str(error_message(code)) != code
    assert error_message("some_new_rule") == OTHER_MESSAGE
