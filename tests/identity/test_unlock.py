"""An administrator lifts sign-in locks (issue #11 item 5): an account's, from its user page, and
an address's block, from the sign-in locks page. Audited; every other role is refused and
changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from govshare.core.models import AuditEvent
from govshare.core.roles import Role
from govshare.identity.models import LoginThrottle
from govshare.identity.services import address_unblock, login_unlock
from tests.factories import PASSWORD, member
from tests.identity.signing_in import (
    GUESSER,
    attempt,
    fail_times,
    is_signed_in,
    refusal,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sign_in_limits")]

BLOCKS_URL = reverse("identity:sign_in_blocks")
UNBLOCK_URL = reverse("identity:address_unblock")
SPRAYER = "10.77.0.1"


@pytest.fixture
def locked(staff_a):
    """staff_a locked from GUESSER (three failures there), and guarded (two more elsewhere make
    the account's five)."""
    fail_times(staff_a.username, GUESSER, 3)
    for address in ["10.99.0.1", "10.99.0.2"]:
        fail_times(staff_a.username, address, 1)
    return staff_a


@pytest.fixture
def blocked(db):
    """An address blocked after trying six user names."""
    for number in range(6):
        fail_times(f"nobody{number}", SPRAYER, 1)
    return SPRAYER


@pytest.fixture
def colleague(dept_a):
    """Staff of staff_a's department (sees staff_a in the directory)."""
    return member(dept_a, Role.STAFF, username="colleague_a")


def _locks_of(user) -> set[str]:
    rows = LoginThrottle.objects.filter(username=user.username)
    return {row.scope for row in rows if row.is_locked}


def _unlock(client: Client, user):
    return client.post(reverse("identity:user_unlock", args=[user.pk]))


# --- the services -----------------------------------------------------------------------------


def test_given_a_locked_account_when_an_admin_unlocks_it_then_its_owner_signs_in_anywhere(
    admin_user, locked
):
    assert _locks_of(locked) == {"pair", "account"}
    assert login_unlock(actor=admin_user, user=locked) == 2
    assert _locks_of(locked) == set()
    assert is_signed_in(attempt(Client(), locked.username, PASSWORD, GUESSER))
    event = AuditEvent.objects.get(action="identity.login.unlock")
    assert event.actor == admin_user and event.object_id == str(locked.pk)
    assert {row["scope"] for row in event.before["throttles"]} == {"pair", "account"}


def test_unlocking_an_account_leaves_address_blocks_alone(admin_user, locked, blocked):
    login_unlock(actor=admin_user, user=locked)
    assert LoginThrottle.objects.get(scope="address", address=blocked).is_locked


def test_given_an_account_without_locks_when_unlocked_then_nothing_is_recorded(admin_user, staff_a):
    assert login_unlock(actor=admin_user, user=staff_a) == 0
    assert not AuditEvent.objects.filter(action="identity.login.unlock").exists()


def test_given_a_blocked_address_when_an_admin_clears_it_then_it_signs_in_again(
    admin_user, staff_a, blocked
):
    assert refusal(attempt(Client(), staff_a.username, PASSWORD, blocked))[0] == "address_blocked"
    assert address_unblock(actor=admin_user, address=blocked) is True
    assert is_signed_in(attempt(Client(), staff_a.username, PASSWORD, blocked))
    event = AuditEvent.objects.get(action="identity.login.address_unblock")
    assert event.actor == admin_user and event.object_repr == blocked
    assert event.before["address"] == blocked


@pytest.mark.parametrize("address", ["", "not-an-address", "10.0.0.0/8", "2001:db8::/48"])
def test_given_no_address_when_clearing_then_the_field_is_named(admin_user, address):
    with pytest.raises(ValidationError) as caught:
        address_unblock(actor=admin_user, address=address)
    assert "address" in caught.value.error_dict


def test_an_ipv6_address_clears_the_block_of_its_64(admin_user, db):
    for number in range(6):
        fail_times(f"nobody{number}", f"2001:db8:5:6::{number + 1}", 1)
    assert LoginThrottle.objects.get(scope="address", address="2001:db8:5:6::/64").is_locked
    assert address_unblock(actor=admin_user, address="2001:db8:5:6::abcd") is True
    assert not LoginThrottle.objects.filter(scope="address").exists()


@pytest.mark.parametrize("role", ["officer_a", "auditor", "reviewer"])
def test_only_admins_lift_locks_through_the_services(request, role, locked, blocked):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        login_unlock(actor=actor, user=locked)
    with pytest.raises(PermissionDenied):
        address_unblock(actor=actor, address=blocked)
    assert _locks_of(locked) == {"pair", "account"}
    assert LoginThrottle.objects.get(scope="address", address=blocked).is_locked


# --- unlocking an account from its user page ------------------------------------------------------


def test_given_anonymous_when_unlocking_then_login_is_asked_and_nothing_changes(client, locked):
    response = _unlock(client, locked)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))
    assert _locks_of(locked) == {"pair", "account"}


