"""Helpers for API tests: a client that calls /api/v1/ with a personal token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from govshare.identity.services import token_create

API = "/api/v1"


def token_for(user: Any, name: str = "test") -> str:
    return token_create(actor=user, name=name).plaintext


def bearer_client(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def api_client(user: Any | None) -> Client:
    """A client authenticated with a fresh token of ``user``, or anonymous for None."""
    return Client() if user is None else bearer_client(token_for(user))


def send(client: Client, method: str, path: str, body: Any = None) -> Any:
    """Call ``method path``; a str body is sent as is, anything else as JSON."""
    call = getattr(client, method.lower())
    if method.upper() in {"GET", "DELETE"} and body is None:
        return call(path)
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return call(path, data, content_type="application/json")


def assert_error_body(response: Any, status: int | None = None) -> dict[str, Any]:
    """The response is a 4xx carrying ``{"code", "message", "fields"}``; returns the body."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if status is not None:
        assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    assert all(isinstance(msgs, list) for msgs in body["fields"].values()), body
    return body
