"""Pages of the census returns, the census workbook, project filings and the funding gate."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from govshare.core.models import AuditEvent
from govshare.inventory import workbook
from govshare.inventory.models import CensusReturn, InformationSystem, Project
from govshare.inventory.services import census_submit, project_create, system_create, system_update
from tests.factories import DepartmentFactory
from tests.inventory.factories import SystemFactory, census_data

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("identity:login")
ROLES = ["admin_user", "reviewer", "auditor", "officer_a", "staff_a", "officer_b"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Every page: session, user, roles, node name, my departments (the navigation and switcher).
PAGE_QUERIES = 5
YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def kept_files(settings, tmp_path):
    """A failed import keeps its error workbook under the var directory: a private one."""
    settings.VAR_DIR = tmp_path


def assert_login_required(response) -> None:
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("census.xlsx", content, content_type=XLSX)


def project_form(**overrides: object) -> dict[str, object]:
    """The project form as posted, with valid values."""
    form: dict[str, object] = {
        "name": "越权",
        "investment": "0",
        "annual_om_cost": "0",
        "funding_channel": "fiscal",
        "filing_status": "not_filed",
        "stage": "approval",
    }
    return {**form, **overrides}


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    book.close()
    return rows


@pytest.fixture
def submitted(officer_a, dept_a) -> CensusReturn:
    """dept_a's census, submitted with one system."""
    SystemFactory(department=dept_a, name="公安业务系统")
    return census_submit(actor=officer_a, department=dept_a)


# --- census returns -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_census_page_renders_for_every_role(request, client_for, role, submitted):
    response = client_for(request.getfixturevalue(role)).get(reverse("inventory:census_list"))
    assert response.status_code == 200


def test_the_census_page_needs_a_sign_in():
    assert_login_required(Client().get(reverse("inventory:census_list")))


def test_the_authority_sees_every_departments_return_in_its_inbox(client_for, reviewer, submitted):
    response = client_for(reviewer).get(reverse("inventory:census_list"))
    assert response.context["oversees"]
    assert list(response.context["object_list"]) == [submitted]
    assert "department" not in response.context  # the authority fills in no census here


def test_a_department_sees_its_own_return_with_a_submit_button(client_for, officer_a, dept_a):
    # given a registered system and no return yet
    SystemFactory(department=dept_a)

    # when the data officer opens the page
    response = client_for(officer_a).get(reverse("inventory:census_list"))

    # then their department's census shows with the submit button, and no inbox
    assert response.context["department"] == dept_a and response.context["can_submit"]
    assert response.context["registered"] == 1 and not response.context["oversees"]
    assert reverse("inventory:census_submit") in response.content.decode()


def test_staff_see_their_return_without_the_submit_button(client_for, staff_a, submitted):
    response = client_for(staff_a).get(reverse("inventory:census_list"))
    assert response.context["census"] == submitted and not response.context["can_submit"]


def test_the_data_officer_submits_the_census(client_for, officer_a, dept_a):
    SystemFactory(department=dept_a)
    response = client_for(officer_a).post(reverse("inventory:census_submit"))
    census = CensusReturn.objects.get(department=dept_a)
    assert response.status_code == 302 and census.status == "submitted"


def test_submitting_an_empty_census_says_why(client_for, officer_a):
    response = client_for(officer_a).post(reverse("inventory:census_submit"), follow=True)
    assert not CensusReturn.objects.exists()
    with translation.override("zh-hans"):
        expected = translation.gettext("Register at least one system before submitting the census.")
    assert any(expected in str(m) for m in response.context["messages"])


@pytest.mark.parametrize("role", ["staff_a", "reviewer", "auditor"])
def test_others_cannot_submit_a_census(request, client_for, role, dept_a):
    SystemFactory(department=dept_a)
    response = client_for(request.getfixturevalue(role)).post(reverse("inventory:census_submit"))
    assert response.status_code == 403
    assert not CensusReturn.objects.exists()


