"""Reads of the work tasks: overdue flags, the monthly reminder list and the 进展情况统计表.

潍政办字〔2017〕133号: "each unit sums up the progress of every task monthly and sends the
政务信息系统整合共享进展情况统计表 (附件2) before the 25th of the month". So a report is for
the month it is sent in, due on the report day (``inventory.progress.report_day``).

A pair (task, unit) is *overdue* when the task's deadline has passed, the task is not closed and
the unit's latest report does not say done; a task is overdue when any responsible unit is.
Overdue is a fact of the task directory (everyone sees the flag); what a unit reported stays
readable only by those the ProgressReport policy lets read it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from govshare.core.actors import Actor
from govshare.core.config import param
from govshare.core.permissions import can
from govshare.core.xlsx.writer import ColumnFormat, PageSetup, Sheet, Style, Workbook
from govshare.inventory.choices import TaskStatus
from govshare.inventory.config import REPORT_DAY
from govshare.inventory.models import ProgressReport, WorkTask
from govshare.orgs.models import Department

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

ResponsibleUnit = WorkTask.responsible_units.through


class Overdue(TypedDict):
    """What ``with_overdue`` adds to a task."""

    is_overdue: bool


# --- months ---------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month: the key a report is kept under."""
    return dt.date(day.year, day.month, 1)


def month_end(month: dt.date) -> dt.date:
    return dt.date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def report_due(month: dt.date) -> dt.date:
    """The day a month's report is due (当月25日前 by default)."""
    return month.replace(day=int(param(REPORT_DAY.key)))


def current_month(today: dt.date | None = None) -> dt.date:
    return month_start(today or timezone.localdate())


# --- task list ------------------------------------------------------------------------------


def latest_status(reports: QuerySet[ProgressReport]) -> Subquery:
    """For a ResponsibleUnit row: the status of that unit's latest report in ``reports``."""
    latest = reports.filter(
        task_id=OuterRef("worktask_id"), department_id=OuterRef("department_id")
    )
    return Subquery(latest.order_by("-month").values("status")[:1])


def unfinished_units() -> QuerySet[Any]:
    """(task, responsible unit) rows whose latest report (over all reports) is not done."""
    status = Coalesce(latest_status(ProgressReport.objects.all()), Value(""))
    units = ResponsibleUnit.objects.annotate(latest=status)
    # django-stubs does not track .annotate() on an auto-created m2m through model.
    return units.exclude(latest=TaskStatus.DONE)  # type: ignore[misc]


def with_overdue(
    tasks: QuerySet[WorkTask], today: dt.date
) -> QuerySet[WithAnnotations[WorkTask, Overdue]]:
    """Annotate ``is_overdue``: deadline passed, not closed, some responsible unit not done."""
    unfinished = unfinished_units().filter(worktask_id=OuterRef("pk"))
    overdue = Q(Exists(unfinished), deadline__lt=today, is_closed=False)
    return tasks.annotate(is_overdue=Case(When(overdue, then=Value(True)), default=Value(False)))


def task_is_overdue(task: WorkTask, today: dt.date) -> bool:
    overdue = with_overdue(WorkTask.objects.filter(pk=task.pk), today).filter(is_overdue=True)
    return overdue.exists()


def task_list(
    user: Actor,
    *,
    today: dt.date,
    category: str = "",
    unit: Department | None = None,
    status: str = "",
    overdue: bool | None = None,
) -> QuerySet[WorkTask]:
    """The plan's tasks, filtered; ``status`` matches a unit's latest report the user may read."""
    visible = WorkTask.objects.restrict(user, "view").select_related("lead_unit")
    tasks = with_overdue(visible.prefetch_related("responsible_units"), today)
    if category:
        tasks = tasks.filter(category=category)
    if unit is not None:
        units = ResponsibleUnit.objects.filter(department_id=unit.pk).values("worktask_id")
        tasks = tasks.filter(Q(lead_unit_id=unit.pk) | Q(pk__in=units))
    if status:
        readable = latest_status(ProgressReport.objects.restrict(user, "view"))
        unit_states = ResponsibleUnit.objects.annotate(latest=readable)
        # django-stubs does not track .annotate() on an auto-created m2m through model.
        matching = unit_states.filter(latest=status)  # type: ignore[misc]
        tasks = tasks.filter(Exists(matching.filter(worktask_id=OuterRef("pk"))))
    if overdue is not None:
        tasks = tasks.filter(is_overdue=overdue)
    return tasks.order_by("code")


