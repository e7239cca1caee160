"""Core models: the audit trail (审计日志) and background jobs (后台任务)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.core.evidence.chain import ChainHead, HashChainedModel, canonical_time
from govshare.core.permissions import RestrictedQuerySet

__all__ = ["AuditEvent", "ChainHead", "ChangeStamp", "ConfigParam", "Job", "TaskLease"]


class AuditEvent(HashChainedModel):
    """One audited write (审计记录): who did what to which object, from which request.

    Append-only and hash-chained (SM3); ``govshare audit verify`` walks the chain.
    """

    chain_name = "audit"

    created = models.DateTimeField(_("time"), db_index=True, editable=False)
    # PROTECT: an audited user is deactivated, never deleted, so the record keeps its actor.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    # The department the object belongs to, so department-scoped readers can be served later.
    department_id = models.BigIntegerField(_("department"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, default="web")

    objects = RestrictedQuerySet.as_manager()

    class Meta(HashChainedModel.Meta):
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    @classmethod
    def content_of(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "created": canonical_time(values["created"]),
            "actor_id": values["actor_id"],
            "actor_name": values["actor_name"],
            "action": values["action"],
            "object_type": values["object_type"],
            "object_id": values["object_id"],
            "object_repr": values["object_repr"],
            "department_id": values["department_id"],
            "before": values["before"],
            "after": values["after"],
            "request_id": values["request_id"],
            "ip": values["ip"],
            "source": values["source"],
        }


class Job(models.Model):
    """A background task as users see it (任务): who started it, its progress and its result.

    The task itself is queued through ``django.tasks``; ``task_result_id`` links to it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        # Ran to its end and changed nothing: what it was given did not pass its checks (an
        # import with bad rows). Its result says why; not an error of the job itself.
        REJECTED = "rejected", _("Rejected by its checks")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("name"), max_length=120)
    task_path = models.CharField(_("task"), max_length=200)
    task_result_id = models.CharField(max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return self.name


class ConfigParam(models.Model):
    """A node setting stored in the database (配置参数): thresholds, deadlines, code lengths.

    Modules declare each parameter with its default in ``core.config``; a row exists only once an
    administrator has changed it.
    """

    key = models.CharField(_("key"), max_length=100, unique=True)
    value = models.JSONField(_("value"))
    updated = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("setting")
        verbose_name_plural = _("settings")

    def __str__(self) -> str:
        return self.key


class ChangeStamp(models.Model):
    """A counter bumped whenever a compiled view must be rebuilt (e.g. the gateway's policy).

    Processes poll it to learn, within a second, that grants, credentials or mounts changed.
    """

    name = models.CharField(max_length=32, primary_key=True)
    version = models.BigIntegerField(default=0)
    changed = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class TaskLease(models.Model):
    """A running background task's lease (任务租约): renewed by a heartbeat while its worker
    lives, so that ``core.leases.reap_expired_leases`` can requeue the task of a worker that
    died (the task backend would leave it "running" for ever), and how many attempts it has had.

    Keyed by the task result's id (django-tasks-db's ``DBTaskResult``); ``expires`` is empty
    while the task waits in the queue for its next attempt.
    """

    task_id = models.CharField(max_length=64, primary_key=True)
    task_path = models.CharField(max_length=200)
    attempt = models.PositiveIntegerField(default=1)
    max_attempts = models.PositiveIntegerField(default=1)
    worker_id = models.CharField(max_length=64, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("task lease")
        verbose_name_plural = _("task leases")

    def __str__(self) -> str:
        return f"{self.task_path} {self.task_id} #{self.attempt}"
