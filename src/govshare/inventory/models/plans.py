"""Integration plans (整合方案), IT projects and filings (项目备案)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.core.permissions import RestrictedQuerySet
from govshare.inventory.choices import (
    FilingStatus,
    FundingSource,
    IntegrationStatus,
    ProjectStage,
)
from govshare.inventory.models.systems import MONEY, InformationSystem


class IntegrationPlan(models.Model):
    """A department's plan to merge its scattered systems into one target system (大系统)."""

    department = models.OneToOneField(
        "orgs.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="integration_plan",
    )
    target_system = models.ForeignKey(
        InformationSystem,
        verbose_name=_("target system"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("integration plan")
        verbose_name_plural = _("integration plans")

    def __str__(self) -> str:
        return f"{self.department}: {self.target_system}"


class IntegrationItem(models.Model):
    """A system that a plan merges into its target."""

    plan = models.ForeignKey(IntegrationPlan, on_delete=models.CASCADE, related_name="items")
    system = models.OneToOneField(
        InformationSystem,
        verbose_name=_("system"),
        on_delete=models.CASCADE,
        related_name="integration_item",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=IntegrationStatus, default=IntegrationStatus.PLANNED
    )
    due = models.DateField(_("due"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "system__name"]

    def __str__(self) -> str:
        return f"{self.system} → {self.plan.target_system}"


class Project(models.Model):
    """An IT project with its money (信息化项目), filed so the funding gate can judge it."""

    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("building department"),
        on_delete=models.PROTECT,
        related_name="it_projects",
    )
    name = models.CharField(_("project name"), max_length=150)
    investment = models.DecimalField(_("investment (10k yuan)"), default=0, **MONEY)
    annual_om_cost = models.DecimalField(_("O&M cost per year (10k yuan)"), default=0, **MONEY)
    funding_channel = models.CharField(_("funding channel"), max_length=20, choices=FundingSource)
    data_resources = models.TextField(_("data resources"), blank=True)
    systems = models.ManyToManyField(
        InformationSystem,
        verbose_name=_("application systems"),
        blank=True,
        related_name="projects",
    )
    filing_status = models.CharField(
        _("protection-level filing"),
        max_length=16,
        choices=FilingStatus,
        default=FilingStatus.NOT_FILED,
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=ProjectStage, default=ProjectStage.APPROVAL
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("IT project")
        verbose_name_plural = _("IT projects")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"], name="project_name_per_department"
            ),
        ]

    def __str__(self) -> str:
        return self.name
