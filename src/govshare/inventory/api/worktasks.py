"""REST endpoints of the work tasks and their monthly progress reports.

Reads go through ``restrict`` (the policies the pages use); a report is written only through
``services.progress_report``, which the task page calls too.
"""

import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from govshare.core import months
from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, field_error
from govshare.core.permissions import can
from govshare.core.roles import Role
from govshare.core.web.api import InputSchema, Pagination, auth_user, responses
from govshare.core.web.api_inputs import FILLED_TEXT, PLAIN_TEXT, Month, ObjectId, OptionalMonth
from govshare.inventory import progress
from govshare.inventory.choices import TaskStatus
from govshare.inventory.models import ProgressReport, WorkTask
from govshare.inventory.services import progress_report
from govshare.orgs.models import Department
from govshare.orgs.roles import principal_of

router = Router(tags=["inventory"])

CategoryText = Annotated[str, Field(max_length=60), PLAIN_TEXT]
ReportText = Annotated[str, Field(max_length=5000), PLAIN_TEXT]


# --- schemas --------------------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    name: str


class MilestoneOut(Schema):
    id: int
    title: str
    due: dt.date
    is_done: bool


class TaskOut(Schema):
    id: int
    code: str
    category: str
    title: str
    description: str
    lead_unit: UnitOut
    responsible_units: list[UnitOut]
    deadline: dt.date
    is_closed: bool
    is_overdue: bool = Field(description="deadline passed, not closed, a unit not done")


class UnitStatusOut(Schema):
    unit: UnitOut
    month: str | None = Field(None, description="month of the unit's latest report, YYYY-MM")
    status: str | None = None
    status_label: str | None = None
    percent_done: int | None = None
    is_overdue: bool


class TaskDetailOut(TaskOut):
    milestones: list[MilestoneOut]
    units: list[UnitStatusOut] = Field(
        description="latest report per responsible unit, for the units whose reports you may read"
    )


class ReportOut(Schema):
    id: int
    task: int = Field(alias="task_id")
    unit: UnitOut = Field(alias="department")
    month: str = Field(description="YYYY-MM")
    status: str
    status_label: str
    percent_done: int
    progress: str
    problems: str
    next_steps: str
    reported_by: str | None
    reported: dt.datetime

    @staticmethod
    def resolve_month(report: ProgressReport) -> str:
        return f"{report.month:%Y-%m}"

    @staticmethod
    def resolve_status_label(report: ProgressReport) -> str:
        return str(report.get_status_display())

    @staticmethod
    def resolve_reported_by(report: ProgressReport) -> str | None:
        return report.reported_by.username if report.reported_by else None


class ReportIn(InputSchema):
    """A unit's report for a month; sent again for the same month, it replaces that report.

    ``unit`` may be left out when the caller is data officer of exactly one unit of the task.
    """

    month: Annotated[
        Month,
        Field(description="YYYY-MM: this month or one of the open months before it (else 409)"),
    ]
    status: TaskStatus
    percent_done: int = Field(ge=0, le=100, description="100 when the status is done")
    progress: Annotated[str, Field(max_length=5000), FILLED_TEXT]
    problems: ReportText = ""
    next_steps: ReportText = ""
    unit: ObjectId | None = None


class TaskRefOut(Schema):
    id: int
    code: str
    title: str
    deadline: dt.date


class MissingItemOut(Schema):
    unit: UnitOut
    task: TaskRefOut


class MissingOut(Schema):
    month: str
    due: dt.date = Field(description="the report day of the month")
    is_past_due: bool
    items: list[MissingItemOut] = Field(description="empty until the report day has passed")


# --- tasks ----------------------------------------------------------------------------------


@router.get("/tasks", response=responses({200: list[TaskOut]}))
@paginate(Pagination)
def task_index(
    request: HttpRequest,
    category: CategoryText = "",
    unit: ObjectId | None = None,
    status: TaskStatus | None = None,
    overdue: bool | None = None,
) -> QuerySet[WorkTask]:
    """The plan's work tasks; ``unit`` matches the lead or a responsible unit, ``status`` the
    latest report of a unit whose reports you may read."""
    department = Department.objects.filter(pk=unit).first() if unit else None
    if unit and department is None:
        return WorkTask.objects.none()  # a filter: an unknown unit matches no task
    return progress.task_list(
        auth_user(request),
        today=timezone.localdate(),
        category=category,
        unit=department,
        status=status or "",
        overdue=overdue,
    )


