"""The delivery log (交付日志): one hash-chained record per gateway call — the evidence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.core.evidence.chain import HashChainedModel, canonical_time
from govshare.core.permissions import RestrictedQuerySet
from govshare.sharing.choices import Purpose


class CallMode(models.TextChoices):
    """What a gateway call did (the gateway's endpoint names, as the log stores them)."""

    QUERY = "query", _("Interface query")
    VERIFY = "verify", _("Verification")
    PROXY = "proxy", _("Interface proxy")
    TOKEN = "token", _("Token")
    DISCOVERY = "discovery", _("Discovery")
    OPENAPI = "openapi", _("Interface description")
    TABLE = "table", _("Table exchange")
    FILE = "file", _("File exchange")


class DeliveryRecord(HashChainedModel):
    """Who received what, when, why, and a digest of exactly what was sent.

    Parties are stored as ids and names, not foreign keys: evidence outlives the objects it names.
    """

    chain_name = "deliveries"
    chain_title = "delivery log"  # `govshare audit verify --deliveries`

    created = models.DateTimeField(_("time"), db_index=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    application_id = models.BigIntegerField(_("application"), null=True)
    application_name = models.CharField(_("application"), max_length=200, blank=True)
    consumer_id = models.BigIntegerField(_("consumer department"), null=True)
    consumer_name = models.CharField(_("consumer department"), max_length=200, blank=True)
    provider_id = models.BigIntegerField(_("provider department"), null=True)
    resource_id = models.BigIntegerField(_("resource"), null=True, db_index=True)
    resource_name = models.CharField(_("resource"), max_length=200, blank=True)
    grant_id = models.BigIntegerField(_("grant"), null=True, blank=True)
    share_request_number = models.CharField(_("request number"), max_length=20, blank=True)
    purpose = models.CharField(_("purpose"), max_length=24, blank=True, choices=Purpose)
    app_key = models.CharField(_("app key"), max_length=32, blank=True)
    end_user = models.CharField(_("end user"), max_length=100, blank=True)
    case_number = models.CharField(_("case number"), max_length=100, blank=True)
    mode = models.CharField(_("mode"), max_length=12, choices=CallMode)
    items = models.JSONField(_("items returned"), default=list)
    masked = models.JSONField(_("items masked"), default=list)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    status = models.PositiveSmallIntegerField(_("status"))
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    latency_ms = models.FloatField(_("latency (ms)"))
    body_digest = models.CharField(_("SM3 digest of the response"), max_length=64)
    client_ip = models.CharField(_("client address"), max_length=45, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta(HashChainedModel.Meta):
        verbose_name = _("delivery record")
        verbose_name_plural = _("delivery records")
        default_permissions = ("view",)
        # Few indexes: every gateway call inserts a row. Department pages filter by provider or
        # consumer and time (the composite indexes serve the single-column lookups too).
        indexes = [
            models.Index(fields=["provider_id", "created"]),
            models.Index(fields=["consumer_id", "created"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.mode} {self.status}"

    @classmethod
    def content_of(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "created": canonical_time(values["created"]),
            **{name: values[name] for name in CHAINED_FIELDS},
        }


CHAINED_FIELDS = (
    "request_id",
    "application_id",
    "application_name",
    "consumer_id",
    "consumer_name",
    "provider_id",
    "resource_id",
    "resource_name",
    "grant_id",
    "share_request_number",
    "purpose",
    "app_key",
    "end_user",
    "case_number",
    "mode",
    "items",
    "masked",
    "row_count",
    "status",
    "error_code",
    "latency_ms",
    "body_digest",
    "client_ip",
)
