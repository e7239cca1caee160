"""The request pages: the catalog's "申请" button, the request form, my requests, the request page
with its steps, and the whole path from a draft to a grant seen by both departments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from govshare.catalog.services.resources import resource_withdraw
from govshare.sharing.choices import ItemDecision, RequestState
from govshare.sharing.models import Grant, ShareRequest
from govshare.sharing.services.requests import conformity_review, request_submit
from tests.sharing.factories import application_of, draft_request, published_resource

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("identity:login")
LIST_URL = reverse("sharing:request_list")
CREATE_URL = reverse("sharing:request_create")


@pytest.fixture
def resource(officer_a, reviewer, dept_a):
    """Published by 公安局 (dept_a): GMSFHM and XM conditional, XBDM unconditional, ZJXY not
    shared."""
    return published_resource(officer_a, reviewer, dept_a)


@pytest.fixture
def application(dept_b):
    return application_of(dept_b, name="社保经办系统")


@pytest.fixture
def draft(officer_b, dept_b, resource):
    return draft_request(officer_b, dept_b, resource)


@pytest.fixture
def submitted(officer_b, draft):
    return request_submit(actor=officer_b, share_request=draft)


@pytest.fixture
def provider_review(reviewer, submitted):
    return conformity_review(actor=reviewer, share_request=submitted, outcome="pass")


def detail(share_request) -> str:
    return reverse("sharing:request_detail", args=[share_request.pk])


def step_url(share_request, step: str) -> str:
    return reverse(f"sharing:request_{step}", args=[share_request.pk])


def form_post(application, /, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "application": application.pk,
        "items": ["GMSFHM", "XM", "XBDM"],
        "purpose": "administrative_basis",
        "purpose_detail": "办理社会保险登记时核验参保人身份",
        "basis": "《社会保险法》第五十八条",
        "scenario": "窗口受理时由经办人员查询",
        "mode": "query",
        "period_start": today.isoformat(),
        "period_end": (today + dt.timedelta(days=365)).isoformat(),
        "expected_daily_calls": "500",
        "then": "draft",
    }
    data.update(overrides)
    return data


def create_url(resource) -> str:
    return f"{CREATE_URL}?resource={resource.pk}"


# --- the whole path -------------------------------------------------------------------------


def test_given_a_published_resource_when_both_departments_walk_the_path_then_a_grant_results(
    client_for, officer_a, officer_b, reviewer, resource, application
):
    consumer, provider, authority = (
        client_for(officer_b),
        client_for(officer_a),
        client_for(reviewer),
    )
    # Given the catalog page offers "申请" to the consumer's data officer
    page = consumer.get(reverse("catalog:resource_detail", args=[resource.pk])).content.decode()
    assert 'id="gs-resource-request"' in page and create_url(resource) in page

    # When the consumer drafts and submits
    form = consumer.get(create_url(resource))
    assert form.status_code == 200
    assert 'data-share-type="not_shared"' in form.content.decode()
    response = consumer.post(create_url(resource), form_post(application))
    share_request = ShareRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(share_request)
    assert share_request.state == RequestState.DRAFT
    assert consumer.post(step_url(share_request, "submit"), {"note": ""}).status_code == 302

    # and the authority passes the conformity review from its inbox
    inbox = authority.get(reverse("sharing:authority_inbox"))
    assert [row for row, _clock, _findings in inbox.context["rows"]] == [share_request]
    assert 'data-clock="authority"' in inbox.content.decode()
    response = authority.post(step_url(share_request, "conformity"), {"outcome": "pass"})
    assert response.status_code == 302

    # and the provider grants one conditional item and refuses the other
    waiting = provider.get(reverse("sharing:provider_inbox"))
    assert [row for row, _clock in waiting.context["rows"]] == [share_request]
    assert 'data-clock="provider"' in waiting.content.decode()
    answer_form = provider.get(detail(share_request)).context["step_forms"]["answer"]
    assert [item.identifier for item in answer_form.request_items] == ["GMSFHM", "XM"]
    response = provider.post(
        step_url(share_request, "answer"),
        {
            "decision_GMSFHM": "grant",
            "masking_GMSFHM": "id_number",
            "reason_GMSFHM": "",
            "decision_XM": "refuse",
            "masking_XM": "none",
            "reason_XM": "姓名不在本次共享范围内",
            "daily_quota": "1000",
            "rate_per_minute": "60",
            "row_filter": "",
            "valid_until": "",
            "note": "",
        },
    )
    assert response.status_code == 302

    # Then the request is active and the grant, visible to both, holds the granted items
    share_request.refresh_from_db()
    assert share_request.state == RequestState.ACTIVE
    decisions = dict(share_request.items.values_list("identifier", "decision"))
    assert decisions == {"GMSFHM": "granted", "XM": "rejected", "XBDM": "granted"}
    grant = Grant.objects.get()
    assert dict(grant.items.values_list("identifier", "masking")) == {
        "GMSFHM": "id_number",
        "XBDM": "none",
    }
    assert grant.daily_quota == 1000
    for client, side in ((consumer, "consumer"), (provider, "provider")):
        listed = client.get(reverse("sharing:grant_list"), {"side": side})
        assert list(listed.context["object_list"]) == [grant]
        page = client.get(reverse("sharing:grant_detail", args=[grant.pk])).content.decode()
        assert 'data-item="GMSFHM"' in page and 'data-item="XM"' not in page
    timeline = consumer.get(detail(share_request)).content.decode()
    for action in ("create", "submit", "conformity_pass", "decide"):
        assert f'data-event="{action}"' in timeline


def test_save_and_submit_submits_the_draft_in_one_go(client_for, officer_b, resource, application):
    response = client_for(officer_b).post(
        create_url(resource), form_post(application, then="submit")
    )
    assert response.status_code == 302
    assert ShareRequest.objects.get().state == RequestState.SUBMITTED


# --- the request form -----------------------------------------------------------------------


def test_without_a_resource_the_new_request_page_offers_other_departments_resources(
    client_for, officer_b, officer_a, reviewer, dept_b, resource
):
    own = published_resource(officer_b, reviewer, dept_b, name="参保人员信息")
    response = client_for(officer_b).get(CREATE_URL)
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [resource]
    assert own not in response.context["object_list"]


def test_the_form_offers_only_live_applications_of_the_active_department(
    client_for, officer_b, dept_b, dept_a, resource, application
):
    application_of(dept_b, name="已下线系统", lifecycle="retired")
    application_of(dept_a, name="别人的系统")
    form = client_for(officer_b).get(create_url(resource)).context["form"]
    assert list(form.fields["application"].queryset) == [application]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"items": []}, "items"),
        ({"items": ["NOPE"]}, "items"),
        ({"application": "999999"}, "application"),
        ({"application": "abc"}, "application"),
        ({"purpose": "bribery"}, "purpose"),
        ({"basis": ""}, "basis"),
        ({"period_end": "2020-01-01"}, "period_end"),
        ({"period_end": "9999-12-31"}, "period_end"),  # past the longest period (36 months)
        ({"period_start": "not a date"}, "period_start"),
        ({"expected_daily_calls": "-3"}, "expected_daily_calls"),
        ({"expected_daily_calls": "9" * 40}, "expected_daily_calls"),
    ],
)
def test_given_a_malformed_request_form_then_the_field_is_named_and_nothing_is_saved(
    client_for, officer_b, resource, application, overrides, field
):
    response = client_for(officer_b).post(create_url(resource), form_post(application, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ShareRequest.objects.exists()


def test_an_empty_post_names_every_required_field(client_for, officer_b, resource, application):
    response = client_for(officer_b).post(create_url(resource), {})
    assert response.status_code == 400
    assert {"application", "items", "purpose", "basis", "period_end"} <= set(
        response.context["form"].errors
    )


def test_a_bad_resource_parameter_is_not_found(client_for, officer_b, resource):
    client = client_for(officer_b)
    assert client.get(f"{CREATE_URL}?resource=abc").status_code == 404
    assert client.get(f"{CREATE_URL}?resource=999999").status_code == 404


def test_a_department_does_not_request_its_own_resource(client_for, officer_a, dept_a, resource):
    application = application_of(dept_a)
    response = client_for(officer_a).post(create_url(resource), form_post(application))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not ShareRequest.objects.exists()


def test_the_catalog_button_is_not_shown_to_the_provider_or_staff(
    client_for, officer_a, staff_a, resource
):
    url = reverse("catalog:resource_detail", args=[resource.pk])
    for user in (officer_a, staff_a):
        assert 'id="gs-resource-request"' not in client_for(user).get(url).content.decode()


def test_a_withdrawn_resource_is_offered_for_request_nowhere(
    client_for, officer_a, officer_b, resource
):
    # given a resource its provider has withdrawn (the request service refuses it)
    resource_withdraw(actor=officer_a, resource=resource, reason="数据已由其他资源替代")
    client = client_for(officer_b)

    # then neither its page, nor the picker, nor the form offers to request it
    page = client.get(reverse("catalog:resource_detail", args=[resource.pk])).content.decode()
    assert 'id="gs-resource-request"' not in page
    assert resource not in client.get(CREATE_URL).context["object_list"]
    assert client.get(create_url(resource)).status_code == 404


@pytest.mark.parametrize("role", ["staff_a", "auditor", "reviewer"])
def test_who_is_not_a_data_officer_cannot_open_the_request_form(
    request, client_for, resource, role
):
    client = client_for(request.getfixturevalue(role))
    assert client.get(create_url(resource)).status_code == 403
    assert client.post(create_url(resource), {}).status_code == 403


def test_anonymous_is_sent_to_login(client, draft):
    for url in (LIST_URL, CREATE_URL, detail(draft), step_url(draft, "submit")):
        response = client.post(url) if url.endswith("submit/") else client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


# --- editing a draft ------------------------------------------------------------------------


def test_the_consumer_edits_a_draft_and_its_items(client_for, officer_b, draft):
    url = reverse("sharing:request_edit", args=[draft.pk])
    client = client_for(officer_b)
    assert client.get(url).context["form"]["items"].value() == ["GMSFHM", "XM", "XBDM"]
    response = client.post(url, form_post(draft.application, items=["XBDM"], basis="新依据"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.basis == "新依据"
    assert list(draft.items.values_list("identifier", flat=True)) == ["XBDM"]


def test_a_submitted_request_cannot_be_edited(client_for, officer_b, submitted):
    url = reverse("sharing:request_edit", args=[submitted.pk])
    response = client_for(officer_b).post(url, form_post(submitted.application, basis="改"))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.basis != "改"


# --- my requests ----------------------------------------------------------------------------


def test_my_requests_lists_the_active_departments_requests_with_a_state_filter(
    client_for, officer_b, staff_a, draft, submitted, officer_a, dept_a, reviewer, dept_b
):
    client = client_for(officer_b)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert [row for row, _clock in response.context["rows"]] == [submitted]
    assert client.get(LIST_URL, {"state": "draft"}).context["rows"] == []
    assert client.get(LIST_URL, {"state": "nonsense"}).status_code == 200
    # 公安局's staff sees none of 人社局's requests as its own
    assert client_for(staff_a).get(LIST_URL).context["rows"] == []


def test_the_list_shows_the_clock_and_flags_overdue(client_for, officer_b, submitted):
    ShareRequest.objects.filter(pk=submitted.pk).update(conformity_due=dt.date(2020, 1, 6))
    page = client_for(officer_b).get(LIST_URL).content.decode()
    assert 'data-overdue="true"' in page and "text-danger" in page


def test_the_list_query_count_does_not_grow_with_rows(
    client_for, officer_b, dept_b, resource, django_assert_max_num_queries
):
    client = client_for(officer_b)
    request_submit(actor=officer_b, share_request=draft_request(officer_b, dept_b, resource))
    client.get(LIST_URL)
    with django_assert_max_num_queries(100) as one:
        client.get(LIST_URL)
    for _ in range(3):
        request_submit(actor=officer_b, share_request=draft_request(officer_b, dept_b, resource))
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(LIST_URL)


# --- the request page and its permission matrix ---------------------------------------------


@pytest.mark.parametrize("role", ["officer_b", "officer_a", "staff_a", "reviewer", "auditor"])
def test_a_submitted_request_is_readable_by_both_parties_and_the_overseers(
    request, client_for, submitted, role
):
    response = client_for(request.getfixturevalue(role)).get(detail(submitted))
    assert response.status_code == 200
    assert 'id="gs-request-clock"' in response.content.decode()


def test_a_draft_is_hidden_from_the_provider(client_for, officer_a, draft):
    assert client_for(officer_a).get(detail(draft)).status_code == 404


def test_another_departments_officer_does_not_find_the_request(client_for, dept_a, submitted):
    from govshare.core.roles import Role
    from tests.factories import DepartmentFactory, member

    outsider = member(DepartmentFactory(name="税务局"), Role.DATA_OFFICER, username="outsider")
    client = client_for(outsider)
    assert client.get(detail(submitted)).status_code == 404
    assert client.post(step_url(submitted, "withdraw")).status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == RequestState.SUBMITTED


def test_staff_read_the_request_but_have_no_steps(client_for, staff_a, officer_a, provider_review):
    response = client_for(staff_a).get(detail(provider_review))
    assert response.context["step_forms"] == {}
    assert client_for(officer_a).get(detail(provider_review)).context["step_forms"].keys() == {
        "answer"
    }


@pytest.mark.parametrize(
    "role, step",
    [
        ("staff_a", "answer"),
        ("officer_b", "answer"),  # the consumer does not answer its own request
        ("officer_a", "withdraw"),  # the provider does not withdraw the consumer's request
        ("officer_a", "conformity"),
        ("auditor", "answer"),
    ],
)
def test_given_a_party_without_the_right_when_it_posts_a_step_then_403_and_nothing_changes(
    request, client_for, provider_review, role, step
):
    response = client_for(request.getfixturevalue(role)).post(
        step_url(provider_review, step), {"decision_GMSFHM": "grant", "decision_XM": "grant"}
    )
    assert response.status_code == 403
    provider_review.refresh_from_db()
    assert provider_review.state == RequestState.PROVIDER_REVIEW
    assert provider_review.items.filter(decision=ItemDecision.PENDING).count() == 2


def test_steps_answer_get_with_the_request_page(client_for, officer_b, draft):
    response = client_for(officer_b).get(step_url(draft, "submit"))
    assert response.status_code == 302 and response["Location"] == detail(draft)
    draft.refresh_from_db()
    assert draft.state == RequestState.DRAFT


# --- steps: malformed posts and refusals ----------------------------------------------------


def test_an_answer_without_a_decision_names_the_items_row(client_for, officer_a, provider_review):
    response = client_for(officer_a).post(
        step_url(provider_review, "answer"), {"decision_GMSFHM": "grant"}
    )
    assert response.status_code == 400
    errors = response.context["step_forms"]["answer"].errors
    assert "decision_XM" in errors and "decision_GMSFHM" not in errors


def test_a_refusal_without_a_reason_comes_back_on_the_items_row(
    client_for, officer_a, provider_review
):
    response = client_for(officer_a).post(
        step_url(provider_review, "answer"),
        {
            "decision_GMSFHM": "grant",
            "masking_GMSFHM": "none",
            "decision_XM": "refuse",
            "masking_XM": "none",
        },
    )
    assert response.status_code == 400
    assert "decision_XM" in response.context["step_forms"]["answer"].errors
    provider_review.refresh_from_db()
    assert provider_review.state == RequestState.PROVIDER_REVIEW


def test_a_missing_decision_and_a_missing_reason_are_reported_at_once(
    client_for, officer_a, provider_review
):
    # given an answer that refuses one item without a reason and leaves the other undecided
    response = client_for(officer_a).post(
        step_url(provider_review, "answer"),
        {"decision_GMSFHM": "refuse", "masking_GMSFHM": "none", "masking_XM": "none"},
    )

    # then both rows carry their error in the one answer
    assert response.status_code == 400
    errors = response.context["step_forms"]["answer"].errors
    assert "decision_XM" in errors
    assert errors["decision_GMSFHM"] == ["拒绝的信息项须填写拒绝理由。"]
    provider_review.refresh_from_db()
    assert provider_review.state == RequestState.PROVIDER_REVIEW


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"row_filter": "no equals sign"}, "row_filter"),
        ({"row_filter": "NOPE = 1"}, "row_filter"),
        ({"row_filter": "XM = a\nXM = b"}, "row_filter"),
        ({"daily_quota": "0"}, "daily_quota"),
        ({"rate_per_minute": "lots"}, "rate_per_minute"),
        ({"valid_until": "2020-01-01"}, "valid_until"),
        ({"masking_XM": "rot13"}, "masking_XM"),
        ({"decision_XM": "maybe"}, "decision_XM"),
    ],
)
def test_malformed_grant_terms_are_named(client_for, officer_a, provider_review, extra, field):
    data = {
        "decision_GMSFHM": "grant",
        "masking_GMSFHM": "none",
        "decision_XM": "grant",
        "masking_XM": "none",
        **extra,
    }
    response = client_for(officer_a).post(step_url(provider_review, "answer"), data)
    assert response.status_code == 400
    assert field in response.context["step_forms"]["answer"].errors
    assert not Grant.objects.exists()


def test_a_row_filter_reaches_the_grant(client_for, officer_a, provider_review):
    data = {
        "decision_GMSFHM": "grant",
        "masking_GMSFHM": "none",
        "decision_XM": "grant",
        "masking_XM": "name",
        "row_filter": "XBDM ＝ 1，2",
    }
    assert client_for(officer_a).post(step_url(provider_review, "answer"), data).status_code == 302
    assert Grant.objects.get().row_filter == {"XBDM": ["1", "2"]}


def test_returning_without_a_note_names_the_note(client_for, reviewer, submitted):
    response = client_for(reviewer).post(step_url(submitted, "conformity"), {"outcome": "return"})
    assert response.status_code == 400
    assert "note" in response.context["step_forms"]["conformity"].errors


def test_a_step_in_the_wrong_state_is_refused_on_the_page(client_for, officer_b, submitted):
    response = client_for(officer_b).post(step_url(submitted, "submit"), {"note": ""})
    assert response.status_code == 400
    assert response.context["step_forms"]["submit"].non_field_errors()


def test_a_conformity_review_shows_the_findings_and_refuses_to_pass_a_not_shared_item(
    client_for, officer_b, reviewer, dept_b, resource
):
    asked = draft_request(officer_b, dept_b, resource, items=("XM", "ZJXY"))
    request_submit(actor=officer_b, share_request=asked)
    client = client_for(reviewer)
    inbox = client.get(reverse("sharing:authority_inbox"))
    (_row, _clock, findings) = inbox.context["rows"][0]
    assert findings and 'data-findings="1"' in inbox.content.decode()
    assert client.get(detail(asked)).context["findings"] == findings
    response = client.post(step_url(asked, "conformity"), {"outcome": "pass"})
    assert response.status_code == 400
    assert "outcome" in response.context["step_forms"]["conformity"].errors


# --- refusal, negotiation and coordination --------------------------------------------------


REFUSE_ALL = {
    "decision_GMSFHM": "refuse",
    "reason_GMSFHM": "无依据",
    "masking_GMSFHM": "none",
    "decision_XM": "refuse",
    "reason_XM": "无依据",
    "masking_XM": "none",
}


def test_refusing_every_conditional_item_still_grants_the_unconditional_one(
    client_for, officer_a, provider_review
):
    share_request = provider_review
    response = client_for(officer_a).post(step_url(share_request, "answer"), REFUSE_ALL)
    assert response.status_code == 302
    share_request.refresh_from_db()
    assert share_request.state == RequestState.ACTIVE


def test_negotiation_and_coordination(client_for, officer_a, officer_b, reviewer, dept_b, resource):
    share_request = draft_request(officer_b, dept_b, resource, items=("GMSFHM", "XM"))
    request_submit(actor=officer_b, share_request=share_request)
    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    consumer, provider, authority = (
        client_for(officer_b),
        client_for(officer_a),
        client_for(reviewer),
    )
    assert provider.post(step_url(share_request, "answer"), REFUSE_ALL).status_code == 302
    share_request.refresh_from_db()
    assert share_request.state == RequestState.REJECTED

    # Negotiation needs a reason
    response = consumer.post(step_url(share_request, "negotiate"), {"note": ""})
    assert response.status_code == 400
    assert "note" in response.context["step_forms"]["negotiate"].errors
    assert (
        consumer.post(step_url(share_request, "negotiate"), {"note": "请再议"}).status_code == 302
    )
    share_request.refresh_from_db()
    assert share_request.state == RequestState.NEGOTIATION
    assert "answer" in provider.get(detail(share_request)).context["step_forms"]

    # The consumer escalates; the authority's coordination grants one item
    assert (
        consumer.post(step_url(share_request, "escalate"), {"note": "协商未果"}).status_code == 302
    )
    share_request.refresh_from_db()
    assert share_request.state == RequestState.COORDINATION
    coordination = authority.get(reverse("sharing:authority_inbox"), {"tab": "coordination"})
    assert [row for row, _c, _f in coordination.context["rows"]] == [share_request]
    grant_one = {**REFUSE_ALL, "decision_XM": "grant", "note": "协调同意姓名"}
    assert authority.post(step_url(share_request, "answer"), grant_one).status_code == 302
    share_request.refresh_from_db()
    assert share_request.state == RequestState.ACTIVE
    assert list(Grant.objects.get().items.values_list("identifier", flat=True)) == ["XM"]


def test_the_consumer_withdraws_a_submitted_request_with_a_note(client_for, officer_b, submitted):
    client = client_for(officer_b)
    assert client.post(step_url(submitted, "withdraw"), {"note": "不再需要"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == RequestState.CLOSED
    assert submitted.events.last().note == "不再需要"


@pytest.mark.parametrize(
    ("user", "inbox"),
    [
        ("officer_b", "sharing:request_list"),
        ("officer_a", "sharing:provider_inbox"),
        ("reviewer", "sharing:authority_inbox"),
    ],
)
def test_the_breadcrumb_names_the_list_each_party_came_from(
    request, client_for, provider_review, user, inbox
):
    # Given a request in the provider's review, read by the consumer, the provider and the
    # authority, each breadcrumb leads back to that party's own list, not 我的申请 for all.
    page = client_for(request.getfixturevalue(user)).get(detail(provider_review))
    assert f'href="{reverse(inbox)}" id="gs-request-inbox"' in page.content.decode()


def test_an_items_answer_is_not_labelled_as_a_review_comment(
    client_for, officer_b, provider_review
):
    # "Decision" alone reads 审核意见 (a review's comments); the answer on an item has its context.
    page = client_for(officer_b).get(detail(provider_review)).content.decode()
    items = page.split('id="gs-request-items"', 1)[1].split("</thead>", 1)[0]
    assert f"<th>{gettext('Decision')}</th>" not in items
    assert pgettext("answer on a requested item", "Decision") in items
