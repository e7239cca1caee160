"""Zombie-system findings (僵尸系统清理清单), clean-up decisions and shadow systems (影子系统)."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.core.permissions import RestrictedQuerySet
from govshare.inventory.choices import (
    INTEGRATED_LIFECYCLES,
    CleanupDecision,
    ShadowStatus,
    ZombieRule,
)
from govshare.inventory.models.systems import InformationSystem


class ZombieAssessment(models.Model):
    """One run of the zombie rules (僵尸系统研判), kept even when it finds nothing."""

    assessed = models.DateTimeField(_("assessed"), db_index=True)
    findings = models.PositiveIntegerField(_("findings"))
    systems = models.PositiveIntegerField(_("systems flagged"))

    class Meta:
        ordering = ["-assessed"]
        get_latest_by = "assessed"

    def __str__(self) -> str:
        return f"{self.assessed:%Y-%m-%d %H:%M} ({self.findings})"


class ZombieFindingQuerySet(RestrictedQuerySet["ZombieFinding"]):
    def standing(self) -> Self:
        """The findings that still make their system a zombie: the one definition the list,
        the badge, the decision form, the figures and the funding gate share. A zombie
        (僵尸系统) is a system still nominally in use; once merged or retired its clean-up is
        done, so its findings no longer count, without waiting for the next assessment."""
        return self.exclude(system__lifecycle__in=INTEGRATED_LIFECYCLES)


class CurrentFindingManager(models.Manager):
    """The findings of the latest assessment: the clean-up list as it stands."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(is_current=True)


class ZombieFinding(models.Model):
    """A rule that flags a system in an assessment, with its evidence.

    Assessments are kept: ``objects`` holds the latest one's findings, ``history`` every
    assessment's (the indicators read the clean-up list as it stood at a past month's end).
    """

    system = models.ForeignKey(
        InformationSystem, on_delete=models.CASCADE, related_name="zombie_findings"
    )
    rule = models.CharField(_("rule"), max_length=12, choices=ZombieRule)
    evidence = models.JSONField(_("evidence"))
    score = models.FloatField(_("score"), null=True, blank=True)
    matched_system = models.ForeignKey(
        InformationSystem,
        verbose_name=_("matched system"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    assessed = models.DateTimeField(_("assessed"), db_index=True)
    is_current = models.BooleanField(_("in the latest assessment"), default=True, db_index=True)

    objects = CurrentFindingManager.from_queryset(ZombieFindingQuerySet)()
    history = ZombieFindingQuerySet.as_manager()

    class Meta:
        default_manager_name = "objects"
        ordering = ["system__department__name", "system__name", "rule"]
        verbose_name = _("zombie finding")
        verbose_name_plural = _("zombie findings")

    def __str__(self) -> str:
        return f"{self.system}: {self.get_rule_display()}"


class CleanupRecord(models.Model):
    """The authority's clean-up decision on a flagged system (清理决定)."""

    system = models.ForeignKey(
        InformationSystem, on_delete=models.CASCADE, related_name="cleanup_records"
    )
    decision = models.CharField(_("decision"), max_length=8, choices=CleanupDecision)
    merge_target = models.ForeignKey(
        InformationSystem,
        verbose_name=_("merge into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    rules = models.JSONField(_("rules that flagged it"), default=list)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided = models.DateTimeField(_("decided"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-decided"]
        verbose_name = _("clean-up decision")
        verbose_name_plural = _("clean-up decisions")

    def __str__(self) -> str:
        return f"{self.system}: {self.get_decision_display()}"


class ShadowSystem(models.Model):
    """A system named somewhere (a resource, a usage report) but missing from the census."""

    name = models.CharField(_("name as reported"), max_length=150)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("where it was named"), max_length=200)
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"), auto_now=True)
    times_seen = models.PositiveIntegerField(_("times seen"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=ShadowStatus, default=ShadowStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-last_seen"]
        verbose_name = _("shadow system")
        verbose_name_plural = _("shadow systems")
        constraints = [
            models.UniqueConstraint(fields=["name", "source"], name="shadow_per_source"),
        ]

    def __str__(self) -> str:
        return self.name
