"""API tokens (接口令牌) and login throttling (登录锁定)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govshare.core.permissions import RestrictedQuerySet
from govshare.identity.choices import ThrottleScope

__all__ = ["ApiToken", "LoginThrottle"]


class ApiToken(models.Model):
    """A personal API token. Only its SM3 hash is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=64)
    key_id = models.CharField(_("key id"), max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} (gs_{self.key_id}_…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked is None and (self.expires is None or self.expires > now)

    @property
    def valid_through(self) -> dt.date | None:
        """The last day the token works, as the user chose it: ``expires`` is the first instant
        after it (the next day's midnight), which read as a date names the day after."""
        if self.expires is None:
            return None
        return timezone.localtime(self.expires - dt.timedelta(microseconds=1)).date()


class LoginThrottle(models.Model):
    """Failed sign-ins counted in one scope (登录失败计数), and the lock they led to.

    Issue #11 item 5: counting by user name alone let anyone lock anyone out. A row counts the
    failures of one user name from one address (``pair``), of one address across user names
    (``address``), of one user name from everywhere (``account``), or of one user name in one
    known browser (``browser``); the fields a scope does not use are empty.
    """

    scope = models.CharField(
        _("scope"), max_length=16, choices=ThrottleScope.choices, default=ThrottleScope.ACCOUNT
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    # An IPv4 address, or an IPv6 /64 network (one host's share of addresses): identity/throttle.py
    address = models.CharField(_("address"), max_length=64, blank=True)
    browser = models.CharField(max_length=32, blank=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    last_failure = models.DateTimeField(_("last failure"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "username", "address", "browser"],
                name="identity_loginthrottle_one_per_scope",
            )
        ]
        indexes = [models.Index(fields=["username"], name="identity_throttle_username")]

    def __str__(self) -> str:
        return " ".join(part for part in (self.scope, self.username, self.address) if part)

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()
