"""Masking of delivered values (脱敏), one rule per ``catalog.choices.Masking`` kind.

The rules keep what a consumer needs to recognise a record (a surname, an ID number's region and
check digits, a phone's last digits) and hide the rest, after common practice (GB/T 35273 §A and
JR/T 0171): ``mask(kind, value)``. Unknown kinds mask everything: a mistake must not leak.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from govshare.catalog.choices import Masking

FULL_MASK = "***"
# 复姓: surnames of two characters, kept whole so that 欧阳娜娜 shows as 欧阳**.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 "
    "澹台 公冶 太叔 申屠 闻人 呼延 端木 南宫 西门 独孤 拓跋 百里 东郭 万俟".split()
)
# Where an address's district part ends (省/市 before it stay, the street and number go).
# 小区/社区 are housing estates and communities, not districts.
DISTRICT_END = re.compile(r"^.{1,12}?(?<![小社])[区县旗]")
ADDRESS_KEEP = 6


def mask(kind: str, value: Any) -> Any:
    """``value`` masked by the rule ``kind``; None stays None, other values become strings."""
    if value is None or kind == Masking.NONE:
        return value
    rule = RULES.get(kind, mask_custom)
    return rule(value if isinstance(value, str) else str(value))


def mask_record(record: Mapping[str, Any], kinds: Mapping[str, str]) -> dict[str, Any]:
    """A record with each item masked by its kind (items without one are left as they are)."""
    return {item: mask(kinds.get(item, Masking.NONE), value) for item, value in record.items()}


def _stars(text: str) -> str:
    return "*" * len(text)


def mask_name(value: str) -> str:
    name = value.strip()
    if len(name) <= 1:
        return "*" * len(name) or ""
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + _stars(name[keep:])


def mask_id_number(value: str) -> str:
    # GB 11643: 6-digit region code, birth date, sequence, check digit; the birth date and the
    # sequence are what identify a person, so the middle goes (18 and the old 15 digits alike).
    text = value.strip()
    if len(text) <= 10:
        return _stars(text)
    return text[:6] + _stars(text[6:-4]) + text[-4:]


def _mask_digits(text: str, keep_start: int, keep_end: int) -> str:
    """Replace digits by ``*``, except the first ``keep_start`` and the last ``keep_end``."""
    positions = [i for i, char in enumerate(text) if char.isdigit()]
    # max(…, 0): with fewer digits than kept, a negative end would count from the other side
    # ("123" as a bank card lost its first two digits, but "12" none).
    hidden = set(positions[keep_start : max(len(positions) - keep_end, 0)])
    return "".join("*" if i in hidden else char for i, char in enumerate(text))


def mask_phone(value: str) -> str:
    text = value.strip()
    prefix = ""
    match = re.match(r"^(\+?86[\s-]?)(1\d{10})$", text)
    if match:
        prefix, text = match.group(1), match.group(2)
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits.startswith("1"):  # mobile: 138****5678
        return prefix + _mask_digits(text, 3, 4)
    if digits.startswith("0"):  # landline: the area code (010, 02x: 3 digits; else 4) stays
        # A lone "0" has no second digit: it is kept whole (it indexed past the end before).
        area = 3 if digits[1:2] in ("1", "2") else 4
        return prefix + _mask_digits(text, area, 2)
    return prefix + _mask_digits(text, 0, 2)


def mask_address(value: str) -> str:
    text = value.strip()
    match = DISTRICT_END.match(text)
    keep = match.end() if match else min(ADDRESS_KEEP, len(text))
    return text[:keep] + _stars(text[keep:])


def mask_bank_card(value: str) -> str:
    return _mask_digits(value.strip(), 0, 4)


def mask_email(value: str) -> str:
    local, at, domain = value.strip().rpartition("@")
    if not at or not local or not domain:
        return FULL_MASK
    return f"{local[0]}{FULL_MASK}@{domain}"


def mask_custom(value: str) -> str:
    return FULL_MASK


RULES: dict[str, Callable[[str], str]] = {
    Masking.NAME: mask_name,
    Masking.ID_NUMBER: mask_id_number,
    Masking.PHONE: mask_phone,
    Masking.ADDRESS: mask_address,
    Masking.BANK_CARD: mask_bank_card,
    Masking.EMAIL: mask_email,
    Masking.CUSTOM: mask_custom,
}
