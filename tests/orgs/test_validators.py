"""USCC (GB 32100 + GB 11714) and region code (GB/T 2260) checks name the failed rule."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc as stdnum_uscc

from govshare.orgs.validators import (
    known_region_name,
    org_code_check_digit,
    uscc_with_check,
    validate_region_code,
    validate_uscc,
)

VALID_USCC = [
    "91110000600037341L",
    "121200004013590816",
    "9135052155323005XL",
    "91310115MA1K3BTP2B",
    "92340602MA2PBMEM24",
    "914403001922038216",
    "91330100716105852F",
]


def _code(error: ValidationError, field: str = "uscc") -> str:
    return error.error_dict[field][0].code


@pytest.mark.parametrize("code", VALID_USCC)
def test_published_codes_pass_both_checks(code):
    assert validate_uscc(code) == code


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("9111000060003734", "uscc_length"),
        ("91110000600037341I", "uscc_format"),  # I is not in the GB 32100 alphabet
        ("9111000060003734IL", "uscc_format"),
        ("91110000600037341N", "uscc_checksum"),
    ],
)
def test_bad_codes_name_the_failed_check(value, rule):
    with pytest.raises(ValidationError) as caught:
        validate_uscc(value)
    assert _code(caught.value) == rule


def test_a_code_whose_embedded_org_code_is_wrong_fails_the_gb11714_check():
    # Given a body whose 17th character is not the organisation-code check digit,
    body = "11370700" + "00490001"
    wrong = "0" if org_code_check_digit("00490001") != "0" else "1"
    # when the 18th character is still made valid for GB 32100,
    code = uscc_with_check(body + wrong)
    assert stdnum_uscc.is_valid(code)
    # then only our GB 11714 check rejects it.
    with pytest.raises(ValidationError) as caught:
        validate_uscc(code)
    assert _code(caught.value) == "uscc_org_code_checksum"
    assert "GB 11714" in caught.value.error_dict["uscc"][0].message


def test_known_region_names_come_from_the_gb2260_list():
    assert known_region_name("370700") == "潍坊市"
    assert known_region_name("370783") == "寿光市"
    assert known_region_name("370723") is None  # 寿光县 became a city in 1993


@pytest.mark.parametrize(
    ("code", "level", "parent", "field", "rule"),
    [
        ("37070", "county", "370700", "code", "region_format"),
        ("990700", "city", None, "code", "region_province"),
        ("370783", "city", "370700", "level", "region_level"),
        ("370799", "county", "370700", "code", "region_unknown"),
        ("370102", "county", "370700", "parent", "region_parent"),
    ],
)
def test_bad_region_codes_name_the_rule(code, level, parent, field, rule):
    with pytest.raises(ValidationError) as caught:
        validate_region_code(code, level, parent)
    assert caught.value.error_dict[field][0].code == rule


def test_a_real_county_under_its_city_is_valid():
    validate_region_code("370783", "county", "370700")
    validate_region_code("370700", "city", "370000")
