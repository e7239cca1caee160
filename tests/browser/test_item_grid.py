"""In a real browser at 1366×768: the resource form's item grid shows a whole item name such
as 统一社会信用代码 and a long identifier, not their first characters (issue 12)."""

from __future__ import annotations

import pytest
from django.apps import apps
from playwright.sync_api import expect

from govshare.catalog import seed
from govshare.core.roles import Role
from tests.browser.test_catalog_review import sign_in
from tests.factories import DepartmentFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How many pixels of the input's text are hidden (scrolled out of its box).
HIDDEN = "input => input.scrollWidth - input.clientWidth"


def test_the_item_grid_shows_whole_names_at_1366_pixels(live_server, browser):
    base = live_server.url
    seed.load(apps, None)
    department = DepartmentFactory(name="潍坊市市场监督管理局")
    member(department, Role.DATA_OFFICER, username="sc_officer")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        # Given the resource form on a 1366-pixel screen,
        sign_in(page, base, "sc_officer")
        page.goto(base + "/catalog/resources/new/")
        row = page.locator('tr[data-item-row="0"]')
        expect(row).to_be_visible()
        # when an item is named 统一社会信用代码 with a long identifier,
        name = row.locator('[name="items-0-name"]')
        name.fill("统一社会信用代码")
        identifier = row.locator('[name="items-0-identifier"]')
        identifier.fill("TYSHXYDM_CODE")
        # then both show whole in their inputs.
        assert name.evaluate(HIDDEN) <= 0
        assert identifier.evaluate(HIDDEN) <= 0
    finally:
        context.close()
