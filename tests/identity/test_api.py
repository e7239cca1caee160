"""The identity REST API: token and session authentication, /me, and personal tokens."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from govshare.core.crypto import sm3_hex
from govshare.core.models import AuditEvent
from govshare.identity.models import ApiToken
from govshare.identity.services import token_create, token_revoke
from tests.api_client import API, api_client, assert_error_body, bearer_client, send, token_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


# --- authentication -------------------------------------------------------------------------


def test_token_authenticates_and_me_describes_the_user(officer_a, dept_a):
    # given a token of the data officer
    client = api_client(officer_a)

    # when they ask who they are
    body = client.get(f"{API}/me").json()

    # then they see themselves, their membership and their active department
    assert body["user"]["username"] == "officer_a"
    assert body["roles"] == []
    assert body["memberships"] == [
        {"department_id": dept_a.pk, "department_name": "公安局", "role": "data_officer"}
    ]
    assert body["active_department"] == {"id": dept_a.pk, "name": "公安局"}


def test_me_lists_node_wide_roles(admin_user):
    assert api_client(admin_user).get(f"{API}/me").json()["roles"] == ["platform_admin"]


def test_revoked_token_is_401(officer_a):
    issued = token_create(actor=officer_a, name="t")
    token_revoke(actor=officer_a, token=issued.token)

    response = bearer_client(issued.plaintext).get(f"{API}/me")

    assert assert_error_body(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_401(officer_a):
    issued = token_create(actor=officer_a, name="t")
    past = timezone.now() - dt.timedelta(seconds=1)
    ApiToken.objects.filter(pk=issued.token.pk).update(expires=past)

    assert_error_body(bearer_client(issued.plaintext).get(f"{API}/me"), 401)


def test_token_of_a_disabled_user_is_401(officer_a):
    token = token_for(officer_a)
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])

    assert_error_body(bearer_client(token).get(f"{API}/me"), 401)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer garbage",
        "Bearer gs_",
        "Bearer gs_nokey",
        "Bearer gs_AAAAAAAA_wrongsecret",
        "Bearer " + "gs_" + "x" * 5000,
        "Bearer",
        "Basic b2ZmaWNlcl9hOnB3",
        "gs_AAAAAAAA_secret",
        "Bearer gs_AA\x00AA_secret",
        "Bearer gs_密钥_secret",
    ],
)
def test_garbage_authorization_is_401(officer_a, header):
    token_for(officer_a)  # a real token exists; none of these is it

    response = Client(headers={"Authorization": header}).get(f"{API}/me")

    assert_error_body(response, 401)


def test_token_with_a_wrong_secret_is_401(officer_a):
    real = token_for(officer_a)
    forged = real[: len("gs_12345678_")] + "A" * 43

    assert_error_body(bearer_client(forged).get(f"{API}/me"), 401)


def test_a_bad_token_is_not_rescued_by_the_session(client_for, officer_a):
    # given a signed-in browser that also sends a bad token
    client = client_for(officer_a)

    # when it calls the API
    response = client.get(f"{API}/me", HTTP_AUTHORIZATION="Bearer gs_bad_token")

    # then the presented credential is judged: refused
    assert_error_body(response, 401)


def test_session_authenticates(client_for, staff_a):
    response = client_for(staff_a).get(f"{API}/me")

    assert response.status_code == 200 and response.json()["user"]["username"] == "staff_a"


def test_session_write_needs_the_csrf_token(staff_a):
    # given a signed-in browser that enforces CSRF
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=staff_a.username, password=PASSWORD)

    # when it posts without the CSRF token, then with it (cookie and header carry one secret)
    refused = send(client, "POST", f"{API}/me/tokens", {"name": "browser"})
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    accepted = client.post(
        f"{API}/me/tokens",
        {"name": "browser"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=secret,
    )

    # then only the second is accepted, and the first created nothing
    assert assert_error_body(refused, 403)["code"] == "csrf_failed"
    assert accepted.status_code == 201
    assert ApiToken.objects.filter(user=staff_a).count() == 1


def test_anonymous_write_is_401_not_a_csrf_error():
    response = send(Client(enforce_csrf_checks=True), "POST", f"{API}/me/tokens", {"name": "x"})

    assert assert_error_body(response, 401)["code"] == "not_authenticated"


# --- tokens ---------------------------------------------------------------------------------


def test_token_plaintext_appears_only_in_the_post_response(staff_a):
    # given a user with an API client
    client = api_client(staff_a)

    # when they issue a token and then list their tokens
    created = send(client, "POST", f"{API}/me/tokens", {"name": "ci"})
    plaintext = created.json()["token"]
    listing = client.get(f"{API}/me/tokens")

    # then the token is in the POST response only; stored is the SM3 hash of its secret
    assert created.status_code == 201 and plaintext.startswith(created.json()["prefix"])
    assert created["Cache-Control"] == "no-store"
    assert plaintext not in listing.content.decode()
    assert all("token" not in item for item in listing.json())
    stored = ApiToken.objects.get(pk=created.json()["id"])
    secret = plaintext.removeprefix(created.json()["prefix"])  # the secret may contain "_"
    assert stored.token_hash != plaintext and stored.token_hash == sm3_hex(secret)
    assert secret not in json.dumps(list(AuditEvent.objects.values("before", "after")))
    # and it works as a credential
    assert bearer_client(plaintext).get(f"{API}/me").json()["user"]["username"] == "staff_a"


def test_my_tokens_lists_only_my_own(admin_user, staff_a):
    token_for(staff_a, name="staff's")

    names = [t["name"] for t in api_client(admin_user).get(f"{API}/me/tokens").json()]

    assert names == ["test"]  # the admin's own client token, not the staff member's


def test_token_expiry_must_be_in_the_future(staff_a):
    body = {"name": "old", "expires": "2000-01-01T00:00:00+08:00"}

    response = send(api_client(staff_a), "POST", f"{API}/me/tokens", body)

    # the clock, not the input, makes it wrong: a conflict (issue #11 item 7)
    assert list(assert_error_body(response, 409)["fields"]) == ["expires"]


def test_token_expiry_without_offset_is_node_local_time(staff_a):
    body = {"name": "later", "expires": "2099-01-01T08:00:00"}

    response = send(api_client(staff_a), "POST", f"{API}/me/tokens", body)

    assert response.status_code == 201
    expires = ApiToken.objects.get(pk=response.json()["id"]).expires
    assert expires == dt.datetime(2099, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "who, status",
    [(None, 401), ("officer_b", 404), ("admin_user", 404), ("staff_a", 204)],
)
def test_revoke_token_permission_matrix(request, who, status, staff_a):
    # given a token of staff_a
    issued = token_create(actor=staff_a, name="to revoke")
    client = api_client(request.getfixturevalue(who) if who else None)

    # when someone revokes it through /me/tokens
    response = client.delete(f"{API}/me/tokens/{issued.token.pk}")

    # then only its owner can; for anyone else it does not exist and stays usable
    issued.token.refresh_from_db()
    assert response.status_code == status, response.content
    if status == 204:
        assert issued.token.revoked is not None
        assert_error_body(bearer_client(issued.plaintext).get(f"{API}/me"), 401)
    else:
        assert_error_body(response, status)
        assert issued.token.revoked is None


def test_an_expiry_that_cannot_be_stored_is_a_422_not_a_500(staff_a):
    from tests.api_client import api_client

    client = api_client(staff_a)
    response = client.post(
        "/api/v1/me/tokens",
        {"name": "t", "expires": "9999-12-31T23:59:59-12:00"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["fields"]