def categories() -> list[str]:
    """The task categories in use (the plan's sections), in task-number order."""
    rows = WorkTask.objects.order_by("code").values_list("category", flat=True)
    return list(dict.fromkeys(rows))


def latest_only(reports: QuerySet[ProgressReport]) -> QuerySet[ProgressReport]:
    """Of ``reports``, each unit's latest on each task (none newer among ``reports``)."""
    newer = reports.filter(
        task_id=OuterRef("task_id"),
        department_id=OuterRef("department_id"),
        month__gt=OuterRef("month"),
    )
    return reports.filter(~Exists(newer))


def latest_reports(
    user: Actor, tasks: Iterable[WorkTask], until: dt.date | None = None
) -> dict[tuple[int, int], ProgressReport]:
    """(task id, unit id) → the latest report up to month ``until`` that ``user`` may read."""
    reports = ProgressReport.objects.restrict(user, "view").filter(
        task_id__in=[task.pk for task in tasks]
    )
    if until is not None:
        reports = reports.filter(month__lte=until)
    return {
        (report.task_id, report.department_id): report
        for report in latest_only(reports).select_related("department", "reported_by")
    }


def pair_is_overdue(task: WorkTask, report: ProgressReport | None, as_of: dt.date) -> bool:
    """The overdue rule for one unit (the SQL of ``with_overdue`` is the same rule per task)."""
    is_done = report is not None and report.status == TaskStatus.DONE
    return not task.is_closed and task.deadline < as_of and not is_done


# --- the month's statistics -----------------------------------------------------------------


@dataclass(frozen=True)
class ProgressRow:
    """One row of the 进展情况统计表: a task and one of its units in a month."""

    task: WorkTask
    department: Department
    month: dt.date
    report: ProgressReport | None  # the month's report, or the earlier one that said done
    is_missing: bool  # expected this month and not sent (未报送)
    is_overdue: bool

    @property
    def is_carried(self) -> bool:
        """The unit finished in an earlier month and need not report again."""
        return self.report is not None and self.report.month != self.month


LatestReports = dict[tuple[int, int], ProgressReport]


def month_rows(
    month: dt.date, *, user: Actor | None = None, today: dt.date | None = None
) -> list[ProgressRow]:
    """Every (task, unit) row of ``month``: open tasks and tasks reported on that month.

    ``user`` narrows the rows to the units whose reports the user may read (None: all).
    """
    month = month_start(month)
    as_of = min(today or timezone.localdate(), month_end(month))
    # Open tasks owe a report once they have started (a task added later, or starting later,
    # owes nothing for an earlier month); any task reported on that month shows its report.
    started = Q(start__isnull=True) | Q(start__lt=add_months(month, 1))
    tasks = (
        WorkTask.objects.filter((Q(is_closed=False) & started) | Q(reports__month=month))
        .distinct()
        .select_related("lead_unit")
        .prefetch_related("responsible_units")
        .order_by("code")
    )
    latest = _all_latest_reports(month)
    rows: list[ProgressRow] = []
    for task in tasks:
        for department in _units_of(task, latest, month):
            rows.append(_row(task, department, latest.get((task.pk, department.pk)), month, as_of))
    return rows if user is None else _visible_rows(user, rows)


def _all_latest_reports(month: dt.date) -> LatestReports:
    reports = latest_only(ProgressReport.objects.filter(month__lte=month))
    return {
        (report.task_id, report.department_id): report
        for report in reports.select_related("department", "reported_by")
    }


