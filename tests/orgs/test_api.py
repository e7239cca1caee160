"""The orgs REST API: regions, departments and members, with the permission matrix."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govshare.core.models import AuditEvent
from govshare.orgs.models import Department, Region
from govshare.orgs.validators import org_code_check_digit, uscc_with_check
from tests.api_client import API, api_client, assert_error_body, send
from tests.factories import DepartmentFactory, RegionFactory, make_uscc

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def new_department_body(**overrides: Any) -> dict[str, Any]:
    body = {"name": "新建部门", "uscc": make_uscc(900), "region": "370700", "kind": "government"}
    return {**body, **overrides}


def user_named(request: pytest.FixtureRequest, who: str | None) -> Any:
    return None if who is None else request.getfixturevalue(who)


def department_updates() -> int:
    return AuditEvent.objects.filter(action__startswith="orgs.department.update").count()


# --- regions --------------------------------------------------------------------------------


def test_regions_filter_by_level_and_parent(staff_a):
    # given a province with a city under it
    province = Region.objects.create(code="370000", name="山东省", level="province")
    Region.objects.filter(code="370700").update(parent=province)
    client = api_client(staff_a)

    # when filtering by level, then by parent code
    cities = client.get(f"{API}/regions?level=city").json()
    children = client.get(f"{API}/regions?parent=370000").json()

    # then each filter keeps only its regions, with the parent given as a code
    assert [r["code"] for r in cities["items"]] == ["370700"]
    assert children["items"] == [
        {"code": "370700", "name": "潍坊市", "level": "city", "parent": "370000"}
    ]


def test_region_detail_and_unknown_code(staff_a):
    client = api_client(staff_a)

    assert client.get(f"{API}/regions/370700").json()["name"] == "潍坊市"
    assert_error_body(client.get(f"{API}/regions/999999"), 404)


# --- department reads -----------------------------------------------------------------------


def test_department_list_paginates_and_filters(staff_a, dept_b, authority):
    # given three departments, one of them inactive
    Department.objects.filter(pk=dept_b.pk).update(is_active=False)
    client = api_client(staff_a)

    # when listing a page of one, searching, and filtering by status
    page = client.get(f"{API}/departments?limit=1&offset=1").json()
    found = client.get(f"{API}/departments?q=公安").json()
    inactive = client.get(f"{API}/departments?is_active=false").json()

    # then the count covers all, the page holds one, and the filters apply
    assert page["count"] == 3 and len(page["items"]) == 1
    assert [d["name"] for d in found["items"]] == ["公安局"]
    assert [d["id"] for d in inactive["items"]] == [dept_b.pk]


def test_department_list_query_count_does_not_grow_with_rows(staff_a):
    # given a client, and a list measured before and after ten more departments
    client = api_client(staff_a)
    client.get(f"{API}/departments")  # warm-up: token last_used is touched once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{API}/departments").status_code == 200
        return len(captured)

    before = queries()
    DepartmentFactory.create_batch(10)

    # then the number of queries is the same (no N+1) and small
    assert queries() == before <= 5


def test_department_detail_and_unknown_id(staff_a, dept_b):
    client = api_client(staff_a)

    body = client.get(f"{API}/departments/{dept_b.pk}").json()

    assert body["uscc"] == dept_b.uscc and body["region"] == "370700"
    assert_error_body(client.get(f"{API}/departments/999999"), 404)


@pytest.mark.parametrize(
    "who, status",
    [
        (None, 401),
        ("officer_b", 403),  # data officer of another department
        ("staff_a", 200),
        ("officer_a", 200),
        ("auditor", 200),
        ("admin_user", 200),
    ],
)
def test_members_are_private_to_the_department(request, who, status, dept_a, officer_a, staff_a):
    # given dept_a with its officer and staff
    user = user_named(request, who)

    # when someone lists dept_a's members
    response = api_client(user).get(f"{API}/departments/{dept_a.pk}/members")

    # then only its members, overseers and admins see them; others learn nothing
    assert response.status_code == status
    if status == 200:
        assert {m["username"] for m in response.json()["items"]} == {"officer_a", "staff_a"}
    else:
        assert_error_body(response, status)
        assert b"officer_a" not in response.content and b"staff_a" not in response.content


# --- POST /departments ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        (None, 401),
        ("officer_a", 403),
        ("staff_a", 403),
        ("reviewer", 403),
        ("auditor", 403),
        ("admin_user", 201),
    ],
)
def test_create_department_permission_matrix(request, who, status):
    # given a valid body and a caller
    client = api_client(user_named(request, who))
    before = Department.objects.count()

    # when the caller posts it
    response = send(client, "POST", f"{API}/departments", new_department_body())

    # then only a platform admin creates; denied callers change nothing
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["uscc"] == make_uscc(900)
        assert Department.objects.count() == before + 1
    else:
        assert_error_body(response, status)
        assert Department.objects.count() == before


def with_wrong_last_character(uscc: str) -> str:
    return uscc[:-1] + ("0" if uscc[-1] != "0" else "1")


@pytest.mark.parametrize(
    "uscc, code",
    [
        (with_wrong_last_character(make_uscc(900)), "uscc_checksum"),
        ("1137070000", "invalid"),  # the document's pattern: 18 characters, refused on input
    ],
)
def test_bad_uscc_is_422_naming_the_check(admin_user, uscc, code):
    # given an admin posting a department with a broken USCC
    client = api_client(admin_user)

    # when
    response = client.post(
        f"{API}/departments", new_department_body(uscc=uscc), content_type="application/json", **EN
    )

    # then the error names the field and the GB 32100 check
    body = assert_error_body(response, 422)
    assert body["code"] == code
    assert "GB 32100" in body["fields"]["uscc"][0] or "18" in body["fields"]["uscc"][0]
    assert not Department.objects.filter(name="新建部门").exists()


def test_embedded_organisation_code_check_is_reported(admin_user):
    # given a USCC whose mod-31 check is right but whose GB 11714 digit is wrong
    body = "00770009"
    wrong = "0" if org_code_check_digit(body) != "0" else "1"
    uscc = uscc_with_check(f"11370700{body}{wrong}")

    response = send(
        api_client(admin_user), "POST", f"{API}/departments", new_department_body(uscc=uscc)
    )

    body = assert_error_body(response, 422)
    assert body["code"] == "uscc_org_code_checksum"


def test_duplicate_uscc_is_409(admin_user, dept_a):
    # given a department that already holds a USCC
    before = Department.objects.count()

    # when an admin registers another department with it
    response = send(
        api_client(admin_user), "POST", f"{API}/departments", new_department_body(uscc=dept_a.uscc)
    )

    # then a conflict naming the field, and nothing created
    body = assert_error_body(response, 409)
    assert body["code"] == "duplicate" and "uscc" in body["fields"]
    assert Department.objects.count() == before


def test_unknown_region_and_parent_are_404_naming_them(admin_user):
    body = new_department_body(region="370799", parent=424242)

    response = send(api_client(admin_user), "POST", f"{API}/departments", body)

    # references to nothing are answered as an unknown id in the path is (issue #11 item 7)
    assert set(assert_error_body(response, 404)["fields"]) == {"region", "parent"}


def test_created_department_can_have_a_parent(admin_user, dept_a):
    response = send(
        api_client(admin_user), "POST", f"{API}/departments", new_department_body(parent=dept_a.pk)
    )

    assert response.status_code == 201 and response.json()["parent"] == dept_a.pk


# --- PATCH /departments/{id} ----------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        (None, 401),
        ("officer_b", 403),  # wrong department
        ("staff_a", 403),  # right department, no role
        ("reviewer", 403),
        ("officer_a", 200),  # the department's own data officer
        ("admin_user", 200),
    ],
)
def test_patch_contact_permission_matrix(request, who, status, dept_a, officer_a, staff_a):
    client = api_client(user_named(request, who))
    before = department_updates()

    response = send(client, "PATCH", f"{API}/departments/{dept_a.pk}", {"contact_name": "李四"})

    dept_a.refresh_from_db()
    assert response.status_code == status, response.content
    if status == 200:
        assert dept_a.contact_name == "李四" and response.json()["contact_name"] == "李四"
    else:
        assert_error_body(response, status)
        assert dept_a.contact_name == "" and department_updates() == before


@pytest.mark.parametrize(
    "who, status",
    [
        (None, 401),
        ("officer_b", 403),
        ("staff_a", 403),
        ("officer_a", 403),  # a data officer changes contact details only
        ("reviewer", 403),
        ("admin_user", 200),
    ],
)
def test_patch_name_permission_matrix(request, who, status, dept_a, officer_a, staff_a):
    client = api_client(user_named(request, who))
    before = department_updates()

    response = send(client, "PATCH", f"{API}/departments/{dept_a.pk}", {"name": "市公安局"})

    dept_a.refresh_from_db()
    assert response.status_code == status, response.content
    if status == 200:
        assert dept_a.name == "市公安局"
    else:
        assert_error_body(response, status)
        assert dept_a.name == "公安局" and department_updates() == before


def test_officer_patch_mixing_contact_and_other_fields_changes_nothing(dept_a, officer_a):
    # given the officer sends a contact change together with a name change
    body = {"contact_name": "李四", "name": "市公安局"}

    response = send(api_client(officer_a), "PATCH", f"{API}/departments/{dept_a.pk}", body)

    # then the whole request is refused, naming the field that is not theirs to change
    assert list(assert_error_body(response, 403)["fields"]) == ["name"]
    dept_a.refresh_from_db()
    assert (dept_a.name, dept_a.contact_name) == ("公安局", "")


def test_admin_patch_keeps_absent_fields_and_validates(admin_user, dept_a, dept_b):
    client = api_client(admin_user)

    renamed = send(client, "PATCH", f"{API}/departments/{dept_a.pk}", {"short_name": "公安"})
    clash = send(client, "PATCH", f"{API}/departments/{dept_a.pk}", {"uscc": dept_b.uscc})
    nulled = send(client, "PATCH", f"{API}/departments/{dept_a.pk}", {"name": None})

    assert renamed.status_code == 200
    assert renamed.json()["name"] == "公安局" and renamed.json()["short_name"] == "公安"
    assert assert_error_body(clash, 409)["fields"] == {"uscc": clash.json()["fields"]["uscc"]}
    assert list(assert_error_body(nulled, 422)["fields"]) == ["name"]


def test_admin_cannot_make_a_department_its_own_parent(admin_user, dept_a):
    response = send(
        api_client(admin_user), "PATCH", f"{API}/departments/{dept_a.pk}", {"parent": dept_a.pk}
    )

    assert "parent" in assert_error_body(response, 409)["fields"]  # the stored tree decides


# --- fuzz -----------------------------------------------------------------------------------

FIELD_NAMES = [*new_department_body(), "short_name", "level", "parent", "is_active", "junk"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fields=st.dictionaries(st.sampled_from(FIELD_NAMES), JSON_VALUES, max_size=6),
    base=st.booleans(),
)
def test_post_department_never_500s(admin_client_token, fields, base):
    # given a body that is random, or a valid one with random fields mixed in
    body = {**(new_department_body() if base else {}), **fields}

    # when it is posted
    response = send(admin_client_token, "POST", f"{API}/departments", body)

    # then the answer is never a server error
    assert response.status_code < 500
    if response.status_code >= 400:
        assert_error_body(response)


@pytest.fixture
def admin_client_token(admin_user):
    RegionFactory()
    return api_client(admin_user)
