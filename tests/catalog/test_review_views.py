"""The authority's review: the inbox, and approving or returning a submitted version."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from govshare.catalog.models import Resource, ResourceVersion
from govshare.catalog.services import (
    resource_create,
    resource_review,
    resource_start_change,
    resource_submit,
)
from tests.catalog.factories import items_data, resource_data

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("identity:login")
INBOX_URL = reverse("catalog:review_inbox")
CODE = re.compile(r"^[1-3]\d{5}[0-9A-Z]*/\d+$")
# Session, user, roles, the page's versions and their count, the provider filter, and the page
# frame (node name, department switcher): none grows with the rows.
INBOX_QUERIES = 8


def submitted(officer, provider, name="户籍人口基本信息") -> Resource:
    resource = resource_create(
        actor=officer, provider=provider, data=resource_data(name=name), items=items_data()
    )
    return resource_submit(actor=officer, resource=resource)


@pytest.fixture
def waiting(officer_a, dept_a):
    return submitted(officer_a, dept_a)


@pytest.fixture
def change_waiting(officer_a, reviewer, dept_a):
    resource = submitted(officer_a, dept_a, name="法人基本信息")
    resource_review(actor=reviewer, resource=resource, approve=True)
    resource_start_change(actor=officer_a, resource=resource)
    return resource_submit(actor=officer_a, resource=resource)


def review(client, resource, **data):
    return client.post(reverse("catalog:resource_review", args=[resource.pk]), data)


# --- the inbox ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reviewer", "admin_user"])
def test_given_submitted_versions_when_the_authority_opens_the_inbox_then_both_kinds_show(
    request, client_for, waiting, change_waiting, role
):
    response = client_for(request.getfixturevalue(role)).get(INBOX_URL)
    assert response.status_code == 200
    rows = list(response.context["object_list"])
    assert [v.resource for v in rows] == [waiting, change_waiting]
    page = response.content.decode()
    assert 'data-review-kind="new"' in page and 'data-review-kind="change"' in page
    diff = reverse("catalog:version_diff", args=[change_waiting.pk]) + "?a=1&b=2"
    assert diff in page


@pytest.mark.parametrize("role", ["officer_a", "staff_a", "auditor", "officer_b"])
def test_given_a_role_that_does_not_review_when_it_opens_the_inbox_then_it_is_forbidden(
    request, client_for, waiting, role
):
    assert client_for(request.getfixturevalue(role)).get(INBOX_URL).status_code == 403


def test_given_anonymous_when_the_inbox_opens_then_it_redirects_to_login(client):
    response = client.get(INBOX_URL)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def test_given_drafts_and_published_versions_then_the_inbox_lists_only_submitted_ones(
    client_for, officer_a, reviewer, dept_a, waiting
):
    resource_create(
        actor=officer_a, provider=dept_a, data=resource_data(name="草稿资源"), items=items_data()
    )
    rows = client_for(reviewer).get(INBOX_URL).context["object_list"]
    assert [v.resource for v in rows] == [waiting]


def test_the_inbox_searches_by_name_and_kind_and_puts_the_newest_first_on_demand(
    client_for, reviewer, waiting, change_waiting
):
    client = client_for(reviewer)

    def listed(**params) -> list:
        return [v.resource for v in client.get(INBOX_URL, params).context["object_list"]]

    # Given a new resource waiting since before a change, the inbox finds each by name,
    assert listed(query="法人") == [change_waiting]
    assert listed(query="户籍") == [waiting]
    # by kind,
    assert listed(kind="new") == [waiting] and listed(kind="change") == [change_waiting]
    # and lists the longest waiting first unless the newest are asked for.
    assert listed() == [waiting, change_waiting]
    assert listed(order="newest") == [change_waiting, waiting]


def test_given_a_provider_filter_then_the_inbox_narrows(
    client_for, reviewer, officer_b, dept_b, waiting
):
    other = submitted(officer_b, dept_b)
    client = client_for(reviewer)
    assert [
        v.resource for v in client.get(INBOX_URL, {"provider": dept_b.pk}).context["object_list"]
    ] == [other]


def test_the_inbox_query_count_does_not_grow_with_rows(
    client_for, reviewer, officer_a, officer_b, dept_a, dept_b, django_assert_num_queries
):
    client = client_for(reviewer)
    submitted(officer_a, dept_a)
    client.get(INBOX_URL)  # warm the session
    with django_assert_num_queries(INBOX_QUERIES):
        client.get(INBOX_URL)
    for number in range(3):
        submitted(officer_b, dept_b, name=f"资源{number}")
    with django_assert_num_queries(INBOX_QUERIES):
        client.get(INBOX_URL)


# --- the decision ---------------------------------------------------------------------------


def test_given_the_authority_when_it_approves_then_the_resource_is_published_with_a_code(
    client_for, reviewer, waiting
):
    response = review(
        client_for(reviewer), waiting, decision="approve", comments="", next=INBOX_URL
    )
    assert response.status_code == 302 and response["Location"] == INBOX_URL
    waiting.refresh_from_db()
    assert waiting.status == "published" and CODE.match(waiting.code)
    assert waiting.current_version.status == "in_force"


def test_given_a_return_with_comments_then_the_version_goes_back_with_them(
    client_for, reviewer, waiting
):
    review(client_for(reviewer), waiting, decision="return", comments="摘要过于简单")
    version = ResourceVersion.objects.get()
    assert version.status == "returned" and version.review_note == "摘要过于简单"
    assert Resource.objects.get().status == "draft"


def test_given_a_return_without_comments_then_the_comments_field_says_so(
    client_for, reviewer, waiting
):
    response = review(client_for(reviewer), waiting, decision="return", comments=" ")
    assert response.status_code == 400
    assert "comments" in response.context["form"].errors
    assert ResourceVersion.objects.get().status == "submitted"


def test_given_an_unknown_decision_then_nothing_changes(client_for, reviewer, waiting):
    response = review(client_for(reviewer), waiting, decision="publish", comments="")
    assert response.status_code == 400 and "decision" in response.context["form"].errors
    assert ResourceVersion.objects.get().status == "submitted"


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer_a", 403), ("staff_a", 403), ("auditor", 403), ("officer_b", 404)],
)
def test_given_someone_but_the_authority_when_they_review_then_it_is_refused_and_unchanged(
    request, client_for, waiting, role, status
):
    response = review(client_for(request.getfixturevalue(role)), waiting, decision="approve")
    assert response.status_code == status
    resource = Resource.objects.get()
    assert resource.status == "submitted" and resource.code is None


def test_given_anonymous_when_reviewing_then_it_redirects_and_nothing_changes(client, waiting):
    response = review(client, waiting, decision="approve")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
    assert Resource.objects.get().status == "submitted"


def test_given_a_foreign_next_url_then_the_review_returns_to_the_inbox(
    client_for, reviewer, waiting
):
    response = review(
        client_for(reviewer), waiting, decision="approve", next="https://evil.example/"
    )
    assert response["Location"] == INBOX_URL


def test_given_a_draft_when_the_authority_approves_then_the_conflict_is_shown(
    client_for, officer_a, reviewer, dept_a
):
    draft = resource_create(
        actor=officer_a, provider=dept_a, data=resource_data(), items=items_data()
    )
    response = review(client_for(reviewer), draft, decision="approve")
    assert response.status_code == 400
    assert Resource.objects.get().code is None


def test_given_a_change_when_approved_then_version_2_is_in_force_and_the_code_stays(
    client_for, reviewer, change_waiting
):
    code = change_waiting.code
    review(client_for(reviewer), change_waiting, decision="approve")
    change_waiting.refresh_from_db()
    assert change_waiting.current_version.number == 2 and change_waiting.code == code
    assert ResourceVersion.objects.get(number=1).status == "superseded"
