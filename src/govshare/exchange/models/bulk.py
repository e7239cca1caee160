"""Bulk exchange (批量交换): table subscriptions (库表交换), runs, file packages (文件交换).

A granted request in 库表 mode becomes a ``Subscription``: the granted items of the provider's
mounted table, masked and filtered as the grant says, kept current in a table of the consumer's
front-end database (前置库, a ``Connection`` of role ``destination``). Each execution is a
``SyncRun``. A granted request in 文件 mode is delivered as signed ``FilePackage`` s, downloaded
from the platform or written to the consumer's ``DropFolder``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govshare.core.permissions import RestrictedQuerySet


class SyncMode(models.TextChoices):
    """How a run finds what changed."""

    FULL = "full", _("Full load")
    WATERMARK = "watermark", _("Incremental by watermark column")
    KEY_COMPARE = "key_compare", _("Incremental by key comparison")


class DeleteMode(models.TextChoices):
    """How deletions at the source reach the destination."""

    NONE = "none", _("Not propagated")
    SOFT_FLAG = "soft_flag", _("Soft-delete flag at the source")
    RECONCILE = "reconcile", _("Periodic key reconciliation")


class SubscriptionState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("subscription state", "Active")
    PAUSED = "paused", pgettext_lazy("subscription state", "Paused")
    # The grant is suspended, revoked or expired: no batch runs until it is active again.
    STOPPED = "stopped", pgettext_lazy("subscription state", "Stopped by the grant")
    # Granted, but the consumer has not named a destination database yet.
    NEEDS_DESTINATION = "needs_dest", _("Waiting for a destination")


class DropFolder(models.Model):
    """A consumer department's destination folder for file packages: a directory name inside the
    node's destinations directory (never an arbitrary path)."""

    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="drop_folders",
    )
    name = models.CharField(_("name"), max_length=100)
    directory = models.CharField(_("directory"), max_length=100)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("destination folder")
        verbose_name_plural = _("destination folders")
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="drop_folder_name")
        ]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """库表订阅: the granted items of one mounted table, kept current in a destination table."""

    grant = models.ForeignKey(
        "sharing.Grant",
        verbose_name=_("grant"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    destination = models.ForeignKey(
        "exchange.Connection",
        verbose_name=_("destination database"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
        null=True,
        blank=True,
    )
    # Created by the platform from the data items; schema-qualified where the engine has schemas.
    table = models.CharField(_("destination table"), max_length=128)
    mode = models.CharField(_("sync mode"), max_length=12, choices=SyncMode, default=SyncMode.FULL)
    # Source column holding an update time or an increasing id (mode ``watermark``).
    watermark_column = models.CharField(_("watermark column"), max_length=128, blank=True)
    delete_mode = models.CharField(
        _("deletions"), max_length=10, choices=DeleteMode, default=DeleteMode.NONE
    )
    # Source column that marks a deleted row, and the value that means "deleted".
    soft_delete_column = models.CharField(_("soft-delete column"), max_length=128, blank=True)
    soft_delete_value = models.CharField(_("soft-delete value"), max_length=64, blank=True)
    # Five-field cron expression (minute hour day month weekday); empty: the resource's cycle.
    schedule = models.CharField(_("schedule"), max_length=100, blank=True)
    batch_bytes = models.PositiveIntegerField(_("batch size (bytes)"), default=8 * 1024 * 1024)
    # Key ranges a full load is split into, each synced by a worker of its own.
    parts = models.PositiveSmallIntegerField(_("parallel key ranges"), default=1)
    state = models.CharField(
        _("state"), max_length=10, choices=SubscriptionState, default=SubscriptionState.ACTIVE
    )
    next_run = models.DateTimeField(_("next run"), null=True, blank=True)
    # The committed watermark, mirrored from the destination's state table after each batch.
    watermark = models.CharField(_("watermark"), max_length=64, blank=True)
    last_consistent = models.DateTimeField(_("last proven consistent"), null=True, blank=True)
    last_reconciliation = models.JSONField(_("last reconciliation"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("table subscription")
        verbose_name_plural = _("table subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "table"],
                condition=models.Q(destination__isnull=False),
                name="subscription_destination_table",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grant.request.number} → {self.table}"


class RunKind(models.TextChoices):
    FULL = "full", _("Full load")
    INCREMENTAL = "incremental", _("Incremental")
    RECONCILE = "reconcile", _("Reconciliation")


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    MANUAL = "manual", _("Run now")
    RETRY = "retry", _("Retry")
    RESTART = "restart", _("Restart after a stall")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    # Stopped before its next batch (grant suspended or revoked, subscription paused).
    STOPPED = "stopped", pgettext_lazy("sync run status", "Stopped")


class SyncRun(models.Model):
    """One execution of a subscription: its counts, watermarks, progress and outcome."""

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="runs"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RunKind)
    trigger = models.CharField(_("trigger"), max_length=10, choices=RunTrigger)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus, default=RunStatus.QUEUED
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    queued = models.DateTimeField(_("queued"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    # Updated with every batch; a running run whose heartbeat is too old has stalled.
    heartbeat = models.DateTimeField(_("last progress"), null=True, blank=True)
    rows_total = models.BigIntegerField(_("rows expected"), null=True, blank=True)
    rows_read = models.BigIntegerField(_("rows read"), default=0)
    rows_inserted = models.BigIntegerField(_("rows inserted"), default=0)
    rows_updated = models.BigIntegerField(_("rows updated"), default=0)
    rows_deleted = models.BigIntegerField(_("rows deleted"), default=0)
    bytes = models.BigIntegerField(_("bytes"), default=0)
    batches = models.PositiveIntegerField(_("batches"), default=0)
    watermark_before = models.CharField(_("watermark before"), max_length=64, blank=True)
    watermark_after = models.CharField(_("watermark after"), max_length=64, blank=True)
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Reconciliation: differing keys (capped) and per-range digests.
    result = models.JSONField(_("result"), default=dict, blank=True)
    retry_at = models.DateTimeField(_("retry at"), null=True, blank=True)
    delivery_seq = models.BigIntegerField(_("delivery record"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-queued", "-pk"]
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        indexes = [models.Index(fields=["status", "heartbeat"])]

    def __str__(self) -> str:
        return f"{self.subscription_id}#{self.pk} {self.kind} {self.status}"


class PackageFormat(models.TextChoices):
    FILES = "files", _("The provider's registered files")
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    JSON = "json", "JSON"
    PARQUET = "parquet", "Parquet"


class PackageStatus(models.TextChoices):
    BUILDING = "building", _("Being packed")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", pgettext_lazy("file package status", "Expired")


class FilePackage(models.Model):
    """文件包: files or an export of a 文件 grant's items, with an SM3 manifest signed by the node
    (SM2). Kept under the node's packages directory until it expires."""

    grant = models.ForeignKey(
        "sharing.Grant", verbose_name=_("grant"), on_delete=models.PROTECT, related_name="packages"
    )
    number = models.CharField(_("package number"), max_length=32, unique=True)
    format = models.CharField(_("format"), max_length=8, choices=PackageFormat)
    status = models.CharField(
        _("status"), max_length=10, choices=PackageStatus, default=PackageStatus.BUILDING
    )
    folder = models.ForeignKey(
        DropFolder,
        verbose_name=_("destination folder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="packages",
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    sm3 = models.CharField(_("SM3 digest of the package"), max_length=64, blank=True)
    manifest = models.JSONField(_("manifest"), default=dict, blank=True)
    row_count = models.BigIntegerField(_("rows"), default=0)
    error = models.TextField(_("error"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    ready = models.DateTimeField(_("ready"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    delivery_seq = models.BigIntegerField(_("delivery record"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("file package")
        verbose_name_plural = _("file packages")

    def __str__(self) -> str:
        return self.number
