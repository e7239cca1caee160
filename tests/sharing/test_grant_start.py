"""A grant whose period has not started (未生效): shown as such with its first day, and the
provider may move that day until it comes (issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from govshare.core.models import AuditEvent
from govshare.sharing.models import Grant
from govshare.sharing.services.grant_start import grant_start_change
from govshare.sharing.services.requests import (
    ItemAnswer,
    conformity_review,
    provider_decide,
    request_submit,
)
from tests.sharing.factories import draft_request, published_resource

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY + dt.timedelta(days=10)


def approved(officer_a, officer_b, reviewer, dept_a, dept_b, period_start: dt.date) -> Grant:
    name = f"户籍人口基本信息（{period_start.isoformat()}起）"
    resource = published_resource(officer_a, reviewer, dept_a, name=name)
    share_request = draft_request(officer_b, dept_b, resource, period_start=period_start)
    request_submit(actor=officer_b, share_request=share_request)
    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    answers = {"GMSFHM": ItemAnswer(grant=True), "XM": ItemAnswer(grant=True)}
    provider_decide(actor=officer_a, share_request=share_request, answers=answers)
    return Grant.objects.select_related("request").get(request=share_request)


@pytest.fixture
def later(officer_a, officer_b, reviewer, dept_a, dept_b) -> Grant:
    """Approved for a period that starts in ten days."""
    return approved(officer_a, officer_b, reviewer, dept_a, dept_b, START)


@pytest.fixture
def started(officer_a, officer_b, reviewer, dept_a, dept_b) -> Grant:
    return approved(officer_a, officer_b, reviewer, dept_a, dept_b, TODAY)


def test_a_grant_not_started_shows_not_yet_in_force_with_its_first_day(
    client_for, officer_a, officer_b, later, started
):
    assert later.is_not_yet_valid and not started.is_not_yet_valid
    for user in (officer_a, officer_b):
        for page in (
            reverse("sharing:grant_detail", args=[later.pk]),
            reverse("sharing:request_detail", args=[later.request_id]),
            reverse("sharing:grant_list") + ("?side=provider" if user == officer_a else ""),
        ):
            html = client_for(user).get(page).content.decode()
            assert 'data-state="not_yet_valid"' in html, page
            assert f'data-valid-from="{START.isoformat()}"' in html, page
    html = client_for(officer_a).get(reverse("sharing:grant_detail", args=[started.pk]))
    assert 'data-state="active"' in html.content.decode()


def test_the_provider_moves_the_start_of_a_grant_not_started(officer_a, later):
    new_start = START + dt.timedelta(days=5)
    grant_start_change(actor=officer_a, grant=later, valid_from=new_start, reason="系统上线推迟")
    later.refresh_from_db()
    assert later.valid_from == new_start
    event = AuditEvent.objects.filter(action="sharing.grant.change").latest("seq")
    assert event.before == {"valid_from": START.isoformat()}
    assert event.after == {"valid_from": new_start.isoformat()}
    assert later.request.events.last().note == "系统上线推迟"


@pytest.mark.parametrize(
    ("days", "field"),
    [(-1, "valid_from"), (9999, "valid_from")],  # before today; after the grant ends
)
def test_a_start_out_of_bounds_is_named_and_nothing_changes(officer_a, later, days, field):
    with pytest.raises(ValidationError) as refused:
        grant_start_change(
            actor=officer_a, grant=later, valid_from=TODAY + dt.timedelta(days=days), reason="x"
        )
    assert field in refused.value.message_dict
    later.refresh_from_db()
    assert later.valid_from == START


def test_a_start_needs_a_reason(officer_a, later):
    with pytest.raises(ValidationError) as refused:
        grant_start_change(actor=officer_a, grant=later, valid_from=START, reason=" ")
    assert "reason" in refused.value.message_dict


def test_a_grant_in_force_keeps_its_start(officer_a, started):
    with pytest.raises(ValidationError) as refused:
        grant_start_change(actor=officer_a, grant=started, valid_from=START, reason="推迟")
    assert "valid_from" in refused.value.message_dict
    started.refresh_from_db()
    assert started.valid_from == TODAY


def test_the_consumer_cannot_move_the_start(officer_b, later):
    with pytest.raises(PermissionDenied):
        grant_start_change(actor=officer_b, grant=later, valid_from=START, reason="推迟")
    later.refresh_from_db()
    assert later.valid_from == START


def test_the_provider_moves_the_start_from_the_grant_page(client_for, officer_a, later):
    client = client_for(officer_a)
    page = client.get(reverse("sharing:grant_detail", args=[later.pk])).content.decode()
    start_url = reverse("sharing:grant_start", args=[later.pk])
    assert start_url in page
    new_start = START + dt.timedelta(days=1)
    response = client.post(start_url, {"valid_from": new_start.isoformat(), "note": "推迟"})
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.valid_from == new_start
    refused = client.post(start_url, {"valid_from": new_start.isoformat(), "note": ""})
    assert refused.status_code == 400