def test_the_return_page_shows_its_history(client_for, reviewer, submitted):
    response = client_for(reviewer).get(reverse("inventory:census_detail", args=[submitted.pk]))
    assert response.status_code == 200
    assert [e.to_status for e in response.context["events"]] == ["submitted"]
    assert response.context["review_form"] is not None


def events_header(response) -> str:
    """The header row of the census history table."""
    page = response.content.decode()
    table = page[page.index('id="gs-census-events"') :]
    return table[table.index("<thead>") : table.index("</thead>")]


# Needs the lead's zh_Hans entries: msgctxt "status change" msgid "From" / "To".
@pytest.mark.parametrize(
    ("page", "who"), [("census_list", "officer_a"), ("census_detail", "reviewer")]
)
def test_given_a_history_when_the_page_shows_it_then_its_columns_name_status_changes(
    request, client_for, submitted, page, who
):
    # given a census with a status change (draft → submitted)
    url = reverse(f"inventory:{page}", args=[submitted.pk] if page == "census_detail" else [])

    # when the page shows its history, in Chinese
    response = client_for(request.getfixturevalue(who)).get(url)

    # then the columns read as the status before and after, not as dates; the date filters
    # that share the English words keep their own Chinese
    header = events_header(response)
    assert "<th>原状态</th><th>新状态</th>" in header
    assert "起始日期" not in header and "截止日期" not in header
    with translation.override("zh-hans"):
        assert (translation.gettext("From"), translation.gettext("To")) == ("起始日期", "截止日期")


def test_another_department_cannot_open_the_return(client_for, officer_b, submitted):
    url = reverse("inventory:census_detail", args=[submitted.pk])
    assert client_for(officer_b).get(url).status_code == 404


def test_the_reviewer_confirms_a_return(client_for, reviewer, submitted):
    url = reverse("inventory:census_review", args=[submitted.pk])
    response = client_for(reviewer).post(url, {"decision": "confirm", "note": ""})
    submitted.refresh_from_db()
    assert response.status_code == 302 and submitted.status == "confirmed"
    assert submitted.reviewed_by.username == "reviewer"


def test_returning_without_a_note_is_refused_and_changes_nothing(client_for, reviewer, submitted):
    url = reverse("inventory:census_review", args=[submitted.pk])
    response = client_for(reviewer).post(url, {"decision": "return", "note": " "})
    submitted.refresh_from_db()
    assert response.status_code == 400 and submitted.status == "submitted"
    assert response.context["review_form"].errors["note"]


@pytest.mark.parametrize(
    ("role", "status"), [("officer_a", 403), ("staff_a", 403), ("auditor", 403), ("officer_b", 404)]
)
def test_only_the_authority_reviews(request, client_for, role, status, submitted):
    url = reverse("inventory:census_review", args=[submitted.pk])
    response = client_for(request.getfixturevalue(role)).post(url, {"decision": "confirm"})
    submitted.refresh_from_db()
    assert response.status_code == status and submitted.status == "submitted"


@pytest.mark.parametrize(
    ("decision", "note"), [("confirm", "数据完整"), ("return", "缺少部署信息")]
)
def test_given_a_reviewed_return_when_it_is_resubmitted_then_the_old_review_is_not_shown_as_current(
    client_for, officer_a, reviewer, submitted, decision, note
):
    # Given: the authority reviewed the return with a note.
    review_url = reverse("inventory:census_review", args=[submitted.pk])
    client_for(reviewer).post(review_url, {"decision": decision, "note": note})

    # When: the department submits it again.
    client_for(officer_a).post(reverse("inventory:census_submit"))

    # Then: the return and the pages show this round as not reviewed yet …
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert (submitted.reviewed, submitted.reviewed_by, submitted.review_note) == (None, None, "")
    detail = client_for(reviewer).get(reverse("inventory:census_detail", args=[submitted.pk]))
    review_fields = detail.content.decode().split("<dl", 1)[1].split("</dl>", 1)[0]
    assert note not in review_fields and "reviewer" not in review_fields
    inbox = client_for(reviewer).get(reverse("inventory:census_list"))
    row = next(r for r in inbox.context["object_list"] if r.pk == submitted.pk)
    assert row.reviewed is None
    own = client_for(officer_a).get(reverse("inventory:census_list")).content.decode()
    assert note not in own.split('id="gs-own-census"', 1)[1].split("<table", 1)[0]
    # … while the history still holds the earlier review and its note.
    assert [e.note for e in submitted.events.all()][-2:] == [note, ""]