def _units_of(task: WorkTask, latest: LatestReports, month: dt.date) -> list[Department]:
    """The responsible units by name, then any other unit (the lead) that reported this month."""
    units = sorted(task.responsible_units.all(), key=lambda unit: unit.name)
    known = {unit.pk for unit in units}
    lead = latest.get((task.pk, task.lead_unit_id))
    if task.lead_unit_id not in known and lead is not None and lead.month == month:
        units.append(lead.department)
    return units


def _row(
    task: WorkTask,
    department: Department,
    latest: ProgressReport | None,
    month: dt.date,
    as_of: dt.date,
) -> ProgressRow:
    this_month = latest is not None and latest.month == month
    finished_before = latest is not None and latest.status == TaskStatus.DONE
    shown = latest if this_month or finished_before else None
    # Only responsible units owe reports; the lead unit's row is there because it reported.
    is_responsible = any(unit.pk == department.pk for unit in task.responsible_units.all())
    return ProgressRow(
        task=task,
        department=department,
        month=month,
        report=shown,
        is_missing=is_responsible and shown is None and not task.is_closed,
        is_overdue=is_responsible and pair_is_overdue(task, latest, as_of),
    )


def _visible_rows(user: Actor, rows: list[ProgressRow]) -> list[ProgressRow]:
    readable: dict[int, bool] = {}
    for row in rows:
        if row.department.pk not in readable:
            probe = ProgressReport(department_id=row.department.pk)
            readable[row.department.pk] = can(user, "view", probe)
    return [row for row in rows if readable[row.department.pk]]


def pending_reports(month: dt.date, *, user: Actor | None = None) -> list[ProgressRow]:
    """Units that have not (yet) reported on an open task for ``month``."""
    return [row for row in month_rows(month, user=user) if row.is_missing]


def missing_reports(
    month: dt.date, today: dt.date, *, user: Actor | None = None
) -> list[ProgressRow]:
    """The reminder list: units that had not reported for ``month`` by its report day.

    Empty until the report day has passed (a report on the day itself is on time).
    """
    month = month_start(month)
    if today <= report_due(month):
        return []
    rows = month_rows(month, user=user, today=today)
    return sorted(
        (row for row in rows if row.is_missing),
        key=lambda row: (row.department.name, row.task.code),
    )


def reminders_by_unit(rows: Iterable[ProgressRow]) -> list[tuple[Department, list[WorkTask]]]:
    """Group reminder rows by unit: who has to report on which tasks."""
    grouped: dict[int, tuple[Department, list[WorkTask]]] = {}
    for row in rows:
        grouped.setdefault(row.department.pk, (row.department, []))[1].append(row.task)
    return sorted(grouped.values(), key=lambda item: item[0].name)


@dataclass(frozen=True)
class MonthSummary:
    expected: int
    reported: int
    missing: int
    overdue: int


def summarize(rows: list[ProgressRow]) -> MonthSummary:
    return MonthSummary(
        expected=len(rows),
        reported=sum(1 for row in rows if row.report is not None),
        missing=sum(1 for row in rows if row.is_missing),
        overdue=sum(1 for row in rows if row.is_overdue),
    )


# --- the workbook ---------------------------------------------------------------------------

# The workbook is the plan's 附件2, sent on as it is: its wording is the form's fixed Chinese,
# whatever language the user reads the pages in.
STATUS_LABELS: dict[str, str] = {
    TaskStatus.NOT_STARTED: "未启动",
    TaskStatus.ON_TRACK: "正常推进",
    TaskStatus.DELAYED: "滞后",
    TaskStatus.DONE: "已完成",
}
NOT_REPORTED = "未报送"
OVERDUE = "逾期"
WORKBOOK_TITLE = "政务信息系统整合共享进展情况统计表"
# (heading, column width in characters)
COLUMNS = (
    ("任务编号", 9),
    ("任务类别", 14),
    ("工作任务", 28),
    ("牵头单位", 16),
    ("责任单位", 16),
    ("完成时限", 12),
    ("工作进展", 40),
    ("存在问题", 28),
    ("下步计划", 28),
    ("进展状态", 11),
    ("完成比例（%）", 11),
    ("是否逾期", 9),
)
HEADER_ROW = 3  # the headings' row, as Excel numbers it (title, note, headings)


