"""Pages of the work tasks (任务分解) and the monthly progress reports (进展情况统计表)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from govshare.core import months
from govshare.core.actors import Actor
from govshare.core.forms import submit
from govshare.core.permissions import can, require
from govshare.core.text import join_sentences
from govshare.core.web.action_views import action_view
from govshare.core.web.downloads import XLSX, attachment
from govshare.core.web.pages import Crumb, post_data, render_form_page
from govshare.core.web.pagination import paginate
from govshare.inventory import progress, services
from govshare.inventory.choices import TaskStatus
from govshare.inventory.forms.worktasks import (
    MilestoneForm,
    MonthPickerForm,
    ReportForm,
    TaskFilterForm,
    TaskForm,
)
from govshare.inventory.models import Milestone, ProgressReport, WorkTask
from govshare.orgs.models import Department

# ``readable(department_id)``: may the user read that unit's progress reports?
Readable = Callable[[int], bool]
# The monthly workbook's file name (the plan's 附件2), in the user's language (issue 12 item 7).
PROGRESS_NAME = gettext_lazy("Progress statistics")


# --- helpers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitStatus:
    """A unit of a task with its latest report, if the user may read it."""

    department: Department
    report: ProgressReport | None
    is_readable: bool
    is_overdue: bool
    is_lead: bool = False


def _task_crumbs() -> list[Crumb]:
    return [Crumb(_("Work tasks"), reverse("inventory:task_list"))]


def _visible_task(request: HttpRequest, pk: int) -> WorkTask:
    tasks = WorkTask.objects.restrict(request.user, "view").select_related("lead_unit")
    return get_object_or_404(tasks, pk=pk)


def _readable_units(user: Actor) -> Readable:
    """``readable(department_id)``: may ``user`` read that unit's reports (asked once per unit)."""
    cache: dict[int, bool] = {}

    def readable(department_id: int) -> bool:
        if department_id not in cache:
            probe = ProgressReport(department_id=department_id)
            cache[department_id] = can(user, "view", probe)
        return cache[department_id]

    return readable


def _unit_statuses(
    task: WorkTask,
    latest: dict[tuple[int, int], ProgressReport],
    today: dt.date,
    readable: Readable,
) -> list[UnitStatus]:
    """Each responsible unit's latest status, then the lead unit's if it reported."""
    units = sorted(task.responsible_units.all(), key=lambda unit: unit.name)
    statuses = [_unit_status(task, unit, latest, today, readable) for unit in units]
    if (task.pk, task.lead_unit_id) in latest and task.lead_unit not in units:
        lead = _unit_status(task, task.lead_unit, latest, today, readable)
        statuses.append(replace(lead, is_overdue=False))  # the lead unit owes no report
    return statuses


def _unit_status(
    task: WorkTask,
    unit: Department,
    latest: dict[tuple[int, int], ProgressReport],
    today: dt.date,
    readable: Readable,
) -> UnitStatus:
    report = latest.get((task.pk, unit.pk))
    # A unit's overdue flag tells what it reported, so only its readers see it.
    is_overdue = readable(unit.pk) and progress.pair_is_overdue(task, report, today)
    return UnitStatus(
        department=unit,
        report=report,
        is_readable=readable(unit.pk),
        is_overdue=is_overdue,
        is_lead=unit.pk == task.lead_unit_id,
    )


def _reporting_department(request: HttpRequest, task: WorkTask) -> Department | None:
    """The active department when it may report on ``task`` (a unit of it, with the role)."""
    department_id = getattr(request, "active_department_id", None)
    if department_id is None or task.is_closed:
        return None
    unit_ids = {task.lead_unit_id, *(unit.pk for unit in task.responsible_units.all())}
    if department_id not in unit_ids:
        return None
    if not can(request.user, "add", ProgressReport(department_id=department_id)):
        return None
    return Department.objects.filter(pk=department_id).first()


def _report_form(task: WorkTask, department: Department, today: dt.date) -> ReportForm:
    """The form for this month, filled in with the unit's report if it already sent one."""
    month = progress.month_start(today)
    sent = ProgressReport.objects.filter(task=task, department=department, month=month).first()
    if sent is None:
        return ReportForm(initial={"month": month, "status": TaskStatus.ON_TRACK})
    fields = ("status", "percent_done", "progress", "problems", "next_steps")
    return ReportForm(initial={"month": month, **{name: getattr(sent, name) for name in fields}})


