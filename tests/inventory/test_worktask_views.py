"""Work-task pages and REST endpoints: who sees what, the report form, the month and workbook."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from govshare.core.models import AuditEvent
from govshare.inventory import progress
from govshare.inventory.models import Milestone, ProgressReport, WorkTask
from tests.api_client import API, api_client, assert_error_body, send
from tests.inventory.test_worktasks import LAST_MONTH, THIS_MONTH, WorkTaskFactory, report

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def task(authority, dept_a):
    """1.1, led by the authority, dept_a responsible; dept_a reported last month."""
    task = WorkTaskFactory(code="1.1", lead_unit=authority, units=[dept_a])
    Milestone.objects.create(task=task, title="完成普查", due=dt.date(2026, 12, 31))
    report(task, dept_a, month=LAST_MONTH, status="delayed", problems="经费未到位")
    return task


@pytest.fixture
def other_task(authority, dept_b):
    """2.1, overdue, dept_b responsible and silent."""
    return WorkTaskFactory(
        code="2.1", lead_unit=authority, units=[dept_b], deadline=TODAY - dt.timedelta(days=1)
    )


def report_post(**overrides):
    values = {
        "month": f"{THIS_MONTH:%Y-%m}",
        "status": "on_track",
        "percent_done": "50",
        "progress": "已完成系统梳理",
        "problems": "",
        "next_steps": "启动迁移",
    }
    return {**values, **overrides}


# --- the list -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin_user", "reviewer", "auditor", "officer_a", "staff_a"])
def test_every_role_sees_the_task_list(request, client_for, who, task, other_task):
    response = client_for(request.getfixturevalue(who)).get(reverse("inventory:task_list"))

    assert response.status_code == 200
    assert [t.code for t, _units in response.context["rows"]] == ["1.1", "2.1"]
    assert b"gs-overdue" in response.content  # 2.1 is overdue


def test_the_list_shows_a_units_status_only_to_those_who_may_read_it(
    client_for, staff_a, officer_b, task
):
    def first_unit(user):
        response = client_for(user).get(reverse("inventory:task_list"))
        return response.context["rows"][0][1][0]

    mine, theirs = first_unit(staff_a), first_unit(officer_b)

    assert mine.is_readable and mine.report.status == "delayed"
    assert not theirs.is_readable


@pytest.fixture
def shared_task(authority, dept_a, dept_b):
    """1.2, shared by dept_a and dept_b; each reported last month."""
    task = WorkTaskFactory(code="1.2", lead_unit=authority, units=[dept_a, dept_b])
    report(task, dept_a, status="delayed", percent=10)
    report(task, dept_b, status="on_track", percent=25)
    return task


def unit_cell(content: str, unit) -> str:
    """The text of a unit's entry in the "latest status per unit" list."""
    start = content.index(f'data-unit="{unit.pk}"')
    return content[start : content.index("</li>", start)]


@pytest.mark.parametrize("page", ["inventory:task_list", "inventory:task_detail"])
def test_given_a_shared_task_when_an_officer_looks_then_a_co_unit_reads_not_visible_not_blank(
    client_for, officer_a, dept_a, dept_b, shared_task, page
):
    # Given: dept_b's reports are readable only by dept_b and the authority (the policy).
    args = [shared_task.pk] if page.endswith("detail") else []

    # When: dept_a's officer opens the page.
    content = client_for(officer_a).get(reverse(page, args=args), **EN).content.decode()

    # Then: its own status shows; dept_b's cell says it is hidden, not "—" (read as unreported).
    assert 'data-status="delayed"' in unit_cell(content, dept_a)
    theirs = unit_cell(content, dept_b)
    assert 'data-status="hidden"' in theirs and "Not visible to you" in theirs
    assert "25%" not in theirs and "—" not in theirs


@pytest.mark.parametrize("page", ["inventory:task_list", "inventory:task_detail"])
def test_given_a_shared_task_when_the_reviewer_looks_then_every_unit_s_status_shows(
    client_for, reviewer, dept_a, dept_b, shared_task, page
):
    args = [shared_task.pk] if page.endswith("detail") else []

    content = client_for(reviewer).get(reverse(page, args=args), **EN).content.decode()

    assert 'data-status="delayed"' in unit_cell(content, dept_a)
    assert 'data-status="on_track"' in unit_cell(content, dept_b)
    assert "25%" in unit_cell(content, dept_b)
    assert "Not visible to you" not in content


