"""Roles (角色). Node-wide roles apply everywhere; department roles apply to one department."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    REVIEWER = "reviewer", _("Sharing authority reviewer")
    DATA_OFFICER = "data_officer", _("Department data officer")
    STAFF = "staff", _("Department staff")
    AUDITOR = "auditor", _("Auditor")


# 平台管理员, 共享主管部门审核员 and 审计员 act on the whole node; 数据专员 and 工作人员 act for
# the department their membership names.
NODE_WIDE_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.REVIEWER, Role.AUDITOR})
DEPARTMENT_ROLES = frozenset({Role.DATA_OFFICER, Role.STAFF})
