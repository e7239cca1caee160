"""Work tasks: the services' permission matrix, overdue flags, the reminder list, the workbook."""

from __future__ import annotations

import datetime as dt
import io

import factory
import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from govshare.core import months
from govshare.core.config import param_set
from govshare.core.models import AuditEvent
from govshare.core.roles import Role
from govshare.inventory import progress
from govshare.inventory.models import Milestone, ProgressReport, WorkTask
from govshare.inventory.services import (
    TaskData,
    milestone_add,
    milestone_complete,
    progress_report,
    task_close,
    task_create,
    task_update,
)
from tests.factories import DepartmentFactory, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_MONTH = progress.month_start(TODAY)
LAST_MONTH = progress.add_months(THIS_MONTH, -1)


class WorkTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkTask
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"T{n + 1:02d}")
    category = "电子政务云建设"
    title = factory.Sequence(lambda n: f"测试任务{n}")
    lead_unit = factory.SubFactory(DepartmentFactory)
    deadline = dt.date(2027, 6, 30)

    @factory.post_generation
    def units(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.responsible_units.set(extracted)


def report(task, department, month=LAST_MONTH, status="on_track", percent=40, **fields):
    """A report as it is stored (given), written without the service."""
    values = {"progress": "按计划推进中", **fields}
    return ProgressReport.objects.create(
        task=task, department=department, month=month, status=status, percent_done=percent, **values
    )


def send(actor, task, department, **overrides):
    """Call the service with a valid report, changed by ``overrides``."""
    values = {
        "month": LAST_MONTH,
        "progress": "完成系统梳理",
        "problems": "",
        "next_steps": "开展迁移",
        "status": "on_track",
        "percent_done": 30,
        **overrides,
    }
    return progress_report(actor=actor, task=task, department=department, **values)


@pytest.fixture
def task(authority, dept_a):
    """A task led by the authority, dept_a responsible; dept_b has nothing to do with it."""
    return WorkTaskFactory(lead_unit=authority, units=[dept_a])


def task_data(lead, units, **overrides) -> TaskData:
    values = {
        "code": "1.1",
        "category": "电子政务云建设",
        "title": "加强全市电子政务云一体化管理",
        "lead_unit": lead,
        "deadline": dt.date(2027, 6, 30),
        "responsible_units": units,
        "description": "",
    }
    return TaskData(**{**values, **overrides})


# --- tasks ----------------------------------------------------------------------------------


def test_the_platform_admin_creates_a_task_with_its_units(admin_user, authority, dept_a, dept_b):
    created = task_create(actor=admin_user, data=task_data(authority, [dept_a, dept_b]))

    assert set(created.responsible_units.all()) == {dept_a, dept_b}
    event = AuditEvent.objects.get(action="inventory.task.create")
    assert event.after["responsible_units"] == sorted([dept_a.pk, dept_b.pk])


@pytest.mark.parametrize("who", ["reviewer", "auditor", "officer_a", "staff_a"])
def test_nobody_else_creates_or_changes_tasks(request, who, task, authority, dept_a):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        task_create(actor=actor, data=task_data(authority, [dept_a], code="9.9"))
    with pytest.raises(PermissionDenied):
        task_update(actor=actor, task=task, data=task_data(authority, [dept_a], title="改"))
    with pytest.raises(PermissionDenied):
        task_close(actor=actor, task=task)

    task.refresh_from_db()
    assert WorkTask.objects.count() == 1 and not task.is_closed and task.title != "改"
    assert not AuditEvent.objects.filter(action__startswith="inventory.task").exists()


def test_every_bad_task_field_is_reported_together(admin_user, task, authority):
    closed = DepartmentFactory(name="已撤销局", is_active=False)
    bad = task_data(None, [], code=task.code, title="", deadline=None)

    with pytest.raises(ValidationError) as caught:
        task_create(actor=admin_user, data=bad)
    with pytest.raises(ValidationError) as inactive:
        task_create(actor=admin_user, data=task_data(closed, [closed], code="2.1"))

    assert {"code", "title", "lead_unit", "deadline", "responsible_units"} <= set(
        caught.value.error_dict
    )
    assert caught.value.error_dict["code"][0].code == "duplicate"
    assert {"lead_unit", "responsible_units"} == set(inactive.value.error_dict)
    assert WorkTask.objects.count() == 1


def test_an_update_changes_units_and_a_closed_task_is_locked(admin_user, task, authority, dept_b):
    task_update(actor=admin_user, task=task, data=task_data(authority, [dept_b], code=task.code))
    task_close(actor=admin_user, task=task, note="已完成")

    with pytest.raises(ValidationError) as caught:
        task_update(actor=admin_user, task=task, data=task_data(authority, [dept_b], title="x"))
    with pytest.raises(ValidationError):
        task_close(actor=admin_user, task=task)

    task.refresh_from_db()
    assert list(task.responsible_units.all()) == [dept_b] and task.is_closed
    assert "is_closed" in caught.value.error_dict


def test_milestones_are_added_and_completed_by_the_admin(admin_user, officer_a, task):
    milestone = milestone_add(
        actor=admin_user, task=task, title="完成普查", due=dt.date(2026, 12, 31)
    )
    with pytest.raises(PermissionDenied):
        milestone_complete(actor=officer_a, milestone=milestone)
    with pytest.raises(ValidationError) as caught:
        milestone_add(actor=admin_user, task=task, title="", due=None)

    milestone_complete(actor=admin_user, milestone=milestone)

    assert {"title", "due"} <= set(caught.value.error_dict)
    assert Milestone.objects.get().is_done
    assert AuditEvent.objects.filter(action="inventory.milestone.complete").count() == 1


# --- progress reports: who may report -------------------------------------------------------


def test_a_responsible_units_data_officer_reports_and_the_report_is_audited(
    officer_a, task, dept_a
):
    sent = send(officer_a, task, dept_a, month=LAST_MONTH + dt.timedelta(days=14))

    assert sent.month == LAST_MONTH  # any day of the month is kept under its first day
    assert sent.reported_by == officer_a and sent.status == "on_track"
    event = AuditEvent.objects.get(action="inventory.progress.report")
    assert event.department_id == dept_a.pk and event.before is None


def test_a_second_report_for_the_month_replaces_the_first(officer_a, task, dept_a):
    send(officer_a, task, dept_a, percent_done=30)
    send(officer_a, task, dept_a, percent_done=60, status="delayed", problems="经费未到位")

    stored = ProgressReport.objects.get()
    assert (stored.percent_done, stored.status, stored.problems) == (60, "delayed", "经费未到位")
    second = AuditEvent.objects.filter(action="inventory.progress.report").order_by("seq").last()
    assert second.before["percent_done"] == 30 and second.after["percent_done"] == 60


def test_the_lead_unit_may_report_too(authority, task):
    lead_officer = member(authority, Role.DATA_OFFICER, username="lead_officer")

    assert send(lead_officer, task, authority).department == authority


def test_the_platform_admin_may_report_for_a_responsible_unit(admin_user, task, dept_a):
    assert send(admin_user, task, dept_a).reported_by == admin_user


@pytest.mark.parametrize(
    "who, unit",
    [
        ("officer_b", "dept_a"),  # another department's officer
        ("staff_a", "dept_a"),  # the right department without the role
        ("reviewer", "dept_a"),
        ("auditor", "dept_a"),
    ],
)
def test_others_may_not_report(request, who, unit, task):
    with pytest.raises(PermissionDenied):
        send(request.getfixturevalue(who), task, request.getfixturevalue(unit))
    assert not ProgressReport.objects.exists()
    assert not AuditEvent.objects.filter(action="inventory.progress.report").exists()


def test_a_unit_that_is_not_on_the_task_may_not_report(officer_b, admin_user, task, dept_b):
    for actor in (officer_b, admin_user):
        with pytest.raises(ValidationError) as caught:
            send(actor, task, dept_b)
        assert caught.value.error_dict["department"][0].code == "not_responsible"
    assert not ProgressReport.objects.exists()


def test_every_bad_report_field_is_reported_together(officer_a, task, dept_a):
    with pytest.raises(ValidationError) as caught:
        send(
            officer_a,
            task,
            dept_a,
            month=progress.add_months(THIS_MONTH, 1),
            progress=" ",
            status="finished",
            percent_done=120,
        )

    errors = caught.value.error_dict
    assert {"month", "progress", "status", "percent_done"} <= set(errors)
    assert errors["month"][0].code == "future_month"
    assert not ProgressReport.objects.exists()


def test_the_current_month_may_be_reported_but_done_means_100_percent(officer_a, task, dept_a):
    with pytest.raises(ValidationError) as caught:
        send(officer_a, task, dept_a, month=TODAY, status="done", percent_done=90)
    sent = send(officer_a, task, dept_a, month=TODAY, status="done", percent_done=100)

    assert "percent_done" in caught.value.error_dict
    assert sent.month == THIS_MONTH


def test_a_closed_task_takes_no_more_reports(admin_user, officer_a, task, dept_a):
    task = task_close(actor=admin_user, task=task)

    with pytest.raises(ValidationError) as caught:
        send(officer_a, task, dept_a)
    assert "task" in caught.value.error_dict and not ProgressReport.objects.exists()


# --- months ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-10", "2026/10", "", "abcd-ef"])
def test_a_malformed_month_is_refused(text):
    with pytest.raises(ValidationError) as caught:
        months.parse_month(text)
    assert "month" in caught.value.error_dict


def test_month_arithmetic():
    assert months.parse_month("2026-2") == dt.date(2026, 2, 1)
    assert progress.add_months(dt.date(2026, 1, 1), -2) == dt.date(2025, 11, 1)
    assert progress.month_end(dt.date(2028, 2, 1)) == dt.date(2028, 2, 29)


# --- overdue --------------------------------------------------------------------------------


def overdue_codes(user, today):
    return [t.code for t in progress.task_list(user, today=today, overdue=True)]


def test_a_task_is_overdue_after_its_deadline_until_every_unit_is_done(
    staff_a, authority, dept_a, dept_b
):
    # given a task due 2026-06-30 with two units, and a task due later
    due = WorkTaskFactory(code="1.1", lead_unit=authority, deadline=dt.date(2026, 6, 30))
    due.responsible_units.set([dept_a, dept_b])
    WorkTaskFactory(code="1.2", lead_unit=authority, deadline=dt.date(2027, 6, 30), units=[dept_a])
    report(due, dept_a, month=dt.date(2026, 5, 1), status="done", percent=100)

    # then it is not overdue on its deadline, overdue the day after while dept_b is not done
    assert overdue_codes(staff_a, dt.date(2026, 6, 30)) == []
    assert overdue_codes(staff_a, dt.date(2026, 7, 1)) == ["1.1"]

    # when dept_b reports done, it is no longer overdue
    report(due, dept_b, month=dt.date(2026, 7, 1), status="done", percent=100)
    assert overdue_codes(staff_a, dt.date(2026, 7, 2)) == []


def test_a_later_report_that_is_not_done_makes_the_task_overdue_again(staff_a, authority, dept_a):
    due = WorkTaskFactory(lead_unit=authority, deadline=dt.date(2026, 6, 30), units=[dept_a])
    report(due, dept_a, month=dt.date(2026, 5, 1), status="done", percent=100)
    report(due, dept_a, month=dt.date(2026, 6, 1), status="delayed", percent=80)

    assert overdue_codes(staff_a, dt.date(2026, 7, 1)) == [due.code]


def test_a_closed_task_is_never_overdue(admin_user, staff_a, authority, dept_a):
    due = WorkTaskFactory(lead_unit=authority, deadline=dt.date(2026, 6, 30), units=[dept_a])
    task_close(actor=admin_user, task=due)

    assert overdue_codes(staff_a, dt.date(2026, 7, 1)) == []


def test_the_task_list_filters_by_category_unit_and_visible_status(
    staff_a, officer_b, authority, dept_a, dept_b
):
    cloud = WorkTaskFactory(code="1.1", lead_unit=authority, units=[dept_a])
    network = WorkTaskFactory(code="2.1", category="电子政务内网和外网建设", lead_unit=authority)
    network.responsible_units.set([dept_b])
    report(network, dept_b, status="delayed")

    def codes(user, **filters):
        return [t.code for t in progress.task_list(user, today=TODAY, **filters)]

    assert codes(staff_a, category="电子政务云建设") == ["1.1"]
    assert codes(staff_a, unit=dept_b) == ["2.1"]
    assert codes(staff_a, unit=authority) == ["1.1", "2.1"]  # the lead unit of both
    # dept_b's report is private to dept_b and the overseers
    assert codes(officer_b, status="delayed") == ["2.1"]
    assert codes(staff_a, status="delayed") == []
    assert progress.categories() == ["电子政务云建设", "电子政务内网和外网建设"]
    assert cloud.code == "1.1"


# --- the reminder list ----------------------------------------------------------------------


@pytest.fixture
def october(authority, dept_a, dept_b):
    """Two open tasks in October 2026: dept_a reported on 1.1, nobody else did."""
    first = WorkTaskFactory(code="1.1", lead_unit=authority, units=[dept_a, dept_b])
    second = WorkTaskFactory(code="1.2", lead_unit=authority, units=[dept_b])
    report(first, dept_a, month=dt.date(2026, 10, 1))
    return first, second


def reminders(month, today, user=None):
    rows = progress.missing_reports(month, today, user=user)
    return [(row.task.code, row.department.name) for row in rows]


def test_a_task_owes_reports_only_from_its_start(authority, dept_a):
    # given a task that starts in November 2026
    WorkTaskFactory(code="2.1", lead_unit=authority, units=[dept_a], start=dt.date(2026, 11, 3))

    # then October's reminders do not name it, November's do
    assert reminders(dt.date(2026, 10, 1), dt.date(2026, 11, 20)) == []
    assert reminders(dt.date(2026, 11, 1), dt.date(2026, 11, 26)) == [("2.1", dept_a.name)]


def test_a_task_cannot_start_after_its_deadline(admin_user, authority, dept_a):
    data = task_data(authority, [dept_a], start=dt.date(2027, 7, 1))
    with pytest.raises(ValidationError) as error:
        task_create(actor=admin_user, data=data)
    assert "start" in error.value.message_dict


def test_the_reminder_list_is_empty_until_the_report_day_has_passed(october):
    month = dt.date(2026, 10, 1)

    assert reminders(month, dt.date(2026, 10, 24)) == []
    assert reminders(month, dt.date(2026, 10, 25)) == []  # reporting on the 25th is on time
    assert reminders(month, dt.date(2026, 10, 26)) == [("1.1", "人社局"), ("1.2", "人社局")]
    assert len(progress.pending_reports(month)) == 2  # known before the day too


def test_the_report_day_is_a_setting(admin_user, october):
    param_set(actor=admin_user, key="inventory.progress.report_day", value=20)

    assert len(reminders(dt.date(2026, 10, 1), dt.date(2026, 10, 21))) == 2


def test_units_that_finished_earlier_and_closed_tasks_are_not_reminded(admin_user, october, dept_b):
    first, second = october
    report(first, dept_b, month=dt.date(2026, 9, 1), status="done", percent=100)
    task_close(actor=admin_user, task=second)

    assert reminders(dt.date(2026, 10, 1), dt.date(2026, 11, 3)) == []


def test_a_department_sees_only_its_own_reminders(staff_a, officer_b, reviewer, october):
    today, month = dt.date(2026, 11, 1), dt.date(2026, 10, 1)

    assert reminders(month, today, user=staff_a) == []
    assert len(reminders(month, today, user=officer_b)) == 2
    assert len(reminders(month, today, user=reviewer)) == 2
    grouped = progress.reminders_by_unit(progress.missing_reports(month, today))
    assert [(unit.name, [t.code for t in tasks]) for unit, tasks in grouped] == [
        ("人社局", ["1.1", "1.2"])
    ]


# --- the workbook ---------------------------------------------------------------------------


def read_back(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_has_one_row_per_task_and_unit_with_chinese_statuses(
    october, authority, dept_b
):
    # given dept_b reported 1.2 as delayed and 1.1 is overdue for dept_b
    first, second = october
    WorkTask.objects.filter(pk=first.pk).update(deadline=dt.date(2026, 10, 15))
    report(
        second, dept_b, month=dt.date(2026, 10, 1), status="delayed", percent=20, problems="=1+1"
    )

    # when the October workbook is generated on 1 November
    rows = read_back(progress.progress_workbook(dt.date(2026, 10, 1), today=dt.date(2026, 11, 1)))

    # then it has a title, the header, and a row per task per unit
    assert rows[0][0] == "政务信息系统整合共享进展情况统计表（2026年10月）"
    header = rows[2]
    assert header[:5] == ("任务编号", "任务类别", "工作任务", "牵头单位", "责任单位")
    body = [row for row in rows[3:] if row[0] in ("1.1", "1.2")]
    by_key = {(row[0], row[4]): row for row in body}
    assert set(by_key) == {("1.1", "公安局"), ("1.1", "人社局"), ("1.2", "人社局")}
    reported = by_key[("1.1", "公安局")]
    assert (reported[3], reported[9], reported[10]) == ("大数据局", "正常推进", 40)
    assert reported[5] == dt.datetime(2026, 10, 15)
    missing = by_key[("1.1", "人社局")]
    assert missing[9] == "未报送" and missing[11] == "逾期"
    delayed = by_key[("1.2", "人社局")]
    assert (delayed[9], delayed[7], delayed[11]) == ("滞后", "=1+1", None)
    assert rows[-1][0] == "应报送3项，已报送2项，未报送1项，逾期2项。"


def test_the_workbook_is_formatted_and_keeps_report_text_as_text(october, dept_a):
    first, _second = october
    ProgressReport.objects.filter(task=first, department=dept_a).update(progress="=HYPERLINK(1)")
    book = openpyxl.load_workbook(io.BytesIO(progress.progress_workbook(dt.date(2026, 10, 1))))
    sheet = book.active
    progress_cell = next(row[6] for row in sheet.iter_rows(min_row=4) if row[4].value == "公安局")

    assert progress_cell.value == "=HYPERLINK(1)" and progress_cell.data_type == "s"  # no formula
    assert progress_cell.alignment.wrap_text
    assert sheet.freeze_panes == "D4"
    assert sheet.column_dimensions["G"].width > 30


def test_a_unit_that_finished_earlier_shows_its_done_report(october, dept_b):
    first, _second = october
    report(first, dept_b, month=dt.date(2026, 9, 1), status="done", percent=100)

    rows = read_back(progress.progress_workbook(dt.date(2026, 10, 1), today=dt.date(2026, 11, 1)))
    carried = next(row for row in rows if row[0] == "1.1" and row[4] == "人社局")

    assert carried[9] == "已完成" and carried[6].startswith("（2026年9月报送已完成）")


def test_the_workbook_of_a_department_holds_only_its_rows(october, staff_a):
    data = progress.progress_workbook(dt.date(2026, 10, 1), user=staff_a)

    units = {row[4] for row in read_back(data)[3:] if row[0] in ("1.1", "1.2")}
    assert units == {"公安局"}


def test_reports_for_a_month_long_past_are_refused():
    """History stays as it was: only the last few months (a setting) take reports."""
    import datetime as dt

    from django.core.exceptions import ValidationError as _VE

    from govshare.core.actors import system_actor
    from govshare.inventory.models import WorkTask
    from govshare.inventory.services import progress_report, task_create

    lead = DepartmentFactory()
    from govshare.inventory.services.worktasks import TaskData

    task = task_create(
        actor=system_actor(),
        data=TaskData(
            code="9.9",
            category="测试",
            title="测试任务",
            lead_unit=lead,
            responsible_units=[lead],
            deadline=dt.date.today() + dt.timedelta(days=30),
        ),
    )
    with pytest.raises(_VE) as caught:
        progress_report(
            actor=system_actor(),
            task=task,
            department=lead,
            month=dt.date(1990, 1, 1),
            progress="完成",
            status="done",
            percent_done=100,
        )
    assert caught.value.error_dict["month"][0].code == "month_closed"
    assert WorkTask.objects.get().reports.count() == 0
