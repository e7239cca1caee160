"""In a real browser: a grant whose period has not started reads "not yet in force" with its
first day, not "active", and its provider moves that day (issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from govshare.catalog import seed
from govshare.core.roles import Role
from govshare.sharing.models import Grant
from govshare.sharing.services.requests import (
    ItemAnswer,
    conformity_review,
    provider_decide,
    request_submit,
)
from tests.browser.test_catalog_review import sign_in
from tests.factories import DepartmentFactory, member
from tests.sharing.factories import draft_request, published_resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_grant_not_started_shows_its_first_day_and_the_provider_moves_it(live_server, page):
    base = live_server.url
    seed.load(apps, None)
    # Given a grant approved for a period that starts in ten days,
    provider = DepartmentFactory(name="潍坊市公安局")
    consumer = DepartmentFactory(name="潍坊市人力资源和社会保障局")
    authority = DepartmentFactory(name="潍坊市大数据局", is_sharing_authority=True)
    officer = member(provider, Role.DATA_OFFICER, username="ga_officer")
    consumer_officer = member(consumer, Role.DATA_OFFICER, username="rs_officer")
    reviewer = member(authority, Role.REVIEWER, username="dsj_reviewer")
    resource = published_resource(officer, reviewer, provider)
    start = timezone.localdate() + dt.timedelta(days=10)
    share_request = draft_request(consumer_officer, consumer, resource, period_start=start)
    request_submit(actor=consumer_officer, share_request=share_request)
    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    answers = {"GMSFHM": ItemAnswer(grant=True), "XM": ItemAnswer(grant=True)}
    provider_decide(actor=officer, share_request=share_request, answers=answers)
    grant = Grant.objects.get(request=share_request)

    # when its provider opens the grant's page,
    sign_in(page, base, "ga_officer")
    page.goto(f"{base}/sharing/grants/{grant.pk}/")
    # then it reads "not yet in force" from its first day, not "active",
    header = page.locator("#gs-grant-header")
    expect(header.locator('[data-state="not_yet_valid"]')).to_be_visible()
    expect(header.locator("[data-valid-from]")).to_contain_text(start.isoformat())
    expect(header.locator('[data-state="active"]')).to_have_count(0)

    # and the provider moves the first day, with a reason.
    later = start + dt.timedelta(days=3)
    page.click("#gs-grant-start")
    page.fill("#id_valid_from", later.isoformat())
    page.fill("#id_note", "对方系统上线推迟")
    page.click("main form button[type=submit]")
    expect(page.locator("#gs-grant-header [data-valid-from]")).to_contain_text(later.isoformat())
