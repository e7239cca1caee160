"""Work tasks of the plans (任务分解) and the monthly progress reports (进展情况)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.core.permissions import RestrictedQuerySet
from govshare.inventory.choices import TaskStatus


class WorkTask(models.Model):
    """A task of the plan with its lead unit (牵头单位), responsible units (责任单位), deadline."""

    code = models.CharField(_("number"), max_length=20, unique=True)
    category = models.CharField(_("category"), max_length=60)
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lead_unit = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    responsible_units = models.ManyToManyField(
        "orgs.Department", verbose_name=_("responsible units"), related_name="work_tasks"
    )
    # Reports are owed from this date's month on (empty: from whenever the task was added).
    start = models.DateField(_("start date"), null=True, blank=True)
    deadline = models.DateField(_("deadline"))
    is_closed = models.BooleanField(_("closed"), default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("work task")
        verbose_name_plural = _("work tasks")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Milestone(models.Model):
    """A dated step of a task (节点)."""

    task = models.ForeignKey(WorkTask, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=300)
    due = models.DateField(_("due"))
    is_done = models.BooleanField(_("done"), default=False)

    class Meta:
        ordering = ["task", "due"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """A responsible unit's monthly report on a task (月度进展)."""

    task = models.ForeignKey(WorkTask, on_delete=models.CASCADE, related_name="reports")
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("reporting unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month"), help_text=_("First day of the month reported on."))
    progress = models.TextField(_("progress"))
    problems = models.TextField(_("problems"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus)
    percent_done = models.PositiveSmallIntegerField(
        _("done (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported = models.DateTimeField(_("reported"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["task", "department__name", "-month"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "department", "month"], name="progress_per_unit_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} {self.department} {self.month:%Y-%m}"
