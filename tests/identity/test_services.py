"""Sign-in lockout and API tokens (the throttle through the page: test_sign_in.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from govshare.core.models import AuditEvent
from govshare.identity.choices import ThrottleScope
from govshare.identity.models import ApiToken, LoginThrottle
from govshare.identity.services import (
    password_change,
    sign_in,
    token_authenticate,
    token_create,
    token_revoke,
    user_create,
)
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _fail(username: str) -> str:
    with pytest.raises(ValidationError) as caught:
        sign_in(request=None, username=username, password="wrong-password")
    return caught.value.code


@override_settings(GOVSHARE_LOGIN_MAX_FAILURES=3)
def test_after_repeated_failures_even_the_right_password_is_refused():
    user = UserFactory()
    assert [_fail(user.username) for _ in range(3)] == ["invalid_login"] * 3
    with pytest.raises(ValidationError) as caught:
        sign_in(request=None, username=user.username, password=PASSWORD)
    assert caught.value.code == "locked"
    assert AuditEvent.objects.filter(action="identity.login.locked").count() == 1


@override_settings(GOVSHARE_LOGIN_MAX_FAILURES=3)
def test_the_lock_ends_after_its_time_and_success_clears_the_count():
    user = UserFactory()
    for _ in range(3):
        _fail(user.username)
    LoginThrottle.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert sign_in(request=None, username=user.username, password=PASSWORD) == user
    assert not LoginThrottle.objects.filter(scope=ThrottleScope.PAIR).exists()


def test_passwords_are_hashed_with_argon2(admin_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = user_create(actor=admin_user, username="newcomer", password="Strong#Pass-2026")
    assert user.password.startswith("argon2")


def test_weak_passwords_are_refused_with_the_field_named(admin_user):
    with pytest.raises(ValidationError) as caught:
        user_create(actor=admin_user, username="weak", password="12345")
    assert "password" in caught.value.error_dict


def test_only_admins_create_users(officer_a):
    with pytest.raises(PermissionDenied):
        user_create(actor=officer_a, username="sneaky", password="Strong#Pass-2026")


def test_password_change_needs_the_current_password(staff_a):
    with pytest.raises(ValidationError) as caught:
        password_change(actor=staff_a, old_password="nope", new_password="Another#Pass-2026")
    assert "old_password" in caught.value.error_dict
    password_change(actor=staff_a, old_password=PASSWORD, new_password="Another#Pass-2026")
    staff_a.refresh_from_db()
    assert staff_a.check_password("Another#Pass-2026")


def test_a_token_is_stored_hashed_and_authenticates_until_revoked(staff_a):
    issued = token_create(actor=staff_a, name="脚本")
    stored = ApiToken.objects.get()
    assert issued.plaintext not in (stored.token_hash, stored.key_id)
    # the secret is all after "gs_<key id>_" (it may hold "_" itself: a piece of it could
    # occur in a hex digest by chance, the whole never)
    secret = issued.plaintext.removeprefix(f"gs_{stored.key_id}_")
    assert len(secret) >= 32 and secret not in stored.token_hash
    assert token_authenticate(issued.plaintext) == staff_a
    token_revoke(actor=staff_a, token=stored)
    assert token_authenticate(issued.plaintext) is None


def test_expired_wrong_and_malformed_tokens_do_not_authenticate(staff_a):
    issued = token_create(
        actor=staff_a, name="短期", expires=timezone.now() + dt.timedelta(hours=1)
    )
    ApiToken.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert token_authenticate(issued.plaintext) is None
    assert token_authenticate(issued.plaintext[:-2] + "xx") is None
    assert token_authenticate("gs_") is None
    assert token_authenticate("garbage") is None


def test_nobody_revokes_another_users_token(staff_a, officer_b):
    token = token_create(actor=staff_a, name="mine").token
    with pytest.raises(PermissionDenied):
        token_revoke(actor=officer_b, token=token)
    token.refresh_from_db()
    assert token.revoked is None


def test_a_disabled_users_token_stops_working(staff_a):
    issued = token_create(actor=staff_a, name="mine")
    staff_a.is_active = False
    staff_a.save()
    assert token_authenticate(issued.plaintext) is None


def test_a_token_with_control_characters_is_refused_before_any_lookup(staff_a):
    assert token_authenticate("gs_AA\x00AAAAA_secret") is None


def test_wrong_secrets_for_a_token_never_lock_out_its_holder(staff_a):
    # Issue #11 item 5 asked whether API tokens had the sign-in's denial of service: they keep
    # no failure count anyone could run up (a 256-bit secret is not guessed), so no number of
    # wrong secrets stops the right one.
    issued = token_create(actor=staff_a, name="脚本")
    for _ in range(50):
        assert token_authenticate(f"gs_{issued.token.key_id}_{'x' * 43}") is None
    assert token_authenticate(issued.plaintext) == staff_a


@pytest.mark.parametrize("username", ["a b!", "张 三", "x;drop", "tab\there"])
def test_a_user_name_outside_djangos_rule_is_refused(admin_user, username):
    # when an account is created with spaces or marks Django's user names do not allow
    with pytest.raises(ValidationError) as error:
        user_create(actor=admin_user, username=username, password=PASSWORD + "x#Z9")

    # then the name is refused, saying the rule
    assert set(error.value.message_dict) == {"username"}
    assert "@" in error.value.message_dict["username"][0]


def test_a_user_name_within_the_rule_is_taken(admin_user):
    user = user_create(actor=admin_user, username="li.si+ops@bureau", password=PASSWORD + "x#Z9")
    assert user.username == "li.si+ops@bureau"
