"""Signing in as a browser does, for the tests of the sign-in throttle: each test Client is a
browser of its own (it keeps its cookies) at the address given as REMOTE_ADDR."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

LOGIN_URL = reverse("identity:login")
OWNER_DESK = "10.20.0.7"
GUESSER = "10.66.0.1"
WRONG = "not-the-password"


def attempt(client: Client, username: str, password: str, address: str, **headers: str):
    return client.post(
        LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def is_signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def refusal(response) -> tuple[str, str]:
    """The code and the text of the sign-in page's error."""
    assert response.status_code == 200, response
    [error] = response.context["form"].non_field_errors().as_data()
    return error.code, " ".join(error.messages)


def fail_times(username: str, address: str, times: int) -> None:
    guesser = Client()
    for _ in range(times):
        assert refusal(attempt(guesser, username, WRONG, address))[0] == "invalid_login"


def guard_by_a_distributed_guess(username: str = "admin") -> None:
    """Five failures for ``username`` (the account limit of ``sign_in_limits``), one from each of
    five addresses: no pair is locked, the account is guarded."""
    for host in range(5):
        fail_times(username, f"10.99.0.{host + 1}", 1)
