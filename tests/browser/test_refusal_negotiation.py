"""In a real browser: a partly refused request, once granted, still offers its consumer the
negotiation of the refused items (issue 12)."""

from __future__ import annotations

import pytest
from django.apps import apps
from playwright.sync_api import expect

from govshare.catalog import seed
from govshare.core.roles import Role
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


def test_the_consumer_negotiates_refused_items_of_an_active_request(live_server, page):
    base = live_server.url
    seed.load(apps, None)
    page.on("dialog", lambda dialog: dialog.accept())
    # Given a request granted in part (XM refused with a reason), now active,
    provider = DepartmentFactory(name="潍坊市公安局")
    consumer = DepartmentFactory(name="潍坊市人力资源和社会保障局")
    authority = DepartmentFactory(name="潍坊市大数据局", is_sharing_authority=True)
    officer = member(provider, Role.DATA_OFFICER, username="ga_officer")
    consumer_officer = member(consumer, Role.DATA_OFFICER, username="rs_officer")
    reviewer = member(authority, Role.REVIEWER, username="dsj_reviewer")
    resource = published_resource(officer, reviewer, provider)
    share_request = draft_request(consumer_officer, consumer, resource)
    request_submit(actor=consumer_officer, share_request=share_request)
    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    answers = {"GMSFHM": ItemAnswer(grant=True), "XM": ItemAnswer(grant=False, reason="涉及隐私")}
    provider_decide(actor=officer, share_request=share_request, answers=answers)

    # when the consumer's officer opens the request's page,
    sign_in(page, base, "rs_officer")
    page.goto(f"{base}/sharing/requests/{share_request.pk}/")
    # then it offers the negotiation of the refused items, and opening it with a note
    form = page.locator("#gs-step-negotiate-refusals")
    expect(form).to_be_visible()
    form.locator("textarea").fill("办理社保登记必须核对姓名")
    form.locator("button[type=submit]").click()
    # leads to a request in negotiation that names the one it comes from.
    expect(page.locator("#gs-refusals-of")).to_contain_text(share_request.number)
    expect(page.locator('#gs-request-header [data-state="negotiation"]')).to_be_visible()
