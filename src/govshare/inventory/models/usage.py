"""Evidence of use: usage reports sent by the systems, and health probes (健康探测)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.core.permissions import RestrictedQuerySet
from govshare.inventory.models.systems import InformationSystem


class UsageReport(models.Model):
    """One day of use reported by a system through the usage-report API (使用情况上报)."""

    system = models.ForeignKey(
        InformationSystem, on_delete=models.CASCADE, related_name="usage_reports"
    )
    date = models.DateField(_("date"))
    active_users = models.PositiveIntegerField(_("daily active users"))
    requests = models.PositiveIntegerField(_("requests"))
    received = models.DateTimeField(_("received"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("usage report")
        verbose_name_plural = _("usage reports")
        constraints = [models.UniqueConstraint(fields=["system", "date"], name="usage_per_day")]

    def __str__(self) -> str:
        return f"{self.system} {self.date}"


class HealthCheck(models.Model):
    """One probe of a system's health URL: reachable or not, status and latency."""

    system = models.ForeignKey(
        InformationSystem, on_delete=models.CASCADE, related_name="health_checks"
    )
    checked = models.DateTimeField(_("checked"), db_index=True)
    is_up = models.BooleanField(_("reachable"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-checked"]
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        indexes = [models.Index(fields=["system", "-checked"])]

    def __str__(self) -> str:
        return f"{self.system} {self.checked:%Y-%m-%d %H:%M} {'up' if self.is_up else 'down'}"