def test_the_list_filters(client_for, staff_a, task, other_task, dept_b):
    client = client_for(staff_a)

    def codes(**query):
        rows = client.get(reverse("inventory:task_list"), query).context["rows"]
        return [t.code for t, _units in rows]

    assert codes(overdue="yes") == ["2.1"]
    assert codes(overdue="no") == ["1.1"]
    assert codes(unit=dept_b.pk) == ["2.1"]
    assert codes(status="delayed") == ["1.1"]
    assert codes(category="电子政务云建设") == ["1.1", "2.1"]
    assert codes(unit="nonsense") == ["1.1", "2.1"]  # a malformed filter filters nothing


def test_the_list_runs_a_fixed_number_of_queries(client_for, staff_a, authority, dept_a, dept_b):
    client = client_for(staff_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("inventory:task_list")).status_code == 200
        return len(captured)

    WorkTaskFactory(lead_unit=authority, units=[dept_a])
    few = queries()
    for _n in range(5):
        more = WorkTaskFactory(lead_unit=authority, units=[dept_a, dept_b])
        report(more, dept_a)
    assert queries() == few


def test_anonymous_visitors_are_sent_to_sign_in(client, task):
    for name, args in [("task_list", []), ("task_detail", [task.pk]), ("progress_month", [])]:
        response = client.get(reverse(f"inventory:{name}", args=args))
        assert response.status_code == 302 and "login" in response["Location"]


# --- a task and its report form -------------------------------------------------------------


def test_the_responsible_units_officer_gets_the_report_form(client_for, officer_a, task):
    response = client_for(officer_a).get(reverse("inventory:task_detail", args=[task.pk]))

    assert response.status_code == 200
    assert response.context["report_form"] is not None
    assert [m for m, _reports in response.context["reports_by_month"]] == [LAST_MONTH]
    assert "经费未到位" in response.content.decode()


@pytest.mark.parametrize("who", ["staff_a", "officer_b", "reviewer", "auditor"])
def test_others_get_no_report_form(request, client_for, who, task):
    response = client_for(request.getfixturevalue(who)).get(
        reverse("inventory:task_detail", args=[task.pk])
    )

    assert response.status_code == 200 and response.context["report_form"] is None


def test_reports_of_other_units_are_not_shown(client_for, officer_b, task):
    response = client_for(officer_b).get(reverse("inventory:task_detail", args=[task.pk]))

    assert response.context["reports_by_month"] == []
    assert "经费未到位" not in response.content.decode()


def test_a_report_is_sent_from_the_task_page(client_for, officer_a, task, dept_a):
    url = reverse("inventory:task_report", args=[task.pk])

    response = client_for(officer_a).post(url, report_post())

    assert response.status_code == 302
    stored = ProgressReport.objects.get(task=task, department=dept_a, month=THIS_MONTH)
    assert (stored.status, stored.percent_done, stored.reported_by) == ("on_track", 50, officer_a)


def test_a_bad_report_shows_every_error_and_writes_nothing(client_for, officer_a, task):
    url = reverse("inventory:task_report", args=[task.pk])
    future = progress.add_months(THIS_MONTH, 2)

    bad = client_for(officer_a).post(url, report_post(progress="", percent_done="101"), **EN)
    later = client_for(officer_a).post(url, report_post(month=f"{future:%Y-%m}"), **EN)
    malformed = client_for(officer_a).post(url, report_post(month="2026-13"), **EN)

    assert bad.status_code == 400
    assert {"progress", "percent_done"} <= set(bad.context["report_form"].errors)
    assert "month" in later.context["report_form"].errors
    assert "month" in malformed.context["report_form"].errors
    assert ProgressReport.objects.count() == 1


@pytest.mark.parametrize("who", ["staff_a", "officer_b", "auditor", "reviewer"])
def test_others_may_not_post_a_report(request, client_for, who, task):
    url = reverse("inventory:task_report", args=[task.pk])

    response = client_for(request.getfixturevalue(who)).post(url, report_post())

    assert response.status_code in (400, 403)
    assert ProgressReport.objects.count() == 1


# --- administering tasks --------------------------------------------------------------------


def test_the_admin_creates_edits_and_closes_a_task(client_for, admin_user, authority, dept_a):
    client = client_for(admin_user)
    values = {
        "code": "3.1",
        "category": "数据资源体系建设",
        "title": "规范政务信息资源目录",
        "lead_unit": authority.pk,
        "responsible_units": [dept_a.pk],
        "deadline": "2027-12-31",
    }

    created = client.post(reverse("inventory:task_create"), values)
    task = WorkTask.objects.get(code="3.1")
    edited = client.post(reverse("inventory:task_edit", args=[task.pk]), {**values, "title": "改"})
    milestone = client.post(
        reverse("inventory:milestone_add", args=[task.pk]),
        {"title": "初步规范", "due": "2026-12-31"},
    )
    done = client.post(reverse("inventory:milestone_complete", args=[task.milestones.get().pk]))
    closed = client.post(reverse("inventory:task_close", args=[task.pk]))

    assert [r.status_code for r in (created, edited, milestone, done, closed)] == [302] * 5
    task.refresh_from_db()
    assert task.title == "改" and task.is_closed and task.milestones.get().is_done


