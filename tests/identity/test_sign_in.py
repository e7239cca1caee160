"""The sign-in throttle through the sign-in page (issue #11 item 5): failures count per user name
and address, per address, and per user name from everywhere, so no lock is an easy denial of
service. Each client is a browser of its own (a test Client keeps its cookies) at an address of
its own (REMOTE_ADDR)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govshare.core.models import AuditEvent
from govshare.identity.models import LoginThrottle
from tests.factories import PASSWORD, UserFactory
from tests.identity.signing_in import (
    GUESSER,
    OWNER_DESK,
    WRONG,
    attempt,
    fail_times,
    guard_by_a_distributed_guess,
    is_signed_in,
    refusal,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sign_in_limits")]


@pytest.fixture
def owner(db):
    return UserFactory(username="admin", email="admin@dsj.example.cn")


# --- one user name from one address -----------------------------------------------------------


def test_given_a_guesser_locked_out_when_the_owner_signs_in_from_elsewhere_then_they_are_in(
    owner,
):
    # Given a guesser who failed as often as the limit allows from his address,
    fail_times("admin", GUESSER, 3)
    # when the owner signs in with the right password from their own desk, a new browser,
    response = attempt(Client(), "admin", PASSWORD, OWNER_DESK)
    # then they are in: the guesser locked himself only.
    assert is_signed_in(response)


def test_given_a_locked_pair_when_signing_in_from_that_address_then_even_the_right_password_is_refused_alike(  # noqa: E501
    owner,
):
    fail_times("admin", GUESSER, 3)
    right = refusal(attempt(Client(), "admin", PASSWORD, GUESSER))
    wrong = refusal(attempt(Client(), "admin", WRONG, GUESSER))
    # The same answer either way: the lock tells a guesser nothing about the password.
    assert right == wrong
    assert right[0] == "locked"
    lock = AuditEvent.objects.get(action="identity.login.locked")
    assert lock.after["scope"] == "pair" and lock.after["address"] == GUESSER
    assert lock.ip == GUESSER


def test_given_a_lock_that_ran_out_when_the_right_password_comes_then_the_pair_count_is_cleared(
    owner,
):
    fail_times("admin", GUESSER, 3)
    LoginThrottle.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert is_signed_in(attempt(Client(), "admin", PASSWORD, GUESSER))
    assert not LoginThrottle.objects.filter(scope="pair").exists()
    # A sprayer's own sign-in wipes neither what his address nor what the account counted.
    assert LoginThrottle.objects.filter(scope="address", address=GUESSER).exists()


def test_given_failures_long_ago_when_more_come_then_the_old_ones_are_forgotten(owner):
    fail_times("admin", GUESSER, 2)
    quiet = timezone.now() - dt.timedelta(minutes=16)  # longer than the 15-minute lock
    LoginThrottle.objects.update(last_failure=quiet)
    fail_times("admin", GUESSER, 2)
    assert is_signed_in(attempt(Client(), "admin", PASSWORD, GUESSER))


# --- one address across user names (password spraying) -----------------------------------------


def test_given_an_address_spraying_many_user_names_when_it_tries_again_then_it_is_blocked(owner):
    # Given one wrong password tried for six user names from one address,
    for number in range(6):
        fail_times(f"user{number}", GUESSER, 1)
    # then that address is blocked, for the real owner's right password too (nothing is learnt),
    code, _text = refusal(attempt(Client(), "admin", PASSWORD, GUESSER))
    assert code == "address_blocked"
    block = AuditEvent.objects.get(action="identity.login.address_blocked")
    assert block.after["address"] == GUESSER
    # while every other address signs in as usual.
    assert is_signed_in(attempt(Client(), "admin", PASSWORD, OWNER_DESK))


def test_given_an_ipv6_sprayer_when_it_changes_address_within_its_64_then_it_is_still_blocked(
    owner,
):
    for number in range(6):
        fail_times(f"user{number}", f"2001:db8:1:2::{number + 1:x}", 1)
    code, _text = refusal(attempt(Client(), "admin", PASSWORD, "2001:db8:1:2:ffff::9"))
    assert code == "address_blocked"
    assert LoginThrottle.objects.get(scope="address").address == "2001:db8:1:2::/64"
    assert is_signed_in(attempt(Client(), "admin", PASSWORD, "2001:db8:1:3::1"))


# --- one user name from many addresses (a distributed guess) -------------------------------------


def test_given_a_distributed_guess_then_the_account_is_guarded_not_locked(owner):
    guard_by_a_distributed_guess()
    guard = AuditEvent.objects.get(action="identity.login.guarded")
    assert guard.after["username"] == "admin" and guard.after["scope"] == "account"
    assert not AuditEvent.objects.filter(action="identity.login.locked").exists()


def test_given_a_guarded_account_and_no_mail_when_an_unknown_browser_signs_in_then_it_is_refused_alike(  # noqa: E501
    owner,
):
    guard_by_a_distributed_guess()
    # The right and a wrong password get the same answer: a second check is needed.
    right = refusal(attempt(Client(), "admin", PASSWORD, OWNER_DESK))
    wrong = refusal(attempt(Client(), "admin", WRONG, "10.20.0.8"))
    assert right == wrong
    assert right[0] == "second_check"


def test_given_a_guarded_account_when_a_known_browser_signs_in_then_it_is_in(owner):
    # Given the owner's browser, which signed in to the account before,
    desk = Client()
    assert is_signed_in(attempt(desk, "admin", PASSWORD, OWNER_DESK))
    desk.post(reverse("identity:logout"))
    # and a distributed guess afterwards,
    guard_by_a_distributed_guess()
    # when the owner signs in from that browser, even at another address, they are in:
    # the browser is their second check.
    assert is_signed_in(attempt(desk, "admin", PASSWORD, "10.20.0.99"))


def test_given_a_guarded_account_when_the_right_password_is_tried_repeatedly_then_it_locks_like_a_wrong_one(  # noqa: E501
    owner,
):
    # Were only wrong passwords counted during a guard, a guesser would recognise the right one
    # by its never locking his address.
    guard_by_a_distributed_guess()
    guesser = Client()
    answers = [refusal(attempt(guesser, "admin", PASSWORD, GUESSER))[0] for _ in range(4)]
    assert answers == ["second_check", "second_check", "second_check", "locked"]


def test_given_a_known_browser_at_a_blocked_address_when_it_signs_in_then_it_is_in(owner):
    # Colleagues behind one NAT address: one sprays, the owner's known browser still signs in.
    desk = Client()
    assert is_signed_in(attempt(desk, "admin", PASSWORD, GUESSER))
    desk.post(reverse("identity:logout"))
    fail_times("admin", GUESSER, 3)  # locks admin at that address
    for number in range(3):
        fail_times(f"user{number}", GUESSER, 1)  # six in all: the address is blocked
    assert refusal(attempt(Client(), "admin", PASSWORD, GUESSER))[0] == "address_blocked"
    assert is_signed_in(attempt(desk, "admin", PASSWORD, GUESSER))


def test_given_a_known_browser_when_it_fails_too_often_then_only_that_browser_is_locked(owner):
    desk = Client()
    assert is_signed_in(attempt(desk, "admin", PASSWORD, OWNER_DESK))
    desk.post(reverse("identity:logout"))
    for _ in range(3):
        assert refusal(attempt(desk, "admin", WRONG, OWNER_DESK))[0] == "invalid_login"
    assert refusal(attempt(desk, "admin", PASSWORD, OWNER_DESK))[0] == "locked"
    assert AuditEvent.objects.get(action="identity.login.locked").after["scope"] == "browser"
    # Neither the address nor the account counted those: another browser there signs in.
    assert is_signed_in(attempt(Client(), "admin", PASSWORD, OWNER_DESK))


def test_a_browser_signed_in_as_someone_else_is_not_known_to_this_account(owner):
    other = UserFactory(username="colleague")
    shared = Client()
    assert is_signed_in(attempt(shared, other.username, PASSWORD, OWNER_DESK))
    shared.post(reverse("identity:logout"))
    guard_by_a_distributed_guess()
    assert refusal(attempt(shared, "admin", PASSWORD, OWNER_DESK))[0] == "second_check"


def test_the_known_browser_cookie_is_signed_http_only_and_long_lived(owner, settings):
    settings.GOVSHARE_LOGIN_KNOWN_BROWSER_DAYS = 90
    response = attempt(Client(), "admin", PASSWORD, OWNER_DESK)
    cookie = response.cookies["govshare_known_browser"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 90 * 86400
    assert "admin" not in cookie.value  # names no account
    # A cookie altered by hand is no known browser.
    forged = Client()
    last = "A" if cookie.value[-1] != "A" else "B"
    forged.cookies["govshare_known_browser"] = cookie.value[:-1] + last
    guard_by_a_distributed_guess()
    assert refusal(attempt(forged, "admin", PASSWORD, OWNER_DESK))[0] == "second_check"


# --- the client's address -----------------------------------------------------------------------


def test_given_no_trusted_proxy_when_a_guesser_forges_x_forwarded_for_then_it_is_ignored(owner):
    guesser = Client()
    for host in range(3):
        forged = {"HTTP_X_FORWARDED_FOR": f"192.0.2.{host}"}
        assert refusal(attempt(guesser, "admin", WRONG, GUESSER, **forged))[0] == "invalid_login"
    forged = {"HTTP_X_FORWARDED_FOR": "192.0.2.200"}
    assert refusal(attempt(guesser, "admin", PASSWORD, GUESSER, **forged))[0] == "locked"
    assert LoginThrottle.objects.get(scope="pair").address == GUESSER


def test_given_a_trusted_proxy_when_clients_sign_in_through_it_then_each_counts_alone(
    owner, settings
):
    settings.GOVSHARE_TRUSTED_PROXIES = ["10.0.0.0/30"]
    proxy = "10.0.0.2"
    fail_times_via = {"HTTP_X_FORWARDED_FOR": f"{GUESSER}, 10.0.0.1"}
    for _ in range(3):
        attempt(Client(), "admin", WRONG, proxy, **fail_times_via)
    assert LoginThrottle.objects.get(scope="pair").address == GUESSER
    response = attempt(Client(), "admin", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=OWNER_DESK)
    assert is_signed_in(response)
    assert AuditEvent.objects.get(action="identity.login").ip == OWNER_DESK