# --- the task list and a task ---------------------------------------------------------------


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """The plan's tasks with deadline, lead unit, each unit's latest status, overdue badge."""
    user, today = request.user, timezone.localdate()
    form = TaskFilterForm(request.GET or None)
    page = paginate(request, progress.task_list(user, today=today, **form.selector_filters()))
    tasks = list(page["object_list"])
    latest = progress.latest_reports(user, tasks)
    readable = _readable_units(user)
    rows = [(task, _unit_statuses(task, latest, today, readable)) for task in tasks]
    context = {**page, "form": form, "rows": rows, "can_add": can(user, "add", WorkTask)}
    return render(request, "inventory/tasks/task_list.html", context)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, _visible_task(request, pk))


def _task_page(
    request: HttpRequest,
    task: WorkTask,
    report_form: ReportForm | None = None,
    milestone_form: MilestoneForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The task page; the forms passed in carry the errors of a failed POST."""
    user, today = request.user, timezone.localdate()
    reports = (
        ProgressReport.objects.restrict(user, "view")
        .filter(task=task)
        .select_related("department", "reported_by")
        .order_by("-month", "department__name")
    )
    by_month: dict[dt.date, list[ProgressReport]] = {}
    for report in reports:
        by_month.setdefault(report.month, []).append(report)
    latest = progress.latest_reports(user, [task])
    department = _reporting_department(request, task)
    can_edit = can(user, "change", task)
    context = {
        "task": task,
        "milestones": task.milestones.all(),
        "units": _unit_statuses(task, latest, today, _readable_units(user)),
        "is_overdue": progress.task_is_overdue(task, today),
        "reports_by_month": sorted(by_month.items(), reverse=True),
        "reporting_department": department,
        "report_form": report_form or (department and _report_form(task, department, today)),
        "can_edit": can_edit and not task.is_closed,
        "milestone_form": (milestone_form or MilestoneForm()) if can_edit else None,
    }
    return render(request, "inventory/tasks/task_detail.html", context, status=status)


@login_required
@action_view("inventory:task_detail")
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's monthly report (sent again, it replaces that month's report)."""
    task = _visible_task(request, pk)
    department_id = getattr(request, "active_department_id", None)
    if department_id is None:
        raise PermissionDenied
    department = get_object_or_404(Department, pk=department_id)
    form = ReportForm(request.POST)

    def send(data: dict[str, Any]) -> ProgressReport:
        return services.progress_report(
            actor=request.user, task=task, department=department, **data
        )

    if report := submit(form, send):
        messages.success(
            request,
            _("Progress of %(unit)s for %(month)s was saved.")
            % {"unit": department.name, "month": f"{report.month:%Y-%m}"},
        )
        return redirect("inventory:task_detail", pk=task.pk)
    return _task_page(request, task, report_form=form, status=400)


# --- administering tasks --------------------------------------------------------------------


@login_required
def task_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "add", WorkTask)
    form = TaskForm(post_data(request))

    def create(data: dict[str, Any]) -> WorkTask:
        return services.task_create(actor=request.user, data=TaskForm.task_data(data))

    if request.method == "POST" and (task := submit(form, create)):
        messages.success(request, _("Task %(task)s was created.") % {"task": task})
        return redirect("inventory:task_detail", pk=task.pk)
    return _form_page(request, form, _("New work task"), reverse("inventory:task_list"))


@login_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    require(request.user, "change", task)
    form = TaskForm(post_data(request), task=task)

    def save(data: dict[str, Any]) -> WorkTask:
        return services.task_update(actor=request.user, task=task, data=TaskForm.task_data(data))

    if request.method == "POST" and submit(form, save) is not None:
        messages.success(request, _("Task %(task)s was saved.") % {"task": task.code})
        return redirect("inventory:task_detail", pk=task.pk)
    detail_url = reverse("inventory:task_detail", args=[task.pk])
    title = _("Edit %(task)s") % {"task": task.code}
    return _form_page(request, form, title, detail_url, Crumb(str(task), detail_url))


def _form_page(
    request: HttpRequest, form: forms.Form, title: str, cancel_url: str, *extra: Crumb
) -> HttpResponse:
    response = render_form_page(
        request, form, title=title, crumbs=[*_task_crumbs(), *extra], cancel_url=cancel_url
    )
    response.status_code = 400 if request.method == "POST" else 200
    return response


@login_required
@action_view("inventory:task_detail")
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    # Refused (e.g. closed already, from another tab): say why on the task page, not a 500.
    try:
        services.task_close(actor=request.user, task=task)
    except ValidationError as error:
        messages.error(request, join_sentences(error.messages))
    else:
        messages.success(request, _("Task %(task)s was closed.") % {"task": task.code})
    return redirect("inventory:task_detail", pk=task.pk)


