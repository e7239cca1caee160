"""Negotiating the refused items of a partly granted request, whatever its grant's state
(issue 12: a partly refused request offered the consumer no 协商 once active)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from govshare.sharing.choices import ItemDecision, RequestState
from govshare.sharing.models import Grant, ShareRequest
from govshare.sharing.services.grants import grant_suspend
from govshare.sharing.services.refusals import refusals_negotiate
from govshare.sharing.services.requests import (
    ItemAnswer,
    conformity_review,
    negotiation_agree,
    provider_decide,
    request_submit,
)
from tests.sharing.factories import draft_request, published_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def partly(officer_a, officer_b, reviewer, dept_a, dept_b) -> ShareRequest:
    """GMSFHM granted, XM refused with a reason (XBDM, unconditional, granted by itself)."""
    resource = published_resource(officer_a, reviewer, dept_a)
    share_request = draft_request(officer_b, dept_b, resource)
    request_submit(actor=officer_b, share_request=share_request)
    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    answers = {"GMSFHM": ItemAnswer(grant=True), "XM": ItemAnswer(grant=False, reason="涉及隐私")}
    provider_decide(actor=officer_a, share_request=share_request, answers=answers)
    share_request.refresh_from_db()
    assert share_request.state == RequestState.ACTIVE
    return share_request


def page_of(client, share_request) -> str:
    url = reverse("sharing:request_detail", args=[share_request.pk])
    return client.get(url).content.decode()


NEGOTIATE = 'id="gs-step-negotiate-refusals"'


@pytest.mark.parametrize("suspended", [False, True])
def test_the_consumer_negotiates_the_refused_items_from_the_request_page(
    client_for, officer_a, officer_b, partly, suspended
):
    grant = Grant.objects.get(request=partly)
    if suspended:
        grant_suspend(actor=officer_a, grant=grant, reason="核查")
    client = client_for(officer_b)
    # Given a granted request with a refused item, its page offers the consumer negotiation,
    assert NEGOTIATE in page_of(client, partly)
    # when the consumer opens it with a note,
    url = reverse("sharing:request_negotiate_refusals", args=[partly.pk])
    response = client.post(url, {"note": "办理社保登记必须核对姓名"})
    # then a request for the refused item is in negotiation with the provider, linked,
    follow_up = ShareRequest.objects.get(negotiates_refusals_of=partly)
    assert response["Location"] == reverse("sharing:request_detail", args=[follow_up.pk])
    assert follow_up.state == RequestState.NEGOTIATION and follow_up.provider_due is not None
    item = follow_up.items.get()
    assert (item.identifier, item.decision, item.reason) == (
        "XM",
        ItemDecision.REJECTED,
        "涉及隐私",
    )
    # the grant is untouched, and the request page names the negotiation instead of the form.
    partly.refresh_from_db()
    expected = RequestState.SUSPENDED if suspended else RequestState.ACTIVE
    assert partly.state == expected
    page = page_of(client, partly)
    assert NEGOTIATE not in page and f'data-refusal-negotiation="{follow_up.pk}"' in page
    # When the provider agrees, the refused item is granted in a grant of its own.
    negotiation_agree(
        actor=officer_a, share_request=follow_up, answers={"XM": ItemAnswer(grant=True)}
    )
    follow_up.refresh_from_db()
    assert follow_up.state == RequestState.ACTIVE
    assert list(follow_up.grant.items.values_list("identifier", flat=True)) == ["XM"]


def test_the_provider_is_not_offered_the_consumers_negotiation(client_for, officer_a, partly):
    assert NEGOTIATE not in page_of(client_for(officer_a), partly)
    with pytest.raises(PermissionDenied):
        refusals_negotiate(actor=officer_a, share_request=partly, note="x")


def test_a_negotiation_needs_a_note_and_is_opened_once(officer_b, partly):
    with pytest.raises(ValidationError):
        refusals_negotiate(actor=officer_b, share_request=partly, note=" ")
    refusals_negotiate(actor=officer_b, share_request=partly, note="需要姓名")
    with pytest.raises(ValidationError) as refused:
        refusals_negotiate(actor=officer_b, share_request=partly, note="再次")
    assert "items" in refused.value.message_dict
    assert ShareRequest.objects.filter(negotiates_refusals_of=partly).count() == 1
