"""Pages of the orgs package: who sees which page, and the permission matrix of every write."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govshare.core.roles import Role
from govshare.orgs.models import Department, Membership, Region
from tests.factories import DepartmentFactory, UserFactory, make_uscc, member

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("identity:login")


def _department_post(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "潍坊市测试局",
        "uscc": make_uscc(700),
        "region": Department.objects.first().region_id,  # type: ignore[union-attr]
        "kind": "government",
        "is_active": "on",
    }
    values.update(overrides)
    return values


def _assert_redirects_to_login(response) -> None:
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


# --- the department directory ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin_user", "auditor", "officer_b", "staff_a"])
def test_given_any_signed_in_role_when_the_directory_is_opened_then_every_department_is_listed(
    request, client_for, dept_a, dept_b, role
):
    response = client_for(request.getfixturevalue(role)).get(reverse("orgs:department_list"))
    assert response.status_code == 200
    assert {dept_a, dept_b} <= set(response.context["object_list"])


def test_given_a_search_when_it_names_a_department_or_its_uscc_then_only_that_one_is_listed(
    client_for, staff_a, dept_a, dept_b
):
    client = client_for(staff_a)
    by_name = client.get(reverse("orgs:department_list"), {"query": "公安"})
    by_uscc = client.get(reverse("orgs:department_list"), {"query": dept_b.uscc.lower()})
    assert list(by_name.context["object_list"]) == [dept_a]
    assert list(by_uscc.context["object_list"]) == [dept_b]


def test_given_filters_when_applied_then_kind_and_activity_narrow_the_list(
    client_for, staff_a, dept_a
):
    closed = DepartmentFactory(name="已撤销局", is_active=False, kind="institution")
    client = client_for(staff_a)
    default = client.get(reverse("orgs:department_list"))
    with_inactive = client.get(
        reverse("orgs:department_list"), {"include_inactive": "on", "kind": "institution"}
    )
    assert closed not in default.context["object_list"]
    assert list(with_inactive.context["object_list"]) == [closed]


def test_given_malformed_filters_when_the_directory_is_opened_then_it_still_renders(
    client_for, staff_a, dept_a
):
    response = client_for(staff_a).get(
        reverse("orgs:department_list"), {"region": "nope", "kind": "x", "page": "zzz"}
    )
    assert response.status_code == 200
    assert dept_a in response.context["object_list"]


def test_given_the_member_counts_when_listed_then_each_department_shows_its_own(
    client_for, staff_a, officer_a, officer_b, dept_a, dept_b
):
    response = client_for(officer_b).get(reverse("orgs:department_list"))
    counts = {d.pk: d.member_count for d in response.context["object_list"]}
    assert counts[dept_a.pk] == 2 and counts[dept_b.pk] == 1


def test_given_many_departments_with_members_when_listed_then_the_query_count_stays_flat(
    client_for, admin_user, django_assert_max_num_queries
):
    for _ in range(30):
        department = DepartmentFactory()
        member(department, Role.STAFF, password=None)  # no password: skip the slow hashing
        member(department, Role.DATA_OFFICER, password=None)
    client = client_for(admin_user)
    # session, user, roles, count, node name, my departments, region filter, the page itself
    with django_assert_max_num_queries(8):
        response = client.get(reverse("orgs:department_list"))
    assert len(response.context["object_list"]) == 25


# --- the department page --------------------------------------------------------------------


def test_given_an_admin_when_a_department_is_opened_then_fields_children_and_members_show(
    client_for, admin_user, dept_a, officer_a, staff_a
):
    child = DepartmentFactory(name="交警支队", parent=dept_a)
    response = client_for(admin_user).get(reverse("orgs:department_detail", args=[dept_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert dept_a.uscc in body and child.name in body
    assert {m.user for m in response.context["members"]} == {officer_a, staff_a}
    assert response.context["membership_form"] is not None


def test_given_a_member_when_their_department_is_opened_then_they_see_its_members(
    client_for, staff_a, officer_a, dept_a
):
    response = client_for(staff_a).get(reverse("orgs:department_detail", args=[dept_a.pk]))
    assert {m.user for m in response.context["members"]} == {officer_a, staff_a}
    assert response.context["membership_form"] is None  # only admins manage members


def test_given_officer_b_when_dept_a_is_opened_then_dept_a_members_stay_hidden(
    client_for, officer_b, officer_a, staff_a, dept_a
):
    response = client_for(officer_b).get(reverse("orgs:department_detail", args=[dept_a.pk]))
    assert response.status_code == 200
    assert response.context["can_see_members"] is False
    assert list(response.context["members"]) == []
    body = response.content.decode()
    assert "officer_a" not in body and "staff_a" not in body
    assert not response.context["can_edit_contact"]


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999999"])
def test_given_an_unknown_department_when_opened_then_404(client_for, staff_a, pk):
    response = client_for(staff_a).get(f"/orgs/departments/{pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["orgs:department_list", "orgs:region_list", "orgs:department_create"]
)
def test_given_anonymous_when_a_page_is_opened_then_login_is_asked(client, name):
    _assert_redirects_to_login(client.get(reverse(name)))


# --- creating and editing departments (platform admins) -------------------------------------


def test_given_anonymous_when_creating_a_department_then_login_is_asked_and_nothing_changes(
    client, dept_a
):
    count = Department.objects.count()
    _assert_redirects_to_login(client.post(reverse("orgs:department_create"), _department_post()))
    assert Department.objects.count() == count


@pytest.mark.parametrize("role", ["officer_a", "staff_a", "reviewer"])
def test_given_a_non_admin_when_creating_a_department_then_403_and_nothing_changes(
    request, client_for, dept_a, role
):
    client = client_for(request.getfixturevalue(role))
    count = Department.objects.count()
    assert client.get(reverse("orgs:department_create")).status_code == 403
    response = client.post(reverse("orgs:department_create"), _department_post())
    assert response.status_code == 403
    assert Department.objects.count() == count


def test_given_an_admin_when_creating_a_department_then_it_exists_and_its_page_opens(
    client_for, admin_user
):
    client = client_for(admin_user)
    assert client.get(reverse("orgs:department_create")).status_code == 200
    response = client.post(reverse("orgs:department_create"), _department_post())
    department = Department.objects.get(name="潍坊市测试局")
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:department_detail", args=[department.pk])
    assert department.uscc == make_uscc(700) and department.level == "city"


def test_given_a_bad_uscc_when_creating_then_the_field_error_shows_and_nothing_is_created(
    client_for, admin_user
):
    count = Department.objects.count()
    response = client_for(admin_user).post(
        reverse("orgs:department_create"), _department_post(uscc="91370700ABC")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["uscc"]
    assert Department.objects.count() == count


def test_given_a_malformed_region_when_creating_then_a_form_error_not_a_crash(
    client_for, admin_user
):
    count = Department.objects.count()
    response = client_for(admin_user).post(
        reverse("orgs:department_create"), _department_post(region="abc", parent="x")
    )
    assert response.status_code == 200
    assert {"region", "parent"} <= set(response.context["form"].errors)
    assert Department.objects.count() == count


@pytest.mark.parametrize("role", ["officer_a", "staff_a", "officer_b"])
def test_given_a_non_admin_when_editing_a_department_then_403_and_nothing_changes(
    request, client_for, dept_a, role
):
    client = client_for(request.getfixturevalue(role))
    url = reverse("orgs:department_edit", args=[dept_a.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, _department_post(name="改名局", uscc=dept_a.uscc))
    assert response.status_code == 403
    dept_a.refresh_from_db()
    assert dept_a.name == "公安局"


def test_given_an_admin_when_editing_a_department_then_it_is_saved(client_for, admin_user, dept_a):
    client = client_for(admin_user)
    url = reverse("orgs:department_edit", args=[dept_a.pk])
    form = client.get(url).context["form"]
    assert form.initial["uscc"] == dept_a.uscc
    assert dept_a not in form.fields["parent"].queryset  # not its own parent
    response = client.post(url, _department_post(name="潍坊市公安局", uscc=dept_a.uscc))
    assert response.status_code == 302
    dept_a.refresh_from_db()
    assert dept_a.name == "潍坊市公安局"


# --- contact details (the department's own data officer) ------------------------------------


CONTACT = {"contact_name": "王联络", "contact_phone": "0536-8888888", "contact_email": "a@b.cn"}


def test_given_anonymous_when_editing_contact_then_login_is_asked(client, dept_a):
    url = reverse("orgs:department_contact_edit", args=[dept_a.pk])
    _assert_redirects_to_login(client.post(url, CONTACT))
    dept_a.refresh_from_db()
    assert dept_a.contact_name == ""


@pytest.mark.parametrize("role", ["officer_b", "staff_a", "auditor"])
def test_given_no_data_officer_role_in_dept_a_when_editing_its_contact_then_403_unchanged(
    request, client_for, dept_a, role
):
    client = client_for(request.getfixturevalue(role))
    url = reverse("orgs:department_contact_edit", args=[dept_a.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, CONTACT).status_code == 403
    dept_a.refresh_from_db()
    assert dept_a.contact_name == ""


@pytest.mark.parametrize("role", ["officer_a", "admin_user"])
def test_given_dept_a_officer_or_admin_when_editing_contact_then_it_is_saved(
    request, client_for, dept_a, role
):
    client = client_for(request.getfixturevalue(role))
    url = reverse("orgs:department_contact_edit", args=[dept_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, CONTACT)
    assert response["Location"] == reverse("orgs:department_detail", args=[dept_a.pk])
    dept_a.refresh_from_db()
    assert (dept_a.contact_name, dept_a.contact_email) == ("王联络", "a@b.cn")


def test_given_a_bad_email_when_editing_contact_then_the_field_error_shows(
    client_for, officer_a, dept_a
):
    url = reverse("orgs:department_contact_edit", args=[dept_a.pk])
    response = client_for(officer_a).post(url, {**CONTACT, "contact_email": "not-an-email"})
    assert response.status_code == 200
    assert response.context["form"].errors["contact_email"]
    dept_a.refresh_from_db()
    assert dept_a.contact_email == ""


# --- memberships ----------------------------------------------------------------------------


def test_given_anonymous_when_adding_a_member_then_login_is_asked_and_nothing_changes(
    client, dept_a
):
    newcomer = UserFactory()
    url = reverse("orgs:membership_add", args=[dept_a.pk])
    _assert_redirects_to_login(client.post(url, {"user": newcomer.pk, "role": Role.STAFF}))
    assert not Membership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("role", ["officer_a", "staff_a", "officer_b"])
def test_given_a_non_admin_when_adding_a_member_then_403_and_nothing_changes(
    request, client_for, dept_a, role
):
    newcomer = UserFactory()
    url = reverse("orgs:membership_add", args=[dept_a.pk])
    response = client_for(request.getfixturevalue(role)).post(
        url, {"user": newcomer.pk, "role": Role.STAFF}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=newcomer).exists()


def test_given_an_admin_when_adding_a_member_then_the_role_is_granted(
    client_for, admin_user, dept_a
):
    newcomer = UserFactory()
    url = reverse("orgs:membership_add", args=[dept_a.pk])
    response = client_for(admin_user).post(url, {"user": newcomer.pk, "role": Role.STAFF})
    assert response["Location"] == reverse("orgs:department_detail", args=[dept_a.pk])
    assert Membership.objects.filter(user=newcomer, department=dept_a, role=Role.STAFF).exists()


@pytest.mark.parametrize(
    "data", [{"user": "abc", "role": Role.STAFF}, {"role": "emperor"}, {}], ids=str
)
def test_given_malformed_input_when_adding_a_member_then_400_and_nothing_changes(
    client_for, admin_user, dept_a, data
):
    count = Membership.objects.count()
    response = client_for(admin_user).post(reverse("orgs:membership_add", args=[dept_a.pk]), data)
    assert response.status_code == 400
    assert response.context["membership_form"].errors
    assert Membership.objects.count() == count


def test_given_a_role_already_held_when_added_again_then_the_service_error_shows(
    client_for, admin_user, staff_a, dept_a
):
    url = reverse("orgs:membership_add", args=[dept_a.pk])
    response = client_for(admin_user).post(url, {"user": staff_a.pk, "role": Role.STAFF})
    assert response.status_code == 400
    assert response.context["membership_form"].errors["role"]
    assert Membership.objects.filter(user=staff_a).count() == 1


def test_given_anonymous_when_removing_a_member_then_login_is_asked_and_it_stays(client, staff_a):
    membership = Membership.objects.get(user=staff_a)
    url = reverse("orgs:membership_remove", args=[membership.pk])
    _assert_redirects_to_login(client.post(url))
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize(("role", "status"), [("officer_a", 403), ("officer_b", 404)])
def test_given_a_non_admin_when_removing_a_member_then_denied_and_it_stays(
    request, client_for, staff_a, role, status
):
    membership = Membership.objects.get(user=staff_a)
    url = reverse("orgs:membership_remove", args=[membership.pk])
    response = client_for(request.getfixturevalue(role)).post(url)
    assert response.status_code == status
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_given_an_admin_when_removing_a_member_then_the_role_is_gone(
    client_for, admin_user, staff_a, dept_a
):
    membership = Membership.objects.get(user=staff_a)
    client = client_for(admin_user)
    url = reverse("orgs:membership_remove", args=[membership.pk])
    assert client.get(url).status_code == 302  # a GET acts not: the membership stays
    assert Membership.objects.filter(pk=membership.pk).exists()
    response = client.post(url)
    assert response["Location"] == reverse("orgs:department_detail", args=[dept_a.pk])
    assert not Membership.objects.filter(pk=membership.pk).exists()


# --- regions --------------------------------------------------------------------------------


COUNTY = {"code": "370702", "name": "潍城区", "level": "county"}


def test_given_staff_when_the_region_list_is_opened_then_regions_show_as_a_tree(
    client_for, staff_a, dept_a
):
    Region.objects.create(parent=dept_a.region, **COUNTY)
    response = client_for(staff_a).get(reverse("orgs:region_list"))
    assert response.status_code == 200
    assert [(r.code, depth) for r, depth in response.context["rows"]] == [
        ("370700", 0),
        ("370702", 1),
    ]
    assert response.context["can_add"] is False


@pytest.mark.parametrize("role", ["officer_a", "auditor"])
def test_given_a_non_admin_when_creating_a_region_then_403_and_nothing_changes(
    request, client_for, dept_a, role
):
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("orgs:region_create")).status_code == 403
    response = client.post(reverse("orgs:region_create"), {**COUNTY, "parent": dept_a.region_id})
    assert response.status_code == 403
    assert not Region.objects.filter(code="370702").exists()


def test_given_anonymous_when_creating_a_region_then_login_is_asked(client, dept_a):
    _assert_redirects_to_login(client.post(reverse("orgs:region_create"), COUNTY))
    assert not Region.objects.filter(code="370702").exists()


def test_given_an_admin_when_creating_a_region_then_it_is_listed(client_for, admin_user):
    parent = Region.objects.get(code="370700")
    response = client_for(admin_user).post(
        reverse("orgs:region_create"), {**COUNTY, "parent": parent.pk}
    )
    assert response["Location"] == reverse("orgs:region_list")
    assert Region.objects.get(code="370702").parent == parent


def test_given_a_code_outside_the_parent_when_creating_a_region_then_the_error_shows(
    client_for, admin_user
):
    parent = Region.objects.get(code="370700")
    response = client_for(admin_user).post(
        reverse("orgs:region_create"), {**COUNTY, "code": "110101", "parent": parent.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Region.objects.filter(code="110101").exists()
