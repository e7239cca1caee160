"""Information systems (政务信息系统) with every census field the plans name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypedDict

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.core.permissions import RestrictedQuerySet
from govshare.inventory.choices import (
    CloudStatus,
    Connection,
    ConstructionMode,
    Deployment,
    FundingSource,
    Lifecycle,
    NetworkDomain,
    UsageFrequency,
    UsageScope,
    VerticalOrigin,
)


class MoneyOptions(TypedDict):
    """The DecimalField options every amount shares."""

    max_digits: int
    decimal_places: int
    validators: Sequence[Callable[[Any], None]]


# Amounts in 万元 (10k yuan); never negative.
MONEY: MoneyOptions = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class InformationSystem(models.Model):
    """One government information system (政务信息系统) as the census records it."""

    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="systems",
    )
    name = models.CharField(_("system name"), max_length=150)
    function_description = models.TextField(_("function description"))
    usage_scope = models.CharField(_("usage scope"), max_length=20, choices=UsageScope)
    usage_frequency = models.CharField(_("usage frequency"), max_length=10, choices=UsageFrequency)
    active_users = models.PositiveIntegerField(_("active users"), default=0)
    approving_department = models.CharField(_("approving department"), max_length=100, blank=True)
    approval_date = models.DateField(_("approval date"), null=True, blank=True)
    funding_source = models.CharField(_("funding source"), max_length=20, choices=FundingSource)
    construction_mode = models.CharField(
        _("construction mode"), max_length=20, choices=ConstructionMode
    )
    construction_investment = models.DecimalField(
        _("construction investment (10k yuan)"), default=0, **MONEY
    )
    annual_om_cost = models.DecimalField(_("annual O&M cost (10k yuan)"), default=0, **MONEY)
    go_live_date = models.DateField(_("go-live date"), null=True, blank=True)
    last_software_update = models.DateField(_("last software update"), null=True, blank=True)
    deployment = models.CharField(_("deployment"), max_length=20, choices=Deployment)
    cloud_status = models.CharField(
        _("cloud migration"), max_length=20, choices=CloudStatus, default=CloudStatus.NOT_PLANNED
    )
    network_domain = models.CharField(_("network domain"), max_length=20, choices=NetworkDomain)
    vertical_origin = models.CharField(
        _("vertical origin"), max_length=20, choices=VerticalOrigin, default=VerticalOrigin.LOCAL
    )
    protection_level = models.PositiveSmallIntegerField(
        _("protection level (等级保护)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    protection_filing_number = models.CharField(
        _("protection filing number"), max_length=60, blank=True
    )
    is_secret = models.BooleanField(
        _("classified (涉密)"),
        default=False,
        help_text=_("Classified systems are kept out of integration and sharing."),
    )
    sso_status = models.CharField(
        _("unified login"), max_length=20, choices=Connection, default=Connection.NOT_CONNECTED
    )
    sharing_status = models.CharField(
        _("sharing platform connection"),
        max_length=20,
        choices=Connection,
        default=Connection.NOT_CONNECTED,
    )
    health_url = models.URLField(_("health-check URL"), max_length=300, blank=True)
    lifecycle = models.CharField(
        _("status"), max_length=20, choices=Lifecycle, default=Lifecycle.IN_USE
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_systems",
    )
    # Credential the system uses to post usage reports; only its SM3 hash is kept.
    report_key_id = models.CharField(max_length=16, blank=True, db_index=True)
    report_secret_hash = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("information system")
        verbose_name_plural = _("information systems")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"], name="system_name_per_department"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SystemRevision(models.Model):
    """A saved version of a system's census record (变更版本), written on every change."""

    system = models.ForeignKey(
        InformationSystem, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("record"))
    changed_fields = models.JSONField(_("changed fields"), default=list)
    after_confirmation = models.BooleanField(_("changed after confirmation"), default=False)
    actor_name = models.CharField(_("changed by"), max_length=150, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created = models.DateTimeField(_("time"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["system", "-number"]
        verbose_name = _("system revision")
        verbose_name_plural = _("system revisions")
        constraints = [
            models.UniqueConstraint(fields=["system", "number"], name="system_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.system} v{self.number}"
