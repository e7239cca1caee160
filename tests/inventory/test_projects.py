"""Project filings (项目备案): services and API with the permission matrix, and the funding gate."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from govshare.core.models import AuditEvent
from govshare.inventory import funding
from govshare.inventory.models import Project, ZombieFinding
from govshare.inventory.services import project_create, project_update
from tests.api_client import API, api_client, assert_error_body, send
from tests.inventory.factories import SystemFactory

pytestmark = pytest.mark.django_db

DENIED = [None, "officer_b", "staff_a", "reviewer", "auditor"]


def project_data(**overrides: object) -> dict:
    data = {
        "name": "智慧公安二期",
        "investment": Decimal("800.00"),
        "annual_om_cost": Decimal("60.50"),
        "funding_channel": "fiscal",
        "data_resources": "人口基础信息\n车辆登记信息",
        "filing_status": "filed",
        "stage": "construction",
    }
    return {**data, **overrides}


def actor_named(request: pytest.FixtureRequest, who: str | None) -> object:
    return AnonymousUser() if who is None else request.getfixturevalue(who)


def project_writes() -> int:
    return AuditEvent.objects.filter(action__startswith="inventory.project").count()


@pytest.fixture
def project(officer_a, dept_a) -> Project:
    system = SystemFactory(department=dept_a, sharing_status="connected")
    return project_create(actor=officer_a, department=dept_a, data=project_data(), systems=[system])


# --- services -------------------------------------------------------------------------------


def test_a_data_officer_files_a_project_with_the_departments_systems(officer_a, dept_a):
    # given two systems of the department
    systems = [SystemFactory(department=dept_a), SystemFactory(department=dept_a)]

    # when the data officer files a project with them
    project = project_create(
        actor=officer_a, department=dept_a, data=project_data(), systems=systems
    )

    # then it is stored with its systems and audited with their ids
    assert set(project.systems.all()) == set(systems)
    event = AuditEvent.objects.get(action="inventory.project.create")
    assert event.department_id == dept_a.pk
    assert event.after["systems"] == sorted(s.pk for s in systems)


@pytest.mark.parametrize("who", DENIED)
def test_nobody_else_files_projects_for_the_department(request, who, dept_a):
    with pytest.raises(PermissionDenied):
        project_create(actor=actor_named(request, who), department=dept_a, data=project_data())
    assert not Project.objects.exists()
    assert project_writes() == 0


def test_every_bad_field_is_reported_together(officer_a, dept_a, dept_b):
    # given another department's system, a bad choice, a negative amount and no name
    foreign = SystemFactory(department=dept_b, name="人社一体化平台")
    bad = project_data(name="", funding_channel="lottery", annual_om_cost=Decimal("-1"))

    # when filed
    with pytest.raises(ValidationError) as caught:
        project_create(actor=officer_a, department=dept_a, data=bad, systems=[foreign])

    # then each field names its rule, and nothing is written
    codes = {field: [e.code for e in errors] for field, errors in caught.value.error_dict.items()}
    assert codes == {
        "name": ["blank"],
        "funding_channel": ["invalid_choice"],
        "annual_om_cost": ["min_value"],
        "systems": ["other_department"],
    }
    assert "人社一体化平台" in caught.value.error_dict["systems"][0].messages[0]
    assert not Project.objects.exists()


def test_a_project_name_is_unique_within_the_department(officer_a, dept_a, project):
    with pytest.raises(ValidationError) as caught:
        project_create(actor=officer_a, department=dept_a, data=project_data())
    assert caught.value.error_dict["name"][0].code == "duplicate"


def test_the_data_officer_updates_stage_and_systems_with_an_audited_diff(
    officer_a, dept_a, project
):
    # given a second system of the department
    other = SystemFactory(department=dept_a)

    # when the project moves on and its systems are replaced
    project_update(actor=officer_a, project=project, data={"stage": "operation"}, systems=[other])

    # then the change is stored and audited with before and after
    project.refresh_from_db()
    assert project.stage == "operation" and list(project.systems.all()) == [other]
    event = AuditEvent.objects.get(action="inventory.project.update")
    assert event.before["stage"] == "construction" and event.after["systems"] == [other.pk]


def test_an_update_without_systems_keeps_them_and_no_change_is_not_audited(officer_a, project):
    systems = list(project.systems.all())
    project_update(actor=officer_a, project=project, data={"stage": project.stage})
    assert list(project.systems.all()) == systems
    assert not AuditEvent.objects.filter(action="inventory.project.update").exists()


@pytest.mark.parametrize("who", DENIED)
def test_nobody_else_updates_the_project(request, who, project):
    with pytest.raises(PermissionDenied):
        project_update(
            actor=actor_named(request, who), project=project, data={"stage": "terminated"}
        )
    project.refresh_from_db()
    assert project.stage == "construction"
    assert not AuditEvent.objects.filter(action="inventory.project.update").exists()


# --- API ------------------------------------------------------------------------------------


def test_api_lists_only_the_projects_the_caller_may_see(officer_a, officer_b, reviewer, project):
    assert [
        p["id"] for p in api_client(officer_a).get(f"{API}/inventory/projects").json()["items"]
    ] == [project.pk]
    assert api_client(officer_b).get(f"{API}/inventory/projects").json()["count"] == 0
    assert api_client(reviewer).get(f"{API}/inventory/projects").json()["count"] == 1


def test_api_filters_projects_by_department_stage_and_funding_channel(reviewer, dept_a, project):
    client = api_client(reviewer)
    base = f"{API}/inventory/projects"
    assert client.get(f"{base}?stage=construction&funding_channel=fiscal").json()["count"] == 1
    assert client.get(f"{base}?stage=operation").json()["count"] == 0
    assert client.get(f"{base}?department={dept_a.pk}").json()["count"] == 1
    assert_error_body(client.get(f"{base}?stage=nonsense"), 422)


def test_api_detail_shows_the_filing_and_hides_other_departments(officer_a, officer_b, project):
    body = api_client(officer_a).get(f"{API}/inventory/projects/{project.pk}").json()
    assert body["name"] == "智慧公安二期" and body["stage"] == "construction"
    assert Decimal(str(body["annual_om_cost"])) == Decimal("60.50")
    assert body["systems"] == [s.pk for s in project.systems.all()]
    assert_error_body(api_client(officer_b).get(f"{API}/inventory/projects/{project.pk}"), 404)


def test_api_creates_a_project(officer_a, dept_a):
    system = SystemFactory(department=dept_a)
    body = {
        "department": dept_a.pk,
        "name": "一网通办",
        "funding_channel": "fiscal",
        "investment": "120.5",
        "systems": [system.pk],
    }
    response = send(api_client(officer_a), "POST", f"{API}/inventory/projects", body)
    assert response.status_code == 201, response.content
    created = Project.objects.get(name="一网通办")
    assert created.investment == Decimal("120.50") and list(created.systems.all()) == [system]


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("officer_b", 403), ("staff_a", 403), ("reviewer", 403), ("auditor", 403)],
)
def test_api_refuses_to_create_for_others(request, who, status, dept_a):
    user = None if who is None else request.getfixturevalue(who)
    body = {"department": dept_a.pk, "name": "越权项目", "funding_channel": "fiscal"}
    assert_error_body(send(api_client(user), "POST", f"{API}/inventory/projects", body), status)
    assert not Project.objects.exists()


def test_api_reports_unseen_systems_and_service_rules_as_fields(
    officer_a, admin_user, dept_a, dept_b
):
    # given a system of dept_b, which officer_a cannot see and the admin can
    foreign = SystemFactory(department=dept_b)
    base = {"department": dept_a.pk, "name": "项目", "funding_channel": "fiscal"}
    path = f"{API}/inventory/projects"

    # when each files a dept_a project with it
    unseen = send(api_client(officer_a), "POST", path, {**base, "systems": [foreign.pk]})
    other = send(api_client(admin_user), "POST", path, {**base, "systems": [foreign.pk]})

    # then the officer is told no such system exists, the admin that it is another department's
    assert "systems" in assert_error_body(unseen, 404)["fields"]
    assert assert_error_body(other, 409)["code"] == "other_department"
    assert not Project.objects.exists()


def test_api_patches_a_project(officer_a, project):
    path = f"{API}/inventory/projects/{project.pk}"
    response = send(api_client(officer_a), "PATCH", path, {"stage": "acceptance", "systems": []})
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "acceptance" and response.json()["systems"] == []
    assert_error_body(send(api_client(officer_a), "PATCH", path, {"stage": None}), 422)


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("officer_b", 404), ("staff_a", 403), ("reviewer", 403), ("auditor", 403)],
)
def test_api_refuses_patches_from_others(request, who, status, project):
    user = None if who is None else request.getfixturevalue(who)
    path = f"{API}/inventory/projects/{project.pk}"
    assert_error_body(send(api_client(user), "PATCH", path, {"stage": "terminated"}), status)
    project.refresh_from_db()
    assert project.stage == "construction"


# --- the funding gate -----------------------------------------------------------------------


def _finding(system, rule: str, matched=None, score=None) -> ZombieFinding:
    return ZombieFinding.objects.create(
        system=system,
        rule=rule,
        evidence={},
        matched_system=matched,
        score=score,
        assessed=timezone.now(),
    )


@pytest.fixture
def gate_systems(dept_a) -> dict:
    """One system per case the gate judges."""
    systems = {
        "connected": SystemFactory(department=dept_a, name="已接入", sharing_status="connected"),
        "unconnected": SystemFactory(department=dept_a, name="未接入", annual_om_cost=30),
        "secret": SystemFactory(department=dept_a, name="涉密系统", is_secret=True),
        "exempt": SystemFactory(department=dept_a, name="无需接入", sharing_status="not_required"),
        "zombie": SystemFactory(department=dept_a, name="僵尸", sharing_status="connected"),
        "duplicate": SystemFactory(department=dept_a, name="重复", sharing_status="connected"),
        "stopped": SystemFactory(department=dept_a, name="已停用", lifecycle="stopped"),
    }
    _finding(systems["zombie"], "detached")
    _finding(systems["duplicate"], "replaceable", matched=systems["connected"], score=0.87)
    return systems


def _rows_by_name(rows: list[funding.GateRow]) -> dict[str, funding.GateRow]:
    return {row.name: row for row in rows}


def test_the_gate_lists_each_live_system_with_its_reasons(officer_a, gate_systems):
    rows = _rows_by_name(funding.funding_gate(officer_a))

    assert "已停用" not in rows  # only live systems (在建/在用) are judged
    assert {name: row.reason_codes for name, row in rows.items()} == {
        "已接入": [],
        "未接入": ["not_connected"],
        "涉密系统": [],  # classified: kept out of sharing, so exempt
        "无需接入": [],
        "僵尸": ["zombie"],
        "重复": ["duplicate", "zombie"],
    }
    assert "已接入" in rows["重复"].reasons and "0.87" in rows["重复"].reasons


def test_a_project_fails_with_no_systems_or_any_failing_system(officer_a, dept_a, gate_systems):
    # given three projects: no systems, one failing system, passing systems only
    def file(name: str, *systems) -> None:
        project_create(
            actor=officer_a, department=dept_a, data=project_data(name=name), systems=systems
        )

    file("空项目")
    file("问题项目", gate_systems["connected"], gate_systems["unconnected"])
    file("合规项目", gate_systems["connected"], gate_systems["secret"])

    # when the gate is read
    rows = _rows_by_name(funding.funding_gate(officer_a))

    # then each project is judged by its systems, naming the failing one
    assert rows["空项目"].reason_codes == ["no_systems"]
    assert rows["问题项目"].reason_codes == ["not_connected"]
    assert rows["问题项目"].reasons.startswith("未接入：")
    assert not rows["合规项目"].fails


def test_no_resources_is_checked_only_once_a_catalog_counts_them(officer_a, gate_systems):
    # given no counter: the reason is skipped
    assert not funding.checks_resources()
    assert all("no_resources" not in r.reason_codes for r in funding.funding_gate(officer_a))

    # when the catalog registers a counter that knows resources of one system only
    def counter(system_ids):
        return {gate_systems["connected"].pk: 2}

    funding.register_resource_counter(counter)
    try:
        rows = _rows_by_name(funding.funding_gate(officer_a))
    finally:
        funding.unregister_resource_counter(counter)

    # then systems held to sharing without resources fail; exempt ones do not
    assert rows["已接入"].reason_codes == []
    assert rows["僵尸"].reason_codes == ["no_resources", "zombie"]
    assert rows["涉密系统"].reason_codes == [] and rows["无需接入"].reason_codes == []


def test_each_user_sees_the_gate_of_what_they_may_see(officer_b, reviewer, dept_b, gate_systems):
    own = SystemFactory(department=dept_b, name="人社系统")
    assert [row.name for row in funding.funding_gate(officer_b)] == [own.name]
    assert len(funding.funding_gate(reviewer)) == 7
    assert funding.funding_gate(AnonymousUser()) == []


def test_the_gate_workbook_reads_back_with_the_right_figures(
    officer_a, dept_a, gate_systems, english
):
    # given a failing project and the systems
    project_create(
        actor=officer_a,
        department=dept_a,
        data=project_data(name="问题项目", annual_om_cost=Decimal("12.50")),
        systems=[gate_systems["unconnected"]],
    )
    rows = funding.funding_gate(officer_a)

    # when the report is written and read back
    book = load_workbook(io.BytesIO(funding.gate_workbook(rows)))
    report, summary = book.worksheets

    # then there is one row per project/system with department, kind, cost and reasons
    lines = list(report.iter_rows(min_row=2, values_only=True))
    assert len(lines) == 7
    by_name = {line[1]: line for line in lines}
    department, _name, kind, cost, verdict, reasons = by_name["问题项目"]
    assert (department, kind, cost) == (dept_a.name, "IT project", 12.5)
    assert reasons == "未接入：not connected to the sharing platform"
    assert by_name["重复"][5].count("；") == 1  # two reasons joined with the Chinese semicolon
    assert by_name["已接入"][5] is None  # no reasons: an empty cell
    figures = {label: value for label, value in summary.iter_rows(min_row=2, values_only=True)}
    assert figures["Projects failing"] == 1
    assert figures["Systems failing"] == 3
    assert figures["O&M cost of failing systems (10k yuan)"] == 30 + 10 + 10
    assert figures["O&M cost of failing projects (10k yuan)"] == 12.5


def test_api_funding_gate(officer_a, gate_systems):
    body = api_client(officer_a).get(f"{API}/inventory/funding-gate?failing_only=true").json()
    assert body["resources_checked"] is False
    assert body["count"] == 6 and body["failing"] == 3
    assert {row["name"] for row in body["items"]} == {"未接入", "僵尸", "重复"}
    duplicate = next(row for row in body["items"] if row["name"] == "重复")
    assert {f["code"] for f in duplicate["failures"]} == {"zombie", "duplicate"}
    assert_error_body(api_client(None).get(f"{API}/inventory/funding-gate"), 401)
