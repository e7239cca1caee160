"""The systems REST API (/api/v1/inventory/): reads restricted to the caller, writes through the
services with the permission matrix, and every malformed input a 4xx with the error body."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govshare.core.models import AuditEvent
from govshare.core.roles import Role
from govshare.inventory.models import InformationSystem, SystemRevision, ZombieFinding
from govshare.orgs.models import Membership
from tests.api_client import API, api_client, assert_error_body, bearer_client, send
from tests.inventory.factories import SystemFactory, census_data

pytestmark = pytest.mark.django_db

BASE = f"{API}/inventory"
HUGE = "长" * 5000
BIG = "9" * 30


def body_of(**overrides: Any) -> dict[str, Any]:
    """A census record as JSON."""
    data = census_data(**overrides)
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}


def user_named(request: pytest.FixtureRequest, who: str | None) -> Any:
    return None if who is None else request.getfixturevalue(who)


def snapshot(system: InformationSystem) -> tuple[Any, ...]:
    system.refresh_from_db()
    return (system.name, system.active_users, system.lifecycle, system.report_key_id)


# --- reads ----------------------------------------------------------------------------------


@pytest.fixture
def systems(dept_a, dept_b):
    """Two systems in A (one a zombie, one on a private network), one in B."""
    portal = SystemFactory(department=dept_a, name="政务服务门户", function_description="网上办事")
    private = SystemFactory(
        department=dept_a,
        name="视频专网平台",
        network_domain="private",
        deployment="own_room",
        lifecycle="stopped",
    )
    other = SystemFactory(department=dept_b, name="社保经办系统")
    ZombieFinding.objects.create(
        system=private, rule="idle", evidence={"active_users": 1}, assessed=timezone.now()
    )
    return portal, private, other


@pytest.mark.parametrize(
    "who, visible",
    [
        ("officer_a", {"政务服务门户", "视频专网平台"}),
        ("staff_a", {"政务服务门户", "视频专网平台"}),
        ("officer_b", {"社保经办系统"}),
        ("auditor", {"政务服务门户", "视频专网平台", "社保经办系统"}),
        ("reviewer", {"政务服务门户", "视频专网平台", "社保经办系统"}),
    ],
)
def test_the_list_holds_only_what_the_caller_may_see(request, systems, who, visible):
    body = api_client(request.getfixturevalue(who)).get(f"{BASE}/systems").json()
    assert {item["name"] for item in body["items"]} == visible and body["count"] == len(visible)


def test_the_list_needs_authentication(systems):
    assert_error_body(send(api_client(None), "GET", f"{BASE}/systems"), 401)


@pytest.mark.parametrize(
    "query, names",
    [
        ("lifecycle=stopped", {"视频专网平台"}),
        ("network_domain=private", {"视频专网平台"}),
        ("deployment=own_room", {"视频专网平台"}),
        ("zombie=true", {"视频专网平台"}),
        ("zombie=false", {"政务服务门户", "社保经办系统"}),
        ("q=门户", {"政务服务门户"}),
        ("q=网上办事", {"政务服务门户"}),
        ("department={dept_b}", {"社保经办系统"}),
    ],
)
def test_the_list_filters(systems, reviewer, dept_b, query, names):
    url = f"{BASE}/systems?{query.replace('{dept_b}', str(dept_b.pk))}"
    body = api_client(reviewer).get(url).json()
    assert {item["name"] for item in body["items"]} == names


def test_the_list_paginates_and_shows_the_zombie_flag(systems, reviewer):
    page = api_client(reviewer).get(f"{BASE}/systems?limit=1&offset=0").json()
    flagged = api_client(reviewer).get(f"{BASE}/systems?zombie=true").json()["items"][0]

    assert page["count"] == 3 and len(page["items"]) == 1
    assert flagged["is_zombie"] is True and flagged["department_name"] == "公安局"
    assert "report_secret_hash" not in flagged and "report_key_id" not in flagged


def test_the_list_query_count_does_not_grow_with_rows(systems, reviewer, dept_a):
    client = api_client(reviewer)
    client.get(f"{BASE}/systems")  # warm-up: the token's last_used is touched once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{BASE}/systems").status_code == 200
        return len(captured)

    before = queries()
    SystemFactory.create_batch(10, department=dept_a)
    assert queries() == before <= 6


@pytest.mark.parametrize(
    "who, status",
    [(None, 401), ("officer_b", 404), ("staff_a", 200), ("auditor", 200), ("officer_a", 200)],
)
def test_the_detail_matrix(request, systems, who, status):
    portal = systems[0]
    response = send(api_client(user_named(request, who)), "GET", f"{BASE}/systems/{portal.pk}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["id"] == portal.pk and response.json()["has_report_key"] is False


# --- create ---------------------------------------------------------------------------------


def test_a_data_officer_registers_a_system_in_their_department(officer_a, dept_a):
    response = send(api_client(officer_a), "POST", f"{BASE}/systems", body_of())

    assert response.status_code == 201, response.content
    system = InformationSystem.objects.get()
    assert response.json()["id"] == system.pk and system.department == dept_a
    assert response.json()["construction_investment"] in ("450.00", "450")
    assert system.revisions.count() == 1


@pytest.mark.parametrize(
    "who, department, status",
    [
        (None, None, 401),
        ("staff_a", None, 403),
        ("auditor", None, 403),
        ("reviewer", None, 403),
        ("officer_b", "dept_a", 403),  # a data officer, but not of department A
    ],
)
def test_nobody_else_registers_systems(request, dept_a, who, department, status):
    body = body_of()
    if department:
        body["department_id"] = request.getfixturevalue(department).pk

    response = send(api_client(user_named(request, who)), "POST", f"{BASE}/systems", body)

    assert_error_body(response, status)
    assert not InformationSystem.objects.exists()
    assert not AuditEvent.objects.filter(action="inventory.system.create").exists()


def test_an_officer_of_two_departments_names_the_department(officer_a, dept_a, dept_b):
    Membership.objects.create(user=officer_a, department=dept_b, role=Role.DATA_OFFICER)
    client = api_client(officer_a)

    unnamed = send(client, "POST", f"{BASE}/systems", body_of())
    named = send(client, "POST", f"{BASE}/systems", body_of(department_id=dept_b.pk))

    assert "department_id" in assert_error_body(unnamed, 422)["fields"]
    assert named.status_code == 201 and named.json()["department"] == dept_b.pk


def test_an_admin_registers_for_a_named_department(admin_user, dept_a):
    client = api_client(admin_user)

    unnamed = send(client, "POST", f"{BASE}/systems", body_of())
    unknown = send(client, "POST", f"{BASE}/systems", body_of(department_id=424242))
    named = send(client, "POST", f"{BASE}/systems", body_of(department_id=dept_a.pk))

    assert "department_id" in assert_error_body(unnamed, 422)["fields"]
    assert "department_id" in assert_error_body(unknown, 404)["fields"]  # as an unknown path id
    assert named.status_code == 201


def test_census_rule_errors_come_back_together(officer_a):
    bad = body_of(usage_scope="everyone", protection_level=7, health_url="not a url")
    response = send(api_client(officer_a), "POST", f"{BASE}/systems", bad)

    fields = assert_error_body(response, 422)["fields"]
    assert {"usage_scope", "protection_level", "health_url"} <= set(fields)
    assert not InformationSystem.objects.exists()


def test_a_duplicate_name_is_409(officer_a, dept_a):
    SystemFactory(department=dept_a, name="不动产登记业务系统")
    response = send(api_client(officer_a), "POST", f"{BASE}/systems", body_of())
    assert assert_error_body(response, 409)["code"] == "duplicate"


# --- change and lifecycle -------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [(None, 401), ("officer_b", 404), ("staff_a", 403), ("auditor", 403), ("reviewer", 403)],
)
def test_nobody_else_changes_a_system(request, dept_a, who, status):
    system = SystemFactory(department=dept_a)
    before = snapshot(system)

    response = send(
        api_client(user_named(request, who)),
        "PATCH",
        f"{BASE}/systems/{system.pk}",
        {"active_users": 999},
    )

    assert_error_body(response, status)
    assert snapshot(system) == before and not system.revisions.exists()


def test_a_data_officer_changes_a_system_and_a_version_is_kept(officer_a, dept_a):
    system = SystemFactory(department=dept_a)
    client = api_client(officer_a)

    response = send(client, "PATCH", f"{BASE}/systems/{system.pk}", {"active_users": 999})
    revisions = client.get(f"{BASE}/systems/{system.pk}/revisions").json()

    assert response.status_code == 200 and response.json()["active_users"] == 999
    assert revisions["count"] == 1
    assert revisions["items"][0]["changed_fields"] == ["active_users"]
    assert "report_secret_hash" not in revisions["items"][0]["data"]


def test_nullable_fields_may_be_cleared_but_others_not(officer_a, dept_a):
    system = SystemFactory(department=dept_a)
    client = api_client(officer_a)

    cleared = send(client, "PATCH", f"{BASE}/systems/{system.pk}", {"go_live_date": None})
    refused = send(client, "PATCH", f"{BASE}/systems/{system.pk}", {"name": None})

    assert cleared.status_code == 200 and cleared.json()["go_live_date"] is None
    assert list(assert_error_body(refused, 422)["fields"]) == ["name"]


def test_a_system_is_merged_into_another_through_the_lifecycle(officer_a, dept_a):
    system, target = SystemFactory(department=dept_a), SystemFactory(department=dept_a)
    client = api_client(officer_a)
    url = f"{BASE}/systems/{system.pk}/lifecycle"

    merged = send(client, "POST", url, {"lifecycle": "merged", "merged_into": target.pk})
    back = send(client, "POST", url, {"lifecycle": "in_use"})

    assert merged.status_code == 200 and merged.json()["merged_into"] == target.pk
    assert assert_error_body(back, 409)["code"] == "conflict"


def test_merging_into_a_system_one_may_not_see_is_refused(officer_a, dept_a, dept_b):
    system, hidden = SystemFactory(department=dept_a), SystemFactory(department=dept_b)
    response = send(
        api_client(officer_a),
        "POST",
        f"{BASE}/systems/{system.pk}/lifecycle",
        {"lifecycle": "merged", "merged_into": hidden.pk},
    )
    assert "merged_into" in assert_error_body(response, 404)["fields"]
    system.refresh_from_db()
    assert system.lifecycle == "in_use"


@pytest.mark.parametrize("who, status", [(None, 401), ("officer_b", 404), ("staff_a", 403)])
def test_nobody_else_moves_the_lifecycle(request, dept_a, who, status):
    system = SystemFactory(department=dept_a)
    response = send(
        api_client(user_named(request, who)),
        "POST",
        f"{BASE}/systems/{system.pk}/lifecycle",
        {"lifecycle": "stopped"},
    )
    assert_error_body(response, status)
    system.refresh_from_db()
    assert system.lifecycle == "in_use"


# --- report keys ----------------------------------------------------------------------------


def test_the_report_key_is_returned_once_and_works_for_usage_reports(officer_a, dept_a):
    system = SystemFactory(department=dept_a)
    client = api_client(officer_a)

    issued = send(client, "POST", f"{BASE}/systems/{system.pk}/report-key")
    detail = client.get(f"{BASE}/systems/{system.pk}").json()

    assert issued.status_code == 201
    key = issued.json()["key"]
    assert key.startswith(f"gsr_{issued.json()['key_id']}_")
    assert detail["has_report_key"] is True and key not in str(detail)
    report = send(
        bearer_client(key),
        "POST",
        f"{BASE}/usage-reports",
        {"date": timezone.localdate().isoformat(), "active_users": 1, "requests": 2},
    )
    assert report.status_code == 200


@pytest.mark.parametrize(
    "who, status",
    [(None, 401), ("officer_b", 404), ("staff_a", 403), ("auditor", 403), ("reviewer", 403)],
)
def test_nobody_else_gets_a_report_key(request, dept_a, who, status):
    system = SystemFactory(department=dept_a)
    response = send(
        api_client(user_named(request, who)), "POST", f"{BASE}/systems/{system.pk}/report-key"
    )
    assert_error_body(response, status)
    system.refresh_from_db()
    assert system.report_key_id == "" and system.report_secret_hash == ""


# --- zombies --------------------------------------------------------------------------------


def test_zombie_findings_are_listed_for_what_the_caller_may_see(systems, officer_a, officer_b):
    mine = api_client(officer_a).get(f"{BASE}/zombies").json()
    theirs = api_client(officer_b).get(f"{BASE}/zombies").json()

    assert mine["count"] == 1
    finding = mine["items"][0]
    assert finding["system_name"] == "视频专网平台" and finding["rule"] == "idle"
    assert finding["evidence"] == {"active_users": 1} and finding["rule_label"]
    assert theirs["count"] == 0


def test_the_authority_runs_the_assessment(reviewer, dept_a):
    SystemFactory(
        department=dept_a, usage_scope="internal", usage_frequency="rarely", active_users=1
    )

    response = send(api_client(reviewer), "POST", f"{BASE}/zombies/assess")

    assert response.status_code == 200
    assert response.json()["systems"] >= 1 and response.json()["findings"] >= 1
    assert ZombieFinding.objects.exists()


@pytest.mark.parametrize("who, status", [(None, 401), ("officer_a", 403), ("auditor", 403)])
def test_nobody_else_runs_the_assessment(request, systems, who, status):
    before = list(ZombieFinding.objects.values_list("pk", flat=True))
    response = send(api_client(user_named(request, who)), "POST", f"{BASE}/zombies/assess")
    assert_error_body(response, status)
    assert list(ZombieFinding.objects.values_list("pk", flat=True)) == before
    assert not AuditEvent.objects.filter(action="inventory.zombie.assess").exists()


# --- malformed input ------------------------------------------------------------------------

BAD_REQUESTS = [
    ("GET", "/systems?limit=0", None),
    ("GET", f"/systems?limit={BIG}", None),
    ("GET", "/systems?offset=-1", None),
    ("GET", "/systems?lifecycle=dead", None),
    ("GET", "/systems?network_domain=moon", None),
    ("GET", "/systems?deployment=x", None),
    ("GET", "/systems?zombie=perhaps", None),
    ("GET", f"/systems?department={BIG}", None),
    ("GET", "/systems?department=abc", None),
    ("GET", f"/systems?q={HUGE}", None),
    ("GET", "/systems?q=%00", None),
    ("GET", "/systems/abc", None),
    ("GET", "/systems/0", None),
    ("GET", f"/systems/{BIG}", None),
    ("GET", "/systems/424242", None),
    ("GET", "/systems/abc/revisions", None),
    ("GET", "/systems/{system}/revisions?limit=1000", None),
    ("POST", "/systems", "{not json"),
    ("POST", "/systems", ""),
    ("POST", "/systems", "[]"),
    ("POST", "/systems", "null"),
    ("POST", "/systems", {}),
    ("POST", "/systems", {**body_of(), "name": HUGE}),
    ("POST", "/systems", {**body_of(), "name": "a\x00b"}),
    ("POST", "/systems", '{"name": "\\ud800"}'),
    ("POST", "/systems", {**body_of(), "bogus": 1}),
    ("POST", "/systems", {**body_of(), "active_users": BIG}),
    ("POST", "/systems", {**body_of(), "active_users": -1}),
    ("POST", "/systems", {**body_of(), "construction_investment": "lots"}),
    ("POST", "/systems", {**body_of(), "construction_investment": "1e40"}),
    ("POST", "/systems", {**body_of(), "annual_om_cost": -5}),
    ("POST", "/systems", {**body_of(), "approval_date": "yesterday"}),
    ("POST", "/systems", {**body_of(), "go_live_date": "2999-01-01"}),
    ("POST", "/systems", {**body_of(), "is_secret": "maybe"}),
    ("POST", "/systems", {**body_of(), "department_id": BIG}),
    ("POST", "/systems", {**body_of(), "department_id": "x"}),
    ("PATCH", "/systems/{system}", "{bad"),
    ("PATCH", "/systems/{system}", "[1]"),
    ("PATCH", "/systems/{system}", {"name": None}),
    ("PATCH", "/systems/{system}", {"usage_scope": "galaxy"}),
    ("PATCH", "/systems/{system}", {"health_url": HUGE}),
    ("PATCH", "/systems/{system}", {"lifecycle": "retired"}),
    ("PATCH", "/systems/{system}", {"report_key_id": "x"}),
    ("PATCH", f"/systems/{BIG}", {}),
    ("POST", "/systems/{system}/lifecycle", {}),
    ("POST", "/systems/{system}/lifecycle", {"lifecycle": "exploded"}),
    ("POST", "/systems/{system}/lifecycle", {"lifecycle": "merged"}),
    ("POST", "/systems/{system}/lifecycle", {"lifecycle": "merged", "merged_into": BIG}),
    ("POST", "/systems/{system}/lifecycle", {"lifecycle": "merged", "merged_into": "{system}"}),
    ("POST", "/systems/{system}/lifecycle", {"lifecycle": "stopped", "note": HUGE}),
    ("POST", f"/systems/{BIG}/report-key", None),
    ("POST", "/systems/abc/report-key", None),
    ("POST", "/usage-reports", {}),
    ("POST", "/usage-reports", {"date": "x", "active_users": 1, "requests": 1, "system": "s"}),
    ("POST", "/usage-reports", {"date": "2020-01-01", "active_users": 1, "requests": 1}),
    ("GET", "/zombies?rule=sleepy", None),
    ("GET", f"/zombies?department={BIG}", None),
    ("GET", "/indicators?month=2024-13", None),
    ("GET", "/indicators?month=%00", None),
    ("GET", f"/indicators?month={HUGE}", None),
]


@pytest.mark.parametrize("method, path, body", BAD_REQUESTS)
def test_bad_input_is_a_4xx_with_the_error_body(admin_user, dept_a, method, path, body):
    # given an admin (who may call everything) and a system
    system = SystemFactory(department=dept_a)
    before = snapshot(system)
    url = BASE + path.replace("{system}", str(system.pk))
    if isinstance(body, dict):
        body = {k: system.pk if v == "{system}" else v for k, v in body.items()}

    # when the malformed request is sent
    response = send(api_client(admin_user), method, url, body)

    # then it is a 4xx with the one error body, and nothing changed
    assert_error_body(response)
    assert snapshot(system) == before
    assert InformationSystem.objects.count() == 1


def test_every_endpoint_needs_authentication(dept_a):
    system = SystemFactory(department=dept_a)
    for method, path in [
        ("GET", "/systems"),
        ("GET", "/systems/{id}"),
        ("POST", "/systems"),
        ("PATCH", "/systems/{id}"),
        ("POST", "/systems/{id}/lifecycle"),
        ("GET", "/systems/{id}/revisions"),
        ("POST", "/systems/{id}/report-key"),
        ("POST", "/usage-reports"),
        ("GET", "/zombies"),
        ("POST", "/zombies/assess"),
        ("GET", "/indicators"),
    ]:
        url = BASE + path.replace("{id}", str(system.pk))
        response = send(api_client(None), method, url, {} if method in {"POST", "PATCH"} else None)
        assert assert_error_body(response, 401)["code"] == "not_authenticated", (method, path)
    assert not SystemRevision.objects.exists()