def test_changes_after_confirmation_are_listed_on_the_return(
    client_for, officer_a, reviewer, submitted
):
    client_for(reviewer).post(
        reverse("inventory:census_review", args=[submitted.pk]), {"decision": "confirm"}
    )
    system = InformationSystem.objects.get(name="公安业务系统")
    from govshare.inventory.services import system_update

    system_update(actor=officer_a, system=system, data={"active_users": 999}, note="扩容")
    response = client_for(officer_a).get(reverse("inventory:census_detail", args=[submitted.pk]))
    assert [r.note for r, _changes in response.context["revisions"]] == ["扩容"]


def test_changes_after_confirmation_name_fields_by_their_labels(
    client_for, officer_a, reviewer, submitted, dept_a
):
    # Given a system registered before the return was confirmed, changed after it, and a
    # system registered after it,
    system = system_create(actor=officer_a, department=dept_a, data=census_data(name="旧系统"))
    client_for(reviewer).post(
        reverse("inventory:census_review", args=[submitted.pk]), {"decision": "confirm"}
    )
    system_update(actor=officer_a, system=system, data={"active_users": 999, "annual_om_cost": 9})
    system_create(actor=officer_a, department=dept_a, data=census_data(name="新建系统"))
    # when the return's page lists the changes,
    page = client_for(officer_a).get(reverse("inventory:census_detail", args=[submitted.pk]))
    cells = re.findall(r"<td class=\"small\" data-changes>(.*?)</td>", page.content.decode())
    # then the changed fields are named by their labels, and the new system as a registration.
    field = InformationSystem._meta.get_field
    changed = "、".join(
        str(field(name).verbose_name) for name in ("active_users", "annual_om_cost")
    )
    assert sorted(cells) == sorted([changed, gettext("New registration")])
    assert "active_users" not in page.content.decode()


# --- the census workbook --------------------------------------------------------------------


def test_any_signed_in_user_downloads_the_template(client_for, staff_a):
    response = client_for(staff_a).get(reverse("inventory:census_template"))
    assert sheet_rows(response) == []
    assert "attachment" in response["Content-Disposition"]


def test_the_data_officer_imports_a_clean_workbook(client_for, officer_a, dept_a):
    content = workbook.write_census([census_data(name=f"系统{n}") for n in range(3)])
    response = client_for(officer_a).post(
        reverse("inventory:census_import"), {"file": upload(content)}
    )
    assert response.status_code == 302
    assert InformationSystem.objects.filter(department=dept_a).count() == 3


def test_a_bad_workbook_shows_every_bad_cell_and_writes_nothing(client_for, officer_a):
    # given two bad cells in two rows
    rows = [census_data(name="甲", usage_scope="全部"), census_data(name="乙", active_users=-3)]

    # when uploaded
    response = client_for(officer_a).post(
        reverse("inventory:census_import"), {"file": upload(workbook.write_census(rows))}
    )

    # then the page lists both, and nothing is imported
    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.code) for e in errors] == [(2, "invalid_choice"), (3, "min_value")]
    assert 'id="gs-import-errors"' in response.content.decode()
    assert not InformationSystem.objects.exists()


