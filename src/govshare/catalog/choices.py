"""Enumerations of the catalog, after the 政务信息资源目录编制指南（试行）(发改高技〔2017〕1272号),
summarised in standards.md §1, and the allowed transitions of a resource and its versions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ResourceClass(models.TextChoices):
    """资源属性分类, the first digit of the code (类)."""

    BASE = "1", _("Base information resources")
    THEME = "2", _("Thematic information resources")
    DEPARTMENT = "3", _("Departmental information resources")


class FormatClass(models.TextChoices):
    """信息资源格式分类."""

    DOCUMENT = "document", _("Electronic document")
    SPREADSHEET = "spreadsheet", _("Spreadsheet")
    DATABASE = "database", _("Database")
    IMAGE = "image", _("Graphics and images")
    MEDIA = "media", _("Streaming media")
    SELF_DESCRIBING = "self_describing", _("Self-describing format")
    SERVICE = "service", _("Service interface")
    OTHER = "other", _("Other")


class ShareType(models.TextChoices):
    """共享类型 (国发〔2016〕51号 art.5): 无条件 / 有条件 / 不予共享."""

    UNCONDITIONAL = "unconditional", _("Shared without conditions")
    CONDITIONAL = "conditional", _("Shared on conditions")
    NOT_SHARED = "not_shared", _("Not shared")


# Strictness order: an item may be stricter than its resource, never looser (编制指南).
SHARE_STRICTNESS: dict[str, int] = {
    ShareType.UNCONDITIONAL: 0,
    ShareType.CONDITIONAL: 1,
    ShareType.NOT_SHARED: 2,
}


class ShareModeClass(models.TextChoices):
    """共享方式分类."""

    PLATFORM = "platform", _("Sharing platform")
    EMAIL = "email", _("Email")
    DISK = "disk", _("Copied to disk")
    PAPER = "paper", _("Media exchange (paper)")
    ELECTRONIC = "electronic", _("Media exchange (electronic documents)")
    OTHER = "other", _("Other")


class ShareModeType(models.TextChoices):
    """共享方式类型, when the mode is the sharing platform: 库表 / 接口 / 文件."""

    TABLE = "table", _("Database table")
    API = "api", _("Interface")
    FILE = "file", _("File")


# 格式 → 共享方式类型 consistency (standards.md §1.4): file-like formats travel as files, a
# database as tables or an interface, a service interface as an interface.
FORMAT_SHARE_MODES: dict[str, frozenset[str]] = {
    FormatClass.DOCUMENT: frozenset({ShareModeType.FILE}),
    FormatClass.SPREADSHEET: frozenset({ShareModeType.FILE, ShareModeType.TABLE}),
    FormatClass.IMAGE: frozenset({ShareModeType.FILE}),
    FormatClass.MEDIA: frozenset({ShareModeType.FILE}),
    FormatClass.DATABASE: frozenset({ShareModeType.TABLE, ShareModeType.API}),
    FormatClass.SERVICE: frozenset({ShareModeType.API}),
}


class UpdateCycle(models.TextChoices):
    """更新周期."""

    REALTIME = "realtime", _("Real time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every half year")
    YEARLY = "yearly", _("Yearly")
    IRREGULAR = "irregular", _("Irregular")


class DataType(models.TextChoices):
    """信息项数据类型 codes of the guide."""

    C = "C", _("C — character")
    N = "N", _("N — numeric")
    Y = "Y", _("Y — currency")
    D = "D", _("D — date")
    T = "T", _("T — date and time")
    L = "L", _("L — logical")
    M = "M", _("M — memo")
    G = "G", _("G — general")
    B = "B", _("B — double precision")
    I = "I", _("I — integer")  # noqa: E741 (the guide's own code)
    F = "F", _("F — floating point")


class Grade(models.TextChoices):
    """Sensitivity grade (数据分级): 核心 / 重要 / 一般 (subdivided 1–4)."""

    CORE = "core", _("Core")
    IMPORTANT = "important", _("Important")
    GENERAL_4 = "general_4", _("General, level 4")
    GENERAL_3 = "general_3", _("General, level 3")
    GENERAL_2 = "general_2", _("General, level 2")
    GENERAL_1 = "general_1", _("General, level 1")


# Higher is more sensitive; a resource's grade is the highest of its items'.
GRADE_RANK: dict[str, int] = {
    Grade.GENERAL_1: 1,
    Grade.GENERAL_2: 2,
    Grade.GENERAL_3: 3,
    Grade.GENERAL_4: 4,
    Grade.IMPORTANT: 5,
    Grade.CORE: 6,
}


class Masking(models.TextChoices):
    """Default masking policy of a data item (脱敏策略)."""

    NONE = "none", _("None")
    NAME = "name", pgettext_lazy("masking", "Name")  # 姓名, not 名称
    ID_NUMBER = "id_number", _("ID number")
    PHONE = "phone", _("Phone number")
    ADDRESS = "address", _("Address")
    BANK_CARD = "bank_card", _("Bank card")
    EMAIL = "email", _("Email")
    CUSTOM = "custom", _("Custom")


class MountKind(models.TextChoices):
    """挂接方式."""

    TABLE = "table", _("Database table")
    API = "api", _("Upstream interface")
    FILES = "files", _("File set")


class MountStatus(models.TextChoices):
    """挂接状态: 未挂接 / 已挂接 / 异常."""

    UNMOUNTED = "unmounted", _("Not mounted")
    MOUNTED = "mounted", _("Mounted")
    FAILING = "failing", _("Failing")


class ResourceStatus(models.TextChoices):
    """The resource's state in the catalog."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Under review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class VersionStatus(models.TextChoices):
    """A version's state: edited, reviewed, then in force or superseded."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")


VERSION_TRANSITIONS: dict[str, frozenset[str]] = {
    VersionStatus.DRAFT: frozenset({VersionStatus.SUBMITTED}),
    VersionStatus.SUBMITTED: frozenset({VersionStatus.RETURNED, VersionStatus.IN_FORCE}),
    VersionStatus.RETURNED: frozenset({VersionStatus.SUBMITTED}),
    VersionStatus.IN_FORCE: frozenset({VersionStatus.SUPERSEDED}),
    VersionStatus.SUPERSEDED: frozenset(),
}
EDITABLE_VERSIONS = frozenset({VersionStatus.DRAFT, VersionStatus.RETURNED})
