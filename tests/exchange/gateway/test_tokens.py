"""Tokens of the gateway: issued for a right key and secret, refused after expiry, rotation,
revocation, and from addresses outside the allow-list."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from govshare.core.config import param_set
from govshare.core.crypto import sm3_hex
from govshare.exchange.gateway import tokens
from govshare.exchange.gateway.errors import GatewayError
from tests.exchange.gateway.factories import grant

ZHANG = "370702199001011234"


def query(gw, world, token, **headers):
    return gw.call(
        "GET", f"/gw/resources/{world.ref}/query", token, params={"GMSFHM": ZHANG}, headers=headers
    )


# --- the token format -----------------------------------------------------------------------


def test_a_token_carries_credential_generation_and_expiry_under_an_sm3_mac(settings):
    token = tokens.issue(7, 3, 60, now=1_000_000)
    claims = tokens.parse(token, now=1_000_010)
    assert (claims.credential_id, claims.generation, claims.expires) == (7, 3, 1_000_060)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace("v1.7.", "v1.8.", 1),  # another credential
        lambda t: t.replace(".3.", ".4.", 1),  # another generation
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # another MAC
        lambda t: t + "x",
        lambda t: "",
        lambda t: "Bearer " + t,
    ],
)
def test_a_tampered_token_is_refused(tamper):
    token = tokens.issue(7, 3, 60, now=1_000_000)
    with pytest.raises(GatewayError) as refused:
        tokens.parse(tamper(token), now=1_000_010)
    assert refused.value.code == "token_invalid"


def test_a_token_checked_before_is_still_refused_once_it_expires():
    token = tokens.issue(7, 3, 60, now=1_000_000)
    assert tokens.parse(token, now=1_000_010).credential_id == 7  # checked, and remembered
    with pytest.raises(GatewayError) as refused:
        tokens.parse(token, now=1_000_060)
    assert refused.value.code == "token_expired"


def test_a_token_signed_under_another_secret_key_is_refused(settings):
    token = tokens.issue(7, 3, 60)
    settings.SECRET_KEY = "another-node-secret-key-0123456789-abcdefghijklmnop"
    with pytest.raises(GatewayError) as refused:
        tokens.parse(token)
    assert refused.value.code == "token_invalid"


def test_an_expired_token_is_refused():
    token = tokens.issue(7, 3, 60, now=1_000_000)
    with pytest.raises(GatewayError) as refused:
        tokens.parse(token, now=1_000_060)
    assert refused.value.code == "token_expired"


# --- the token endpoint ---------------------------------------------------------------------


def test_key_and_secret_give_a_bearer_token_for_the_configured_lifetime(world, gw, admin_user):
    # given a token lifetime of 5 minutes
    param_set(actor=admin_user, key="sharing.token_minutes", value=5)
    gw.refresh()

    # when the application asks with its key and secret (as a form, as JSON)
    form = gw.client.post(
        "/gw/token", data={"app_key": world.credential.app_key, "app_secret": world.secret}
    )
    as_json = gw.client.post(
        "/gw/token", json={"app_key": world.credential.app_key, "app_secret": world.secret}
    )

    # then it gets a bearer token that lives 300 s
    for response in (form, as_json):
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 300
        claims = tokens.parse(body["access_token"])
        assert claims.credential_id == world.credential.pk
        assert 295 <= claims.expires - time.time() <= 300


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"app_key": "nobody", "app_secret": "x"}, 401, "bad_credentials"),
        ({"app_key": "<key>", "app_secret": "wrong"}, 401, "bad_credentials"),
        ({"app_key": "<key>"}, 422, "invalid"),
        ({"app_key": "<key>", "app_secret": "<secret>", "scope": "all"}, 422, "unknown_parameter"),
    ],
)
def test_wrong_or_incomplete_credentials_get_no_token(world, gw, body, status, code):
    body = {
        name: value.replace("<key>", world.credential.app_key).replace("<secret>", world.secret)
        for name, value in body.items()
    }
    response = gw.client.post("/gw/token", json=body)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert "access_token" not in response.text


def test_an_expired_token_is_answered_401(world, gw):
    grant(world, ["GMSFHM", "XM"])
    gw.refresh()
    expired = tokens.issue(world.credential.pk, world.credential.generation, -1)
    response = query(gw, world, expired)
    assert response.status_code == 401 and response.json()["code"] == "token_expired"


def test_a_call_without_a_token_is_401_with_a_bearer_challenge(world, gw):
    grant(world, ["GMSFHM", "XM"])
    response = query(gw, world, None)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.headers["www-authenticate"] == "Bearer"


def test_rotation_ends_every_older_token(world, gw):
    # given a working token
    grant(world, ["GMSFHM", "XM"])
    gw.refresh()
    old_token = gw.token(world)
    assert query(gw, world, old_token).status_code == 200

    # when the secret is rotated (new secret, generation bumped)
    world.credential.generation += 1
    world.credential.secret_hash = sm3_hex("a-brand-new-secret-000000")
    world.credential.rotated = timezone.now()
    world.credential.save()
    gw.refresh()

    # then the old token and the old secret are refused, the new secret works
    refused = query(gw, world, old_token)
    assert refused.status_code == 401 and refused.json()["code"] == "token_invalid"
    world.secret = "a-brand-new-secret-000000"
    assert query(gw, world, gw.token(world)).status_code == 200


def test_revocation_ends_tokens_and_refuses_new_ones(world, gw):
    grant(world, ["GMSFHM", "XM"])
    gw.refresh()
    token = gw.token(world)
    world.credential.revoked = timezone.now()
    world.credential.save()
    gw.refresh()

    response = query(gw, world, token)
    assert response.status_code == 401 and response.json()["code"] == "credential_revoked"
    again = gw.client.post(
        "/gw/token", json={"app_key": world.credential.app_key, "app_secret": world.secret}
    )
    assert again.status_code == 401 and again.json()["code"] == "credential_revoked"


@pytest.mark.parametrize(
    "allowlist, allowed",
    [
        ("", True),
        ("127.0.0.1", True),
        ("10.0.0.0/8\n127.0.0.0/24", True),
        ("10.0.0.0/8", False),
        ("192.168.1.5\n# a comment\n::1", False),
        ("not-an-address", False),  # a bad line widens nothing
    ],
)
def test_the_ip_allowlist_is_checked_for_tokens_and_calls(world, gw, allowlist, allowed):
    # the test client calls from 127.0.0.1; a token is issued before the list changes
    grant(world, ["GMSFHM", "XM"])
    gw.refresh()
    token = gw.token(world)
    world.credential.ip_allowlist = allowlist
    world.credential.save()
    gw.refresh()

    response = query(gw, world, token)
    issued = gw.client.post(
        "/gw/token", json={"app_key": world.credential.app_key, "app_secret": world.secret}
    )
    if allowed:
        assert response.status_code == 200 and issued.status_code == 200
    else:
        assert response.status_code == 403 and response.json()["code"] == "ip_not_allowed"
        assert issued.status_code == 403 and issued.json()["code"] == "ip_not_allowed"