def test_a_bad_task_form_is_shown_again_with_errors(client_for, admin_user, task, authority):
    response = client_for(admin_user).post(
        reverse("inventory:task_create"),
        {"code": task.code, "category": "x", "title": "t", "lead_unit": authority.pk},
    )

    assert response.status_code == 400
    assert {"responsible_units", "deadline"} <= set(response.context["form"].errors)


@pytest.mark.parametrize("who", ["reviewer", "auditor", "officer_a", "staff_a"])
def test_only_the_admin_administers_tasks(request, client_for, who, task):
    client = client_for(request.getfixturevalue(who))

    pages = [
        client.get(reverse("inventory:task_create")),
        client.get(reverse("inventory:task_edit", args=[task.pk])),
        client.post(reverse("inventory:task_close", args=[task.pk])),
        client.post(reverse("inventory:milestone_complete", args=[task.milestones.get().pk])),
    ]

    assert [page.status_code for page in pages] == [403] * 4
    task.refresh_from_db()
    assert not task.is_closed and not task.milestones.get().is_done


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def error_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "error"]


def test_given_a_done_milestone_when_completed_again_then_the_page_says_so_and_writes_nothing(
    client_for, admin_user, task
):
    # given a milestone completed once (the first click, or the other tab)
    milestone = task.milestones.get()
    client = client_for(admin_user)
    url = reverse("inventory:milestone_complete", args=[milestone.pk])
    client.post(url)
    events = AuditEvent.objects.count()

    # when it is completed again
    response = client.post(url, follow=True)

    # then the task page says why, and nothing more is written
    assert response.redirect_chain == [(reverse("inventory:task_detail", args=[task.pk]), 302)]
    assert error_messages(response) == [zh("The milestone is already done.")]
    assert AuditEvent.objects.count() == events
    assert Milestone.objects.get(pk=milestone.pk).is_done


def test_given_a_closed_task_when_closed_again_then_the_page_says_so_and_writes_nothing(
    client_for, admin_user, task
):
    # given a task closed once
    client = client_for(admin_user)
    url = reverse("inventory:task_close", args=[task.pk])
    client.post(url)
    events = AuditEvent.objects.count()

    # when it is closed again
    response = client.post(url, follow=True)

    # then the task page says why, and nothing more is written
    assert response.redirect_chain == [(reverse("inventory:task_detail", args=[task.pk]), 302)]
    assert error_messages(response) == [zh("The task is already closed.")]
    assert AuditEvent.objects.count() == events
    assert WorkTask.objects.get(pk=task.pk).is_closed


# --- the month and the workbook -------------------------------------------------------------


def test_the_month_page_shows_the_table_and_who_has_not_reported(
    client_for, reviewer, task, other_task
):
    month = f"{LAST_MONTH:%Y-%m}"

    response = client_for(reviewer).get(reverse("inventory:progress_month"), {"month": month})

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.task.code, r.is_missing) for r in rows] == [("1.1", False), ("2.1", True)]
    assert [unit.name for unit, _tasks in response.context["reminders"]] == ["人社局"]
    assert f"?month={month}" in response.content.decode()  # the download link


def test_a_department_sees_only_its_rows_on_the_month_page(client_for, staff_a, task, other_task):
    response = client_for(staff_a).get(
        reverse("inventory:progress_month"), {"month": f"{LAST_MONTH:%Y-%m}"}
    )

    assert [r.department.name for r in response.context["rows"]] == ["公安局"]
    assert response.context["reminders"] == []


@pytest.mark.parametrize(
    "month", ["2026-13", "junk", f"{progress.add_months(THIS_MONTH, 1):%Y-%m}"]
)
def test_a_bad_month_on_the_month_page_is_a_400(client_for, staff_a, month):
    response = client_for(staff_a).get(reverse("inventory:progress_month"), {"month": month})

    assert response.status_code == 400 and response.context["form"].errors