def progress_workbook(
    month: dt.date, *, user: Actor | None = None, today: dt.date | None = None
) -> bytes:
    """The month's 进展情况统计表 as an .xlsx file: one row per task per unit."""
    month = month_start(month)
    today = today or timezone.localdate()
    rows = month_rows(month, user=user, today=today)
    buffer = io.BytesIO()
    # User text is never a formula, a link or a number: the writer keeps "=1+1" as text.
    with Workbook(buffer) as book:
        sheet = book.add_sheet(
            "进展情况统计表",
            columns=[ColumnFormat(width) for _heading, width in COLUMNS],
            freeze=(HEADER_ROW, 3),  # the headings and the task number/category/title stay
            page=PageSetup(landscape=True, fit_width=True, repeat_rows=(HEADER_ROW, HEADER_ROW)),
        )
        _write_heading(sheet, month, today)
        for row in rows:
            cells, styles = _row_cells(row)
            sheet.append(cells, styles=styles)
        sheet.append(())
        _write_line(sheet, _summary_line(summarize(rows)), STYLES["note"])
    return buffer.getvalue()


_CELL = Style(wrap=True, valign="top", border=True, font_size=10)
STYLES: dict[str, Style] = {
    "title": Style(bold=True, font_size=16, align="center"),
    "note": Style(font_size=10, font_color="555555"),
    "header": replace(_CELL, bold=True, fill="DDEBF7", align="center", valign="center"),
    "text": _CELL,
    "date": replace(_CELL, num_format="yyyy-mm-dd"),
    "number": replace(_CELL, align="right"),
    "missing": replace(_CELL, fill="FCE4D6", font_color="C00000"),
    "overdue": replace(_CELL, bold=True, font_color="C00000"),
}


def _write_heading(sheet: Sheet, month: dt.date, today: dt.date) -> None:
    title = f"{WORKBOOK_TITLE}（{month.year}年{month.month}月）"
    _write_line(sheet, title, STYLES["title"], height=28)
    due = report_due(month)
    _write_line(
        sheet,
        f"统计月份：{month:%Y-%m}；报送截止：{due:%Y-%m-%d}；制表日期：{today:%Y-%m-%d}",
        STYLES["note"],
    )
    headings = [heading for heading, _width in COLUMNS]
    sheet.append(headings, styles=[STYLES["header"]] * len(COLUMNS))
    sheet.autofilter(HEADER_ROW, 0, len(COLUMNS) - 1)


def _write_line(sheet: Sheet, text: str, style: Style, height: float | None = None) -> None:
    """A line of text across the whole table (its cells merged)."""
    row = sheet.append([text], styles=[style], height=height)
    sheet.merge(row, 0, len(COLUMNS) - 1)


def _row_cells(row: ProgressRow) -> tuple[list[Any], list[Style]]:
    """A row's cells and their styles; an empty cell keeps its borders."""
    task, report = row.task, row.report
    cells: list[Any] = [task.code, task.category, task.title, task.lead_unit.name]
    cells += [row.department.name, task.deadline]
    styles = [STYLES["text"]] * 5 + [STYLES["date"]]
    if report is None:
        cells += ["", "", "", NOT_REPORTED if row.is_missing else "", None]
        status = STYLES["missing"] if row.is_missing else STYLES["text"]
    else:
        progress = report.progress
        if row.is_carried:
            progress = f"（{report.month.year}年{report.month.month}月报送已完成）{progress}"
        status_label = STATUS_LABELS.get(report.status, report.status)
        cells += [progress, report.problems, report.next_steps, status_label, report.percent_done]
        status = STYLES["text"]
    styles += [STYLES["text"]] * 3 + [status, STYLES["number"]]
    cells.append(OVERDUE if row.is_overdue else "")
    styles.append(STYLES["overdue"] if row.is_overdue else STYLES["text"])
    return cells, styles


def _summary_line(summary: MonthSummary) -> str:
    return (
        f"应报送{summary.expected}项，已报送{summary.reported}项，"
        f"未报送{summary.missing}项，逾期{summary.overdue}项。"
    )