@pytest.mark.parametrize(
    ("role", "status"),
    [("colleague", 403), ("officer_a", 403), ("officer_b", 404), ("auditor", 403)],
    ids=["staff", "data-officer", "other-department", "auditor"],
)
def test_given_a_non_admin_when_unlocking_then_denied_and_nothing_changes(
    request, client_for, locked, role, status
):
    response = _unlock(client_for(request.getfixturevalue(role)), locked)
    assert response.status_code == status
    assert _locks_of(locked) == {"pair", "account"}
    assert not AuditEvent.objects.filter(action="identity.login.unlock").exists()


def test_given_an_admin_when_unlocking_from_the_user_page_then_the_locks_end(
    client_for, admin_user, locked
):
    client = client_for(admin_user)
    page = client.get(reverse("identity:user_detail", args=[locked.pk]))
    assert {lock.scope for lock in page.context["sign_in_locks"]} == {"pair", "account"}
    assert page.context["can_unlock"]
    assert reverse("identity:user_unlock", args=[locked.pk]) in page.content.decode()
    response = _unlock(client, locked)
    assert response["Location"] == reverse("identity:user_detail", args=[locked.pk])
    assert _locks_of(locked) == set()
    assert AuditEvent.objects.get(action="identity.login.unlock").actor == admin_user
    after = client.get(response["Location"])
    assert [m.level_tag for m in after.context["messages"]] == ["success"]


def test_given_a_colleague_when_the_user_page_is_opened_then_no_lock_shows(
    client_for, colleague, locked
):
    page = client_for(colleague).get(reverse("identity:user_detail", args=[locked.pk]))
    assert page.context["sign_in_locks"] == [] and not page.context["can_unlock"]
    assert reverse("identity:user_unlock", args=[locked.pk]) not in page.content.decode()


def test_the_unlock_takes_post_only(client_for, admin_user, locked):
    url = reverse("identity:user_unlock", args=[locked.pk])
    assert client_for(admin_user).get(url).status_code == 302  # back to the user's page
    assert _locks_of(locked) == {"pair", "account"}


# --- the sign-in locks page and clearing an address -----------------------------------------------


def test_given_anonymous_when_the_locks_page_or_clearing_is_asked_then_login_is_asked(
    client, blocked
):
    assert client.get(BLOCKS_URL).status_code == 302
    assert client.post(UNBLOCK_URL, {"address": blocked}).status_code == 302
    assert LoginThrottle.objects.get(scope="address", address=blocked).is_locked


@pytest.mark.parametrize("role", ["colleague", "officer_a"])
def test_given_department_users_when_the_locks_page_is_opened_then_403(
    request, client_for, blocked, role
):
    assert client_for(request.getfixturevalue(role)).get(BLOCKS_URL).status_code == 403


@pytest.mark.parametrize("role", ["colleague", "officer_a", "auditor"])
def test_given_a_non_admin_when_clearing_an_address_then_403_and_it_stays_blocked(
    request, client_for, blocked, role
):
    client = client_for(request.getfixturevalue(role))
    assert client.post(UNBLOCK_URL, {"address": blocked}).status_code == 403
    assert LoginThrottle.objects.get(scope="address", address=blocked).is_locked
    assert not AuditEvent.objects.filter(action="identity.login.address_unblock").exists()


def test_given_an_auditor_when_the_locks_page_is_opened_then_locks_show_without_buttons(
    client_for, auditor, locked, blocked
):
    page = client_for(auditor).get(BLOCKS_URL)
    assert page.status_code == 200
    assert [block.address for block in page.context["addresses"]] == [blocked]
    assert not page.context["can_unlock"]
    assert UNBLOCK_URL not in page.content.decode()


def test_given_an_admin_when_the_locks_page_is_used_then_an_address_is_cleared(
    client_for, admin_user, locked, blocked
):
    fail_times("root", "10.55.0.1", 3)
    client = client_for(admin_user)
    page = client.get(BLOCKS_URL)
    assert [block.address for block in page.context["addresses"]] == [blocked]
    listed = {(lock.username, lock.scope, lock.user_id) for lock in page.context["object_list"]}
    assert listed == {
        (locked.username, "pair", locked.pk),
        (locked.username, "account", locked.pk),
        ("root", "pair", None),  # a name nobody has: listed, with nothing to unlock
    }
    response = client.post(UNBLOCK_URL, {"address": blocked})
    assert response["Location"] == BLOCKS_URL
    assert not LoginThrottle.objects.filter(scope="address", address=blocked).exists()
    assert AuditEvent.objects.get(action="identity.login.address_unblock").actor == admin_user


def test_given_an_admin_when_a_malformed_address_is_cleared_then_an_error_shows(
    client_for, admin_user, blocked
):
    client = client_for(admin_user)
    response = client.post(UNBLOCK_URL, {"address": "nonsense"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert LoginThrottle.objects.get(scope="address", address=blocked).is_locked


def test_the_user_list_links_the_locks_page_for_admins_not_department_users(
    client_for, admin_user, officer_a
):
    assert BLOCKS_URL in client_for(admin_user).get(reverse("identity:user_list")).content.decode()
    assert (
        BLOCKS_URL not in client_for(officer_a).get(reverse("identity:user_list")).content.decode()
    )
