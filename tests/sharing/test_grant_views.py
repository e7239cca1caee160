"""The grant pages: lists per side, a grant's page, the provider's suspend / resume / revoke /
change of conditions / answer to an extension, and the consumer's extension request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from govshare.core.roles import Role
from govshare.sharing.choices import RequestState
from govshare.sharing.models import Grant
from govshare.sharing.services.grants import grant_extension_ask
from govshare.sharing.services.requests import (
    ItemAnswer,
    conformity_review,
    provider_decide,
    request_submit,
)
from tests.factories import DepartmentFactory, member
from tests.sharing.factories import draft_request, published_resource

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("identity:login")
LIST_URL = reverse("sharing:grant_list")


@pytest.fixture
def grant(officer_a, officer_b, reviewer, dept_a, dept_b) -> Grant:
    resource = published_resource(officer_a, reviewer, dept_a)
    share_request = draft_request(officer_b, dept_b, resource)
    request_submit(actor=officer_b, share_request=share_request)
    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    provider_decide(
        actor=officer_a,
        share_request=share_request,
        answers={
            "GMSFHM": ItemAnswer(grant=True, masking="id_number"),
            "XM": ItemAnswer(grant=False, reason="不需要"),
        },
    )
    return Grant.objects.get(request=share_request)


def url(grant, name: str = "detail") -> str:
    return reverse(f"sharing:grant_{name}", args=[grant.pk])


def state_of(grant) -> str:
    grant.request.refresh_from_db()
    return grant.request.state


# --- reading --------------------------------------------------------------------------------


def test_each_side_lists_the_grant_on_its_tab(client_for, officer_a, officer_b, grant):
    assert list(client_for(officer_b).get(LIST_URL).context["object_list"]) == [grant]
    assert list(client_for(officer_a).get(LIST_URL).context["object_list"]) == []
    provider = client_for(officer_a).get(LIST_URL, {"side": "provider"})
    assert list(provider.context["object_list"]) == [grant]


@pytest.mark.parametrize("role", ["officer_a", "staff_a", "officer_b", "auditor", "reviewer"])
def test_the_grant_page_shows_items_masking_and_terms(request, client_for, grant, role):
    response = client_for(request.getfixturevalue(role)).get(url(grant))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="gs-grant-terms"' in page and 'data-item="GMSFHM"' in page


def test_another_departments_officer_does_not_find_the_grant(client_for, grant):
    outsider = member(DepartmentFactory(name="税务局"), Role.DATA_OFFICER, username="outsider")
    client = client_for(outsider)
    assert client.get(url(grant)).status_code == 404
    assert client.post(url(grant, "revoke"), {"note": "x"}).status_code == 404
    assert list(client.get(LIST_URL).context["object_list"]) == []
    assert state_of(grant) == RequestState.ACTIVE


def test_anonymous_is_sent_to_login(client, grant):
    for target in (LIST_URL, url(grant), url(grant, "change")):
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def test_each_party_is_offered_only_its_own_steps(client_for, officer_a, officer_b, staff_a, grant):
    assert set(client_for(officer_a).get(url(grant)).context["step_forms"]) == {
        "suspend",
        "revoke",
    }
    assert set(client_for(officer_b).get(url(grant)).context["step_forms"]) == {"extension_ask"}
    assert client_for(staff_a).get(url(grant)).context["step_forms"] == {}


# --- the provider's steps -------------------------------------------------------------------


def test_the_provider_suspends_and_resumes_with_a_reason(client_for, officer_a, grant):
    client = client_for(officer_a)
    response = client.post(url(grant, "suspend"), {"note": ""})
    assert response.status_code == 400
    assert "note" in response.context["step_forms"]["suspend"].errors
    assert state_of(grant) == RequestState.ACTIVE
    assert client.post(url(grant, "suspend"), {"note": "安全检查"}).status_code == 302
    assert state_of(grant) == RequestState.SUSPENDED
    assert set(client.get(url(grant)).context["step_forms"]) == {"resume", "revoke"}
    assert client.post(url(grant, "resume"), {"note": "检查完毕"}).status_code == 302
    assert state_of(grant) == RequestState.ACTIVE


def test_the_provider_revokes(client_for, officer_a, grant):
    assert client_for(officer_a).post(url(grant, "revoke"), {"note": "违规使用"}).status_code == 302
    assert state_of(grant) == RequestState.REVOKED


@pytest.mark.parametrize("role", ["officer_b", "staff_a", "auditor", "reviewer"])
def test_who_is_not_the_providers_officer_cannot_take_provider_steps(
    request, client_for, grant, role
):
    client = client_for(request.getfixturevalue(role))
    assert client.post(url(grant, "revoke"), {"note": "x"}).status_code == 403
    assert client.get(url(grant, "change")).status_code == 403
    assert client.post(url(grant, "change"), {"note": "x", "daily_quota": "1"}).status_code == 403
    assert state_of(grant) == RequestState.ACTIVE
    grant.refresh_from_db()
    assert grant.daily_quota != 1


def test_the_provider_changes_the_conditions(client_for, officer_a, grant):
    client = client_for(officer_a)
    form = client.get(url(grant, "change")).context["form"]
    assert form["daily_quota"].value() == grant.daily_quota
    data = {
        "valid_until": grant.valid_until.isoformat(),
        "daily_quota": "50",
        "rate_per_minute": "5",
        "row_filter": "XBDM = 1",
        "masking_GMSFHM": "none",
        "masking_XBDM": "custom",
        "note": "调整额度",
    }
    assert client.post(url(grant, "change"), data).status_code == 302
    grant.refresh_from_db()
    assert (grant.daily_quota, grant.rate_per_minute, grant.row_filter) == (50, 5, {"XBDM": ["1"]})
    assert dict(grant.items.values_list("identifier", "masking")) == {
        "GMSFHM": "none",
        "XBDM": "custom",
    }


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"note": ""}, "note"),
        ({"daily_quota": "0"}, "daily_quota"),
        ({"daily_quota": "x"}, "daily_quota"),
        ({"valid_until": "2099-01-01"}, "valid_until"),  # beyond the period requested
        ({"row_filter": "ZZZ = 1"}, "row_filter"),
        ({"masking_GMSFHM": "rot13"}, "masking_GMSFHM"),
    ],
)
def test_malformed_changes_are_named_and_nothing_changes(
    client_for, officer_a, grant, extra, field
):
    data = {
        "valid_until": grant.valid_until.isoformat(),
        "daily_quota": "50",
        "rate_per_minute": "5",
        "masking_GMSFHM": "none",
        "masking_XBDM": "none",
        "note": "调整",
        **extra,
    }
    response = client_for(officer_a).post(url(grant, "change"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    grant.refresh_from_db()
    assert grant.daily_quota != 50


# --- extensions -----------------------------------------------------------------------------


def test_the_consumer_asks_for_an_extension_and_the_provider_approves(
    client_for, officer_a, officer_b, grant
):
    consumer = client_for(officer_b)
    later = grant.valid_until + dt.timedelta(days=90)
    response = consumer.post(url(grant, "extension_ask"), {"until": "", "note": "续期"})
    assert response.status_code == 400
    assert "until" in response.context["step_forms"]["extension_ask"].errors
    response = consumer.post(url(grant, "extension_ask"), {"until": later.isoformat(), "note": ""})
    assert "note" in response.context["step_forms"]["extension_ask"].errors
    data = {"until": later.isoformat(), "note": "业务延续"}
    assert consumer.post(url(grant, "extension_ask"), data).status_code == 302
    provider = client_for(officer_a)
    page = provider.get(url(grant))
    assert 'id="gs-extension-pending"' in page.content.decode()
    assert "extension_decide" in page.context["step_forms"]
    data = {"decision": "approve", "note": ""}
    assert provider.post(url(grant, "extension_decide"), data).status_code == 302
    grant.refresh_from_db()
    assert grant.valid_until == later and grant.extension_until is None


def test_refusing_an_extension_needs_a_note(client_for, officer_a, officer_b, grant):
    later = grant.valid_until + dt.timedelta(days=30)
    grant_extension_ask(actor=officer_b, grant=grant, until=later, note="续期")
    response = client_for(officer_a).post(
        url(grant, "extension_decide"), {"decision": "refuse", "note": ""}
    )
    assert response.status_code == 400
    assert "note" in response.context["step_forms"]["extension_decide"].errors
    grant.refresh_from_db()
    assert grant.extension_until == later


def test_the_consumer_cannot_answer_its_own_extension(client_for, officer_b, grant):
    until = timezone.localdate() + dt.timedelta(days=400)
    grant_extension_ask(actor=officer_b, grant=grant, until=until, note="续期")
    response = client_for(officer_b).post(url(grant, "extension_decide"), {"decision": "approve"})
    assert response.status_code == 403
    grant.refresh_from_db()
    assert grant.extension_until == until
