"""Masking rules (脱敏), one table per kind."""

from __future__ import annotations

from datetime import date

import pytest

from govshare.catalog.choices import Masking
from govshare.exchange.masking import mask, mask_record

CASES = [
    # kind, value, masked
    ("none", "张三", "张三"),
    ("none", 42, 42),
    ("name", "张三", "张*"),
    ("name", "张三丰", "张**"),
    ("name", "欧阳娜娜", "欧阳**"),
    ("name", "欧阳", "欧*"),
    ("name", "司马相如", "司马**"),
    ("name", "李", "*"),
    ("name", " 王五 ", "王*"),
    ("id_number", "370702199001011234", "370702********1234"),
    ("id_number", "37070219900101123X", "370702********123X"),
    ("id_number", "370702900101123", "370702*****1123"),
    ("id_number", "12345", "*****"),
    ("phone", "13812345678", "138****5678"),
    ("phone", "+8613812345678", "+86138****5678"),
    ("phone", "0536-8234567", "0536-*****67"),
    ("phone", "010-62345678", "010-******78"),
    ("phone", "02087654321", "020******21"),
    ("phone", "12345", "***45"),
    ("phone", "0", "0"),  # a landline's area code alone: no second digit to read
    ("phone", " 0x ", "0x"),
    ("address", "山东省潍坊市奎文区胜利东街123号", "山东省潍坊市奎文区********"),
    ("address", "潍坊市昌乐县城关街道5号", "潍坊市昌乐县******"),
    ("address", "幸福小区5号楼2单元", "幸福小区5号****"),
    ("address", "胜利东街", "胜利东街"),
    ("bank_card", "6222021234567890123", "***************0123"),
    ("bank_card", "6222 0212 3456 7890", "**** **** **** 7890"),
    ("bank_card", "123", "123"),  # fewer digits than the four kept: all stay
    ("bank_card", "12345", "*2345"),
    ("email", "alice@example.com", "a***@example.com"),
    ("email", "not-an-email", "***"),
    ("custom", "anything", "***"),
    ("custom", 12345, "***"),
    ("unknown-kind", "secret", "***"),
    ("id_number", 370702199001011234, "370702********1234"),
    ("phone", 13812345678, "138****5678"),
    ("address", date(2020, 1, 2), "2020-0****"),
]


@pytest.mark.parametrize(("kind", "value", "masked"), CASES)
def test_mask(kind, value, masked):
    assert mask(kind, value) == masked


@pytest.mark.parametrize("kind", Masking.values)
def test_none_stays_none_whatever_the_kind(kind):
    assert mask(kind, None) is None


def test_every_masking_kind_of_the_catalog_has_a_rule():
    for kind in Masking.values:
        if kind != Masking.NONE:
            assert mask(kind, "13812345678") != "13812345678", kind


def test_mask_record_masks_each_item_by_its_kind():
    record = {"GMSFHM": "370702199001011234", "XM": "张三", "XBDM": "1"}
    masked = mask_record(record, {"GMSFHM": "id_number", "XM": "name"})
    assert masked == {"GMSFHM": "370702********1234", "XM": "张*", "XBDM": "1"}
