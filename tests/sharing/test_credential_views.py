"""The credentials page: create a key and secret (shown once), rotate (shown once), edit the IP
allow-list, revoke; and how to call the gateway. Create and rotate carry a one-time form token, so
that a reload or a resubmission does not issue or rotate again."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from govshare.core.crypto import sm3_hex
from govshare.core.roles import Role
from govshare.core.web import form_tokens
from govshare.orgs.models import Membership
from govshare.sharing.models import AppCredential
from govshare.sharing.services.credentials import credential_create
from tests.factories import member
from tests.sharing.factories import application_of

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("identity:login")
LIST_URL = reverse("sharing:credential_list")
CREATE_URL = reverse("sharing:credential_create")


@pytest.fixture
def application(dept_b):
    return application_of(dept_b, name="社保经办系统")


@pytest.fixture
def issued(officer_b, application):
    return credential_create(actor=officer_b, application=application, name="生产环境")


EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
FORM_TOKEN_INPUT = re.compile(r'<input type="hidden" name="form_token" value="([^"]*)">')
REPLAY_MESSAGE = "This form was already sent, so it was not carried out again"


def url(credential, name: str) -> str:
    return reverse(f"sharing:credential_{name}", args=[credential.pk])


def form_token(response) -> str:
    """The one-time token the page's create form and rotate buttons carry, read off the HTML as a
    browser sends it."""
    tokens = set(FORM_TOKEN_INPUT.findall(response.content.decode()))
    assert len(tokens) == 1 and "" not in tokens, tokens
    return tokens.pop()


def fresh_token(client) -> str:
    return form_token(client.get(LIST_URL))


def was_refused_as_replay(response) -> bool:
    sent = [str(message) for message in get_messages(response.wsgi_request)]
    return (
        response.status_code == 302
        and response["Location"] == LIST_URL
        and any(REPLAY_MESSAGE in text for text in sent)
    )


# --- creating, and the secret shown once ----------------------------------------------------


def test_a_new_credentials_secret_is_shown_once_and_not_on_reload(
    client_for, officer_b, application
):
    client = client_for(officer_b)
    response = client.post(
        CREATE_URL,
        {
            "application": application.pk,
            "name": "生产环境",
            "ip_allowlist": "10.0.0.0/8",
            "form_token": fresh_token(client),
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    secret = response.context["issued"].secret
    credential = AppCredential.objects.get()
    assert credential.secret_hash == sm3_hex(secret) and secret not in credential.secret_hash
    page = response.content.decode()
    assert secret in page and credential.app_key in page
    assert 'data-copy-target="#gs-issued-plaintext"' in page
    # Reloading the list never shows the secret again
    again = client.get(LIST_URL).content.decode()
    assert secret not in again and credential.app_key in again
    assert "/gw/token" in again


def test_the_list_groups_credentials_under_each_application(
    client_for, officer_b, application, issued
):
    response = client_for(officer_b).get(LIST_URL)
    assert response.context["applications"] == [(application, [issued.credential])]
    assert issued.secret not in response.content.decode()


def test_the_create_page_preselects_the_application(client_for, officer_b, application):
    response = client_for(officer_b).get(CREATE_URL, {"application": application.pk})
    assert response.status_code == 200
    assert response.context["form"]["application"].value() == application.pk


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"ip_allowlist": "not-an-ip"}, "ip_allowlist"),
        ({"ip_allowlist": "\n".join(f"10.0.0.{n}" for n in range(60))}, "ip_allowlist"),
        ({"application": "999999"}, "application"),
        ({"application": "abc"}, "application"),
    ],
)
def test_malformed_creation_names_the_field_and_issues_nothing(
    client_for, officer_b, application, data, field
):
    client = client_for(officer_b)
    post = {
        "application": application.pk,
        "name": "生产环境",
        "ip_allowlist": "",
        "form_token": fresh_token(client),
        **data,
    }
    response = client.post(CREATE_URL, post)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert response.context["issued"] is None
    assert not AppCredential.objects.exists()


def test_another_departments_application_is_not_offered(client_for, officer_a, application):
    client = client_for(officer_a)
    response = client.post(
        CREATE_URL,
        {"application": application.pk, "name": "借用", "form_token": fresh_token(client)},
    )
    assert response.status_code == 400
    assert "application" in response.context["form"].errors
    assert not AppCredential.objects.exists()


# --- rotating, the allow-list and revoking --------------------------------------------------


def test_rotation_shows_the_new_secret_once(client_for, officer_b, issued):
    client = client_for(officer_b)
    response = client.post(url(issued.credential, "rotate"), {"form_token": fresh_token(client)})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    secret = response.context["issued"].secret
    assert secret != issued.secret and secret in response.content.decode()
    credential = AppCredential.objects.get()
    assert credential.generation == 2 and credential.secret_hash == sm3_hex(secret)
    assert secret not in client.get(LIST_URL).content.decode()


def test_the_allow_list_is_edited_and_checked(client_for, officer_b, issued):
    client = client_for(officer_b)
    target = url(issued.credential, "allowlist")
    assert client.get(target).status_code == 200
    response = client.post(target, {"ip_allowlist": "300.1.1.1"})
    assert response.status_code == 400 and "ip_allowlist" in response.context["form"].errors
    assert client.post(target, {"ip_allowlist": "192.168.1.0/24\n10.1.1.1"}).status_code == 302
    issued.credential.refresh_from_db()
    assert issued.credential.ip_allowlist == "192.168.1.0/24\n10.1.1.1/32"


def test_revoking_ends_the_credential_and_its_actions(client_for, officer_b, issued):
    client = client_for(officer_b)
    assert client.post(url(issued.credential, "revoke")).status_code == 302
    issued.credential.refresh_from_db()
    assert issued.credential.revoked is not None
    # A second revoke or a rotation of a revoked credential is refused with a message
    assert client.post(url(issued.credential, "revoke")).status_code == 302
    rotate = client.post(url(issued.credential, "rotate"), {"form_token": fresh_token(client)})
    assert rotate.status_code == 302 and not was_refused_as_replay(rotate)
    issued.credential.refresh_from_db()
    assert issued.credential.generation == 1


# --- a reload or a resubmission does not issue or rotate again -------------------------------


def test_replaying_a_create_post_creates_nothing_more(client_for, officer_b, application):
    # given a credential created from the list page's form
    client = client_for(officer_b)
    post = {"application": application.pk, "name": "生产环境", "form_token": fresh_token(client)}
    first = client.post(CREATE_URL, post)
    assert first.status_code == 200
    secret = first.context["issued"].secret

    # when the same POST is sent again (reload of the secret page, or Back and resubmit)
    again = client.post(CREATE_URL, post, **EN)

    # then nothing more is created, and the list answers with why, without any secret
    assert was_refused_as_replay(again)
    assert AppCredential.objects.count() == 1
    assert AppCredential.objects.get().secret_hash == sm3_hex(secret)
    assert secret not in client.get(LIST_URL).content.decode()


def test_replaying_a_rotate_post_rotates_nothing(client_for, officer_b, issued):
    # given a secret just rotated, shown once and copied
    client = client_for(officer_b)
    post = {"form_token": fresh_token(client)}
    first = client.post(url(issued.credential, "rotate"), post)
    assert first.status_code == 200
    copied = first.context["issued"].secret

    # when the same POST is sent again
    again = client.post(url(issued.credential, "rotate"), post, **EN)

    # then nothing is rotated: the secret copied still verifies
    assert was_refused_as_replay(again)
    issued.credential.refresh_from_db()
    assert issued.credential.generation == 2
    assert issued.credential.secret_hash == sm3_hex(copied)


def test_a_post_without_a_form_token_is_refused_the_same_way(
    client_for, officer_b, application, issued
):
    # given an officer whose list page has handed out a token
    client = client_for(officer_b)
    fresh_token(client)

    # when a create and a rotate are sent without it, or with one never handed out
    create = {"application": application.pk, "name": "另一个"}
    refused = [
        client.post(CREATE_URL, create, **EN),
        client.post(CREATE_URL, {**create, "form_token": "made-up"}, **EN),
        client.post(url(issued.credential, "rotate"), **EN),
        client.post(url(issued.credential, "rotate"), {"form_token": "made-up"}, **EN),
    ]

    # then each is refused as a replay and nothing changed
    assert all(was_refused_as_replay(response) for response in refused)
    assert AppCredential.objects.count() == 1
    issued.credential.refresh_from_db()
    assert issued.credential.generation == 1
    assert issued.credential.secret_hash == sm3_hex(issued.secret)


def test_a_form_error_then_a_corrected_submit_issues_once(client_for, officer_b, application):
    # given a form sent with an error
    client = client_for(officer_b)
    wrong = {"application": application.pk, "name": "", "form_token": fresh_token(client)}
    rejected = client.post(CREATE_URL, wrong)
    assert rejected.status_code == 400 and "name" in rejected.context["form"].errors

    # when the page with the errors is reloaded, then the corrected form is sent with its token
    reloaded = client.post(CREATE_URL, wrong)
    corrected = {**wrong, "name": "生产环境", "form_token": form_token(reloaded)}
    created = client.post(CREATE_URL, corrected)

    # then the reload shows the same errors (nothing was carried out, so no replay), the
    # correction issues one credential, and sending the correction again issues no other
    assert reloaded.status_code == 400 and "name" in reloaded.context["form"].errors
    assert created.status_code == 200 and created.context["issued"] is not None
    assert was_refused_as_replay(client.post(CREATE_URL, corrected, **EN))
    assert AppCredential.objects.count() == 1


def test_the_session_keeps_a_few_tokens_and_never_the_secret(
    client_for, officer_b, application, monkeypatch
):
    # given a session that may keep three pending tokens
    monkeypatch.setattr(form_tokens, "MAX_PENDING", 3)
    client = client_for(officer_b)
    oldest = fresh_token(client)

    # when three more pages are opened, and a credential is made from the newest
    newest = [fresh_token(client) for _ in range(3)][-1]
    post = {"application": application.pk, "name": "生产环境", "form_token": newest}
    secret = client.post(CREATE_URL, post).context["issued"].secret

    # then the session holds at most three tokens, the oldest was dropped (refused like a
    # replay), and neither the session nor the messages hold the secret
    pending = client.session[form_tokens.SESSION_KEY]
    assert len(pending) <= 3 and newest not in pending and oldest not in pending
    session = json.dumps(dict(client.session.items()), default=str)
    assert secret not in session and sm3_hex(secret) not in session
    refused = client.post(CREATE_URL, {**post, "form_token": oldest}, **EN)
    assert was_refused_as_replay(refused)
    assert AppCredential.objects.count() == 1


# --- the permission matrix ------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, issued):
    for target in (LIST_URL, CREATE_URL, url(issued.credential, "allowlist")):
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def test_another_departments_officer_neither_sees_nor_touches_them(client_for, officer_a, issued):
    client = client_for(officer_a)
    assert issued.credential.app_key not in client.get(LIST_URL).content.decode()
    assert client.post(url(issued.credential, "rotate")).status_code == 404
    assert client.post(url(issued.credential, "revoke")).status_code == 404
    assert client.get(url(issued.credential, "allowlist")).status_code == 404
    issued.credential.refresh_from_db()
    assert issued.credential.generation == 1 and issued.credential.revoked is None


def test_staff_read_but_do_not_manage(client_for, dept_b, issued):
    staff_b = member(dept_b, Role.STAFF, username="staff_b")
    client = client_for(staff_b)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert response.context["may_manage"] is False and response.context["form"] is None
    assert issued.credential.app_key in response.content.decode()
    assert 'name="form_token"' not in response.content.decode()
    assert form_tokens.SESSION_KEY not in client.session
    assert client.get(CREATE_URL).status_code == 403
    assert client.post(url(issued.credential, "rotate")).status_code == 403
    assert client.post(url(issued.credential, "revoke")).status_code == 403
    issued.credential.refresh_from_db()
    assert issued.credential.generation == 1 and issued.credential.revoked is None


def test_an_administrator_is_offered_no_new_credential_nor_new_request(
    client_for, admin_user, authority
):
    # given an administrator who is also staff of a department that has an application, as in
    # the demo (credentials are issued by a department's own data officer: not an admin)
    Membership.objects.create(user=admin_user, department=authority, role=Role.STAFF)
    application_of(authority, name="数据共享交换平台")
    client = client_for(admin_user)

    # when the credentials page and the home page open
    page = client.get(LIST_URL)
    home = client.get(reverse("core:home")).content.decode()

    # then neither offers what would answer 403: no "new credential", no "new request"
    assert page.status_code == 200 and page.context["may_manage"]
    assert CREATE_URL not in page.content.decode() and page.context["form"] is None
    assert client.get(CREATE_URL).status_code == 403
    assert reverse("sharing:request_create") not in home
    assert client.get(reverse("sharing:request_create")).status_code == 403
