"""The second check a guarded account asks of an unknown browser: a code e-mailed to the account
through a real SMTP server on 127.0.0.1 (issue #11 item 5)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from govshare.core.models import AuditEvent
from govshare.identity.models import LoginThrottle
from tests.factories import PASSWORD, UserFactory
from tests.identity.signing_in import (
    GUESSER,
    OWNER_DESK,
    WRONG,
    attempt,
    guard_by_a_distributed_guess,
    is_signed_in,
    refusal,
)
from tests.smtp import smtp_server, use_smtp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sign_in_limits")]

CHECK_URL = reverse("identity:login_check")


@pytest.fixture
def mailbox(settings, sign_in_limits):
    with smtp_server() as mailbox:
        use_smtp(settings, mailbox)
        yield mailbox


@pytest.fixture
def guarded(db):
    owner = UserFactory(username="admin", email="admin@dsj.example.cn")
    guard_by_a_distributed_guess()
    return owner


def code_in(message) -> str:
    return re.search(r"\b(\d{6})\b", message.get_body().get_content()).group(1)


def send_code(client: Client, code: str, address: str = OWNER_DESK):
    return client.post(CHECK_URL, {"code": code}, REMOTE_ADDR=address)


def test_given_a_guarded_account_when_the_owner_uses_the_mailed_code_then_they_are_in(
    guarded, mailbox, django_capture_on_commit_callbacks
):
    # Given a guarded account and its owner in a browser it does not know,
    browser = Client()
    # when they give the right password, they are asked for the second check,
    with django_capture_on_commit_callbacks(execute=True):
        response = attempt(browser, "admin", PASSWORD, OWNER_DESK)
    assert response.status_code == 302 and response["Location"] == CHECK_URL
    # the code arrives at the account's e-mail address through the mail server,
    message = mailbox.next()
    assert message["To"] == "admin@dsj.example.cn"
    # and with it they are in,
    assert is_signed_in(send_code(browser, code_in(message)))
    assert browser.get(reverse("identity:account")).status_code == 200
    passed = AuditEvent.objects.get(action="identity.login.second_check")
    assert passed.after == {"method": "email_code"} and passed.actor == guarded
    asked = AuditEvent.objects.get(action="identity.login.second_check_asked")
    assert asked.after == {"code_sent": True} and asked.object_id == str(guarded.pk)
    # and the browser is known from now on: the next sign-in needs no code.
    browser.post(reverse("identity:logout"))
    assert is_signed_in(attempt(browser, "admin", PASSWORD, OWNER_DESK))


def test_given_a_guarded_account_when_a_wrong_password_comes_then_the_same_page_shows_and_no_code_is_sent(  # noqa: E501
    guarded, mailbox, django_capture_on_commit_callbacks
):
    guesser = Client()
    with django_capture_on_commit_callbacks(execute=True) as sent:
        response = attempt(guesser, "admin", WRONG, GUESSER)
    # The guesser is sent on to the code page, as with the right password,
    assert response.status_code == 302 and response["Location"] == CHECK_URL
    page = guesser.get(CHECK_URL)
    assert page.status_code == 200 and "code" in page.context["form"].fields
    # but nothing was mailed (no delivery was even queued), and no code passes.
    assert sent == [] and mailbox.is_empty()
    asked = AuditEvent.objects.get(action="identity.login.second_check_asked")
    assert asked.after == {"code_sent": False} and asked.object_repr == "admin"
    response = send_code(guesser, "000000", GUESSER)
    assert response.status_code == 200 and response.context["form"].errors["code"]


def test_given_wrong_codes_when_the_attempts_run_out_then_the_password_is_asked_again(
    guarded, mailbox, django_capture_on_commit_callbacks
):
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        attempt(browser, "admin", PASSWORD, OWNER_DESK)
    code = code_in(mailbox.next())
    wrong = "111111" if code != "111111" else "222222"
    # While the account is guarded the password counted as a failed sign-in from this address,
    # and so do wrong codes: the second one reaches the address's limit (3) ...
    for _ in range(2):
        assert send_code(browser, wrong).context["form"].errors["code"]
    assert LoginThrottle.objects.get(scope="pair", address=OWNER_DESK).is_locked
    # ... so even the right code is refused from here now.
    response = send_code(browser, code)
    assert not is_signed_in(response)
    assert [e.code for e in response.context["form"].errors.as_data()["code"]] == ["locked"]


def test_given_a_challenge_when_its_codes_run_out_then_it_ends(
    guarded, mailbox, settings, django_capture_on_commit_callbacks
):
    settings.GOVSHARE_LOGIN_MAX_FAILURES = 50  # see the challenge's own limit, not the address's
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        attempt(browser, "admin", PASSWORD, OWNER_DESK)
    code = code_in(mailbox.next())
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(4):
        assert send_code(browser, wrong).status_code == 200
    response = send_code(browser, wrong)
    assert response.status_code == 302 and response["Location"] == reverse("identity:login")
    # The challenge is gone: the right code no longer opens anything.
    assert send_code(browser, code)["Location"] == reverse("identity:login")


def test_given_an_account_without_e_mail_when_guarded_then_the_code_page_shows_and_nothing_is_sent(
    db, mailbox, django_capture_on_commit_callbacks
):
    UserFactory(username="admin", email="")
    guard_by_a_distributed_guess()
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True) as sent:
        response = attempt(browser, "admin", PASSWORD, OWNER_DESK)
    assert response["Location"] == CHECK_URL
    assert sent == [] and mailbox.is_empty()


def test_given_no_challenge_when_the_code_page_is_opened_then_it_sends_to_sign_in(client):
    assert client.get(CHECK_URL)["Location"] == reverse("identity:login")


def test_given_an_unguarded_account_when_signing_in_then_no_code_is_asked(db, mailbox):
    UserFactory(username="admin", email="admin@dsj.example.cn")
    assert is_signed_in(attempt(Client(), "admin", PASSWORD, OWNER_DESK))
    assert mailbox.is_empty()


def test_a_guarded_sign_in_without_a_mail_server_is_refused_on_the_page(guarded, settings):
    settings.EMAIL_HOST = ""
    assert refusal(attempt(Client(), "admin", PASSWORD, OWNER_DESK))[0] == "second_check"
