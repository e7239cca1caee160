"""The provider's inbox and the authority's queues, with their clocks and overdue flags; the
navigation and the home-page figures that point at them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from govshare.sharing.choices import RequestState
from govshare.sharing.models import ShareRequest
from govshare.sharing.services.requests import conformity_review, request_submit
from tests.sharing.factories import draft_request, published_resource

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("identity:login")
PROVIDER_URL = reverse("sharing:provider_inbox")
AUTHORITY_URL = reverse("sharing:authority_inbox")
LONG_AGO = dt.date(2020, 1, 6)


@pytest.fixture
def resource(officer_a, reviewer, dept_a):
    return published_resource(officer_a, reviewer, dept_a)


def submitted(officer_b, dept_b, resource) -> ShareRequest:
    return request_submit(actor=officer_b, share_request=draft_request(officer_b, dept_b, resource))


@pytest.fixture
def waiting(officer_b, dept_b, reviewer, resource):
    share_request = submitted(officer_b, dept_b, resource)
    return conformity_review(actor=reviewer, share_request=share_request, outcome="pass")


def listed(response) -> list[ShareRequest]:
    return [row[0] for row in response.context["rows"]]


# --- the provider's inbox -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer_a", "staff_a"])
def test_the_providers_members_see_what_awaits_their_answer(request, client_for, waiting, role):
    response = client_for(request.getfixturevalue(role)).get(PROVIDER_URL)
    assert response.status_code == 200
    assert listed(response) == [waiting]
    assert 'data-clock="provider"' in response.content.decode()


def test_the_tabs_split_waiting_answered_and_all(
    client_for, officer_a, officer_b, dept_b, waiting, resource, reviewer
):
    still_in_review = submitted(officer_b, dept_b, resource)
    draft_request(officer_b, dept_b, resource)  # a draft is never shown to the provider
    client = client_for(officer_a)
    assert listed(client.get(PROVIDER_URL, {"tab": "answered"})) == []
    assert set(listed(client.get(PROVIDER_URL, {"tab": "all"}))) == {waiting, still_in_review}
    assert listed(client.get(PROVIDER_URL, {"tab": "bogus"})) == [waiting]  # the first tab


def test_the_consumer_and_other_departments_do_not_see_it_in_their_inbox(
    client_for, officer_b, waiting
):
    assert listed(client_for(officer_b).get(PROVIDER_URL)) == []


def test_an_overdue_request_is_flagged_in_red(client_for, officer_a, waiting):
    ShareRequest.objects.filter(pk=waiting.pk).update(provider_due=LONG_AGO)
    page = client_for(officer_a).get(PROVIDER_URL).content.decode()
    assert 'data-overdue="true"' in page and "text-danger" in page


def test_the_provider_inbox_query_count_does_not_grow_with_rows(
    client_for, officer_a, officer_b, dept_b, reviewer, resource, django_assert_max_num_queries
):
    def add_waiting() -> None:
        share_request = submitted(officer_b, dept_b, resource)
        conformity_review(actor=reviewer, share_request=share_request, outcome="pass")

    add_waiting()
    client = client_for(officer_a)
    client.get(PROVIDER_URL)
    with django_assert_max_num_queries(100) as one:
        client.get(PROVIDER_URL)
    for _ in range(3):
        add_waiting()
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(PROVIDER_URL)


def test_anonymous_is_sent_to_login(client):
    for url in (PROVIDER_URL, AUTHORITY_URL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


# --- the authority's inbox ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer_a", "officer_b", "staff_a", "auditor"])
def test_only_the_authority_opens_its_inbox(request, client_for, waiting, role):
    assert client_for(request.getfixturevalue(role)).get(AUTHORITY_URL).status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "admin_user"])
def test_the_conformity_queue_shows_clocks_and_findings(
    request, client_for, officer_b, dept_b, resource, role
):
    in_review = submitted(officer_b, dept_b, resource)
    ShareRequest.objects.filter(pk=in_review.pk).update(conformity_due=LONG_AGO)
    response = client_for(request.getfixturevalue(role)).get(AUTHORITY_URL)
    assert listed(response) == [in_review]
    page = response.content.decode()
    assert 'data-clock="authority"' in page and 'data-overdue="true"' in page
    assert 'class="table-danger"' in page
    assert 'data-findings="0"' in page


def test_the_coordination_queue_lists_requests_in_coordination(client_for, reviewer, waiting):
    ShareRequest.objects.filter(pk=waiting.pk).update(
        state=RequestState.COORDINATION, coordination_due=dt.date.today()
    )
    client = client_for(reviewer)
    assert listed(client.get(AUTHORITY_URL, {"tab": "coordination"})) == [waiting]
    assert listed(client.get(AUTHORITY_URL)) == []


def test_the_authority_queue_query_count_does_not_grow_with_rows(
    client_for, reviewer, officer_b, dept_b, resource, django_assert_max_num_queries
):
    submitted(officer_b, dept_b, resource)
    client = client_for(reviewer)
    client.get(AUTHORITY_URL)
    with django_assert_max_num_queries(100) as one:
        client.get(AUTHORITY_URL)
    for _ in range(3):
        submitted(officer_b, dept_b, resource)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(AUTHORITY_URL)


# --- navigation and home figures ------------------------------------------------------------


def test_the_navigation_offers_the_authority_inbox_to_reviewers_only(
    client_for, reviewer, officer_a
):
    home = reverse("core:home")
    assert AUTHORITY_URL in client_for(reviewer).get(home).content.decode()
    page = client_for(officer_a).get(home).content.decode()
    assert AUTHORITY_URL not in page
    for name in ("request_list", "provider_inbox", "grant_list", "credential_list"):
        assert reverse(f"sharing:{name}") in page
    assert reverse("sharing:calendar_current") in page


def figures(client) -> dict[str, object]:
    """The home page's figures by their English label (the page itself answers in Chinese)."""
    shown = client.get(reverse("core:home")).context["figures"]
    with translation.override("en"):
        return {str(figure.label): figure.value for figure in shown}


def test_the_home_page_counts_requests_awaiting_my_answer_and_overdue(
    client_for, officer_a, reviewer, waiting, english
):
    ShareRequest.objects.filter(pk=waiting.pk).update(provider_due=LONG_AGO)
    mine = figures(client_for(officer_a))
    assert mine["Requests awaiting my answer"] == 1 and mine["Overdue answers"] == 1
    assert "Requests awaiting the authority" not in mine
    authority = figures(client_for(reviewer))
    assert authority["Requests awaiting the authority"] == 0
