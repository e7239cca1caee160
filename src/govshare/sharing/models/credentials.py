"""Credentials (应用凭证) of consuming applications, and the working-day calendar (工作日历)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.core.permissions import RestrictedQuerySet
from govshare.sharing.choices import DayKind


class AppCredential(models.Model):
    """An app key and secret for one application; only the secret's SM3 hash is stored.

    The gateway's token endpoint exchanges key and secret for a short-lived bearer token.
    Rotating the secret bumps ``generation``, which invalidates every token issued before.
    """

    application = models.ForeignKey(
        "inventory.InformationSystem",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="credentials",
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="app_credentials"
    )
    name = models.CharField(_("name"), max_length=64)
    app_key = models.CharField(_("app key"), max_length=32, unique=True)
    secret_hash = models.CharField(max_length=64)
    generation = models.PositiveIntegerField(default=1)
    # One address or CIDR block per line; empty allows any address.
    ip_allowlist = models.TextField(_("allowed IP addresses"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    rotated = models.DateTimeField(_("secret rotated"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("application credential")
        verbose_name_plural = _("application credentials")

    def __str__(self) -> str:
        return f"{self.name} ({self.app_key})"


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a holiday on a weekday or a weekend day worked (调休)."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind)
    name = models.CharField(_("name"), max_length=50)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