@login_required
@action_view("inventory:task_detail")
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    require(request.user, "change", task)
    form = MilestoneForm(request.POST)

    def add(data: dict[str, Any]) -> Milestone:
        return services.milestone_add(actor=request.user, task=task, **data)

    if submit(form, add):
        messages.success(request, _("Milestone added."))
        return redirect("inventory:task_detail", pk=task.pk)
    return _task_page(request, task, milestone_form=form, status=400)


@login_required
@action_view("inventory:task_list", keep=())
def milestone_complete(request: HttpRequest, pk: int) -> HttpResponse:
    milestones = Milestone.objects.filter(task__in=WorkTask.objects.restrict(request.user, "view"))
    milestone = get_object_or_404(milestones.select_related("task"), pk=pk)
    # Refused (e.g. done already: a double click, a second tab): say why, not a 500.
    try:
        services.milestone_complete(actor=request.user, milestone=milestone)
    except ValidationError as error:
        messages.error(request, join_sentences(error.messages))
    else:
        messages.success(request, _("Milestone %(title)s is done.") % {"title": milestone.title})
    return redirect("inventory:task_detail", pk=milestone.task_id)


# --- the month ------------------------------------------------------------------------------


@login_required
@require_GET
def progress_month(request: HttpRequest) -> HttpResponse:
    """The month's statistics table, who has not reported, and the workbook download."""
    user, today = request.user, timezone.localdate()
    form = MonthPickerForm(request.GET or None)
    month = _picked_month(form, today)
    if month is None:
        return render(request, "inventory/tasks/progress_month.html", {"form": form}, status=400)
    rows = progress.month_rows(month, user=user, today=today)
    # Before the report day the list shows who is still to report; after it, who did not.
    is_due = today > progress.report_due(month)
    waiting = progress.missing_reports(month, today, user=user) if is_due else rows
    context = {
        "form": form,
        "month": month,
        "previous_month": progress.add_months(month, -1),
        "next_month": _next_month(month, today),
        "rows": rows,
        "summary": progress.summarize(rows),
        "due": progress.report_due(month),
        "is_due": is_due,
        "reminders": progress.reminders_by_unit(row for row in waiting if row.is_missing),
    }
    return render(request, "inventory/tasks/progress_month.html", context)


def _next_month(month: dt.date, today: dt.date) -> dt.date | None:
    following = progress.add_months(month, 1)
    return following if following <= progress.current_month(today) else None


def _picked_month(form: MonthPickerForm, today: dt.date) -> dt.date | None:
    """The month asked for (this month if none); None, with the error on the form, if bad."""
    if not form.is_bound:
        return progress.current_month(today)
    if not form.is_valid():
        return None
    month = form.cleaned_data["month"] or progress.current_month(today)
    if month > progress.current_month(today):
        form.add_error("month", _("Choose this month or an earlier one."))
        return None
    return month


@login_required
@require_GET
def progress_workbook(request: HttpRequest) -> HttpResponseBase:
    """The month's 进展情况统计表 (?month=YYYY-MM, this month if none) as an Excel file."""
    today = timezone.localdate()
    text = request.GET.get("month", "").strip()
    try:
        month = months.parse_month(text) if text else progress.current_month(today)
    except ValidationError as error:
        detail = error.message_dict["month"][0]
        context = {"status": 400, "title": _("Bad request"), "detail": detail}
        return render(request, "error.html", context, status=400)
    data = progress.progress_workbook(month, user=request.user, today=today)
    name, suffix = PROGRESS_NAME, f"-{month:%Y-%m}"
    return attachment(data, XLSX, name, suffix=suffix, extension="xlsx")


urlpatterns: list[URLPattern] = [
    path("tasks/", task_list, name="task_list"),
    path("tasks/new/", task_create, name="task_create"),
    path("tasks/<int:pk>/", task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", task_edit, name="task_edit"),
    path("tasks/<int:pk>/report/", task_report, name="task_report"),
    path("tasks/<int:pk>/close/", task_close, name="task_close"),
    path("tasks/<int:pk>/milestones/add/", milestone_add, name="milestone_add"),
    path("milestones/<int:pk>/complete/", milestone_complete, name="milestone_complete"),
    path("progress/", progress_month, name="progress_month"),
    path("progress/workbook.xlsx", progress_workbook, name="progress_workbook"),
]