@router.get("/tasks/{id}", response=responses({200: TaskDetailOut}))
def task_detail(request: HttpRequest, id: ObjectId) -> dict[str, Any]:
    user, today = auth_user(request), timezone.localdate()
    task = _visible_task(request, id)
    latest = progress.latest_reports(user, [task])
    units = [
        _unit_status(task, unit, latest.get((task.pk, unit.pk)), today)
        for unit in task.responsible_units.order_by("name")
        if can(user, "view", ProgressReport(department_id=unit.pk))
    ]
    return {
        **TaskOut.from_orm(task).model_dump(),
        "milestones": list(task.milestones.all()),
        "units": units,
    }


def _unit_status(
    task: WorkTask, unit: Department, report: ProgressReport | None, today: dt.date
) -> dict[str, Any]:
    status = {"unit": unit, "is_overdue": progress.pair_is_overdue(task, report, today)}
    if report is not None:
        status.update(
            month=f"{report.month:%Y-%m}",
            status=report.status,
            status_label=str(report.get_status_display()),
            percent_done=report.percent_done,
        )
    return status


# --- reports --------------------------------------------------------------------------------


@router.get("/tasks/{id}/reports", response=responses({200: list[ReportOut]}))
@paginate(Pagination)
def report_index(
    request: HttpRequest, id: ObjectId, month: OptionalMonth = "", unit: ObjectId | None = None
) -> QuerySet[ProgressReport]:
    """The task's reports you may read, newest month first; filter by month and unit."""
    task = _visible_task(request, id)
    reports = ProgressReport.objects.restrict(auth_user(request), "view").filter(task=task)
    if month:
        reports = reports.filter(month=months.parse_month(month))
    if unit:
        reports = reports.filter(department_id=unit)
    reports = reports.select_related("department", "reported_by")
    return reports.order_by("-month", "department__name", "pk")


@router.post("/tasks/{id}/reports", response=responses({200: ReportOut, 201: ReportOut}))
def report_send(request: HttpRequest, id: ObjectId, payload: ReportIn) -> Status[ProgressReport]:
    """Report a unit's progress for a month (201), or replace that month's report (200)."""
    user = auth_user(request)
    task = _visible_task(request, id)
    department = _reporting_unit(user, task, payload.unit)
    month = months.parse_month(payload.month)
    key = {"task": task, "department": department, "month": month}
    is_new = not ProgressReport.objects.filter(**key).exists()
    values = payload.model_dump(exclude={"unit", "month"})
    report = progress_report(actor=user, task=task, department=department, month=month, **values)
    return Status(201 if is_new else 200, report)


def _reporting_unit(user: Actor, task: WorkTask, unit_id: int | None) -> Department:
    """The unit named in the body, else the caller's only data-officer unit on the task."""
    if unit_id is not None:
        department = Department.objects.restrict(user, "view").filter(pk=unit_id).first()
        if department is None:
            raise field_error("unit", _("No department has this id."), ErrorCode.NOT_FOUND)
        return department
    units = {task.lead_unit_id, *task.responsible_units.values_list("pk", flat=True)}
    mine = principal_of(user).departments(Role.DATA_OFFICER) & units
    if len(mine) != 1:
        raise field_error("unit", _("Name the reporting unit."), ErrorCode.REQUIRED)
    return Department.objects.get(pk=mine.pop())


# --- the month ------------------------------------------------------------------------------


@router.get("/progress/missing", response=responses({200: MissingOut}))
def progress_missing(request: HttpRequest, month: OptionalMonth = "") -> dict[str, Any]:
    """Who has not reported on which open task for ``month`` (this month if none) by the
    report day — only the units whose reports you may read."""
    today = timezone.localdate()
    picked = months.parse_month(month) if month else progress.current_month(today)
    rows = progress.missing_reports(picked, today, user=auth_user(request))
    due = progress.report_due(picked)
    return {
        "month": f"{picked:%Y-%m}",
        "due": due,
        "is_past_due": today > due,
        "items": [{"unit": row.department, "task": row.task} for row in rows],
    }


def _visible_task(request: HttpRequest, pk: int) -> WorkTask:
    tasks = WorkTask.objects.restrict(auth_user(request), "view").select_related("lead_unit")
    return get_object_or_404(progress.with_overdue(tasks, timezone.localdate()), pk=pk)


__all__ = ["router"]
