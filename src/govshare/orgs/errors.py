"""The codes of organisations' rules (CONVENTIONS rule 7): the identifier checks of GB 32100,
GB 11714 and GB/T 2260, each with the rule it names in words. Registered with core.errors when
the orgs app is ready."""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


class OrgCode(StrEnum):
    USCC_LENGTH = "uscc_length"
    USCC_FORMAT = "uscc_format"
    USCC_CHECKSUM = "uscc_checksum"
    USCC_ORG_CODE_CHECKSUM = "uscc_org_code_checksum"
    REGION_FORMAT = "region_format"
    REGION_PROVINCE = "region_province"
    REGION_LEVEL = "region_level"
    REGION_UNKNOWN = "region_unknown"
    REGION_PARENT = "region_parent"


MESSAGES: dict[str, str | Promise] = {
    OrgCode.USCC_LENGTH: gettext_lazy("A unified social credit code of 18 characters"),
    OrgCode.USCC_FORMAT: gettext_lazy("A unified social credit code in the GB 32100 alphabet"),
    OrgCode.USCC_CHECKSUM: gettext_lazy("The GB 32100 check character"),
    OrgCode.USCC_ORG_CODE_CHECKSUM: gettext_lazy("The GB 11714 check digit"),
    OrgCode.REGION_FORMAT: gettext_lazy("A region code of 6, 9 or 12 digits"),
    OrgCode.REGION_PROVINCE: gettext_lazy("A region code of a GB/T 2260 province"),
    OrgCode.REGION_LEVEL: gettext_lazy("A level that fits the region code"),
    OrgCode.REGION_UNKNOWN: gettext_lazy("A current GB/T 2260 region code"),
    OrgCode.REGION_PARENT: gettext_lazy("A region within its parent"),
}
