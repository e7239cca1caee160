"""Identifier checks for organisations.

统一社会信用代码 (USCC, GB 32100-2015): 18 characters whose 18th is a mod-31 check character and
whose 9th–17th characters are the GB 11714-1997 organisation code with its own mod-11 check
digit. python-stdnum checks the first; the embedded organisation-code check is ours (standards.md
§4.2). Region codes are GB/T 2260, checked against the code list python-stdnum ships.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from govshare.core.errors import field_error
from govshare.orgs.choices import RegionLevel
from govshare.orgs.errors import OrgCode

ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# GB/T 2260 province codes (省级): 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82.
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)


def org_code_check_digit(body8: str) -> str:
    """GB 11714: check digit of an 8-character organisation-code body."""
    total = sum(
        ORG_CODE_ALPHABET.index(c) * w for c, w in zip(body8, ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_uscc(value: str, field: str = "uscc") -> str:
    """Return the compact USCC or raise a ValidationError naming the failed check."""
    code = stdnum_uscc.compact(value or "")
    try:
        stdnum_uscc.validate(code)
    except InvalidLength:
        raise field_error(
            field,
            _("Unified social credit code must be 18 characters (GB 32100 length check)."),
            OrgCode.USCC_LENGTH,
        ) from None
    except InvalidFormat:
        raise field_error(
            field,
            _(
                "Unified social credit code has characters outside the "
                "GB 32100 alphabet, or a region part that is not 6 digits."
            ),
            OrgCode.USCC_FORMAT,
        ) from None
    except InvalidChecksum:
        raise field_error(
            field,
            _(
                "Unified social credit code fails the GB 32100 check "
                "character (18th position, mod 31)."
            ),
            OrgCode.USCC_CHECKSUM,
        ) from None
    if any(c not in ORG_CODE_ALPHABET for c in code[8:17]) or (
        org_code_check_digit(code[8:16]) != code[16]
    ):
        raise field_error(
            field,
            _(
                "Unified social credit code embeds an organisation code "
                "(positions 9–17) that fails the GB 11714 check digit "
                "(mod 11)."
            ),
            OrgCode.USCC_ORG_CODE_CHECKSUM,
        )
    return code


def uscc_with_check(prefix17: str) -> str:
    """Complete a 17-character USCC body with its GB 32100 check character."""
    return prefix17 + stdnum_uscc.calc_check_digit(prefix17)


@lru_cache(maxsize=4096)
def known_region_name(code: str) -> str | None:
    """Current name of a 6-digit GB/T 2260 code in python-stdnum's list, or None if unknown."""
    info = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    county = info.get("county")
    if not county:
        return None
    for name in county.split(","):
        if not name.startswith("["):
            return name
        period, label = name[1:].split("]", 1)
        if period.endswith("-"):  # still in force: "[1983-]"
            return label
    return None


def level_of_code(code: str) -> RegionLevel:
    """The level a region code's structure implies (GB/T 2260 and 统计用区划代码)."""
    if len(code) > 6:
        return RegionLevel.TOWNSHIP
    if code == "100000":
        return RegionLevel.COUNTRY
    if code[2:] == "0000":
        return RegionLevel.PROVINCE
    if code[4:] == "00":
        return RegionLevel.CITY
    return RegionLevel.COUNTY


def validate_region_code(code: str, level: str, parent_code: str | None) -> None:
    """Raise a ValidationError naming the first GB/T 2260 rule ``code`` breaks."""
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise field_error(
            "code",
            _("Region code must be 6 digits (GB/T 2260), or 9 or 12 digits for townships."),
            OrgCode.REGION_FORMAT,
        )
    if code != "100000" and code[:2] not in PROVINCE_PREFIXES:
        raise field_error(
            "code",
            _("Region code starts with %(prefix)s, which is not a GB/T 2260 province code.")
            % {"prefix": code[:2]},
            OrgCode.REGION_PROVINCE,
        )
    if level_of_code(code) != level:
        raise field_error(
            "level",
            _("Level does not match the structure of region code %(code)s.") % {"code": code},
            OrgCode.REGION_LEVEL,
        )
    if len(code) == 6 and code != "100000" and known_region_name(code) is None:
        raise field_error(
            "code",
            _("Region code %(code)s is not a current GB/T 2260 code.") % {"code": code},
            OrgCode.REGION_UNKNOWN,
        )
    if parent_code and not _is_within(code, parent_code):
        raise field_error(
            "parent",
            _("Region %(code)s does not lie within parent region %(parent)s.")
            % {"code": code, "parent": parent_code},
            OrgCode.REGION_PARENT,
        )


def _is_within(code: str, parent_code: str) -> bool:
    if parent_code == "100000":
        return True
    significant = parent_code.rstrip("0") if len(parent_code) == 6 else parent_code
    # Keep whole two-digit groups: 370700 → "3707", 370000 → "37".
    significant = parent_code[: len(significant) + len(significant) % 2]
    return code.startswith(significant) and code != parent_code


__all__ = [
    "ValidationError",
    "known_region_name",
    "level_of_code",
    "org_code_check_digit",
    "uscc_with_check",
    "validate_region_code",
    "validate_uscc",
]
