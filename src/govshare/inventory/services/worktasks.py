"""Writes of the plans' work tasks (任务分解), their milestones and the monthly progress reports.

The task list is the platform's directory (platform admins maintain it); a report belongs to the
reporting unit and is written by its data officer. Every function authorizes, validates (all
errors at once, naming field and rule), writes in a transaction and records an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.core.actors import Actor, person_of
from govshare.core.config import param
from govshare.core.errors import ErrorCode, ErrorCollector, field_error
from govshare.core.evidence import audit
from govshare.core.permissions import require
from govshare.inventory.choices import TaskStatus
from govshare.inventory.config import REPORT_WINDOW
from govshare.inventory.errors import InventoryCode
from govshare.inventory.models import Milestone, ProgressReport, WorkTask
from govshare.inventory.progress import month_start
from govshare.orgs.models import Department

# What a unit writes in its monthly report (the columns of the 进展情况统计表).
REPORT_FIELDS = (
    "progress",
    "problems",
    "next_steps",
    "status",
    "percent_done",
    "reported_by",
)


@dataclass(frozen=True)
class TaskData:
    """The fields of a work task as an administrator enters them."""

    code: str
    category: str
    title: str
    lead_unit: Department | None
    deadline: dt.date | None
    responsible_units: Sequence[Department] = ()
    description: str = ""
    start: dt.date | None = None


# --- tasks ----------------------------------------------------------------------------------


def task_create(*, actor: Actor, data: TaskData) -> WorkTask:
    """Add a task of the plan with its lead unit, responsible units and deadline."""
    require(actor, "add", WorkTask)
    task = WorkTask()
    _assign(task, data)
    _task_errors(task, data).raise_if_any()
    with transaction.atomic():
        task.save()
        task.responsible_units.set(data.responsible_units)
        audit.record(
            actor=actor, action="inventory.task.create", obj=task, after=_task_snapshot(task)
        )
    return task


def task_update(*, actor: Actor, task: WorkTask, data: TaskData) -> WorkTask:
    """Change a task; a closed task is kept as it was closed."""
    require(actor, "change", task)
    with transaction.atomic():
        locked = WorkTask.objects.select_for_update().get(pk=task.pk)
        before = _task_snapshot(locked)
        _assign(locked, data)
        errors = _task_errors(locked, data)
        if locked.is_closed:
            errors.add("is_closed", _("A closed task is not changed."), ErrorCode.LOCKED)
        errors.raise_if_any()
        locked.save()
        locked.responsible_units.set(data.responsible_units)
        after = _task_snapshot(locked)
        if after != before:
            audit.record(
                actor=actor, action="inventory.task.update", obj=locked, before=before, after=after
            )
    return locked


def task_close(*, actor: Actor, task: WorkTask, note: str = "") -> WorkTask:
    """Close a finished (or dropped) task: it leaves the reminder list and is no longer overdue."""
    require(actor, "change", task)
    with transaction.atomic():
        locked = WorkTask.objects.select_for_update().get(pk=task.pk)
        if locked.is_closed:
            raise ValidationError(
                {"is_closed": ValidationError(_("The task is already closed."), ErrorCode.CONFLICT)}
            )
        locked.is_closed = True
        locked.save(update_fields=["is_closed"])
        audit.record(
            actor=actor,
            action="inventory.task.close",
            obj=locked,
            before={"is_closed": False},
            after={"is_closed": True, "note": note.strip()},
        )
    return locked


def _assign(task: WorkTask, data: TaskData) -> None:
    task.code = data.code.strip()
    task.category = data.category.strip()
    task.title = data.title.strip()
    task.description = data.description.strip()
    task.lead_unit = data.lead_unit  # type: ignore[assignment]
    task.deadline = data.deadline  # type: ignore[assignment]
    task.start = data.start


def _task_errors(task: WorkTask, data: TaskData) -> ErrorCollector:
    """Field rules (lengths, required) plus: unique number, active units, at least one unit."""
    errors = ErrorCollector()
    try:
        task.full_clean(validate_unique=False)
    except ValidationError as error:
        errors.absorb(error)
    if task.start and task.deadline and task.start > task.deadline:
        errors.add("start", _("The task cannot start after its deadline."), ErrorCode.INVALID)
    duplicates = WorkTask.objects.filter(code=task.code).exclude(pk=task.pk)
    if task.code and duplicates.exists():
        message = _("Another task has the number %(code)s.") % {"code": task.code}
        errors.add("code", message, ErrorCode.DUPLICATE)
    # Each task of the plan names its 责任单位; they are the ones who report monthly.
    if not data.responsible_units:
        errors.add(
            "responsible_units", _("Name at least one responsible unit."), ErrorCode.REQUIRED
        )
    inactive = [unit for unit in data.responsible_units if not unit.is_active]
    if data.lead_unit is not None and not data.lead_unit.is_active:
        errors.add("lead_unit", _("The lead unit is inactive."), InventoryCode.INACTIVE_UNIT)
    if inactive:
        names = "、".join(unit.name for unit in inactive)
        errors.add(
            "responsible_units",
            _("Inactive units: %(names)s.") % {"names": names},
            InventoryCode.INACTIVE_UNIT,
        )
    return errors


def _task_snapshot(task: WorkTask) -> dict[str, Any]:
    # The M2M is stored as sorted ids: model instances are not JSON.
    data = audit.snapshot(task, exclude=["responsible_units"])
    data["responsible_units"] = sorted(task.responsible_units.values_list("pk", flat=True))
    return data


# --- milestones -----------------------------------------------------------------------------


def milestone_add(*, actor: Actor, task: WorkTask, title: str, due: dt.date | None) -> Milestone:
    """Add a dated step (节点) to a task."""
    require(actor, "change", task)
    # A missing date is refused by full_clean below; django-stubs types ``due`` as the column.
    milestone = Milestone(task=task, title=(title or "").strip(), due=due)  # type: ignore[misc]
    errors = ErrorCollector()
    errors.check(milestone.full_clean)
    if task.is_closed:
        errors.add("task", _("A closed task is not changed."), ErrorCode.LOCKED)
    errors.raise_if_any()
    with transaction.atomic():
        milestone.save()
        audit.record(
            actor=actor,
            action="inventory.milestone.add",
            obj=milestone,
            object_repr=f"{task.code} {milestone.title}",
            after=audit.snapshot(milestone),
        )
    return milestone


def milestone_complete(*, actor: Actor, milestone: Milestone) -> Milestone:
    """Mark a milestone done (once: a second request, e.g. a double click, is refused)."""
    require(actor, "change", milestone.task)
    with transaction.atomic():
        # Locked and read again: two requests at once must not both complete it.
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if locked.is_done:
            raise field_error("is_done", _("The milestone is already done."), ErrorCode.CONFLICT)
        milestone.is_done = True
        milestone.save(update_fields=["is_done"])
        audit.record(
            actor=actor,
            action="inventory.milestone.complete",
            obj=milestone,
            object_repr=f"{milestone.task.code} {milestone.title}",
            before={"is_done": False},
            after={"is_done": True},
        )
    return milestone


# --- progress reports -----------------------------------------------------------------------


def progress_report(
    *,
    actor: Actor,
    task: WorkTask,
    department: Department,
    month: dt.date,
    progress: str,
    problems: str = "",
    next_steps: str = "",
    status: str,
    percent_done: int,
) -> ProgressReport:
    """A unit's report on a task for a month (月度进展): created, or replaced if already sent.

    ``month`` may be any day of the month; the report is kept under the month's first day.
    """
    if not isinstance(month, dt.date):
        raise field_error("month", _("Enter a month."), ErrorCode.INVALID)
    month = month_start(month)
    key: dict[str, Any] = {"task": task, "department": department, "month": month}
    exists = ProgressReport.objects.filter(**key).exists()
    require(actor, "change" if exists else "add", ProgressReport(**key))
    candidate = ProgressReport(
        **key,
        progress=(progress or "").strip(),
        problems=(problems or "").strip(),
        next_steps=(next_steps or "").strip(),
        status=status,
        percent_done=percent_done,
        reported_by=person_of(actor),
    )
    _report_errors(candidate, task, department).raise_if_any()
    values = {name: getattr(candidate, name) for name in REPORT_FIELDS}
    with transaction.atomic():
        old = ProgressReport.objects.select_for_update().filter(**key).first()
        before = audit.snapshot(old, exclude=["reported"]) if old else None
        report, _created = ProgressReport.objects.update_or_create(
            task=task, department=department, month=month, defaults=values
        )
        audit.record(
            actor=actor,
            action="inventory.progress.report",
            obj=report,
            department_id=department.pk,
            before=before,
            after=audit.snapshot(report, exclude=["reported"]),
        )
    return report


def _report_errors(
    report: ProgressReport, task: WorkTask, department: Department
) -> ErrorCollector:
    errors = ErrorCollector()
    try:
        report.full_clean(exclude=["task", "department", "reported_by"], validate_unique=False)
    except ValidationError as error:
        errors.absorb(error)
    # 潍政办字〔2017〕133号: the responsible units (and the lead unit) report on their tasks.
    units = {task.lead_unit_id, *task.responsible_units.values_list("pk", flat=True)}
    if department.pk not in units:
        message = _("%(unit)s is neither the lead unit nor a responsible unit of this task.")
        errors.add("department", message % {"unit": department.name}, InventoryCode.NOT_RESPONSIBLE)
    if task.is_closed:
        errors.add("task", _("The task is closed; it takes no more reports."), ErrorCode.LOCKED)
    this_month = month_start(timezone.localdate())
    if isinstance(report.month, dt.date) and report.month > this_month:
        errors.add("month", _("A report cannot be for a future month."), InventoryCode.FUTURE_MONTH)
    elif isinstance(report.month, dt.date) and report.month < _earliest_month(this_month):
        # A month long past is history: reports (and the reminder list) stay as they were.
        errors.add(
            "month",
            _("Reports are accepted for the last %(n)s months only.")
            % {"n": param(REPORT_WINDOW.key)},
            InventoryCode.MONTH_CLOSED,
        )
    if report.status == TaskStatus.DONE and report.percent_done != 100:
        errors.add(
            "percent_done", _("A task reported done must be 100 percent done."), ErrorCode.INVALID
        )
    return errors


def _earliest_month(this_month: dt.date) -> dt.date:
    back = int(param(REPORT_WINDOW.key)) - 1
    index = this_month.year * 12 + this_month.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)
