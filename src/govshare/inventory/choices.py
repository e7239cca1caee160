"""Enumerations of the inventory (系统普查) and the allowed state transitions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UsageScope(models.TextChoices):
    """使用范围."""

    INTERNAL = "internal", _("Within the department")
    CROSS_DEPARTMENT = "cross_department", _("Across departments")
    PUBLIC = "public", _("Serving the public")


class UsageFrequency(models.TextChoices):
    """使用频率."""

    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    RARELY = "rarely", _("Rarely")


class FundingSource(models.TextChoices):
    """资金来源."""

    FISCAL = "fiscal", _("Fiscal funds")
    SELF_RAISED = "self_raised", _("Self-raised")
    SOCIAL = "social", _("Social investment")
    SERVICE_PURCHASE = "service_purchase", _("Purchased service")


class ConstructionMode(models.TextChoices):
    """建设方式."""

    SELF_BUILT = "self_built", _("Self-built")
    JOINT = "joint", _("Jointly built")
    SERVICE_PURCHASE = "service_purchase", _("Purchased service")
    SUPERIOR = "superior", _("Deployed by a higher level")


class Deployment(models.TextChoices):
    """部署方式."""

    GOV_CLOUD = "gov_cloud", _("Government cloud")
    OWN_ROOM = "own_room", _("Own machine room")
    HOSTED = "hosted", _("Hosted")
    SUPERIOR = "superior", _("Deployed by a higher level")


class CloudStatus(models.TextChoices):
    """迁云状态."""

    NOT_PLANNED = "not_planned", _("Not planned")
    PLANNED = "planned", _("Planned")
    MIGRATING = "migrating", _("Migrating")
    MIGRATED = "migrated", _("On the government cloud")
    EXEMPT = "exempt", _("Exempt")


class NetworkDomain(models.TextChoices):
    """网络域."""

    INTERNET = "internet", _("Internet")
    EXTRANET_PUBLIC = "extranet_public", _("E-government extranet, public service domain")
    EXTRANET_ADMIN = "extranet_admin", _("E-government extranet, administrative domain")
    INTRANET = "intranet", _("E-government intranet")
    PRIVATE = "private", _("Dedicated business network")


class VerticalOrigin(models.TextChoices):
    """来源层级: 国垂/省垂/本级."""

    NATIONAL = "national", _("National vertical")
    PROVINCIAL = "provincial", _("Provincial vertical")
    LOCAL = "local", _("Local")


class Connection(models.TextChoices):
    """接入状态 (unified login, sharing platform)."""

    NOT_CONNECTED = "not_connected", _("Not connected")
    IN_PROGRESS = "in_progress", _("Connecting")
    CONNECTED = "connected", _("Connected")
    NOT_REQUIRED = "not_required", _("Not required")


class Lifecycle(models.TextChoices):
    """系统状态: 在建/在用/停用/已整合/已清理."""

    BUILDING = "building", _("Under construction")
    IN_USE = "in_use", _("In use")
    STOPPED = "stopped", _("Stopped")
    MERGED = "merged", _("Merged")
    RETIRED = "retired", _("Retired")


# Systems that still exist as systems: they count in the census indicators.
LIVE_LIFECYCLES = frozenset({Lifecycle.BUILDING, Lifecycle.IN_USE})
# Systems integrated away (系统整合): merged into another or retired. Their clean-up is done, so
# they are no longer zombies, whatever the assessment that flagged them said.
INTEGRATED_LIFECYCLES = frozenset({Lifecycle.MERGED, Lifecycle.RETIRED})

LIFECYCLE_TRANSITIONS: dict[str, frozenset[str]] = {
    Lifecycle.BUILDING: frozenset({Lifecycle.IN_USE, Lifecycle.RETIRED}),
    Lifecycle.IN_USE: frozenset({Lifecycle.STOPPED, Lifecycle.MERGED, Lifecycle.RETIRED}),
    Lifecycle.STOPPED: frozenset({Lifecycle.IN_USE, Lifecycle.MERGED, Lifecycle.RETIRED}),
    Lifecycle.MERGED: frozenset({Lifecycle.RETIRED}),
    Lifecycle.RETIRED: frozenset(),
}


class CensusStatus(models.TextChoices):
    """部门普查状态."""

    DRAFT = "draft", _("Being filled in")
    SUBMITTED = "submitted", _("Submitted")
    CONFIRMED = "confirmed", _("Confirmed")
    RETURNED = "returned", _("Returned")


CENSUS_TRANSITIONS: dict[str, frozenset[str]] = {
    CensusStatus.DRAFT: frozenset({CensusStatus.SUBMITTED}),
    CensusStatus.SUBMITTED: frozenset({CensusStatus.CONFIRMED, CensusStatus.RETURNED}),
    CensusStatus.RETURNED: frozenset({CensusStatus.SUBMITTED}),
    CensusStatus.CONFIRMED: frozenset({CensusStatus.SUBMITTED}),
}


class ZombieRule(models.TextChoices):
    """The plans' three criteria for a zombie system (僵尸系统)."""

    DETACHED = "detached", _("Detached from the business")
    REPLACEABLE = "replaceable", _("Replaceable by another system")
    IDLE = "idle", _("Idle resources")


class CleanupDecision(models.TextChoices):
    """清理决定."""

    STOP = "stop", _("Stop")
    MERGE = "merge", _("Merge into another system")
    KEEP = "keep", _("Keep")


class ShadowStatus(models.TextChoices):
    OPEN = "open", _("To follow up")
    REGISTERED = "registered", _("Registered in the census")
    DISMISSED = "dismissed", _("Dismissed")


class ProjectStage(models.TextChoices):
    """项目阶段: 立项/采购/建设/验收/运维/终止."""

    APPROVAL = "approval", _("Approval")
    PROCUREMENT = "procurement", _("Procurement")
    CONSTRUCTION = "construction", _("Construction")
    ACCEPTANCE = "acceptance", _("Acceptance")
    OPERATION = "operation", _("Operation and maintenance")
    TERMINATED = "terminated", _("Terminated")


class FilingStatus(models.TextChoices):
    """等级保护备案状态."""

    NOT_FILED = "not_filed", _("Not filed")
    FILED = "filed", _("Filed")
    ASSESSED = "assessed", _("Filed and assessed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class IntegrationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


# Done is final: the system has been merged into the target by then.
INTEGRATION_ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    IntegrationStatus.PLANNED: frozenset({IntegrationStatus.IN_PROGRESS, IntegrationStatus.DONE}),
    IntegrationStatus.IN_PROGRESS: frozenset({IntegrationStatus.PLANNED, IntegrationStatus.DONE}),
    IntegrationStatus.DONE: frozenset(),
}


class TaskStatus(models.TextChoices):
    """工作任务进展状态."""

    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    DELAYED = "delayed", _("Delayed")
    DONE = "done", _("Done")