def rule_column(page: str) -> list[str]:
    """The 规则 (rule) cells of the import's problem table."""
    table = page.split('id="gs-import-errors"', 1)[1].split("</table>", 1)[0]
    return [re.sub(r"<[^>]+>", "", row.rsplit("<td", 1)[1].split(">", 1)[1]).strip()
            for row in table.split("<tr>")[2:]]  # fmt: skip


def test_the_rule_column_says_each_rule_in_words_never_its_code(client_for, officer_a):
    # given a choice that is not in the list and a number below its least value
    rows = [census_data(name="甲", usage_scope="全部"), census_data(name="乙", active_users=-3)]

    # when uploaded with pages in English
    response = client_for(officer_a).post(
        reverse("inventory:census_import"),
        {"file": upload(workbook.write_census(rows))},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # then the rule column names the rules in words (the walk saw invalid_choice, min_value)
    page = response.content.decode()
    assert rule_column(page) == ["One of the listed values", "Not below the smallest value"]
    assert "invalid_choice" not in page and "min_value" not in page


def test_a_bad_upload_offers_its_error_workbook_to_its_uploader_only(
    client_for, officer_a, officer_b
):
    # given a bad upload
    rows = [census_data(name="甲"), census_data(name="乙", active_users=-3)]
    client = client_for(officer_a)
    response = client.post(
        reverse("inventory:census_import"), {"file": upload(workbook.write_census(rows))}
    )

    # then its page links the error workbook, which marks the bad cell and says why
    url = re.search(r'href="([^"]+)" id="gs-error-workbook"', response.content.decode())[1]
    marked = client.get(url)
    assert marked.status_code == 200 and marked["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(marked.content)).worksheets[0]
    label = next(c.label for c in workbook.columns() if c.field == "active_users")
    column = [c.value for c in sheet[1]].index(label)
    assert sheet[1][-1].value == "错误" and sheet[3][-1].value.startswith(f"{label}：")
    assert sheet[3][column].value == -3 and sheet[3][column].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet[2][-1].value is None  # the good row has no problem

    # and nobody else gets it
    assert client_for(officer_b).get(url).status_code == 404
    assert_login_required(Client().get(url))


def test_an_upload_that_is_no_workbook_is_refused(client_for, officer_a):
    response = client_for(officer_a).post(
        reverse("inventory:census_import"), {"file": upload(b"hello")}
    )
    assert response.status_code == 400 and not InformationSystem.objects.exists()


@pytest.mark.parametrize("role", ["staff_a", "reviewer", "auditor"])
def test_only_data_officers_import(request, client_for, role):
    client = client_for(request.getfixturevalue(role))
    content = workbook.write_census([census_data()])
    assert client.get(reverse("inventory:census_import")).status_code == 403
    response = client.post(reverse("inventory:census_import"), {"file": upload(content)})
    assert response.status_code == 403 and not InformationSystem.objects.exists()


def test_the_import_page_needs_a_sign_in():
    assert_login_required(Client().get(reverse("inventory:census_import")))


def test_export_holds_only_the_systems_the_user_may_see(client_for, officer_a, dept_a, dept_b):
    SystemFactory(department=dept_a, name="公安系统")
    SystemFactory(department=dept_b, name="人社系统")
    rows = sheet_rows(client_for(officer_a).get(reverse("inventory:census_export")))
    assert [row[0] for row in rows] == ["公安系统"]


def test_export_applies_the_system_list_filters(client_for, reviewer, dept_a, dept_b):
    SystemFactory(department=dept_a, name="公安在用", deployment="gov_cloud")
    SystemFactory(department=dept_a, name="公安停用", lifecycle="stopped")
    SystemFactory(department=dept_b, name="人社机房", deployment="own_room")
    client, url = client_for(reviewer), reverse("inventory:census_export")
    by_department = sheet_rows(client.get(url, {"department": dept_a.pk, "lifecycle": "in_use"}))
    by_deployment = sheet_rows(client.get(url, {"deployment": "own_room"}))
    assert [row[0] for row in by_department] == ["公安在用"]
    assert [row[0] for row in by_deployment] == ["人社机房"]


# --- projects and the funding gate ----------------------------------------------------------


@pytest.fixture
def project(officer_a, dept_a) -> Project:
    system = SystemFactory(department=dept_a, name="接入系统", sharing_status="connected")
    data = {"name": "智慧警务", "funding_channel": "fiscal", "annual_om_cost": Decimal(20)}
    return project_create(actor=officer_a, department=dept_a, data=data, systems=[system])


@pytest.mark.parametrize("role", ROLES)
def test_project_and_gate_pages_render_for_every_role(request, client_for, role, project):
    client = client_for(request.getfixturevalue(role))
    for name in ("project_list", "funding_gate"):
        assert client.get(reverse(f"inventory:{name}")).status_code == 200, name
    assert sheet_rows(client.get(reverse("inventory:funding_gate_export"))) is not None


@pytest.mark.parametrize("name", ["project_list", "funding_gate", "funding_gate_export"])
def test_project_pages_need_a_sign_in(name):
    assert_login_required(Client().get(reverse(f"inventory:{name}")))


@pytest.mark.parametrize(
    ("role", "seen"), [("officer_a", True), ("officer_b", False), ("auditor", True)]
)
def test_a_project_is_listed_and_opened_by_those_who_may_see_it(
    request, client_for, role, seen, project
):
    client = client_for(request.getfixturevalue(role))
    listed = client.get(reverse("inventory:project_list")).context["object_list"]
    detail = client.get(reverse("inventory:project_detail", args=[project.pk]))
    assert (project in listed) is seen
    assert detail.status_code == (200 if seen else 404)


def test_the_project_list_filters(client_for, reviewer, project):
    client, url = client_for(reviewer), reverse("inventory:project_list")
    assert list(client.get(url, {"stage": "approval"}).context["object_list"]) == [project]
    assert list(client.get(url, {"funding_channel": "social"}).context["object_list"]) == []


def test_the_project_page_shows_the_gate_verdict_per_system(client_for, officer_a, project):
    response = client_for(officer_a).get(reverse("inventory:project_detail", args=[project.pk]))
    assert not response.context["gate"].fails
    assert [(s.name, failures) for s, failures in response.context["systems"]] == [("接入系统", ())]
    assert response.context["can_edit"]


def test_the_data_officer_files_a_project_through_the_form(client_for, officer_a, dept_a):
    system = SystemFactory(department=dept_a)
    form = {
        "department": dept_a.pk,
        "name": "一网通办",
        "investment": "100",
        "annual_om_cost": "8.5",
        "funding_channel": "fiscal",
        "systems": [system.pk],
        "filing_status": "not_filed",
        "stage": "approval",
    }
    response = client_for(officer_a).post(reverse("inventory:project_create"), form)
    project = Project.objects.get(name="一网通办")
    assert response.status_code == 302 and list(project.systems.all()) == [system]


def test_the_form_shows_service_errors_on_the_fields(client_for, officer_a, dept_a, project):
    form = project_form(department=dept_a.pk, name=project.name, investment="-1")
    response = client_for(officer_a).post(reverse("inventory:project_create"), form)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "investment"}
    assert Project.objects.count() == 1


@pytest.mark.parametrize("role", ["staff_a", "reviewer", "auditor"])
def test_others_cannot_file_projects(request, client_for, role, dept_a):
    client = client_for(request.getfixturevalue(role))
    form = project_form(department=dept_a.pk)
    assert client.get(reverse("inventory:project_create")).status_code == 403
    assert client.post(reverse("inventory:project_create"), form).status_code == 403
    assert not Project.objects.exists()


def test_a_data_officer_cannot_file_for_another_department(client_for, officer_b, dept_a):
    form = project_form(department=dept_a.pk)
    response = client_for(officer_b).post(reverse("inventory:project_create"), form)
    assert response.status_code == 200 and "department" in response.context["form"].errors
    assert not Project.objects.exists()


def test_the_data_officer_edits_the_project(client_for, officer_a, project):
    url = reverse("inventory:project_edit", args=[project.pk])
    client = client_for(officer_a)
    assert client.get(url).status_code == 200
    form = project_form(name=project.name, annual_om_cost="25", stage="operation")
    response = client.post(url, form)
    project.refresh_from_db()
    assert response.status_code == 302
    assert (project.stage, project.annual_om_cost) == ("operation", Decimal(25))
    assert list(project.systems.all()) == []  # the form's selection replaces the systems


@pytest.mark.parametrize(
    ("role", "status"),
    [("staff_a", 403), ("reviewer", 403), ("auditor", 403), ("officer_b", 404)],
)
def test_others_cannot_edit_the_project(request, client_for, role, status, project):
    url = reverse("inventory:project_edit", args=[project.pk])
    client = client_for(request.getfixturevalue(role))
    response = client.post(url, {"name": "改名", "stage": "terminated"})
    project.refresh_from_db()
    assert response.status_code == status and project.name == "智慧警务"
    assert not AuditEvent.objects.filter(action="inventory.project.update").exists()


def test_the_gate_page_says_resources_are_not_checked_and_filters_failing(
    client_for, officer_a, dept_a, project
):
    SystemFactory(department=dept_a, name="未接入系统")
    client, url = client_for(officer_a), reverse("inventory:funding_gate")
    everything = client.get(url)
    failing = client.get(url, {"failing_only": "on"})
    assert 'id="gs-gate-no-catalog"' in everything.content.decode()
    assert {row.name for row in everything.context["object_list"]} == {
        "智慧警务",
        "接入系统",
        "未接入系统",
    }
    assert [row.name for row in failing.context["object_list"]] == ["未接入系统"]
    assert everything.context["summary"]["systems_failing"] == 1


def test_the_gate_export_keeps_the_page_filters(client_for, reviewer, dept_a, dept_b, project):
    SystemFactory(department=dept_b, name="人社未接入")
    url = reverse("inventory:funding_gate_export")
    rows = sheet_rows(client_for(reviewer).get(url, {"department": dept_b.pk}))
    assert [(row[0], row[1]) for row in rows] == [(dept_b.name, "人社未接入")]


# --- query counts stay flat -----------------------------------------------------------------


def test_the_census_inbox_query_count_stays_flat(
    client_for, reviewer, django_assert_max_num_queries
):
    for _ in range(30):
        department = DepartmentFactory()
        CensusReturn.objects.create(department=department, year=YEAR, status="submitted")
    client = client_for(reviewer)
    with django_assert_max_num_queries(PAGE_QUERIES + 2):  # count, the page
        response = client.get(reverse("inventory:census_list"))
    assert len(response.context["object_list"]) == 25


def test_the_project_list_query_count_stays_flat(
    client_for, admin_user, dept_a, django_assert_max_num_queries
):
    for n in range(30):
        project = Project.objects.create(
            department=dept_a, name=f"项目{n}", funding_channel="fiscal"
        )
        project.systems.add(SystemFactory(department=dept_a))
    client = client_for(admin_user)
    with django_assert_max_num_queries(PAGE_QUERIES + 3):  # departments filter, count, page
        response = client.get(reverse("inventory:project_list"))
    assert len(response.context["object_list"]) == 25


def test_the_funding_gate_query_count_stays_flat(
    client_for, admin_user, dept_a, django_assert_max_num_queries
):
    for n in range(30):
        project = Project.objects.create(
            department=dept_a, name=f"项目{n}", funding_channel="fiscal"
        )
        project.systems.add(SystemFactory(department=dept_a))
    client = client_for(admin_user)
    # departments filter, projects, their systems, live systems, zombie findings
    with django_assert_max_num_queries(PAGE_QUERIES + 5):
        response = client.get(reverse("inventory:funding_gate"))
    assert response.context["summary"]["systems"] == 30
