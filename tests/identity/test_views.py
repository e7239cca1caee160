"""Pages of the identity package: the user directory, accounts, API tokens and passwords."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govshare.core.errors import field_error
from govshare.core.roles import Role
from govshare.identity.models import ApiToken
from govshare.identity.services import token_create
from govshare.orgs.models import Membership
from tests.factories import PASSWORD, member

pytestmark = pytest.mark.django_db

User = get_user_model()
LOGIN_URL = reverse("identity:login")


FORM_TOKEN_INPUT = re.compile(r'<input type="hidden" name="form_token" value="([^"]+)">')


def create_token(client, **data):
    """POST the account page's token form as a browser does, with the page's one-time token."""
    page = client.get(reverse("identity:account")).content.decode()
    form_token = FORM_TOKEN_INPUT.search(page).group(1)
    return client.post(reverse("identity:token_create"), {**data, "form_token": form_token})


NEW_PASSWORD = "An0ther#Passphrase-2026"


def _assert_redirects_to_login(response) -> None:
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def officer_a_department(officer):
    return officer.memberships.get().department


def _new_user_post(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "username": "newcomer",
        "full_name": "新同事",
        "email": "new@example.cn",
        "password": NEW_PASSWORD,
        "password_repeat": NEW_PASSWORD,
    }
    values.update(overrides)
    return values


# --- the user directory ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin_user", "auditor", "reviewer"])
def test_given_an_overseer_when_the_user_list_is_opened_then_everyone_is_listed(
    request, client_for, officer_a, officer_b, role
):
    response = client_for(request.getfixturevalue(role)).get(reverse("identity:user_list"))
    assert response.status_code == 200
    assert {officer_a, officer_b} <= set(response.context["object_list"])


def test_given_a_data_officer_when_the_user_list_is_opened_then_only_colleagues_show_once(
    client_for, officer_a, staff_a, officer_b, dept_b
):
    # staff_a also works in dept_b, but officer_a should see that only as a dept_a colleague.
    Membership.objects.create(user=staff_a, department=dept_b, role=Role.STAFF)
    response = client_for(officer_a).get(reverse("identity:user_list"))
    listed = list(response.context["object_list"])
    assert sorted(u.username for u in listed) == ["officer_a", "staff_a"]
    colleague = next(u for u in listed if u == staff_a)
    assert [m.department for m in colleague.visible_memberships] == [
        officer_a_department(officer_a)
    ]


def test_given_a_search_when_the_user_list_is_opened_then_it_matches_names(
    client_for, admin_user, officer_a, officer_b
):
    response = client_for(admin_user).get(reverse("identity:user_list"), {"query": "officer_b"})
    assert list(response.context["object_list"]) == [officer_b]


def test_given_many_users_with_roles_when_listed_then_the_query_count_stays_flat(
    client_for, admin_user, dept_a, dept_b, django_assert_max_num_queries
):
    for department in [dept_a, dept_b] * 15:
        member(department, Role.STAFF, password=None)  # no password: skip the slow hashing
    client = client_for(admin_user)
    # session, user, roles, node name, my departments, count, the page, its memberships
    with django_assert_max_num_queries(8):
        response = client.get(reverse("identity:user_list"))
    assert len(response.context["object_list"]) == 25


def test_given_a_colleague_when_their_page_is_opened_then_memberships_show_without_tokens(
    client_for, officer_a, staff_a
):
    token_create(actor=staff_a, name="脚本")
    response = client_for(officer_a).get(reverse("identity:user_detail", args=[staff_a.pk]))
    assert response.status_code == 200
    assert [m.user for m in response.context["memberships"]] == [staff_a]
    assert response.context["can_see_tokens"] is False
    assert response.context["can_change"] is False
    assert "脚本" not in response.content.decode()


def test_given_an_admin_when_a_user_page_is_opened_then_tokens_and_controls_show(
    client_for, admin_user, staff_a
):
    token_create(actor=staff_a, name="脚本")
    response = client_for(admin_user).get(reverse("identity:user_detail", args=[staff_a.pk]))
    assert response.context["can_see_tokens"] and response.context["can_change"]
    assert "脚本" in response.content.decode()


@pytest.mark.parametrize("pk", ["staff_a", "999999", "99999999999999999999999"])
def test_given_a_user_outside_my_departments_when_opened_then_404(
    request, client_for, officer_b, pk
):
    if pk == "staff_a":
        pk = str(request.getfixturevalue("staff_a").pk)
    response = client_for(officer_b).get(f"/accounts/users/{pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["identity:user_list", "identity:user_create", "identity:account"])
def test_given_anonymous_when_a_page_is_opened_then_login_is_asked(client, name):
    _assert_redirects_to_login(client.get(reverse(name)))


# --- creating users -------------------------------------------------------------------------


def test_given_anonymous_when_creating_a_user_then_login_is_asked_and_nothing_changes(client):
    _assert_redirects_to_login(client.post(reverse("identity:user_create"), _new_user_post()))
    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.parametrize("role", ["officer_a", "auditor", "reviewer"])
def test_given_a_non_admin_when_creating_a_user_then_403_and_nothing_changes(
    request, client_for, role
):
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("identity:user_create")).status_code == 403
    assert client.post(reverse("identity:user_create"), _new_user_post()).status_code == 403
    assert not User.objects.filter(username="newcomer").exists()


def test_given_an_admin_when_creating_a_user_with_a_role_then_both_exist(
    client_for, admin_user, dept_a
):
    client = client_for(admin_user)
    assert client.get(reverse("identity:user_create")).status_code == 200
    response = client.post(
        reverse("identity:user_create"),
        _new_user_post(department=dept_a.pk, role=Role.DATA_OFFICER),
    )
    person = User.objects.get(username="newcomer")
    assert response["Location"] == reverse("identity:user_detail", args=[person.pk])
    assert person.first_name == "新同事" and person.check_password(NEW_PASSWORD)
    assert person.memberships.get().department == dept_a


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "short", "password_repeat": "short"}, "password"),
        ({"password_repeat": "something-else-2026"}, "password_repeat"),
        ({"role": Role.STAFF}, "role"),  # a role without a department
        ({"username": "officer_a"}, "username"),
        ({"department": "abc", "role": Role.STAFF}, "department"),
    ],
    ids=["weak", "mismatch", "half-membership", "taken", "malformed"],
)
def test_given_bad_input_when_creating_a_user_then_the_field_error_shows_and_nothing_changes(
    client_for, admin_user, officer_a, overrides, field
):
    count = User.objects.count()
    response = client_for(admin_user).post(
        reverse("identity:user_create"), _new_user_post(**overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert User.objects.count() == count


def test_given_the_first_role_is_refused_when_creating_a_user_then_no_account_is_left(
    client_for, admin_user, dept_a, monkeypatch
):
    def refuse(**kwargs: object) -> None:
        raise field_error("department", "The department is inactive.", "invalid")

    monkeypatch.setattr("govshare.identity.services.membership_add", refuse)
    response = client_for(admin_user).post(
        reverse("identity:user_create"), _new_user_post(department=dept_a.pk, role=Role.STAFF)
    )
    assert response.context["form"].errors["department"]
    assert not User.objects.filter(username="newcomer").exists()


# --- enabling and disabling accounts --------------------------------------------------------


def _set_active(client: Client, person, value: str):
    return client.post(reverse("identity:user_set_active", args=[person.pk]), {"is_active": value})


def test_given_anonymous_when_disabling_a_user_then_login_is_asked_and_nothing_changes(
    client, staff_a
):
    _assert_redirects_to_login(_set_active(client, staff_a, "0"))
    staff_a.refresh_from_db()
    assert staff_a.is_active


@pytest.mark.parametrize(
    ("role", "status"), [("officer_b", 404), ("officer_a", 403), ("auditor", 403)]
)
def test_given_a_non_admin_when_disabling_a_user_then_denied_and_nothing_changes(
    request, client_for, staff_a, role, status
):
    response = _set_active(client_for(request.getfixturevalue(role)), staff_a, "0")
    assert response.status_code == status
    staff_a.refresh_from_db()
    assert staff_a.is_active


def test_given_an_admin_when_disabling_then_enabling_a_user_then_the_account_follows(
    client_for, admin_user, staff_a
):
    client = client_for(admin_user)
    response = _set_active(client, staff_a, "0")
    assert response["Location"] == reverse("identity:user_detail", args=[staff_a.pk])
    staff_a.refresh_from_db()
    assert not staff_a.is_active
    _set_active(client, staff_a, "1")
    staff_a.refresh_from_db()
    assert staff_a.is_active


def test_given_malformed_input_when_setting_active_then_400_and_get_changes_nothing(
    client_for, admin_user, staff_a
):
    client = client_for(admin_user)
    assert _set_active(client, staff_a, "maybe").status_code == 400
    url = reverse("identity:user_set_active", args=[staff_a.pk])
    assert client.get(url)["Location"] == reverse("identity:user_detail", args=[staff_a.pk])
    staff_a.refresh_from_db()
    assert staff_a.is_active


def test_given_an_admin_when_disabling_themselves_then_it_is_refused_with_a_message(
    client_for, admin_user
):
    client = client_for(admin_user)
    response = _set_active(client, admin_user, "0")
    admin_user.refresh_from_db()
    assert admin_user.is_active
    page = client.get(response["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["error"]


# --- my account and API tokens --------------------------------------------------------------


def test_given_a_member_when_the_account_page_is_opened_then_roles_and_tokens_show(
    client_for, staff_a, officer_b
):
    token_create(actor=staff_a, name="我的脚本")
    token_create(actor=officer_b, name="别人的脚本")
    response = client_for(staff_a).get(reverse("identity:account"))
    assert response.status_code == 200
    assert [m.role for m in response.context["memberships"]] == [Role.STAFF]
    assert [t.name for t in response.context["tokens"]] == ["我的脚本"]
    assert "别人的脚本" not in response.content.decode()


def test_given_a_new_token_when_created_then_its_plaintext_shows_once_only(client_for, staff_a):
    client = client_for(staff_a)
    response = create_token(client, name="报表脚本")
    assert response.status_code == 200
    plaintext = response.context["issued"].plaintext
    token = ApiToken.objects.get(user=staff_a)
    assert plaintext.startswith(f"gs_{token.key_id}_")
    assert plaintext in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # Neither the session nor a message keeps it: the next page does not show it again.
    again = client.get(reverse("identity:account"))
    assert plaintext not in again.content.decode()
    assert f"gs_{token.key_id}_" in again.content.decode()  # the key id alone is listed
    assert all(plaintext not in str(value) for value in client.session.values())


def test_given_an_expiry_date_when_a_token_is_created_then_it_ends_with_that_day(
    client_for, staff_a
):
    day = timezone.localdate() + dt.timedelta(days=30)
    create_token(client_for(staff_a), name="临时", expires=day.isoformat())
    expires = timezone.localtime(ApiToken.objects.get(user=staff_a).expires)
    assert expires.date() == day + dt.timedelta(days=1) and expires.hour == 0


def test_the_token_list_shows_the_last_day_the_token_works(client_for, staff_a):
    # Given a token chosen to work until 2027-01-31 (it stops at 2027-02-01 00:00),
    day = timezone.localdate() + dt.timedelta(days=30)
    client = client_for(staff_a)
    create_token(client, name="临时", expires=day.isoformat())
    # when the account page lists it, then it names that day, not the next one.
    page = client.get(reverse("identity:account")).content.decode()
    shown = re.search(r"<td data-valid-through>([^<]*)</td>", page)
    assert shown is not None and shown.group(1) == day.isoformat()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "旧", "expires": "2000-01-01"}, "expires"),
        ({"name": "坏", "expires": "not-a-date"}, "expires"),
        ({"name": "远", "expires": "9999-12-31"}, "expires"),
    ],
    ids=["no-name", "past", "malformed", "end-of-calendar"],
)
def test_given_bad_input_when_creating_a_token_then_400_with_the_error_and_no_token(
    client_for, staff_a, data, field
):
    response = create_token(client_for(staff_a), **data)
    assert response.status_code == 400
    assert response.context["token_form"].errors[field]
    assert response.context["issued"] is None
    assert not ApiToken.objects.filter(user=staff_a).exists()


def test_given_anonymous_when_creating_or_revoking_tokens_then_login_is_asked(client, staff_a):
    issued = token_create(actor=staff_a, name="脚本")
    _assert_redirects_to_login(client.post(reverse("identity:token_create"), {"name": "x"}))
    revoke_url = reverse("identity:token_revoke", args=[issued.token.pk])
    _assert_redirects_to_login(client.post(revoke_url))
    assert ApiToken.objects.get().revoked is None


def test_given_my_token_when_revoked_then_it_is_listed_as_revoked(client_for, staff_a):
    issued = token_create(actor=staff_a, name="脚本")
    client = client_for(staff_a)
    response = client.post(reverse("identity:token_revoke", args=[issued.token.pk]))
    assert response["Location"] == reverse("identity:account")
    page = client.get(reverse("identity:account")).content.decode()
    assert 'data-status="revoked"' in page and 'data-status="active"' not in page
    issued.token.refresh_from_db()
    assert issued.token.revoked is not None


@pytest.mark.parametrize("role", ["officer_a", "auditor"])
def test_given_someone_elses_token_when_a_non_admin_revokes_it_then_404_and_it_still_works(
    request, client_for, staff_a, role
):
    issued = token_create(actor=staff_a, name="脚本")
    client = client_for(request.getfixturevalue(role))
    response = client.post(reverse("identity:token_revoke", args=[issued.token.pk]))
    assert response.status_code == 404
    issued.token.refresh_from_db()
    assert issued.token.revoked is None


def test_given_a_leaked_token_when_an_admin_revokes_it_then_back_to_the_holders_page(
    client_for, admin_user, staff_a
):
    issued = token_create(actor=staff_a, name="脚本")
    response = client_for(admin_user).post(reverse("identity:token_revoke", args=[issued.token.pk]))
    assert response["Location"] == reverse("identity:user_detail", args=[staff_a.pk])
    issued.token.refresh_from_db()
    assert issued.token.revoked is not None


# --- changing my password -------------------------------------------------------------------


def test_given_the_right_current_password_when_changing_then_the_session_stays_signed_in(
    client_for, staff_a
):
    client = client_for(staff_a)
    assert client.get(reverse("identity:password_change")).status_code == 200
    response = client.post(
        reverse("identity:password_change"),
        {"old_password": PASSWORD, "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("identity:account")
    assert client.get(reverse("identity:account")).status_code == 200
    staff_a.refresh_from_db()
    assert staff_a.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"old_password": "wrong", "password": NEW_PASSWORD}, "old_password"),
        ({"old_password": PASSWORD, "password": "12345"}, "password"),
    ],
    ids=["wrong-current", "weak"],
)
def test_given_bad_input_when_changing_the_password_then_the_error_shows_and_it_is_unchanged(
    client_for, staff_a, data, field
):
    data = {**data, "password_repeat": data["password"]}
    response = client_for(staff_a).post(reverse("identity:password_change"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    staff_a.refresh_from_db()
    assert staff_a.check_password(PASSWORD)


def test_given_anonymous_when_changing_a_password_then_login_is_asked(client):
    _assert_redirects_to_login(client.post(reverse("identity:password_change"), {}))


@pytest.mark.parametrize(
    "language, title",
    [("zh-hans", "潍坊市政务数据共享平台"), ("en", "潍坊市 government data sharing platform")],
)
def test_the_platform_is_named_after_its_node_in_either_language(client, settings, language, title):
    settings.GOVSHARE_NODE_NAME = "潍坊市"
    page = client.get(reverse("identity:login"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert title in page


def test_given_a_created_token_when_the_form_is_sent_again_then_nothing_more_is_made(
    client_for, staff_a
):
    # given a token made through the account page, and the exact POST kept (a reload, Back)
    client = client_for(staff_a)
    page = client.get(reverse("identity:account")).content.decode()
    sent = {"name": "报表脚本", "form_token": FORM_TOKEN_INPUT.search(page).group(1)}
    assert client.post(reverse("identity:token_create"), sent).status_code == 200

    # when it is sent again, or without its token
    again = client.post(reverse("identity:token_create"), sent, HTTP_ACCEPT_LANGUAGE="en")
    bare = client.post(reverse("identity:token_create"), {"name": "x"})

    # then both are refused back to the account page with a reason, and one token exists
    assert again.status_code == bare.status_code == 302
    assert again["Location"] == reverse("identity:account")
    shown = [str(m) for m in get_messages(again.wsgi_request)]
    assert any("already sent" in m for m in shown)
    assert ApiToken.objects.filter(user=staff_a).count() == 1


def test_given_a_form_error_when_corrected_then_the_same_form_token_makes_the_token(
    client_for, staff_a
):
    client = client_for(staff_a)
    response = create_token(client, name="")
    assert response.status_code == 400
    form_token = FORM_TOKEN_INPUT.search(response.content.decode()).group(1)
    fixed = {"name": "报表脚本", "form_token": form_token}
    assert client.post(reverse("identity:token_create"), fixed).status_code == 200
    assert ApiToken.objects.filter(user=staff_a).count() == 1


def test_a_user_name_with_a_space_and_a_mark_is_refused_beside_the_field(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("identity:user_create"), _new_user_post(username="a b!")
    )

    assert "username" in response.context["form"].errors  # the form page again
    assert not User.objects.filter(username="a b!").exists()
