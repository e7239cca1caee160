"""A department's census return (部门系统普查填报) and its review by the authority."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.core.permissions import RestrictedQuerySet
from govshare.inventory.choices import CensusStatus


class CensusReturn(models.Model):
    """One department's census for a year; the authority confirms or returns it."""

    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="census_returns",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=12, choices=CensusStatus, default=CensusStatus.DRAFT
    )
    system_count = models.PositiveIntegerField(_("systems"), default=0)
    submitted = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.TextField(_("review note"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "department__name"]
        verbose_name = _("census return")
        verbose_name_plural = _("census returns")
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="census_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.year}"


class CensusEvent(models.Model):
    """A transition of a census return, with actor and note."""

    census = models.ForeignKey(CensusReturn, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=CensusStatus)
    to_status = models.CharField(max_length=12, choices=CensusStatus)
    actor_name = models.CharField(_("actor"), max_length=150)
    note = models.TextField(_("note"), blank=True)
    created = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.census}: {self.from_status} → {self.to_status}"
