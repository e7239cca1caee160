"""Resources of the catalog (政务信息资源), their versions, data items (信息项) and events.

A resource is the lasting identity (provider, code, status); each change of its metadata is a
new ``ResourceVersion`` with its own data items, so every version is kept and any two can be
compared. ``current_version`` is the one in force; ``working_version`` the one being edited or
reviewed (编制指南: the published entry stays in force until its change is approved).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.catalog.choices import (
    DataType,
    FormatClass,
    Grade,
    Masking,
    MountKind,
    MountStatus,
    ResourceStatus,
    ShareModeClass,
    ShareModeType,
    ShareType,
    UpdateCycle,
    VersionStatus,
)
from govshare.core.permissions import RestrictedQuerySet


class Resource(models.Model):
    """An information resource of a provider department (信息资源)."""

    provider = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="resources",
    )
    code = models.CharField(_("resource code"), max_length=40, null=True, blank=True, unique=True)
    # The effective name (in force, else the draft's): for lists and the per-provider uniqueness.
    name = models.CharField(_("resource name"), max_length=200, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ResourceStatus, default=ResourceStatus.DRAFT
    )
    current_version = models.OneToOneField(
        "ResourceVersion",
        verbose_name=_("version in force"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    working_version = models.OneToOneField(
        "ResourceVersion",
        verbose_name=_("version being edited"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["provider__name", "name"]
        verbose_name = _("information resource")
        verbose_name_plural = _("information resources")

    def __str__(self) -> str:
        return self.name

    @property
    def shown_version(self) -> ResourceVersion | None:
        """The version to show by default: the one in force, else the draft."""
        return self.current_version or self.working_version


class ResourceVersion(models.Model):
    """One version of a resource's core metadata (核心元数据, 编制指南 §1.2)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus, default=VersionStatus.DRAFT
    )
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("classification"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("resource name"), max_length=200)
    summary = models.TextField(_("summary"))
    format_class = models.CharField(_("format class"), max_length=20, choices=FormatClass)
    format_type = models.CharField(_("format type"), max_length=50, blank=True)
    share_type = models.CharField(_("share type"), max_length=16, choices=ShareType)
    share_condition = models.TextField(_("share condition"), blank=True)
    share_basis = models.TextField(_("legal or policy basis for not sharing"), blank=True)
    share_mode_class = models.CharField(
        _("share mode"), max_length=12, choices=ShareModeClass, default=ShareModeClass.PLATFORM
    )
    share_mode_type = models.CharField(
        _("share mode type"), max_length=8, choices=ShareModeType, blank=True
    )
    is_open = models.BooleanField(_("open to the public"), default=False)
    open_condition = models.TextField(_("open condition"), blank=True)
    update_cycle = models.CharField(_("update cycle"), max_length=12, choices=UpdateCycle)
    publish_date = models.DateField(_("publish date"), null=True, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    related_codes = models.CharField(_("related resource codes"), max_length=300, blank=True)
    is_key_supervision = models.BooleanField(
        _("key-supervision data list (重点监管)"), default=False
    )
    is_government_service = models.BooleanField(
        _("government-service data list (政务服务)"), default=False
    )
    source_systems = models.ManyToManyField(
        "inventory.InformationSystem",
        verbose_name=_("source information systems"),
        blank=True,
        related_name="resource_versions",
    )
    grade = models.CharField(_("grade"), max_length=12, choices=Grade, blank=True)
    author_name = models.CharField(_("edited by"), max_length=150, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    submitted = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review comments"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["resource", "-number"]
        verbose_name = _("resource version")
        verbose_name_plural = _("resource versions")
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="resource_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class DataItem(models.Model):
    """A data item (信息项) of one resource version."""

    version = models.ForeignKey(ResourceVersion, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("item name"), max_length=100)
    identifier = models.CharField(_("identifier"), max_length=64)
    data_type = models.CharField(_("data type"), max_length=1, choices=DataType)
    length = models.PositiveIntegerField(_("length"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    share_type = models.CharField(_("share type"), max_length=16, choices=ShareType)
    is_open = models.BooleanField(_("open to the public"), default=False)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade, default=Grade.GENERAL_1)
    is_personal = models.BooleanField(_("personal information"), default=False)
    masking = models.CharField(
        _("default masking"), max_length=12, choices=Masking, default=Masking.NONE
    )
    element = models.ForeignKey(
        "catalog.DataElement",
        verbose_name=_("data element"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("data item")
        verbose_name_plural = _("data items")
        constraints = [
            models.UniqueConstraint(fields=["version", "identifier"], name="item_identifier"),
        ]

    def __str__(self) -> str:
        return self.name


class ResourceEvent(models.Model):
    """A lifecycle step of a resource (提交/退回/发布/变更/撤销), with actor and note."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="events")
    version_number = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("action"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=150)
    note = models.TextField(_("note"), blank=True)
    created = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.resource} {self.action}"


class Mount(models.Model):
    """How a resource's data is reached (挂接): a typed slot the exchange module fills."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="mounts")
    kind = models.CharField(_("mount kind"), max_length=8, choices=MountKind)
    status = models.CharField(
        _("mount status"), max_length=12, choices=MountStatus, default=MountStatus.UNMOUNTED
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mount")
        verbose_name_plural = _("mounts")
        constraints = [models.UniqueConstraint(fields=["resource", "kind"], name="mount_kind")]

    def __str__(self) -> str:
        return f"{self.resource} · {self.get_kind_display()}"