def test_the_workbook_downloads(client_for, reviewer, task, other_task):
    url = reverse("inventory:progress_workbook")

    response = client_for(reviewer).get(url, {"month": f"{LAST_MONTH:%Y-%m}"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    statuses = {row[0]: row[9] for row in sheet.iter_rows(min_row=4, values_only=True) if row[4]}
    assert statuses == {"1.1": "滞后", "2.1": "未报送"}


def test_a_bad_month_for_the_workbook_is_a_400_with_a_message(client_for, staff_a):
    response = client_for(staff_a).get(
        reverse("inventory:progress_workbook"), {"month": "2026-1x"}, **EN
    )

    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()


# --- REST -----------------------------------------------------------------------------------


def test_api_task_list_and_detail(staff_a, task, other_task):
    client = api_client(staff_a)

    listed = client.get(f"{API}/inventory/tasks").json()
    overdue = client.get(f"{API}/inventory/tasks?overdue=true").json()
    detail = client.get(f"{API}/inventory/tasks/{task.pk}").json()

    assert listed["count"] == 2 and listed["items"][0]["lead_unit"]["name"] == "大数据局"
    assert [t["code"] for t in overdue["items"]] == ["2.1"]
    assert detail["milestones"][0]["title"] == "完成普查"
    assert detail["units"] == [
        {
            "unit": {"id": task.responsible_units.get().pk, "name": "公安局"},
            "month": f"{LAST_MONTH:%Y-%m}",
            "status": "delayed",
            "status_label": detail["units"][0]["status_label"],
            "percent_done": 40,
            "is_overdue": False,
        }
    ]
    assert_error_body(client.get(f"{API}/inventory/tasks/999999"), 404)


def test_api_reports_are_restricted_to_their_readers(staff_a, officer_b, auditor, task):
    path = f"{API}/inventory/tasks/{task.pk}/reports"

    assert api_client(staff_a).get(path).json()["count"] == 1
    assert api_client(auditor).get(path).json()["count"] == 1
    assert api_client(officer_b).get(path).json()["count"] == 0
    assert_error_body(api_client(None).get(path), 401)


def test_api_report_is_created_then_replaced(officer_a, task, dept_a):
    client = api_client(officer_a)
    path = f"{API}/inventory/tasks/{task.pk}/reports"
    body = {
        "month": f"{THIS_MONTH:%Y-%m}",
        "status": "on_track",
        "percent_done": 30,
        "progress": "梳理",
    }

    first = send(client, "POST", path, body)
    second = send(client, "POST", path, {**body, "percent_done": 60, "unit": dept_a.pk})

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["percent_done"] == 60 and second.json()["unit"]["name"] == "公安局"
    assert ProgressReport.objects.filter(task=task, month=THIS_MONTH).count() == 1


@pytest.mark.parametrize(
    "who, status",
    [(None, 401), ("staff_a", 403), ("auditor", 403), ("officer_b", 422), ("reviewer", 403)],
)
def test_api_report_is_refused_to_others(request, who, status, task, dept_a):
    user = None if who is None else request.getfixturevalue(who)
    body = {"month": f"{THIS_MONTH:%Y-%m}", "status": "on_track", "percent_done": 30}
    body = {**body, "progress": "梳理", "unit": dept_a.pk}
    if who == "officer_b":
        body.pop("unit")  # officer_b has no unit on the task to report for

    response = send(api_client(user), "POST", f"{API}/inventory/tasks/{task.pk}/reports", body)

    assert_error_body(response, status)
    assert ProgressReport.objects.count() == 1
    assert not AuditEvent.objects.filter(action="inventory.progress.report").exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "2026/10"}, "month"),
        ({"percent_done": 101}, "percent_done"),
        ({"status": "finished"}, "status"),
        ({"extra": 1}, "extra"),
    ],
)
def test_api_report_input_errors_name_the_field(officer_a, task, body, field):
    valid = {"month": f"{THIS_MONTH:%Y-%m}", "status": "on_track", "percent_done": 30}
    response = send(
        api_client(officer_a),
        "POST",
        f"{API}/inventory/tasks/{task.pk}/reports",
        {**valid, "progress": "梳理", **body},
    )

    assert field in assert_error_body(response, 422)["fields"]


def test_api_missing_reports(reviewer, staff_a, task, other_task):
    month = f"{LAST_MONTH:%Y-%m}"

    seen = api_client(reviewer).get(f"{API}/inventory/progress/missing?month={month}").json()
    own = api_client(staff_a).get(f"{API}/inventory/progress/missing?month={month}").json()

    assert seen["is_past_due"] and seen["month"] == month
    assert [(i["unit"]["name"], i["task"]["code"]) for i in seen["items"]] == [("人社局", "2.1")]
    assert own["items"] == []


@pytest.mark.parametrize("month", ["2026-13", "october", "2026-1-1"])
def test_api_malformed_month_is_a_422(staff_a, month):
    response = api_client(staff_a).get(f"{API}/inventory/progress/missing?month={month}")

    assert "month" in assert_error_body(response, 422)["fields"]
